/** How many characters a scan has examined: read one by one, passed over by a search, or copied. */
export interface ScanCost {
  examined: number;
}

/**
 * A text as the doctor's scanners read it, counting what each read costs. A page comes
 * from the network and may be built to hurt (300 KB of `<a` with no `>`): a regular
 * expression that backtracks, or a search repeated from every `<`, turns that into
 * minutes of CPU that `--timeout` cannot stop. So the scanners read only through this
 * class, and its searches remember where each needle was found (or that it was not):
 * a scanner that moves forward never searches the same stretch twice, and its count
 * stays proportional to the text's length, which html-scan.spec.ts checks on hostile
 * input instead of timing it.
 */
export class TextCursor {
  /** Per needle, the last search: from where, and where the needle was (-1: nowhere after). */
  private readonly searches = new Map<string, { from: number; at: number }>();

  constructor(
    readonly text: string,
    readonly cost: ScanCost = { examined: 0 },
  ) {}

  get length(): number {
    return this.text.length;
  }

  /** The UTF-16 code unit at `index`; NaN past the end. */
  code(index: number): number {
    this.cost.examined++;
    return this.text.charCodeAt(index);
  }

  /** The first index at or after `from` whose code unit fails `test`; the length when none does. */
  skipWhile(from: number, test: (code: number) => boolean): number {
    let at = from;
    while (at < this.text.length && test(this.code(at))) at++;
    return at;
  }

  /** The code unit at `index` in ASCII lower case (letters only change). */
  lower(index: number): number {
    const code = this.code(index);
    return code >= 0x41 && code <= 0x5a ? code + 0x20 : code;
  }

  /** Whether the text at `index` is `word` (lower-case ASCII), in any case. */
  matchesWord(index: number, word: string): boolean {
    for (let k = 0; k < word.length; k++) if (this.lower(index + k) !== word.charCodeAt(k)) return false;
    return true;
  }

  /**
   * Where `needle` next starts at or after `from`, or -1. A search that starts inside the
   * stretch the previous search of the same needle already passed over is answered from
   * memory: no occurrence starts there before the one it found.
   */
  indexOf(needle: string, from: number): number {
    const last = this.searches.get(needle);
    if (last && from >= last.from && (last.at === -1 || from <= last.at)) return last.at;
    const at = this.text.indexOf(needle, from);
    this.cost.examined += Math.max(0, (at === -1 ? this.text.length : at + needle.length) - from);
    this.searches.set(needle, { from, at });
    return at;
  }

  /** The text between `start` and `end`, copied. */
  slice(start: number, end: number = this.text.length): string {
    this.cost.examined += Math.max(0, Math.min(end, this.text.length) - start);
    return this.text.slice(start, end);
  }
}

/** HTML's and CSS's whitespace: space, tab, LF, FF, CR. */
export function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0c || code === 0x0d;
}
