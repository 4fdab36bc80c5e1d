import { cssUrls } from './css-scan.js';
import { isSpace, TextCursor, type ScanCost } from './text-cursor.js';

/** A start tag of the page, with its attributes (names in lower case, values decoded). */
export interface Tag {
  readonly name: string;
  readonly attributes: Record<string, string>;
}

/** What the page uses, as far as preloads are concerned. */
export interface PageScan {
  readonly tags: Tag[];
  /** Every URL the page refers to from `href`, `src`, `srcset`, `poster`, `data` and inline `url(…)`, unresolved. */
  readonly references: string[];
  /** The `href` of each `<link rel=stylesheet>`. */
  readonly stylesheets: string[];
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/** Elements whose content is text up to their end tag: a `<` inside is not a tag. */
const RAW_TEXT = new Set(['script', 'style', 'textarea', 'title']);

const GT = 0x3e;
const SLASH = 0x2f;
const EQUALS = 0x3d;
const HASH = 0x23;
const SEMICOLON = 0x3b;
const DOUBLE_QUOTE = 0x22;
const SINGLE_QUOTE = 0x27;

/**
 * Decodes the character references an attribute value may hold (`&amp;`, `&#x3D;`, `&#61;`);
 * unknown or invalid ones stay as written.
 */
export function decodeEntities(text: string, cost?: ScanCost): string {
  const value = new TextCursor(text, cost);
  let out = '';
  let copied = 0;
  let from = 0;
  for (let amp = value.indexOf('&', from); amp !== -1; amp = value.indexOf('&', from)) {
    from = amp + 1;
    let end = amp + 1;
    let decoded: string | undefined;
    if (value.code(end) === HASH) {
      end++;
      const hex = value.lower(end) === 0x78; // x
      if (hex) end++;
      const digits = end;
      end = value.skipWhile(end, hex ? isHexDigit : isDigit);
      if (end > digits) {
        const code = parseInt(value.slice(digits, end), hex ? 16 : 10);
        if (Number.isFinite(code) && code > 0 && code <= 0x10ffff) decoded = String.fromCodePoint(code);
      }
    } else {
      end = value.skipWhile(end, isAsciiLetter);
      if (end > amp + 1) decoded = NAMED[value.slice(amp + 1, end).toLowerCase()];
    }
    if (decoded === undefined) continue;
    if (value.code(end) === SEMICOLON) end++;
    out += value.slice(copied, amp) + decoded;
    copied = end;
    from = end;
  }
  return copied === 0 ? text : out + value.slice(copied);
}

/**
 * A small, tolerant scan of start tags: enough to find what a page loads, not an HTML
 * parser. It reads the page once, front to back, as HTML's tokenizer does: comments are
 * skipped, and so is the text of `<script>`, `<style>`, `<textarea>` and `<title>`
 * elements (a `<` in a script is not a tag), though `url(…)` in a `<style>` or a `style`
 * attribute counts as a reference. A tag cut off by the end of the page is dropped, as a
 * browser drops it. `cost`, when given, counts the characters examined (for the tests).
 */
export function scanHtml(html: string, cost?: ScanCost): PageScan {
  const page = new TextCursor(html, cost);
  const tags: Tag[] = [];
  const references: string[] = [];
  let at = 0;
  while (at < page.length) {
    const lt = page.indexOf('<', at);
    if (lt === -1) break;
    const next = page.code(lt + 1);
    if (isAsciiLetter(next)) {
      const read = readStartTag(page, lt + 1);
      if (!read) break;
      const { tag, end } = read;
      tags.push(tag);
      tagReferences(tag, references, page.cost);
      at = end;
      if (RAW_TEXT.has(tag.name)) {
        const close = endTag(page, tag.name, end);
        if (tag.name === 'style') cssUrls(page.slice(end, close), page.cost, references);
        at = close;
      }
    } else if (next === 0x21 /* ! */ && page.code(lt + 2) === 0x2d && page.code(lt + 3) === 0x2d) {
      at = commentEnd(page, lt + 4);
    } else if (next === 0x21 || next === SLASH || next === 0x3f /* ? */) {
      // A doctype, an end tag or a processing instruction: nothing loads from them.
      const gt = page.indexOf('>', lt + 2);
      at = gt === -1 ? page.length : gt + 1;
    } else {
      at = lt + 1;
    }
  }
  const stylesheets = tags
    .filter((tag) => tag.name === 'link' && relList(tag).includes('stylesheet') && tag.attributes.href)
    .map((tag) => tag.attributes.href);
  return { tags, references, stylesheets };
}

/** The tokens of a tag's `rel`, in lower case. */
export function relList(tag: Tag): string[] {
  return (tag.attributes.rel ?? '').toLowerCase().split(/\s+/).filter(Boolean);
}

/** Adds the URLs a tag refers to. (No `push(...list)`: a hostile page's list can outgrow a call's arguments.) */
function tagReferences(tag: Tag, references: string[], cost: ScanCost): void {
  const { attributes } = tag;
  for (const attribute of ['href', 'src', 'poster', 'data']) {
    if (attributes[attribute]) references.push(attributes[attribute]);
  }
  for (const attribute of ['srcset', 'imagesrcset']) {
    if (attributes[attribute]) for (const url of srcsetUrls(attributes[attribute])) references.push(url);
  }
  if (attributes.style) cssUrls(attributes.style, cost, references);
}

/**
 * Reads a start tag from just after its `<`: its name, then its attributes up to the `>`.
 * Each character is read once; a quoted value may hold `>`. Undefined when the page ends
 * inside the tag.
 */
function readStartTag(page: TextCursor, start: number): { tag: Tag; end: number } | undefined {
  let at = page.skipWhile(start, (code) => !endsName(code));
  if (at >= page.length) return undefined;
  const name = page.slice(start, at).toLowerCase();
  // No prototype: an attribute called `__proto__` or `constructor` is just an attribute.
  const attributes: Record<string, string> = Object.create(null) as Record<string, string>;
  for (;;) {
    at = page.skipWhile(at, (code) => isSpace(code) || code === SLASH);
    if (at >= page.length) return undefined;
    if (page.code(at) === GT) return { tag: { name, attributes }, end: at + 1 };
    // An attribute's name; its first character may be `=` (HTML reads `<a =x>` so).
    const nameStart = at;
    at = page.skipWhile(at + 1, (code) => !endsName(code) && code !== EQUALS);
    const attribute = page.slice(nameStart, at).toLowerCase();
    at = page.skipWhile(at, isSpace);
    let value = '';
    if (page.code(at) === EQUALS) {
      at = page.skipWhile(at + 1, isSpace);
      if (at >= page.length) return undefined;
      const quote = page.code(at);
      if (quote === DOUBLE_QUOTE || quote === SINGLE_QUOTE) {
        const close = page.indexOf(quote === DOUBLE_QUOTE ? '"' : "'", at + 1);
        if (close === -1) return undefined;
        value = page.slice(at + 1, close);
        at = close + 1;
      } else {
        const valueStart = at;
        at = page.skipWhile(at, (code) => !isSpace(code) && code !== GT);
        value = page.slice(valueStart, at);
      }
    }
    // The first occurrence of an attribute wins, as in HTML.
    if (!Object.hasOwn(attributes, attribute)) attributes[attribute] = decodeEntities(value, page.cost);
  }
}

function endsName(code: number): boolean {
  return isSpace(code) || code === SLASH || code === GT;
}

/** Where a raw-text element's content ends: at its `</name`, in any case, or at the end of the page. */
function endTag(page: TextCursor, name: string, from: number): number {
  for (let at = page.indexOf('</', from); at !== -1; at = page.indexOf('</', at + 2)) {
    if (page.matchesWord(at + 2, name)) return at;
  }
  return page.length;
}

/** Just after a comment that opened before `from`: its `-->`, or HTML's abrupt `<!-->` and `<!--->`. */
function commentEnd(page: TextCursor, from: number): number {
  if (page.code(from) === GT) return from + 1;
  if (page.code(from) === 0x2d && page.code(from + 1) === GT) return from + 2;
  const close = page.indexOf('-->', from);
  return close === -1 ? page.length : close + 3;
}

function srcsetUrls(srcset: string): string[] {
  return srcset
    .split(',')
    .map((candidate) => candidate.trim().split(/\s+/)[0])
    .filter(Boolean);
}

function isAsciiLetter(code: number): boolean {
  return (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

function isHexDigit(code: number): boolean {
  return isDigit(code) || (code >= 0x41 && code <= 0x46) || (code >= 0x61 && code <= 0x66);
}
