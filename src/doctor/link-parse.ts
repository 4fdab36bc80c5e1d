/** One link of a `Link` header value. */
export interface ParsedLink {
  /** The URI reference between `<` and `>`, as written. */
  readonly target: string;
  /** Parameter names in lower case; a parameter without a value has `''`. */
  readonly params: Record<string, string>;
}

/**
 * Reads a `Link` header value (RFC 8288) tolerantly: `<url>; a=b; c="d, e", <url2>; f`.
 * Commas inside `<…>` or a quoted string do not split links; malformed pieces are skipped.
 */
export function parseLinkHeader(value: string | undefined): ParsedLink[] {
  if (!value) return [];
  const links: ParsedLink[] = [];
  let i = 0;
  while (i < value.length) {
    const open = value.indexOf('<', i);
    if (open === -1) break;
    const close = value.indexOf('>', open + 1);
    if (close === -1) break;
    const target = value.slice(open + 1, close).trim();
    const params: Record<string, string> = Object.create(null) as Record<string, string>;
    i = close + 1;
    // Parameters up to the next top-level comma.
    while (i < value.length) {
      while (i < value.length && /[\s;]/.test(value[i])) i++;
      if (i >= value.length || value[i] === ',') break;
      const nameMatch = /^[^\s=;,]+/.exec(value.slice(i));
      if (!nameMatch) {
        i++;
        continue;
      }
      const name = nameMatch[0].toLowerCase();
      i += nameMatch[0].length;
      while (i < value.length && value[i] === ' ') i++;
      let paramValue = '';
      if (value[i] === '=') {
        i++;
        while (i < value.length && value[i] === ' ') i++;
        if (value[i] === '"') {
          let j = i + 1;
          let text = '';
          while (j < value.length && value[j] !== '"') {
            if (value[j] === '\\' && j + 1 < value.length) j++;
            text += value[j];
            j++;
          }
          paramValue = text;
          i = j + 1;
        } else {
          const token = /^[^;,]*/.exec(value.slice(i))![0];
          paramValue = token.trim();
          i += token.length;
        }
      }
      if (!Object.hasOwn(params, name)) params[name] = paramValue;
    }
    if (value[i] === ',') i++;
    links.push({ target, params });
  }
  return links;
}

/** The preloads among the links: `rel` lists `preload` (or `modulepreload`). */
export function preloadLinks(value: string | undefined): ParsedLink[] {
  return parseLinkHeader(value).filter((link) =>
    (link.params.rel ?? '')
      .toLowerCase()
      .split(/\s+/)
      .some((rel) => rel === 'preload' || rel === 'modulepreload'),
  );
}
