import type { Finding, Strategy } from '../diagnosis.js';
import type { Exchange, Failure, Observations } from '../observation.js';
import { serverOf } from '../observed.js';
import { breaksEarlyHints } from './proxy.js';

/**
 * Whether the page answered something the doctor can check: the page to check, why it
 * cannot be checked, or what is already wrong before any hint is looked at (a `103` that
 * broke the page, HTTP/2 failing where HTTP/1.1 works, a proxy's `502`).
 */
export type PageGate =
  | { readonly page: Exchange }
  | { readonly unchecked: string }
  | { readonly findings: Finding[]; readonly strategy?: Strategy };

export function pageToCheck(obs: Observations, debugHeader: string): PageGate {
  if (obs.failure) return { unchecked: failureMessage(obs.failure, obs.url) };
  const page = obs.h2 ?? obs.http1;
  if (!page) return { unchecked: 'No request of the page was made.' };

  if (page.failure && page.status === undefined) {
    // A stream reset after a 103: what nginx before 1.29 does (it takes the 103 for the
    // final response, then the real one is a protocol error). Browsers show an error page.
    if (page.interim.some((i) => i.status === 103))
      return { findings: [earlyHintsBreakPage(page, page.failure, serverOf(obs))], strategy: 'flushHeaders' };
    // HTTP/2 fails where HTTP/1.1 works: browsers use HTTP/2 here, so they fail too.
    if (page === obs.h2 && obs.http1?.status !== undefined && obs.http1.status < 400) {
      return {
        findings: [
          {
            code: 'h2-fails',
            severity: 'error',
            message: `Over HTTP/2 the page failed (${page.failure.message}), over HTTP/1.1 it answered ${obs.http1.status}: browsers, which use HTTP/2 here, fail.`,
            fix: "check the proxy's HTTP/2 setup and its log for this request; if the route uses earlyHints, try flushHeaders.",
          },
        ],
      };
    }
    return { unchecked: failureMessage(page.failure, obs.url) };
  }

  const status = page.status!;
  if (status === 502 || status === 503 || status === 504) {
    return {
      findings: [
        {
          code: 'bad-gateway',
          severity: 'error',
          message: `The proxy answered ${status} for the page.`,
          fix: `if the app itself answers, its response headers may be larger than the proxy's buffer (nginx: proxy_buffer_size, 4 KiB by default; the Link header counts): lower the module's maxHeaderBytes, or raise proxy_buffer_size.`,
        },
      ],
    };
  }
  if (status < 200 || status >= 300) return { unchecked: notAPage(page, status, obs.url) };

  const contentType = page.headers['content-type'] ?? '';
  if (!/^\s*(text\/html|application\/xhtml\+xml)/i.test(contentType)) {
    return {
      unchecked: `Not an HTML page (Content-Type: ${contentType || 'none'}): hints are sent on HTML pages only; give the URL of one.`,
    };
  }
  const mode = page.headers[debugHeader];
  if (!mode && !page.headers['link'] && !page.interim.some((i) => i.status === 103 && i.link)) {
    return {
      unchecked: `The page has no Link preload header and no ${debugHeader} header: nothing to check. Is the module installed, with preloadHeaders and debugHeader on, and does the proxy pass these headers?`,
    };
  }
  if (mode === 'off') {
    return {
      unchecked: `The page sends no hints (${debugHeader}: off): it recorded nothing, or its route has @NoPreload().`,
    };
  }
  return { page };
}

function earlyHintsBreakPage(page: Exchange, failure: Failure, server: string): Finding {
  const nginx = breaksEarlyHints(server);
  const who = nginx
    ? `This is ${nginx} (before 1.29), which does this: it takes the 103 for the final response; WebKit (Safari) even hangs about 80 s on it.`
    : 'nginx before 1.29 does this: it takes the 103 for the final response.';
  return {
    code: 'early-hints-break-page',
    severity: 'error',
    message:
      page.protocol === 'h2'
        ? `Over HTTP/2 the proxy sent the 103, then reset the stream (${failure.message}): browsers fail to load the page (ERR_HTTP2_PROTOCOL_ERROR). ${who}`
        : `After the 103, what came was not a valid response (${failure.message}): the proxy mishandles 103. ${who}`,
    fix: "use flushHeaders (your proxy breaks 103 Early Hints): remove strategy: 'earlyHints' from the module's options and from @Preload() on this route, or upgrade to a proxy that relays 103 (nginx 1.29+ with early_hints, Caddy 2.6+).",
  };
}

/** A page that answered something else than 2xx: where to look instead. */
function notAPage(page: Exchange, status: number, url: string): string {
  const location = page.headers['location'];
  if (status >= 300 && status < 400 && location)
    return `The page answered ${status}, not 2xx (Location: ${location}): give the URL it redirects to.`;
  // nginx and Caddy answer a plain request on their TLS port with a 400 that says so.
  if (
    status === 400 &&
    /plain HTTP request was sent to HTTPS port|HTTP request to an HTTPS server/i.test(page.body.slice(0, 4096))
  )
    return `This port speaks TLS: it answered the plain http:// request with ${status} (a plain HTTP request sent to an HTTPS port). Use ${withScheme(url, 'https:')}.`;
  return `The page answered ${status}, not 2xx: give the URL of a page that renders.`;
}

/** What a failure to reach the page means, in words, with what to do about it. */
export function failureMessage(failure: Failure, url: string): string {
  const host = safeHost(url);
  const code = failure.code ? ` (${failure.code})` : '';
  switch (failure.kind) {
    case 'timeout':
      return `No answer from ${host}: ${failure.message}. Is the app up, and is the handler this slow? (--timeout to wait longer)`;
    case 'tls':
      // OpenSSL reads a plain HTTP answer to its hello as a TLS record of an unknown version.
      if (failure.code === 'ERR_SSL_WRONG_VERSION_NUMBER' || /wrong version number/i.test(failure.message))
        return `${host} does not speak TLS: it answered the TLS handshake with something else, usually plain HTTP. This port speaks plain HTTP: use ${withScheme(url, 'http:')} (or the port where TLS is served).`;
      return `TLS failed with ${host}: ${failure.message}${code}. For a self-signed or local-CA certificate, pass --ca <file> with the CA certificate, or --insecure to skip verification.`;
    case 'unreachable':
      // A TLS server hangs up on a plain request without answering.
      if (url.startsWith('http:') && failure.code === 'ECONNRESET' && /socket hang up/i.test(failure.message))
        return `${host} closed the connection without answering${code}. If this port speaks TLS, use ${withScheme(url, 'https:')}.`;
      return `Cannot reach ${host}: ${failure.message}${code}.`;
    case 'protocol':
      return `The server broke the protocol before answering: ${failure.message}.`;
    default:
      return `The request failed: ${failure.message}.`;
  }
}

/** The URL with the other scheme, on the same port (`https://host/` to `http://host:443/`). */
function withScheme(url: string, scheme: 'http:' | 'https:'): string {
  try {
    const u = new URL(url);
    const port = u.port || (u.protocol === 'https:' ? '443' : '80');
    u.protocol = scheme;
    u.port = port;
    return u.href;
  } catch {
    return url;
  }
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
