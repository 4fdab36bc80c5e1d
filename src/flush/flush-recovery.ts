import escapeHtml from 'escape-html';

/**
 * After flushed headers, the handler may still decide to answer something else (a 404,
 * a redirect, a file). The 200 is gone, so the body becomes a small page that makes the
 * browser ask again, marked so that no instance flushes that request: it then gets the
 * app's real answer, late, at the cost of one round trip. The mark is a short-lived
 * cookie for the path when a script may set it (the URL stays as it is), else a query
 * parameter, which the module removes before the app sees the URL.
 */
export const RETRY_MARKER = 'http2-preload';
export const RETRY_MARKER_VALUE = 'late';
const RETRY_PAIR = `${RETRY_MARKER}=${RETRY_MARKER_VALUE}`;
/** Long enough for a slow retry; the cookie only ever makes that path late. */
const RETRY_COOKIE_SECONDS = 60;

const COOKIE_PAIR = new RegExp(`(?:^|;)\\s*${RETRY_MARKER}=${RETRY_MARKER_VALUE}\\s*(?:;|$)`);
const QUERY_PAIR = new RegExp(`[?&]${RETRY_MARKER}=${RETRY_MARKER_VALUE}(?=&|#|$)`);

/** Whether a request is the retry of a page that failed after its headers were flushed. */
export function isRetryRequest(url: string, cookieHeader: string | undefined): boolean {
  return (cookieHeader !== undefined && COOKIE_PAIR.test(cookieHeader)) || QUERY_PAIR.test(url);
}

/** The URL without the retry query parameter, so that the app never sees it; the same string when it has none. */
export function withoutRetryMarker(url: string): string {
  if (!QUERY_PAIR.test(url)) return url;
  const hash = url.indexOf('#');
  const fragment = hash < 0 ? '' : url.slice(hash);
  const withoutFragment = hash < 0 ? url : url.slice(0, hash);
  const query = withoutFragment.indexOf('?');
  const kept = withoutFragment
    .slice(query + 1)
    .split('&')
    .filter((pair) => pair !== RETRY_PAIR);
  return `${withoutFragment.slice(0, query)}${kept.length > 0 ? `?${kept.join('&')}` : ''}${fragment}`;
}

/**
 * The request's own URL with the retry parameter, as a path a browser cannot read as
 * another host: `//evil.example/x` or `/\evil.example` would be protocol-relative.
 */
export function retryUrl(requestUrl: string): string {
  let path = requestUrl.replace(/\\/g, '%5C');
  if (!path.startsWith('/')) path = `/${path}`;
  if (path.startsWith('//')) path = `/.${path}`;
  const hash = path.indexOf('#');
  const withoutFragment = hash < 0 ? path : path.slice(0, hash);
  return `${withoutFragment}${withoutFragment.includes('?') ? '&' : '?'}${RETRY_PAIR}`;
}

/** The directives of one policy, by lower-case name, each with its source list. */
function directives(policy: string): Map<string, string[]> {
  const result = new Map<string, string[]>();
  for (const directive of policy.split(';')) {
    const [name, ...sources] = directive.trim().split(/\s+/);
    if (name && !result.has(name.toLowerCase())) result.set(name.toLowerCase(), sources);
  }
  return result;
}

function policyAllowsInlineScript(policy: string, nonce: string | undefined): boolean {
  const parsed = directives(policy);
  const sandbox = parsed.get('sandbox');
  if (sandbox && !sandbox.some((token) => token.toLowerCase() === 'allow-scripts')) return false;
  const sources = parsed.get('script-src-elem') ?? parsed.get('script-src') ?? parsed.get('default-src');
  if (sources === undefined) return true;
  const lower = sources.map((source) => source.toLowerCase());
  if (nonce !== undefined && sources.includes(`'nonce-${nonce}'`)) return true;
  // 'unsafe-inline' counts only where no nonce, hash or 'strict-dynamic' switches it off.
  const overridden = lower.some(
    (source) => source.startsWith("'nonce-") || /^'sha(256|384|512)-/.test(source) || source === "'strict-dynamic'",
  );
  return lower.includes("'unsafe-inline'") && !overridden;
}

/**
 * Whether the response's enforced `Content-Security-Policy` lets an inline script with
 * this nonce run: every policy must allow it (several headers, or several policies
 * joined by commas, all apply).
 */
export function inlineScriptAllowed(
  policyHeader: string | number | readonly string[] | undefined,
  nonce: string | undefined,
): boolean {
  if (policyHeader === undefined) return true;
  const headers = Array.isArray(policyHeader) ? policyHeader : [String(policyHeader)];
  return headers
    .flatMap((header: string) => header.split(','))
    .every((policy) => policyAllowsInlineScript(policy, nonce));
}

export interface RecoveryPageOptions {
  /** The request's URL (path and query), as received. */
  readonly requestUrl: string;
  /** The request's CSP nonce, for the script. */
  readonly nonce: string | undefined;
  /** Whether the response's policy lets the inline script run. */
  readonly scriptAllowed: boolean;
}

/** JSON inside a script element: `<` escaped, so no `</script>` can end it. */
function scriptString(value: string): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

/**
 * The body that ends a flushed response whose handler answered otherwise. With a
 * script: a cookie for the path, then a reload of the same URL (a browser without
 * cookies takes the marked URL instead, so it cannot loop). Without one (a policy that
 * forbids it, or scripting off): a refresh to the marked URL.
 */
export function recoveryPage(options: RecoveryPageOptions): string {
  const target = escapeHtml(retryUrl(options.requestUrl));
  const refresh = `<meta http-equiv="refresh" content="0; url=${target}">`;
  let head = refresh;
  if (options.scriptAllowed) {
    const nonce = options.nonce === undefined ? '' : ` nonce="${escapeHtml(options.nonce)}"`;
    const script =
      `(function(){var m=${scriptString(RETRY_PAIR)};` +
      `document.cookie=m+'; path='+location.pathname+'; max-age=${RETRY_COOKIE_SECONDS}; samesite=lax'+(location.protocol==='https:'?'; secure':'');` +
      `if(document.cookie.indexOf(m)>=0)location.reload();else location.replace(${scriptString(retryUrl(options.requestUrl))})})()`;
    head = `<script${nonce}>${script}</script><noscript>${refresh}</noscript>`;
  }
  return (
    '<!DOCTYPE html><html><head><meta charset="utf-8"><meta name="robots" content="noindex">' +
    `<title>Loading…</title>${head}</head><body><p><a href="${target}">Continue</a></p></body></html>\n`
  );
}
