import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Request } from 'express';
import { cacheKeyFor, routePatternOf } from './cache-key.js';
import { cleanRunNeeded, type FlushEvent } from './flush-backoff.js';
import { HTTP2_PRELOAD_OPTIONS } from './http2-preload.module-definition.js';
import { PRELOAD_STRATEGY } from './preload-vocabulary.js';
import type { ResolvedHttp2PreloadOptions } from './http2-preload-options.interface.js';
import { PreloadCache } from './preload.cache.js';
import { isHtmlContentType } from './preload-mode.js';
import type { PreloadHint } from './preload-hint.interface.js';
import type { RoutePreload } from './preload-route.js';

const NO_HINTS: readonly PreloadHint[] = Object.freeze([]);

/** `GET /users/:id`: how a route is named in warnings. */
export function routeLabel(request: Request): string {
  return `${request.method} ${routePatternOf(request) ?? request.path}`;
}

/**
 * What the module learns from the responses of each route, in one place: the hints its
 * pages use (under their cache key), whether it may be flushed (flush-backoff.ts, with
 * one log line per stop and resume), and whether it answers pages at all.
 */
@Injectable()
export class RouteLearning {
  private readonly logger = new Logger('Http2Preload');
  /** Handlers that have answered something other than HTML, and never HTML. */
  private readonly dataHandlers = new WeakSet<Function>();
  private readonly pageHandlers = new WeakSet<Function>();
  private cacheKeyFailureLogged = false;

  constructor(
    @Inject(HTTP2_PRELOAD_OPTIONS) private readonly options: ResolvedHttp2PreloadOptions,
    private readonly cache: PreloadCache,
  ) {}

  /** The request's hint cache key; undefined (the request goes late, uncached) when a key function fails. */
  keyOf(request: Request, route: RoutePreload, appRequest: object = request): string | undefined {
    if (route.optedOut) return undefined;
    try {
      return cacheKeyFor(request, this.options.cacheKey, this.options.version, appRequest);
    } catch (error) {
      if (!this.cacheKeyFailureLogged) {
        this.cacheKeyFailureLogged = true;
        this.logger.warn(
          `No hint cache key for ${routeLabel(request)}, so its hints are not remembered ` +
            `(logged once): ${(error as Error).message}`,
        );
      }
      return undefined;
    }
  }

  /**
   * What may go before the handler: what the route's last page used, else what it
   * declares. Only HTML pages are remembered, and declared hints go first only on a
   * `@Render()` route: before the handler runs, nothing else shows that the response
   * will be a page and not JSON, a file or an event stream.
   */
  earlyHintsOf(route: RoutePreload, key: string | undefined): readonly PreloadHint[] {
    if (route.optedOut || !this.options.presendCachedHeaders) return NO_HINTS;
    const cached = key === undefined ? undefined : this.cache.hintsFor(key);
    return cached ?? (route.rendersTemplate ? route.declaredHints : NO_HINTS);
  }

  /**
   * Whether the route's responses have shown that flushing keeps them as they are. A
   * `@Render()` route that declares hints is trusted until one of its responses shows
   * otherwise: its declaration is the evidence.
   */
  mayFlush(route: RoutePreload, handler: Function): boolean {
    const state = this.cache.flushStateOf(handler);
    if (state.flushing) return true;
    return state.failures === 0 && route.rendersTemplate && route.declaredHints.length > 0;
  }

  /**
   * A late GET of a route that uses flushed headers but may not flush yet: its handler's
   * headers are worth comparing before and after, as flushing would lose what it sets.
   * Once the route flushes, the flushed response itself checks.
   */
  isLearningToFlush(route: RoutePreload, handler: Function, method: string): boolean {
    return (
      method === 'GET' &&
      this.options.presendCachedHeaders &&
      !route.optedOut &&
      (route.strategy ?? this.options.strategy) === PRELOAD_STRATEGY.flushHeaders &&
      !this.cache.isFlushable(handler)
    );
  }

  /** A handler that has only ever answered something other than HTML (an API): its requests need no preloading. */
  isDataHandler(handler: Function): boolean {
    return this.dataHandlers.has(handler);
  }

  /** Notes what kind of answer a handler gave, when its headers are written. */
  noteAnswer(handler: Function, contentType: unknown): void {
    if (this.pageHandlers.has(handler)) return;
    if (isHtmlContentType(contentType)) {
      this.pageHandlers.add(handler);
      this.dataHandlers.delete(handler);
    } else {
      this.dataHandlers.add(handler);
    }
  }

  /** Replaces the key's hints with what a page just used. */
  rememberPage(key: string | undefined, hints: readonly PreloadHint[]): void {
    if (key !== undefined) this.cache.remember(key, hints);
  }

  /** Records what a response of the route showed; logs once when the route stops or resumes flushing. */
  learn(request: Request, handler: Function, event: FlushEvent, problem?: string): void {
    const { state, switched } = this.cache.learn(handler, event);
    if (switched === 'stopped') {
      this.logger.warn(
        `${routeLabel(request)} ${problem}. It is not flushed until ${cleanRunNeeded(state.failures)} ` +
          'of its responses in a row have gone out clean, late.',
      );
    } else if (switched === 'resumed') {
      this.logger.log(`${routeLabel(request)} is flushed again: its last late responses went out clean.`);
    }
  }
}
