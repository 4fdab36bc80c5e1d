/** A reference of the page (or of a stylesheet) as an absolute URL without its fragment; undefined when invalid. */
export function resolveUrl(ref: string, base: string): string | undefined {
  try {
    const url = new URL(ref, base);
    url.hash = '';
    return url.href;
  } catch {
    return undefined;
  }
}

/** A URL as the report names it: its path when it is on the page's origin. */
export function shortUrl(url: string, pageUrl: string): string {
  try {
    const u = new URL(url);
    return u.origin === new URL(pageUrl).origin ? u.pathname + u.search : url;
  } catch {
    return url;
  }
}
