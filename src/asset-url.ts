/** `https:`, `data:`, `//cdn…`: anything with a scheme or an authority is used as it is. */
const ABSOLUTE_URL = /^(?:[a-z][a-z0-9+.-]*:|\/\/)/i;

/** encodeURIComponent throws on a lone surrogate; such a version gets U+FFFD, as TextEncoder would. */
function withoutLoneSurrogates(text: string): string {
  return text.replace(/[\ud800-\udfff]/gu, '\ufffd');
}

/**
 * The URL of a static asset, like Django's `static()`: a relative path gets the static
 * prefix, an absolute URL or a root-relative path is kept. A version is added as
 * `?v=…` (or `&v=…`) so a new deploy gets a new, separately cacheable URL.
 */
export function assetUrl(path: string, staticPrefix: string, version?: string): string {
  let url: string;
  if (ABSOLUTE_URL.test(path) || path.startsWith('/')) {
    url = path;
  } else {
    const prefix = staticPrefix.endsWith('/') ? staticPrefix : `${staticPrefix}/`;
    url = prefix + path.replace(/^\.\//, '');
  }
  if (version === undefined || version === '') return url;
  const hashAt = url.indexOf('#');
  const [base, fragment] = hashAt < 0 ? [url, ''] : [url.slice(0, hashAt), url.slice(hashAt)];
  return `${base}${base.includes('?') ? '&' : '?'}v=${encodeURIComponent(withoutLoneSurrogates(version))}${fragment}`;
}
