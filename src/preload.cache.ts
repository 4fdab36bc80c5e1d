import { Inject, Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { isDeclaredHintUrl } from './declared-hints.js';
import { flatCopy } from './flat-string.js';
import { HTTP2_PRELOAD_OPTIONS } from './http2-preload.module-definition.js';
import { DEFAULT_OPTIONS } from './http2-preload-options.defaults.js';
import type { ResolvedHttp2PreloadOptions } from './http2-preload-options.interface.js';
import type { PreloadHint } from './preload-hint.interface.js';
import { estimatedHintBytes, sameHints } from './preload-hint.js';
import { isShareableHint, sharedHintPolicy, type SharedHintPolicy } from './shared-hint.policy.js';

/**
 * Longest hint cache key: a longer one (a long path under `cacheKey: 'path'`, or what a
 * key function returned) is neither looked up nor remembered, so its request goes late.
 */
export const MAX_CACHE_KEY_LENGTH = 2048;

/**
 * Most the hint cache may hold, in estimated bytes of keys, URLs and their link texts,
 * whatever `cacheSize` says: least recently used entries are forgotten first.
 */
export const HINT_CACHE_MAX_BYTES = 4 * 1024 * 1024;

/**
 * The hints each cache key's last page used (bounded, least recently used forgotten
 * first). Only hints: what else a route has shown lives in route-learning.ts.
 */
@Injectable()
export class PreloadCache {
  private readonly hints: LRUCache<string, readonly PreloadHint[]>;

  /** What a hint must point at to be shared with other requests. */
  private readonly policy: SharedHintPolicy;
  // Pages record the same (reused, immutable) hints on every request: judge each once.
  private readonly shareable = new WeakMap<PreloadHint, boolean>();

  constructor(
    @Inject(HTTP2_PRELOAD_OPTIONS)
    options: Pick<ResolvedHttp2PreloadOptions, 'cacheSize'> &
      Partial<Pick<ResolvedHttp2PreloadOptions, 'staticPrefix' | 'sharedHintOrigins'>>,
  ) {
    this.policy = sharedHintPolicy(
      options.staticPrefix ?? DEFAULT_OPTIONS.staticPrefix,
      options.sharedHintOrigins ?? [],
      isDeclaredHintUrl,
    );
    this.hints = new LRUCache({
      max: options.cacheSize,
      // Bounded in bytes as well as entries: long paths and URLs cannot make it grow
      // beyond this, whatever cacheSize says. An entry larger than the whole is not kept.
      maxSize: HINT_CACHE_MAX_BYTES,
      sizeCalculation: (hints, key) =>
        2 * key.length + hints.reduce((bytes, hint) => bytes + estimatedHintBytes(hint), 64),
    });
  }

  /** The hints last used under this key, or undefined. */
  hintsFor(key: string): readonly PreloadHint[] | undefined {
    return key.length > MAX_CACHE_KEY_LENGTH ? undefined : this.hints.get(key);
  }

  /**
   * Replaces the key's hints with what a page just used, keeping only those that are
   * safe to send to other requests (see `isShareableHint`): the others went late on
   * the page that recorded them, and stay there. A page that used none forgets the key.
   * A key longer than `MAX_CACHE_KEY_LENGTH` is not remembered.
   */
  remember(key: string, recorded: readonly PreloadHint[]): void {
    if (key.length > MAX_CACHE_KEY_LENGTH) return;
    const current = this.hints.get(key);
    // The usual case, checked before anything is copied: the page used what it used last time.
    if (current !== undefined && sameHints(current, recorded)) return;
    const hints = recorded.filter((hint) => this.isShareable(hint));
    if (hints.length === 0) return void this.hints.delete(key);
    // A page records the same hints on every request: keep the entry (and what was
    // formatted from it) rather than replace it with an equal copy.
    if (current !== undefined && sameHints(current, hints)) return;
    // The key is copied: it is often a slice of req.originalUrl, which would keep the
    // whole request line alive for as long as the entry lives.
    this.hints.set(flatCopy(key), Object.freeze(hints));
  }

  private isShareable(hint: PreloadHint): boolean {
    let shareable = this.shareable.get(hint);
    if (shareable === undefined) {
      shareable = isShareableHint(hint.url, this.policy);
      this.shareable.set(hint, shareable);
    }
    return shareable;
  }

  /** How many keys are remembered. */
  get size(): number {
    return this.hints.size;
  }
}
