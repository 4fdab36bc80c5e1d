import escapeHtml from 'escape-html';

/**
 * Any http(s) document: a relative reference keeps its base's scheme, so where the
 * forwarding page really is does not change which scheme its target has.
 */
const SOME_DOCUMENT = 'https://forwarding.invalid/a/b?c';
const FORWARDABLE_SCHEMES: ReadonlySet<string> = new Set(['http:', 'https:']);

/** C0 control or space, which the URL parser strips from both ends of its input. */
function isC0ControlOrSpace(code: number): boolean {
  return code <= 0x20;
}

/** HTML's ASCII whitespace: tab, LF, FF, CR, space. */
function isAsciiWhitespace(character: string | undefined): boolean {
  return character === '\t' || character === '\n' || character === '\f' || character === '\r' || character === ' ';
}

function isAsciiDigit(character: string | undefined): boolean {
  return character !== undefined && character >= '0' && character <= '9';
}

/** An ASCII letter in either case, and no other character (`toLowerCase` maps some non-ASCII ones to ASCII). */
function isLetter(character: string | undefined, lower: string): boolean {
  return character === lower || character === lower.toUpperCase();
}

/**
 * The URL a browser navigates to for `<meta http-equiv="refresh" content="…">`, by the
 * HTML standard's "shared declarative refresh steps": a time, then `;` or `,`, then an
 * optional `url=` (any case, with whitespace around `=`), then the URL, which may be
 * quoted: an opening `'` or `"` is dropped, and the URL ends at the same quote.
 * Undefined when the content is no refresh; the document's own URL when it names none.
 */
export function declarativeRefreshUrl(content: string): string | undefined {
  let at = 0;
  const skipWhitespace = () => {
    while (isAsciiWhitespace(content[at])) at += 1;
  };
  skipWhitespace();
  const timeStart = at;
  while (isAsciiDigit(content[at])) at += 1;
  if (at === timeStart && content[at] !== '.') return undefined;
  while (isAsciiDigit(content[at]) || content[at] === '.') at += 1;
  if (at < content.length) {
    if (content[at] !== ';' && content[at] !== ',' && !isAsciiWhitespace(content[at])) return undefined;
    skipWhitespace();
    if (content[at] === ';' || content[at] === ',') at += 1;
    skipWhitespace();
  }
  if (at >= content.length) return '';
  // The URL, unless the `url=` below is there: the whole rest.
  const rest = content.slice(at);
  if (isLetter(content[at], 'u')) {
    at += 1;
    if (!isLetter(content[at], 'r')) return rest;
    at += 1;
    if (!isLetter(content[at], 'l')) return rest;
    at += 1;
    skipWhitespace();
    if (content[at] !== '=') return rest;
    at += 1;
    skipWhitespace();
  }
  const quote = content[at] === "'" || content[at] === '"' ? content[at] : undefined;
  if (quote !== undefined) at += 1;
  const url = content.slice(at);
  const end = quote === undefined ? -1 : url.indexOf(quote);
  return end < 0 ? url : url.slice(0, end);
}

/** Percent-encodes one character below U+0021 or DEL. */
function percentEncoded(character: string): string {
  return `%${character.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`;
}

/** Whether the URL parser, on a page at some http(s) address, resolves `url` to an http(s) URL. */
function resolvesToHttp(url: string | undefined): boolean {
  if (url === undefined) return false;
  try {
    return FORWARDABLE_SCHEMES.has(new URL(url, SOME_DOCUMENT).protocol);
  } catch {
    return false;
  }
}

/**
 * The URL the forwarding page sends the browser to for a handler's `Location`, or
 * undefined when a browser could resolve it to anything but an `http:` or `https:` URL
 * (a `javascript:` or `data:` URL in any disguise, a URL that does not parse, nothing).
 *
 * The `Location` must lead to http(s) however a browser reads it: as a redirect (the
 * WHATWG URL parser, which trims C0 controls and spaces and removes tabs and newlines),
 * and as a refresh would read it written as it is (`declarativeRefreshUrl`, which also
 * skips whitespace and an opening quote: ` "javascript:…` is a script URL there).
 * It is then written as the URL parser reads it, so that every reader of the page gets
 * that same string: trimmed, tabs and newlines removed, a leading quote and any control
 * character left percent-encoded (so the refresh parser neither drops a quote nor cuts
 * the URL at one, and the HTML parser changes nothing); and checked once more as written.
 */
export function forwardingUrl(location: string): string | undefined {
  if (!resolvesToHttp(location) || !resolvesToHttp(declarativeRefreshUrl(refreshContent(location)))) return undefined;
  let start = 0;
  let end = location.length;
  while (start < end && isC0ControlOrSpace(location.charCodeAt(start))) start += 1;
  while (end > start && isC0ControlOrSpace(location.charCodeAt(end - 1))) end -= 1;
  const url = location
    .slice(start, end)
    .replace(/[\t\n\r]/g, '')
    .replace(/[\u0000-\u001f\u007f]|^["']/g, percentEncoded);
  // Nothing left would refresh the page itself, over and over.
  if (url === '') return undefined;
  const refreshed = declarativeRefreshUrl(refreshContent(url));
  return refreshed === url && resolvesToHttp(refreshed) ? url : undefined;
}

/** The refresh's `content` attribute, before HTML escaping. */
function refreshContent(url: string): string {
  return `0; url=${url}`;
}

/**
 * The body that finishes a flushed 200 when the handler redirects: its status and
 * `Location` can no longer be sent, so the page itself sends the browser on, at once
 * (meta refresh) or by hand (the link). `url` is one `forwardingUrl()` returned.
 */
export function redirectPage(url: string): string {
  const escaped = escapeHtml(url);
  return (
    `<!DOCTYPE html><html><head><meta http-equiv="refresh" content="${escapeHtml(refreshContent(url))}">` +
    `<title>Redirecting</title></head><body><p>Redirecting to <a href="${escaped}">${escaped}</a>.</p></body></html>\n`
  );
}
