/**
 * The doctor's checks, one topic per file, each a pure function from what the probe saw
 * to findings: `reachability.ts` (did the page answer something checkable; what a failure
 * to reach it means, a TLS port spoken to in plain HTTP or the other way round),
 * `strategy.ts` (103, flushed headers or late, and whether they arrived early), `nonce.ts`
 * (a 103's links on a page with a nonce CSP), `proxy.ts` (header limits, nginx's buffering
 * and its version), `hinted-files.ts` with `caching.ts` and `crossorigin.ts` (what makes a
 * hint wasted). analysis.ts runs them in order.
 */
export { cachingFindings, commonFolder } from './caching.js';
export { crossoriginFindings } from './crossorigin.js';
export { hintedFileChecks } from './hinted-files.js';
export { earlyHintNonceFindings, nonceRequired } from './nonce.js';
export { resolveUrl, shortUrl } from './page-urls.js';
export { breaksEarlyHints, bufferedFix, headerSizeFindings, PROXY_HEADER_LIMITS } from './proxy.js';
export { failureMessage, pageToCheck, type PageGate } from './reachability.js';
export { strategyFindings } from './strategy.js';
