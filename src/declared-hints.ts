import { sharedAcrossCopies } from './shared-across-copies.js';

/**
 * Every URL declared with `@Preload()` in the process. Written in code, the same for
 * every request, so safe to share across users wherever it points (the shared hint
 * cache keeps them); bounded by the code. One set per process, whichever build (ESM or
 * CommonJS) declared a URL and whichever reads it (shared-across-copies.ts).
 */
const DECLARED_URLS = sharedAcrossCopies('declaredHintUrls', () => new Set<string>());

/** Notes a URL declared with `@Preload()`. */
export function declareHintUrl(url: string): void {
  DECLARED_URLS.add(url);
}

/** Whether a URL was declared with `@Preload()`. */
export function isDeclaredHintUrl(url: string): boolean {
  return DECLARED_URLS.has(url);
}
