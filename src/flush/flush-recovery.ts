import escapeHtml from 'escape-html';
import { RETRY_PAIR, retryUrl } from './retry-marker.js';

/**
 * After flushed headers, the handler may still decide to answer something else (a 404,
 * a redirect, a file). The 200 is gone, so the body becomes a small page that makes the
 * browser ask again, marked (retry-marker.ts) so that no instance flushes that request:
 * it then gets the app's real answer, late, at the cost of one round trip. The mark is a
 * short-lived cookie for the page's path when a script may set it (the URL stays as it
 * is), else a query parameter.
 */

/** Long enough for a slow retry; the cookie only ever makes that path late. */
const RETRY_COOKIE_SECONDS = 60;
/**
 * What would end a cookie's `path` attribute, or start another attribute (`;`), in
 * `document.cookie`: percent-encoded, a page at `/a;path=/` cannot set the cookie for
 * the whole site. `location.pathname` percent-encodes whitespace and controls already,
 * but not `;` or `,`.
 */
const COOKIE_PATH_UNSAFE = /[;,\s\u0000-\u001f\u007f]/g;
/**
 * A longer `path` attribute is ignored (RFC 6265bis, Chromium), and the cookie would
 * take the page's directory instead: such a page takes the marked URL.
 */
const MAX_COOKIE_PATH_LENGTH = 1024;

/**
 * The `path` attribute the retry cookie gets on a page at `pathname` (as `location.pathname`
 * gives it), or undefined when no cookie can be set for that page alone. The same
 * rule as the page's script, for tests and for the reader.
 */
export function retryCookiePath(pathname: string): string | undefined {
  const path = pathname.replace(COOKIE_PATH_UNSAFE, encodeURIComponent);
  return path.length <= MAX_COOKIE_PATH_LENGTH ? path : undefined;
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
    // The cookie is set for the page's own path, encoded; where that is not the path the
    // browser matches (a `;` or `,` in it), the reload would not carry it: the script
    // deletes it again and takes the marked URL.
    const setCookie = (maxAge: number) =>
      `if(p.length<=${MAX_COOKIE_PATH_LENGTH})document.cookie=m+'; path='+p+'; max-age=${maxAge}; samesite=lax'+(location.protocol==='https:'?'; secure':'');`;
    const script =
      `(function(){var m=${scriptString(RETRY_PAIR)},p=location.pathname.replace(${COOKIE_PATH_UNSAFE},encodeURIComponent);` +
      setCookie(RETRY_COOKIE_SECONDS) +
      `if(('; '+document.cookie+';').indexOf('; '+m+';')>=0)location.reload();` +
      `else{${setCookie(0)}location.replace(${scriptString(retryUrl(options.requestUrl))})}})()`;
    head = `<script${nonce}>${script}</script><noscript>${refresh}</noscript>`;
  }
  return (
    '<!DOCTYPE html><html><head><meta charset="utf-8"><meta name="robots" content="noindex">' +
    `<title>Loading…</title>${head}</head><body><p><a href="${target}">Continue</a></p></body></html>\n`
  );
}
