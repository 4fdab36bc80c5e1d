import { LRUCache } from 'lru-cache';
import type { PreloadHint } from '../preload-hint.interface.js';
import { estimatedHintBytes, sameHints } from '../preload-hint.js';

/** What a formatted list depends on besides its hints (the `LinkFormatOptions` that tell one format from another). */
export interface FormatOptions {
  readonly nopush?: boolean;
  readonly maxBytes?: number;
  /** Per request: a list formatted with one is never kept. */
  readonly nonce?: string;
}

/** What was formatted from one list of hints, for one set of options. */
interface Formatted<T> {
  readonly hints: readonly PreloadHint[];
  readonly key: string;
  readonly value: T;
}

/** Most the formatted-lists cache may hold, in estimated bytes. */
export const FORMATTED_MAX_BYTES = 1024 * 1024;

/**
 * Lists formatted before, by their first hint; a few per first hint (pages that share
 * their stylesheet). Bounded in entries and in estimated bytes, as each entry keeps its
 * hints and its text alive: lists whose URLs come from requests cannot make it grow.
 */
const FORMATTED = new LRUCache<PreloadHint, Formatted<unknown>[]>({
  max: 1000,
  maxSize: FORMATTED_MAX_BYTES,
  // The hints count whole: an entry keeps them alive after the plain-hint cache let them go.
  sizeCalculation: (entries) =>
    entries.reduce(
      (bytes, entry) =>
        bytes + 64 + 2 * textLength(entry.value) + entry.hints.reduce((sum, hint) => sum + estimatedHintBytes(hint), 0),
      64,
    ),
});
const FORMATTED_PER_FIRST_HINT = 4;
const FORMATTED_MAX_HINTS = 64;

function textLength(value: unknown): number {
  if (typeof value === 'string') return value.length;
  if (!Array.isArray(value)) return 0;
  // Formatted links, or parts of links ({ base }) to which each request adds its nonce.
  return value.reduce(
    (length: number, item: unknown) =>
      length + (typeof item === 'string' ? item.length : 32 + ((item as { base?: string }).base?.length ?? 0)),
    0,
  );
}

/**
 * Formats a list of hints once per list and option set. A page records the same
 * (reused, frozen) hints on every request, and the route cache hands out the same
 * frozen list until the page changes, so the work is kept, keyed by the list's first
 * hint and compared hint by hint (identity, a few pointer checks). Lists with a nonce,
 * which differs per request, or with a hint made for one request (not frozen) are
 * not kept.
 */
export function formattedOnce<T>(
  hints: Iterable<PreloadHint>,
  options: FormatOptions,
  kind: string,
  format: (hints: readonly PreloadHint[]) => T,
): T {
  const list = Array.isArray(hints) ? (hints as readonly PreloadHint[]) : [...hints];
  if (options.nonce !== undefined || list.length === 0 || !list.every((hint) => Object.isFrozen(hint)))
    return format(list);
  const key = `${kind}:${options.nopush ? 1 : 0}:${options.maxBytes ?? ''}`;
  const known = FORMATTED.get(list[0]);
  if (known !== undefined) {
    for (const entry of known) {
      if (entry.key === key && sameHints(entry.hints, list)) return entry.value as T;
    }
  }
  const value = format(list);
  // Only the hints a page records again and again; a long list is formatted each time.
  if (list.length > FORMATTED_MAX_HINTS) return value;
  const entry = { hints: Object.isFrozen(list) ? list : Object.freeze([...list]), key, value };
  // A new array each time, so that the cache sizes it again.
  FORMATTED.set(list[0], [...(known ?? []).slice(1 - FORMATTED_PER_FIRST_HINT), entry]);
  return value;
}
