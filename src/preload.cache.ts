import { Inject, Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { HTTP2_PRELOAD_OPTIONS } from './http2-preload.constants.js';
import type { ResolvedHttp2PreloadOptions } from './http2-preload-options.interface.js';
import type { PreloadHint } from './preload-hint.interface.js';
import { INITIAL_FLUSH_STATE, nextFlushState, type FlushEvent, type FlushState, type FlushTransition } from './flush-backoff.js';

/**
 * What the module has learnt about routes: the hints each cache key's last page used
 * (bounded, least recently used forgotten first), and for each handler whether its
 * headers may be flushed (flush-backoff.ts).
 */
@Injectable()
export class PreloadCache {
  private readonly hints: LRUCache<string, readonly PreloadHint[]>;
  // Keyed by handler function: bounded by the code, and not lost when a key is evicted.
  private readonly flushStates = new WeakMap<Function, FlushState>();

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
    return this.flushStateOf(handler).flushing;
  }

  flushStateOf(handler: Function): FlushState {
    return this.flushStates.get(handler) ?? INITIAL_FLUSH_STATE;
  }

  /** Records what a response of the handler showed; the transition says whether it just stopped or resumed flushing. */
  learn(handler: Function, event: FlushEvent): FlushTransition {
    const transition = nextFlushState(this.flushStateOf(handler), event);
    this.flushStates.set(handler, transition.state);
    return transition;
  }
}
