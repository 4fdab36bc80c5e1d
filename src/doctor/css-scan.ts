import { isSpace, TextCursor, type ScanCost } from './text-cursor.js';

const SLASH = 0x2f;
const DOUBLE_QUOTE = 0x22;
const SINGLE_QUOTE = 0x27;

/**
 * The URLs of `url(…)` and `@import "…"` in CSS text, comments skipped, `data:` URLs
 * left out. Read once, front to back, through a TextCursor (`cost` counts what it examined).
 */
export function cssUrls(css: string, cost?: ScanCost, urls: string[] = []): string[] {
  const sheet = new TextCursor(css, cost);
  const keep = (url: string | undefined) => {
    if (url && !url.toLowerCase().startsWith('data:')) urls.push(url);
  };
  let at = 0;
  while (at < sheet.length) {
    const code = sheet.code(at);
    if (code === SLASH && sheet.code(at + 1) === 0x2a /* * */) {
      const close = sheet.indexOf('*/', at + 2);
      at = close === -1 ? sheet.length : close + 2;
    } else if (code === 0x28 /* ( */ && at >= 3 && sheet.matchesWord(at - 3, 'url')) {
      const read = readUrl(sheet, at + 1);
      keep(read.url);
      at = read.end;
    } else if (code === 0x40 /* @ */ && sheet.matchesWord(at + 1, 'import') && isSpace(sheet.code(at + 7))) {
      at = sheet.skipWhile(at + 8, isSpace);
      const quote = sheet.code(at);
      if (quote === DOUBLE_QUOTE || quote === SINGLE_QUOTE) {
        const close = sheet.indexOf(quote === DOUBLE_QUOTE ? '"' : "'", at + 1);
        if (close === -1) break;
        keep(sheet.slice(at + 1, close));
        at = close + 1;
      }
    } else {
      at++;
    }
  }
  return urls;
}

/** The URL of a `url(` whose content starts at `start` (undefined when malformed), and where reading stopped. */
function readUrl(sheet: TextCursor, start: number): { url?: string; end: number } {
  let at = sheet.skipWhile(start, isSpace);
  let url: string;
  const quote = sheet.code(at);
  if (quote === DOUBLE_QUOTE || quote === SINGLE_QUOTE) {
    const close = sheet.indexOf(quote === DOUBLE_QUOTE ? '"' : "'", at + 1);
    if (close === -1) return { end: sheet.length };
    url = sheet.slice(at + 1, close);
    at = close + 1;
  } else {
    const urlStart = at;
    at = sheet.skipWhile(at, (code) => !isSpace(code) && code !== 0x29 /* ) */);
    url = sheet.slice(urlStart, at);
  }
  at = sheet.skipWhile(at, isSpace);
  return sheet.code(at) === 0x29 ? { url, end: at + 1 } : { end: at };
}
