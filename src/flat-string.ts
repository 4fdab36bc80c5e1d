/**
 * A copy of a string that shares nothing with it, for strings the module keeps beyond
 * a request (cache keys, hint URLs). V8 may hold a string as a tree of the pieces it
 * was concatenated from (a URL built one character at a time costs ~30 bytes per
 * character that way), or as a slice that keeps its whole parent alive (a key cut out
 * of `req.originalUrl` pins the whole request line). A round trip through UTF-16 code
 * units makes a new sequential string of exactly the same characters, lone surrogates
 * included. Callers only keep strings of bounded length, so the copy is cheap.
 */
export function flatCopy(text: string): string {
  return Buffer.from(text, 'utf16le').toString('utf16le');
}
