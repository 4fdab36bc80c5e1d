import { Inject, Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { HTTP2_PRELOAD_OPTIONS } from './http2-preload.constants.js';
import type { ResolvedHttp2PreloadOptions } from './http2-preload-options.interface.js';
import type { PreloadHint } from './preload-hint.interface.js';

/**
 * What the module has learnt about routes: the hints each cache key's last page used
 * (bounded, least recently used forgotten first), and which handlers must not get
 * flushed headers because they changed their response after a flush.
 */
@Injectable()
export class PreloadCache {
  private readonly hints: LRUCache<string, readonly PreloadHint[]>;
  // Keyed by handler function: bounded by the code, and not lost when a key is evicted.
  private readonly notFlushable = new WeakSet<Function>();

  constructor(@Inject(HTTP2_PRELOAD_OPTIONS) options: Pick<ResolvedHttp2PreloadOptions, 'cacheSize'>) {
    this.hints = new LRUCache({ max: options.cacheSize });
  }

  /** The hints last used under this key, or undefined. */
  hintsFor(key: string): readonly PreloadHint[] | undefined {
    return this.hints.get(key);
  }

  /** Replaces the key's hints with what a page just used; a page that used none forgets the key. */
  remember(key: string, hints: readonly PreloadHint[]): void {
    if (hints.length === 0) this.hints.delete(key);
    else this.hints.set(key, Object.freeze([...hints]));
  }

  /** How many keys are remembered. */
  get size(): number {
    return this.hints.size;
  }

  isFlushable(handler: Function): boolean {
    return !this.notFlushable.has(handler);
  }

  /** Stops flushing for a handler; true the first time, so the caller logs once. */
  stopFlushing(handler: Function): boolean {
    if (this.notFlushable.has(handler)) return false;
    this.notFlushable.add(handler);
    return true;
  }
}
