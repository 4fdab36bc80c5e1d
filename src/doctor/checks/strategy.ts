import type { Finding, Strategy } from '../diagnosis.js';
import type { Exchange } from '../observation.js';
import { startsWithFlushedNewline, type PageFacts } from '../observed.js';
import { earlyHintNonceFindings } from './nonce.js';
import { breaksEarlyHints, bufferedFix } from './proxy.js';

/**
 * How the hints went out on the second request, and whether they reached this client
 * early: a `103` (relayed, or dropped on the way), flushed headers (ahead of the page, or
 * held with it), or late. Gives the strategy that works on this path, when it can tell.
 */
export function strategyFindings(facts: PageFacts): { strategy?: Strategy; findings: Finding[] } {
  const { page, mode, debugHeader, observations: obs } = facts;
  const findings: Finding[] = [];
  if (page.failure) {
    findings.push({
      code: 'page-incomplete',
      severity: 'error',
      message: `The page's response broke off before its end (${page.failure.message}). After flushed headers, the module closes the connection this way when the handler or template fails or answers something else than an HTML 200.`,
      fix: "look at the app's log for this route: it fails, redirects or changes its status after the flush; give it @Preload({ strategy: 'late' }) or 'earlyHints' if it must.",
    });
  }
  const old = breaksEarlyHints(facts.server);
  let strategy: Strategy | undefined;
  if (facts.had103) {
    strategy = 'earlyHints';
    if (obs.transport !== 'tls-h2') {
      const browsersSpeak =
        obs.transport === 'cleartext' ? 'HTTP/1.1 (cleartext http:)' : 'HTTP/1.1 (TLS without HTTP/2)';
      findings.push({
        code: 'early-hints-over-http1',
        severity: 'error',
        message: `The page sends a 103, but browsers reach it over ${browsersSpeak}, and Chromium acts on 103 only over HTTP/2 or HTTP/3: Chromium users get nothing from it (Firefox does use it over HTTP/1.1). Flushed headers work in both.`,
        fix: 'use flushHeaders (browsers ignore 103 over HTTP/1.1), or put a proxy that speaks HTTP/2 and relays 103 in front (Caddy 2.6+, nginx 1.29+ with early_hints).',
      });
      strategy = 'flushHeaders';
    } else {
      const gap = page.headersAtMs! - page.interim.find((i) => i.status === 103)!.atMs;
      findings.push({
        code: 'early-hints-relayed',
        severity: 'ok',
        message: `A 103 with ${facts.earlyLinks.length} preload link(s) arrived over HTTP/2 ${Math.round(gap)} ms before the page's headers.`,
      });
      findings.push(...earlyHintNonceFindings(page.headers['content-security-policy'], facts.earlyLinks));
    }
    if (old) {
      // A 103 arrived whole, so this nginx is not what relayed it (a CDN in front, say): a
      // browser whose request brings the app's 103 through it gets a broken page.
      findings.push({
        code: 'early-hints-old-nginx',
        severity: 'warn',
        message: `The page sends a 103 and names ${old} as its server: nginx before 1.29 takes a 103 from the app for the final response, so a browser whose request passes through it gets a failed page load (WebKit, Safari's engine, hangs about 80 s). Here the 103 arrived whole, so it did not come through that nginx (a CDN in front can send a 103 of its own); a page whose 103 from the app reaches that nginx fails.`,
        fix: 'use flushHeaders on this route, or upgrade nginx to 1.29+ (with early_hints) on every path to the app.',
      });
    }
  } else if (mode === 'early' && facts.flushed === 'alone') {
    strategy = 'flushHeaders';
    const headStart = page.contentAtMs! - page.headersAtMs!;
    findings.push({
      code: 'flushed-headers-pass',
      severity: 'ok',
      message: `The flushed 200 and its Link header arrived ${Math.round(headStart)} ms before the page's content (${debugHeader}: early, over ${page.protocol}).`,
    });
  } else if (mode === 'early' && facts.flushed === 'with-content') {
    strategy = 'flushHeaders';
    const { why, fix } = bufferedFix(page, facts.server);
    findings.push({
      code: 'flushed-headers-buffered',
      severity: 'error',
      message: `${debugHeader} says early, but the flushed headers arrived together with the page's content (headers at ${Math.round(page.headersAtMs!)} ms, content at ${Math.round(page.contentAtMs ?? page.headersAtMs!)} ms, instead of the newline alone first): ${why}, so the browser gains nothing.`,
      fix,
    });
  } else if (mode === 'early') {
    // Early, no 103 and no flushed newline: the route sends a 103 that was dropped on the way.
    strategy = 'flushHeaders';
    findings.push({
      code: 'early-hints-dropped',
      severity: 'error',
      message: `${debugHeader} says early and the page does not start with a flushed newline, so the app sent a 103 Early Hints, but no 103 reached this client over ${page.protocol}: the proxy drops it.${old ? ` And the proxy is ${old}: before 1.29 nginx cannot relay a 103, and where one reaches it the page load fails (WebKit hangs about 80 s).` : ''}`,
      fix: /apache/i.test(facts.server)
        ? 'use flushHeaders (your proxy drops 103), or let Apache relay it over HTTP/2 with `H2EarlyHints on`.'
        : old
          ? "use flushHeaders (your proxy drops 103): remove strategy: 'earlyHints' from the module's options and from @Preload() on this route; nginx relays 103 from 1.29 on (with early_hints)."
          : "use flushHeaders (your proxy drops 103): remove strategy: 'earlyHints' from the module's options and from @Preload() on this route, or make the proxy relay 103 (Apache: `H2EarlyHints on`).",
    });
  } else if (mode === 'late') {
    findings.push({
      code: 'never-early',
      severity: 'error',
      message: `The second request of the page was still late: its hints went out only with the page. Either the route is @Preload({ strategy: "late" }), presendCachedHeaders is off, or the route stopped flushing after a handler changed its headers (the app logs that); or the route uses earlyHints and the proxy speaks HTTP/1.0 to the app (nginx's default), to which Node sends no 103.${old ? ` Behind ${old}, do not answer that with proxy_http_version 1.1 alone while the route uses earlyHints: before 1.29 nginx then turns the 103 into a failed page load (WebKit hangs about 80 s).` : ''}`,
      fix: 'let hints go early: use flushHeaders, and make the proxy speak HTTP/1.1 to the app (nginx: `proxy_http_version 1.1;`).',
    });
  } else {
    findings.push({
      code: 'unknown-mode',
      severity: 'warn',
      message: `${debugHeader} is ${mode ? `"${mode}"` : 'missing'}: the doctor cannot tell whether hints went early.`,
      fix: `keep the module's debugHeader on, and let the proxy pass ${debugHeader}, so the doctor can check (if the app renamed it, pass its name with --debug-header).`,
    });
  }
  // The other protocol, when it disagrees: a proxy can treat HTTP/1.1 and HTTP/2 clients differently.
  if (obs.h2 && obs.http1 && page === obs.h2) findings.push(...compareHttp1(obs.http1, facts));
  return { strategy, findings };
}

function compareHttp1(http1: Exchange, facts: PageFacts): Finding[] {
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
  if (http1.interim.some((i) => i.status === 103) && !facts.had103) {
    findings.push({
      code: 'http1-differs',
      severity: 'info',
      message: 'Over HTTP/1.1 a 103 arrived, over HTTP/2 none did.',
    });
  }
  if (http1.headers[facts.debugHeader] === 'early' && startsWithFlushedNewline(http1) === 'with-content') {
    findings.push({
      code: 'http1-buffered',
      severity: 'info',
      message: 'Over HTTP/1.1 the flushed headers arrived together with the content.',
    });
  }
  return findings;
}
