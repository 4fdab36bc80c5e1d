import { freshness, type Freshness } from './freshness.js';
import { relList, scanHtml, cssUrls, type Tag } from './html-scan.js';
import { preloadLinks, type ParsedLink } from './link-parse.js';
import type { Exchange, Failure, Observations } from './observation.js';

export type Severity = 'ok' | 'info' | 'warn' | 'error';

/** One thing the doctor noticed. `code` is stable (for `--json` readers); the message is for people. */
export interface Finding {
  readonly code: string;
  readonly severity: Severity;
  readonly message: string;
  /** The change that would fix it. */
  readonly fix?: string;
}

export type Strategy = 'flushHeaders' | 'earlyHints';

export interface Verdict {
  /** `ok`: hints go early and nothing is wasted; `fix`: something to change; `unchecked`: the page could not be checked. */
  readonly status: 'ok' | 'fix' | 'unchecked';
  /** 0, 1 or 2, for `ok`, `fix` and `unchecked`. */
  readonly exitCode: 0 | 1 | 2;
  /** The strategy that works on this path, when the doctor could tell. */
  readonly strategy?: Strategy;
  /** One sentence: what the doctor concluded. */
  readonly summary: string;
  /** The one change to make, when there is one. */
  readonly change?: string;
}

/** A request of the page, as reported. */
export interface RequestReport {
  readonly role: 'warm' | 'h2' | 'http1';
  readonly protocol: string;
  readonly status?: number;
  /** The `x-http2-preload` header. */
  readonly mode?: string;
  readonly interim: { readonly status: number; readonly atMs: number; readonly links: string[] }[];
  readonly headersAtMs?: number;
  readonly contentAtMs?: number;
  readonly endAtMs?: number;
  /** How long the final headers (and their Link) arrived before the page's content; absent without both. */
  readonly headStartMs?: number;
  /** The body began with the module's flushed newline, alone. */
  readonly flushedNewline: boolean;
  readonly linkBytes: number;
  readonly headerBytes: number;
  readonly failure?: Failure;
}

export interface AssetReport {
  readonly url: string;
  readonly as?: string;
  readonly status?: number;
  readonly cacheControl?: string;
  readonly fresh?: boolean;
  readonly freshness?: string;
  readonly usedByPage: boolean;
  readonly failure?: Failure;
}

export interface Diagnosis {
  readonly url: string;
  readonly transport?: string;
  readonly verdict: Verdict;
  readonly findings: Finding[];
  readonly requests: RequestReport[];
  readonly assets: AssetReport[];
}

/**
 * Header limits of common proxies, for the size check. nginx refuses an upstream response
 * whose headers do not fit `proxy_buffer_size` (one memory page, 4 KiB on x86-64) with a
 * 502; Apache's mod_proxy refuses a header line longer than `LimitRequestFieldSize`
 * (8190 bytes); HAProxy needs the headers in `tune.bufsize` less `tune.maxrewrite`.
 */
export const PROXY_HEADER_LIMITS = [
  { proxy: 'nginx', bytes: 4096, setting: 'proxy_buffer_size 4k', applies: 'all response headers' },
  { proxy: 'Apache', bytes: 8190, setting: 'LimitRequestFieldSize 8190', applies: 'one header line' },
  {
    proxy: 'HAProxy',
    bytes: 15360,
    setting: 'tune.bufsize 16384 less tune.maxrewrite 1024',
    applies: 'all response headers',
  },
] as const;

const exitCodes = { ok: 0, fix: 1, unchecked: 2 } as const;

/** Reads what the probe saw and decides. Pure: the same observations give the same diagnosis. */
export function diagnose(obs: Observations): Diagnosis {
  const requests = (['warm', 'h2', 'http1'] as const)
    .map((role) => (obs[role] ? reportRequest(role, obs[role]!) : undefined))
    .filter((r): r is RequestReport => r !== undefined);
  const base = { url: obs.url, transport: obs.transport, requests };

  if (obs.failure)
    return { ...base, findings: [], assets: [], verdict: unchecked(failureMessage(obs.failure, obs.url)) };
  const primary = obs.h2 ?? obs.http1;
  if (!primary) return { ...base, findings: [], assets: [], verdict: unchecked('No request of the page was made.') };

  const findings: Finding[] = [];
  const had103 = primary.interim.some((i) => i.status === 103);

  // An HTTP/2 stream reset after a 103: what nginx before 1.29 does (it takes the 103 for
  // the final response, then the real one is a protocol error). Browsers show an error page.
  if (had103 && primary.failure && primary.status === undefined) {
    findings.push({
      code: 'early-hints-break-page',
      severity: 'error',
      message:
        primary.protocol === 'h2'
          ? `Over HTTP/2 the proxy sent the 103, then reset the stream (${primary.failure.message}): browsers fail to load the page (ERR_HTTP2_PROTOCOL_ERROR). nginx before 1.29 does this: it takes the 103 for the final response.`
          : `After the 103, what came was not a valid response (${primary.failure.message}): the proxy mishandles 103 (nginx before 1.29 takes it for the final response and passes the real one as its body).`,
      fix: "use flushHeaders (your proxy breaks 103 Early Hints): remove strategy: 'earlyHints' from the module's options and from @Preload() on this route, or upgrade to a proxy that relays 103 (nginx 1.29+ with early_hints, Caddy 2.6+).",
    });
    return finish(base, findings, [], 'flushHeaders');
  }

  if (primary.failure && primary.status === undefined) {
    // HTTP/2 fails where HTTP/1.1 works: browsers use HTTP/2 here, so they fail too.
    if (primary === obs.h2 && obs.http1?.status !== undefined && obs.http1.status < 400) {
      findings.push({
        code: 'h2-fails',
        severity: 'error',
        message: `Over HTTP/2 the page failed (${primary.failure.message}), over HTTP/1.1 it answered ${obs.http1.status}: browsers, which use HTTP/2 here, fail.`,
        fix: "check the proxy's HTTP/2 setup and its log for this request; if the route uses earlyHints, try flushHeaders.",
      });
      return finish(base, findings, []);
    }
    return { ...base, findings, assets: [], verdict: unchecked(failureMessage(primary.failure, obs.url)) };
  }
  const status = primary.status!;
  if (status === 502 || status === 503 || status === 504) {
    findings.push({
      code: 'bad-gateway',
      severity: 'error',
      message: `The proxy answered ${status} for the page.`,
      fix: `if the app itself answers, its response headers may be larger than the proxy's buffer (nginx: proxy_buffer_size, 4 KiB by default; the Link header counts): lower the module's maxHeaderBytes, or raise proxy_buffer_size.`,
    });
    return finish(base, findings, []);
  }
  if (status < 200 || status >= 300) {
    const location = primary.headers['location'];
    const where =
      status >= 300 && status < 400 && location
        ? ` (Location: ${location}): give the URL it redirects to`
        : ': give the URL of a page that renders';
    return { ...base, findings, assets: [], verdict: unchecked(`The page answered ${status}, not 2xx${where}.`) };
  }
  const contentType = primary.headers['content-type'] ?? '';
  if (!/^\s*(text\/html|application\/xhtml\+xml)/i.test(contentType)) {
    return {
      ...base,
      findings,
      assets: [],
      verdict: unchecked(
        `Not an HTML page (Content-Type: ${contentType || 'none'}): hints are sent on HTML pages only; give the URL of one.`,
      ),
    };
  }

  const mode = primary.headers['x-http2-preload'];
  const earlyLinks = primary.interim.filter((i) => i.status === 103).flatMap((i) => preloadLinks(i.link));
  const finalLinks = preloadLinks(primary.headers['link']);
  if (!mode && finalLinks.length === 0 && earlyLinks.length === 0) {
    return {
      ...base,
      findings,
      assets: [],
      verdict: unchecked(
        'The page has no Link preload header and no x-http2-preload header: nothing to check. Is the module installed, with preloadHeaders and debugHeader on, and does the proxy pass these headers?',
      ),
    };
  }
  if (mode === 'off') {
    return {
      ...base,
      findings,
      assets: [],
      verdict: unchecked(
        'The page sends no hints (x-http2-preload: off): it recorded nothing, or its route has @NoPreload().',
      ),
    };
  }

  if (primary.failure) {
    findings.push({
      code: 'page-incomplete',
      severity: 'error',
      message: `The page's response broke off before its end (${primary.failure.message}). After flushed headers, the module closes the connection this way when the handler or template fails or answers something else than an HTML 200.`,
      fix: "look at the app's log for this route: it fails, redirects or changes its status after the flush; give it @Preload({ strategy: 'late' }) or 'earlyHints' if it must.",
    });
  }

  // How the hints went out on the second request.
  let strategy: Strategy | undefined;
  const flushed = startsWithFlushedNewline(primary);
  const browsersSpeak = obs.transport === 'tls-h2' ? 'HTTP/2' : 'HTTP/1.1';
  if (had103) {
    strategy = 'earlyHints';
    if (obs.transport !== 'tls-h2') {
      findings.push({
        code: 'early-hints-over-http1',
        severity: 'error',
        message: `The page sends a 103, but browsers reach it over ${browsersSpeak}${obs.transport === 'cleartext' ? ' (cleartext http:)' : ' (TLS without HTTP/2)'}, and Chromium acts on 103 only over HTTP/2 or HTTP/3: Chromium users get nothing from it (Firefox does use it over HTTP/1.1). Flushed headers work in both.`,
        fix: 'use flushHeaders (browsers ignore 103 over HTTP/1.1), or put a proxy that speaks HTTP/2 and relays 103 in front (Caddy 2.6+, nginx 1.29+ with early_hints).',
      });
      strategy = 'flushHeaders';
    } else {
      const gap = primary.headersAtMs! - primary.interim.find((i) => i.status === 103)!.atMs;
      findings.push({
        code: 'early-hints-relayed',
        severity: 'ok',
        message: `A 103 with ${earlyLinks.length} preload link(s) arrived over HTTP/2 ${Math.round(gap)} ms before the page's headers.`,
      });
      // Nonce-CSP pages: Firefox takes the first 103 link of a URL and uses a script or style
      // only when that link carries the nonce; Chromium drops every 103 link with a nonce.
      // So each such file needs both, the nonce one first (what the module sends).
      const policy = primary.headers['content-security-policy'];
      const byTarget = new Map<string, typeof earlyLinks>();
      for (const link of earlyLinks) {
        const same = byTarget.get(link.target);
        if (same) same.push(link);
        else byTarget.set(link.target, [link]);
      }
      const nonceFiles = [...byTarget.values()].filter((links) => nonceRequired(policy, links[0].params.as));
      const firefoxMisses = nonceFiles.filter((links) => links[0].params.nonce === undefined).map((links) => links[0]);
      const chromiumMisses = [...byTarget.values()]
        .filter((links) => links.every((link) => link.params.nonce !== undefined))
        .map((links) => links[0]);
      if (firefoxMisses.length > 0) {
        findings.push({
          code: 'early-hints-csp-nonce',
          severity: 'error',
          message: `The page's Content-Security-Policy asks for a nonce on ${[...new Set(firefoxMisses.map((l) => l.params.as))].join(' and ')}, and the 103's first link for each carries none (${firefoxMisses.map((l) => l.target).join(', ')}). Firefox uses only the first link of a URL, and then only with the nonce: it waits about 5 s and downloads them again.`,
          fix: "send each of those links twice in the 103, first with `; nonce=` and the request's nonce (for Firefox), then without it (Chromium ignores a 103 link with a nonce); nestjs-http2-preload does so when its nonce option finds the request's nonce before the handler runs. Or use flushHeaders on that route.",
        });
      }
      if (chromiumMisses.length > 0) {
        findings.push({
          code: 'early-hints-nonce-only',
          severity: 'error',
          message: `The 103's links for ${chromiumMisses.map((l) => l.target).join(', ')} all carry a nonce. Chromium ignores a 103 link with a parameter its early-hints parser does not know, nonce among them: Chromium users get nothing early for those files.`,
          fix: 'after each link with a nonce, send the same link without it in the 103 (Firefox takes the first, Chromium the plain one).',
        });
      }
    }
  } else if (mode === 'early' && flushed === 'alone') {
    strategy = 'flushHeaders';
    const headStart = primary.contentAtMs! - primary.headersAtMs!;
    findings.push({
      code: 'flushed-headers-pass',
      severity: 'ok',
      message: `The flushed 200 and its Link header arrived ${Math.round(headStart)} ms before the page's content (x-http2-preload: early, over ${primary.protocol}).`,
    });
  } else if (mode === 'early' && flushed === 'with-content') {
    strategy = 'flushHeaders';
    const proxy = primary.headers['server'] ?? '';
    findings.push({
      code: 'flushed-headers-buffered',
      severity: 'error',
      message: `x-http2-preload says early, but the flushed headers arrived together with the page's content (headers at ${Math.round(primary.headersAtMs!)} ms, content at ${Math.round(primary.contentAtMs ?? primary.headersAtMs!)} ms, instead of the newline alone first): something between the app and this client holds the response until the page is complete, so the browser gains nothing.`,
      fix: /nginx/i.test(proxy)
        ? 'your proxy buffers flushed headers: add `proxy_http_version 1.1;` to the location that proxies the app (nginx speaks HTTP/1.0 to upstreams by default, and holds such a response until it is complete), or `proxy_buffering off;`.'
        : 'your proxy buffers flushed headers: make it stream responses from the app (nginx: `proxy_http_version 1.1;`; Apache: `flushpackets=on` on the ProxyPass; a CDN: disable response buffering for HTML).',
    });
  } else if (mode === 'early') {
    // Early, no 103 and no flushed newline: the route sends a 103 that was dropped on the way.
    strategy = 'flushHeaders';
    findings.push({
      code: 'early-hints-dropped',
      severity: 'error',
      message: `x-http2-preload says early and the page does not start with a flushed newline, so the app sent a 103 Early Hints, but no 103 reached this client over ${primary.protocol}: the proxy drops it.`,
      fix: /apache/i.test(primary.headers['server'] ?? '')
        ? 'use flushHeaders (your proxy drops 103), or let Apache relay it over HTTP/2 with `H2EarlyHints on`.'
        : "use flushHeaders (your proxy drops 103): remove strategy: 'earlyHints' from the module's options and from @Preload() on this route, or make the proxy relay 103 (Apache: `H2EarlyHints on`).",
    });
  } else if (mode === 'late') {
    findings.push({
      code: 'never-early',
      severity: 'error',
      message:
        'The second request of the page was still late: its hints went out only with the page. Either the route is @Preload({ strategy: "late" }), presendCachedHeaders is off, or the route stopped flushing after a handler changed its headers (the app logs that); or the route uses earlyHints and the proxy speaks HTTP/1.0 to the app (nginx\'s default), to which Node sends no 103.',
      fix: 'let hints go early: use flushHeaders, and make the proxy speak HTTP/1.1 to the app (nginx: `proxy_http_version 1.1;`).',
    });
  } else {
    findings.push({
      code: 'unknown-mode',
      severity: 'warn',
      message: `x-http2-preload is ${mode ? `"${mode}"` : 'missing'}: the doctor cannot tell whether hints went early.`,
      fix: "keep the module's debugHeader on, and let the proxy pass x-http2-preload, so the doctor can check.",
    });
  }

  // The other protocol, when it disagrees: a proxy can treat HTTP/1.1 and HTTP/2 clients differently.
  if (obs.h2 && obs.http1 && primary === obs.h2) findings.push(...compareHttp1(obs.http1, had103));

  findings.push(...sizeFindings(primary));

  const { assets, findings: assetFindings } = analyseAssets(
    obs,
    primary,
    strategy === 'earlyHints' && had103 && obs.transport === 'tls-h2',
  );
  findings.push(...assetFindings);
  return finish(base, findings, assets, strategy);
}

function finish(
  base: Pick<Diagnosis, 'url' | 'transport' | 'requests'>,
  findings: Finding[],
  assets: AssetReport[],
  strategy?: Strategy,
): Diagnosis {
  const worst = findings.find((f) => f.severity === 'error') ?? findings.find((f) => f.severity === 'warn');
  if (!worst) {
    const how = findings.find((f) => f.severity === 'ok');
    return {
      ...base,
      findings,
      assets,
      verdict: {
        status: 'ok',
        exitCode: 0,
        strategy,
        summary: `${strategy ?? 'The hints'} work${strategy ? 's' : ''} on this path${how ? `: ${lowerFirst(how.message)}` : '.'}`,
      },
    };
  }
  return {
    ...base,
    findings,
    assets,
    verdict: { status: 'fix', exitCode: exitCodes.fix, strategy, summary: worst.message, change: worst.fix },
  };
}

function unchecked(summary: string): Verdict {
  return { status: 'unchecked', exitCode: exitCodes.unchecked, summary };
}

function lowerFirst(text: string): string {
  return /^[A-Z][a-z]/.test(text) ? text[0].toLowerCase() + text.slice(1) : text;
}

/** What a failure to reach the page means, in words. */
export function failureMessage(failure: Failure, url: string): string {
  const host = safeHost(url);
  switch (failure.kind) {
    case 'timeout':
      return `No answer from ${host}: ${failure.message}. Is the app up, and is the handler this slow? (--timeout to wait longer)`;
    case 'tls':
      return `TLS failed with ${host}: ${failure.message}${failure.code ? ` (${failure.code})` : ''}. For a self-signed or local-CA certificate, pass --ca <file> with the CA certificate, or --insecure to skip verification.`;
    case 'unreachable':
      return `Cannot reach ${host}: ${failure.message}${failure.code ? ` (${failure.code})` : ''}.`;
    case 'protocol':
      return `The server broke the protocol before answering: ${failure.message}.`;
    default:
      return `The request failed: ${failure.message}.`;
  }
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/**
 * Whether the policy makes a preload of this kind need a nonce: the directive that governs
 * it (`script-src-elem`, then `script-src`, then `default-src`; the same for styles) has
 * a `'nonce-…'` source. Several policies (joined by commas) all apply.
 */
export function nonceRequired(policy: string | undefined, as: string | undefined): boolean {
  if (!policy || (as !== 'script' && as !== 'style')) return false;
  return policy.split(',').some((one) => {
    const directives = new Map<string, string>();
    for (const part of one.split(';')) {
      const [name, ...sources] = part.trim().split(/\s+/);
      if (name && !directives.has(name.toLowerCase())) directives.set(name.toLowerCase(), sources.join(' '));
    }
    const sources = directives.get(`${as}-src-elem`) ?? directives.get(`${as}-src`) ?? directives.get('default-src');
    return sources !== undefined && /'nonce-/i.test(sources);
  });
}

/** Whether the body began with the module's flushed newline, and whether it came on its own. */
function startsWithFlushedNewline(exchange: Exchange): 'alone' | 'with-content' | 'no' {
  if (!/^[\r\n]/.test(exchange.body)) return 'no';
  if (exchange.firstChunkBlank && exchange.contentAtMs !== undefined && exchange.headersAtMs !== undefined)
    return 'alone';
  return 'with-content';
}

function reportRequest(role: RequestReport['role'], exchange: Exchange): RequestReport {
  const flushed = startsWithFlushedNewline(exchange);
  return {
    role,
    protocol: exchange.protocol,
    status: exchange.status,
    mode: exchange.headers['x-http2-preload'],
    interim: exchange.interim.map((i) => ({
      status: i.status,
      atMs: round(i.atMs),
      links: preloadLinks(i.link).map((l) => l.target),
    })),
    headersAtMs: round(exchange.headersAtMs),
    contentAtMs: round(exchange.contentAtMs),
    endAtMs: round(exchange.endAtMs),
    headStartMs:
      exchange.headersAtMs !== undefined && exchange.contentAtMs !== undefined
        ? round(exchange.contentAtMs - exchange.headersAtMs)
        : undefined,
    flushedNewline: flushed === 'alone',
    linkBytes: Buffer.byteLength(exchange.headers['link'] ?? ''),
    headerBytes: exchange.headerBytes,
    failure: exchange.failure,
  };
}

function round<T extends number | undefined>(ms: T): T {
  return (ms === undefined ? undefined : Math.round(ms * 10) / 10) as T;
}

function compareHttp1(http1: Exchange, h2Had103: boolean): Finding[] {
  if (http1.failure && http1.status === undefined) {
    return [
      {
        code: 'http1-failed',
        severity: 'warn',
        message: `Over HTTP/1.1 the page failed: ${http1.failure.message}.`,
        fix: 'check the proxy for HTTP/1.1 clients: older browsers and tools use it.',
      },
    ];
  }
  const findings: Finding[] = [];
  const http1Had103 = http1.interim.some((i) => i.status === 103);
  if (http1Had103 && !h2Had103) {
    findings.push({
      code: 'http1-differs',
      severity: 'info',
      message: 'Over HTTP/1.1 a 103 arrived, over HTTP/2 none did.',
    });
  }
  if (http1.headers['x-http2-preload'] === 'early' && startsWithFlushedNewline(http1) === 'with-content') {
    findings.push({
      code: 'http1-buffered',
      severity: 'info',
      message: 'Over HTTP/1.1 the flushed headers arrived together with the content.',
    });
  }
  return findings;
}

function sizeFindings(exchange: Exchange): Finding[] {
  const linkBytes = Buffer.byteLength(exchange.headers['link'] ?? '');
  const nginx = PROXY_HEADER_LIMITS[0];
  if (exchange.headerBytes > nginx.bytes) {
    return [
      {
        code: 'headers-too-large',
        severity: 'warn',
        message: `The response headers take ${exchange.headerBytes} bytes (Link: ${linkBytes}): above nginx's default ${nginx.setting} (${nginx.bytes} bytes), where nginx answers 502.`,
        fix: `lower the module's maxHeaderBytes (2000 by default) or send fewer headers; behind nginx, raise proxy_buffer_size.`,
      },
    ];
  }
  const fits = PROXY_HEADER_LIMITS.map((l) => `${l.proxy} ${l.bytes}`).join(', ');
  return [
    {
      code: 'headers-size',
      severity: 'info',
      message: `Response headers ${exchange.headerBytes} bytes, Link ${linkBytes} bytes: within common proxy limits (${fits}).`,
    },
  ];
}

/** The file checks: what makes a hint wasted or harmful. */
function analyseAssets(
  obs: Observations,
  primary: Exchange,
  hintsIn103: boolean,
): { assets: AssetReport[]; findings: Finding[] } {
  const findings: Finding[] = [];
  const page = scanHtml(primary.body);
  const pageUrl = obs.url;
  const resolve = (ref: string, base = pageUrl) => {
    try {
      const url = new URL(ref, base);
      url.hash = '';
      return url.href;
    } catch {
      return undefined;
    }
  };
  const fetched = new Map(obs.assets.map((a) => [a.url, a]));
  // What the page uses: its own references, and what its stylesheets refer to.
  const used = new Set<string>();
  for (const ref of page.references) {
    const url = resolve(ref);
    if (url) used.add(url);
  }
  for (const asset of obs.assets) {
    if (!asset.body) continue;
    for (const ref of cssUrls(asset.body)) {
      const url = resolve(ref, asset.url);
      if (url) used.add(url);
    }
  }
  const tagsByUrl = new Map<string, Tag[]>();
  for (const tag of page.tags) {
    const ref = tag.attributes.href ?? tag.attributes.src;
    const url = ref ? resolve(ref) : undefined;
    if (!url) continue;
    const same = tagsByUrl.get(url);
    if (same) same.push(tag);
    else tagsByUrl.set(url, [tag]);
  }

  const hints = new Map<string, ParsedLink>();
  for (const link of [
    ...primary.interim.filter((i) => i.status === 103).flatMap((i) => preloadLinks(i.link)),
    ...preloadLinks(primary.headers['link']),
  ]) {
    const url = resolve(link.target);
    if (url && !hints.has(url)) hints.set(url, link);
  }

  const reports: AssetReport[] = [];
  const unfresh: { url: string; fresh: Freshness }[] = [];
  for (const [url, link] of hints) {
    const as = link.params.as?.toLowerCase();
    const asset = fetched.get(url);
    const usedByPage = used.has(url);
    const fresh = asset?.status !== undefined && asset.status < 300 ? freshness(asset.headers) : undefined;
    reports.push({
      url,
      as,
      status: asset?.status,
      cacheControl: asset?.headers['cache-control'],
      fresh: fresh?.fresh,
      freshness: fresh?.reason,
      usedByPage,
      failure: asset?.failure,
    });
    const short = shortUrl(url, pageUrl);
    if (asset?.failure) {
      findings.push({
        code: 'hint-unreachable',
        severity: 'warn',
        message: `The hinted ${short} could not be fetched: ${asset.failure.message}.`,
        fix: `fix or remove the hint for ${short}.`,
      });
      continue;
    }
    if (asset?.status !== undefined && asset.status >= 300 && asset.status < 400) {
      const location = asset.headers['location'];
      findings.push({
        code: 'hint-redirects',
        severity: 'warn',
        message: `The hinted ${short} answers ${asset.status}${location ? ` to ${location}` : ''}: the browser preloads a redirect, and fetches the real file only when the page asks for it.`,
        fix: `hint the final URL${location ? ` (${location})` : ''} instead of ${short}.`,
      });
    } else if (asset?.status !== undefined && asset.status >= 400) {
      findings.push({
        code: 'hint-missing',
        severity: 'error',
        message: `The hinted ${short} answers ${asset.status}.`,
        fix: `fix the path of ${short} in the template, or remove the hint.`,
      });
    } else if (fresh && !fresh.fresh) {
      unfresh.push({ url, fresh });
    }
    if (!usedByPage) {
      findings.push({
        code: 'hint-unused',
        severity: 'warn',
        message: `The page never uses the hinted ${short} (not in its HTML nor in its stylesheets): browsers download it for nothing and warn in the console.`,
        fix: `remove {{preload}} or the @Preload() entry for ${short}, or use the file on the page.`,
      });
    }
    findings.push(...crossoriginFindings(short, link, as, tagsByUrl.get(url) ?? []));
  }

  if (unfresh.length > 0) {
    const prefix = commonFolder(unfresh.map((u) => new URL(u.url).pathname));
    const list = unfresh
      .map(
        (u) =>
          `${shortUrl(u.url, pageUrl)} (${u.fresh.reason}${u.fresh.validators ? '' : ', no ETag or Last-Modified'})`,
      )
      .join(', ');
    if (hintsIn103) {
      findings.push({
        code: 'hints-not-cacheable',
        severity: 'error',
        message: `The files of the 103 are not fresh-cacheable: ${list}. A browser reuses an early-hinted file only from its cache, so it requests each again for the page: the 103 gains nothing.`,
        fix: `serve ${prefix} with max-age (app.useStaticAssets(…, { prefix: '${prefix}', maxAge: '1y', immutable: true }) and versioned URLs), or use flushHeaders, which works with uncacheable files.`,
      });
    } else {
      findings.push({
        code: 'hints-not-cacheable',
        severity: 'info',
        message: `Some hinted files are not fresh-cacheable: ${list}. Flushed headers still work with them; a 103 (earlyHints) would gain nothing until ${prefix} is served with max-age.`,
      });
    }
  }
  return { assets: reports, findings };
}

/**
 * A preload is reused by the page's request only if their CORS modes match: a font is
 * always fetched in CORS mode, so its preload needs `crossorigin`; a script or stylesheet
 * tag without `crossorigin` needs a preload without it, and the other way round.
 */
function crossoriginFindings(short: string, link: ParsedLink, as: string | undefined, tags: Tag[]): Finding[] {
  const linkMode = corsMode(link.params.crossorigin);
  if (as === 'font') {
    if (linkMode === 'none') {
      return [
        {
          code: 'font-without-crossorigin',
          severity: 'warn',
          message: `The font preload ${short} has no crossorigin: browsers fetch fonts in CORS mode, so the preload is not reused and the font downloads twice.`,
          fix: `add crossorigin to the font's hint ({{preload '…' as='font' crossorigin='anonymous'}}; the module adds it to fonts it recognises by extension).`,
        },
      ];
    }
    return [];
  }
  // Tags that load the file themselves: not a <link rel=preload> in the HTML, whose own mode is what it is.
  const loaders = tags.filter(
    (tag) => !(tag.name === 'link' && relList(tag).some((r) => r === 'preload' || r === 'modulepreload')),
  );
  if (loaders.length === 0) return [];
  const tag = loaders[0];
  const tagMode =
    tag.name === 'script' && tag.attributes.type === 'module'
      ? corsMode(tag.attributes.crossorigin ?? '')
      : corsMode(tag.attributes.crossorigin);
  if (tagMode === linkMode) return [];
  const describe = (mode: string) => (mode === 'none' ? 'without crossorigin' : `with crossorigin=${mode}`);
  return [
    {
      code: 'crossorigin-mismatch',
      severity: 'warn',
      message: `The preload of ${short} is ${describe(linkMode)} but its <${tag.name}> is ${describe(tagMode)}: the modes differ, so the browser downloads it twice.`,
      fix: `make the hint of ${short} match its tag: ${tagMode === 'none' ? 'drop crossorigin from the hint' : `crossorigin='${tagMode}' on the hint`}.`,
    },
  ];
}

function corsMode(value: string | undefined): 'none' | 'anonymous' | 'use-credentials' {
  if (value === undefined) return 'none';
  return value.toLowerCase() === 'use-credentials' ? 'use-credentials' : 'anonymous';
}

function shortUrl(url: string, pageUrl: string): string {
  try {
    const u = new URL(url);
    return u.origin === new URL(pageUrl).origin ? u.pathname + u.search : url;
  } catch {
    return url;
  }
}

/** The longest folder the paths share, `/static/` say; `/` at least. */
export function commonFolder(paths: string[]): string {
  const folders = paths.map((p) => p.slice(0, p.lastIndexOf('/') + 1).split('/'));
  const common: string[] = [];
  for (let i = 0; folders.every((f) => i < f.length - 1 && f[i] === folders[0][i]); i++) common.push(folders[0][i]);
  return common.length <= 1 ? '/' : common.join('/') + '/';
}
