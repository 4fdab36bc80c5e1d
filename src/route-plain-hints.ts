import type { PreloadHint } from './preload-hint.interface.js';
import { estimatedHintBytes } from './preload-hint.js';

/** Most plain hints one route keeps: far more than a page's critical assets. */
export const ROUTE_PLAIN_HINTS_MAX = 64;

/**
 * Most one route's plain hints may hold, in estimated bytes (`estimatedHintBytes`): 64
 * hints of URLs up to 30 characters, or one ASCII URL of the longest the module accepts.
 * Routes are the app's handlers, so the whole is bounded by the app's code, not by requests.
 */
export const ROUTE_PLAIN_HINTS_MAX_BYTES = 16 * 1024;

/**
 * Whether a route that holds `count` hints of `bytes` estimated bytes must forget its
 * oldest before it keeps one more of `added` bytes.
 */
export function mustForgetOldest(count: number, bytes: number, added: number): boolean {
  return count > 0 && (count >= ROUTE_PLAIN_HINTS_MAX || bytes + added > ROUTE_PLAIN_HINTS_MAX_BYTES);
}

/**
 * The plain hints (recorded without attributes, the helper's usual call) one route's
 * pages have recorded, by URL: what the collector checks before the process-wide plain-hint
 * cache (preload-hint.ts). A page records the same few URLs on every request; found here,
 * each costs one lookup in a small map, with neither the LRU's bookkeeping nor the URL
 * safety check (only hints that passed it are kept). Bounded per route in hints and
 * bytes, the oldest forgotten first: a route whose pages record a URL per item (an image
 * per product) keeps its layout's hints coming back, and a forgotten one is looked up
 * as before.
 */
export class RoutePlainHints {
  private readonly byUrl = new Map<string, PreloadHint>();
  private bytes = 0;

  /** The hint this route recorded for the URL, or undefined. */
  get(url: string): PreloadHint | undefined {
    return this.byUrl.get(url);
  }

  /** Keeps a plain hint that passed the URL safety check; one larger than the route's whole bound is not kept. */
  keep(hint: PreloadHint): void {
    // Two requests of the route may both have missed it.
    if (this.byUrl.has(hint.url)) return;
    const added = estimatedHintBytes(hint);
    if (added > ROUTE_PLAIN_HINTS_MAX_BYTES) return;
    while (mustForgetOldest(this.byUrl.size, this.bytes, added)) {
      // A Map iterates in insertion order: its first entry is the oldest.
      const [url, oldest] = this.byUrl.entries().next().value as [string, PreloadHint];
      this.byUrl.delete(url);
      this.bytes -= estimatedHintBytes(oldest);
    }
    // Keyed by the hint's own flat copy of its URL, not by the string a request built.
    this.byUrl.set(hint.url, hint);
    this.bytes += added;
  }

  /** How many hints the route keeps. */
  get size(): number {
    return this.byUrl.size;
  }

  /** Their estimated bytes, as bounded by `ROUTE_PLAIN_HINTS_MAX_BYTES`. */
  get estimatedBytes(): number {
    return this.bytes;
  }
}

/**
 * One per route handler, for the whole process, like the plain-hint cache it stands in
 * front of: a plain hint depends on its URL alone, whichever app or module instance
 * records it. Kept by the handler, so a route's are dropped with it.
 */
const BY_HANDLER = new WeakMap<Function, RoutePlainHints>();

/** The plain hints of the route whose handler this is, created on first use. */
export function routePlainHintsOf(handler: Function): RoutePlainHints {
  let hints = BY_HANDLER.get(handler);
  if (hints === undefined) BY_HANDLER.set(handler, (hints = new RoutePlainHints()));
  return hints;
}
