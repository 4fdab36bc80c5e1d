import { MAX_HINT_URL_LENGTH } from '../preload-hint.js';

/**
 * What RFC 3986 lets a URI reference carry as it is: unreserved characters, sub-delims,
 * and the gen-delims `: / ? # @`. Brackets are gen-delims too, but only for an IPv6
 * host, so they are kept in the authority alone.
 */
const URI_CHARACTER = /[A-Za-z0-9\-._~!$&'()*+,;=:/?#@]/;
const HEX_DIGIT = /[0-9A-Fa-f]/;

/** A scheme (`https:`), by RFC 3986: a letter, then letters, digits, `+`, `-` or `.`, before a colon. */
const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;
/** `//host` or `scheme://host`: where the authority of a URL ends. */
const AUTHORITY = /^(?:[A-Za-z][A-Za-z0-9+.-]*:)?\/\/[^/?#]*/;

/** C0 controls and DEL: browsers strip some of them from URLs, so `java\tscript:` is `javascript:`. */
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

/** Schemes whose URLs a browser can preload. `javascript:`, `data:`, `blob:` and the rest are refused. */
const PRELOADABLE_SCHEMES: ReadonlySet<string> = new Set(['http', 'https']);

const utf8 = new TextEncoder();

function percentEncode(character: string, parts: string[]): void {
  // TextEncoder turns a lone surrogate into U+FFFD, so every string has an encoding.
  for (const byte of utf8.encode(character)) parts.push(`%${byte.toString(16).toUpperCase().padStart(2, '0')}`);
}

/**
 * Why a URL must not be preloaded, or undefined when it may be. A control character is
 * never part of a real asset path and may be an attempt at header injection; a scheme
 * other than http(s) (`javascript:`, `data:`) is nothing a preload can fetch; a URL
 * longer than `MAX_HINT_URL_LENGTH` is no real asset, and keeping it would let
 * requests fill the module's memory.
 */
export function unsafeUrlReason(url: string): string | undefined {
  // First, so that nothing below works through an arbitrarily long string.
  if (url.length > MAX_HINT_URL_LENGTH) {
    return `it is ${url.length.toLocaleString('en')} characters long, more than the ${MAX_HINT_URL_LENGTH.toLocaleString('en')} a hint URL may have`;
  }
  if (CONTROL_CHARACTER.test(url)) return 'it contains a control character';
  // Browsers ignore leading spaces, so ' javascript:' is still a script URL to them.
  const scheme = SCHEME.exec(url.trimStart())?.[1];
  if (scheme !== undefined && !PRELOADABLE_SCHEMES.has(scheme.toLowerCase())) {
    return `its scheme "${scheme}:" cannot be preloaded (only http: and https: can)`;
  }
  return undefined;
}

/**
 * The URL as a valid RFC 3986 URI reference, for the `<…>` of a `Link` header:
 * every character a URI may not hold is percent-encoded as UTF-8 (spaces, quotes, `<`,
 * `>`, `\`, non-ASCII…), a `%` that starts no valid escape becomes `%25`, and valid
 * escapes are kept, so encoding twice changes nothing. Only the first `#` starts the
 * fragment; a later one is encoded.
 */
export function toUriReference(url: string): string {
  const authorityEnd = AUTHORITY.exec(url)?.[0].length ?? 0;
  let fragmentStarted = false;
  // Pieces joined once at the end: adding characters one by one to a string would make
  // V8 keep the result as a tree of ~30 bytes per character for as long as it is cached.
  const parts: string[] = [];
  let index = 0;
  for (const character of url) {
    const at = index;
    index += character.length;
    if (character === '%') {
      const valid = HEX_DIGIT.test(url[at + 1] ?? '') && HEX_DIGIT.test(url[at + 2] ?? '');
      parts.push(valid ? '%' : '%25');
    } else if (character === '#') {
      parts.push(fragmentStarted ? '%23' : '#');
      fragmentStarted = true;
    } else if ((character === '[' || character === ']') && at < authorityEnd) {
      parts.push(character);
    } else if (URI_CHARACTER.test(character)) {
      parts.push(character);
    } else {
      percentEncode(character, parts);
    }
  }
  return parts.join('');
}
