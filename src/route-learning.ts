import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Request } from 'express';
import { cacheKeyFor } from './cache-key.js';
import { ValidatorMemories } from './conditional/index.js';
import { type AfterFlushOutcome, type FlushEvent, FlushStates, RESUME_BELOW } from './flush/index.js';
import { HTTP2_PRELOAD_OPTIONS } from './http2-preload.module-definition.js';
import type { ResolvedHttp2PreloadOptions } from './http2-preload-options.interface.js';
import { PreloadCache } from './preload.cache.js';
import { PreloadMetrics } from './preload.metrics.js';
import {
  isHtmlContentType,
  type HeaderTimeFacts,
  type HeaderTimeResult,
  type RouteBeforeHandler,
} from './preload-mode.js';
import type { PreloadRequest } from './preload-request.js';
import { routeLabel, validatorObservation } from './request-facts.js';
import type { PreloadHint } from './preload-hint.interface.js';
import type { RoutePreload } from './preload-route.js';
import type { HttpExchange } from './http-exchange.js';
import { SessionHabitsMemory } from './session-facts.js';

const NO_HINTS: readonly PreloadHint[] = Object.freeze([]);

/**
 * What the module learns from the responses of each route, in one place: the hints its
 * pages use (under their cache key, in preload.cache.ts), whether it may be flushed
 * (flush/flush-backoff.ts, with one log line per stop and resume), whether it
 * answers pages at all, and whether its validators repeat (conditional/validator-memory.ts:
 * may a revalidation of it match); and, for every route, what the session middleware
 * writes at a flush.
 */
@Injectable()
export class RouteLearning {
  private readonly logger = new Logger('Http2Preload');
  /** Handlers that have answered something other than HTML, and never HTML. */
  private readonly dataHandlers = new WeakSet<Function>();
  private readonly pageHandlers = new WeakSet<Function>();
  private readonly flushStates = new FlushStates();
  private readonly validatorMemories = new ValidatorMemories();
  /** What the app's session middleware has been seen to write at a flush (session-facts.ts). */
  readonly sessionHabits = new SessionHabitsMemory();
  /** Handlers whose failed flush has been logged once without stopping them. */
  private readonly failedOnce = new WeakSet<Function>();
  private cacheKeyFailureLogged = false;

  constructor(
    @Inject(HTTP2_PRELOAD_OPTIONS) private readonly options: ResolvedHttp2PreloadOptions,
    private readonly cache: PreloadCache,
    private readonly metrics: PreloadMetrics,
  ) {}

  /** The request's hint cache key; undefined (the request goes late, uncached) when a key function fails. */
  keyOf(route: RoutePreload, { request, appRequest }: HttpExchange): string | undefined {
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
   * What the route's learning says before its handler runs: the hints that may go early
   * (what its last page used, else what it declares) and the facts of the route for
   * planBeforeHandler(). Only HTML pages are remembered, and declared hints go first only
   * on a `@Render()` route: before the handler runs, nothing else shows that the response
   * will be a page and not JSON, a file or an event stream. A `@Render()` route that
   * declares hints may be flushed from its first request, until one of its responses
   * shows otherwise: its declaration is the evidence.
   */
  beforeHandler(page: PreloadRequest): { readonly hints: readonly PreloadHint[]; readonly route: RouteBeforeHandler } {
    const { route, cacheKey } = page;
    const early = this.options.presendCachedHeaders && !route.optedOut;
    const cached = early && cacheKey !== undefined ? this.cache.hintsFor(cacheKey) : undefined;
    const hints = cached ?? (early && route.rendersTemplate ? route.declaredHints : NO_HINTS);
    const state = this.flushStates.of(route.handler);
    return {
      hints,
      route: {
        optedOut: route.optedOut,
        strategy: route.strategy ?? this.options.strategy,
        flushable:
          state.flushing || (state.heldBack === undefined && route.rendersTemplate && route.declaredHints.length > 0),
        flushingLearnt: state.flushing,
        flushHeldBack: state.heldBack,
        answersData: this.dataHandlers.has(route.handler),
        hintCount: hints.length,
        validators: this.validatorMemories.of(route.handler),
      },
    };
  }

  /** A handler that has only ever answered something other than HTML (an API): its requests need no preloading. */
  isDataHandler(handler: Function): boolean {
    return this.dataHandlers.has(handler);
  }

  /** Notes what kind of answer a handler gave, when its headers are written. */
  private noteAnswer(handler: Function, contentType: unknown): void {
    if (this.pageHandlers.has(handler)) return;
    if (isHtmlContentType(contentType)) {
      this.pageHandlers.add(handler);
      this.dataHandlers.delete(handler);
    } else {
      this.dataHandlers.add(handler);
    }
  }

  /**
   * What a response showed, when its headers are written (resultAtHeaderTime): whether
   * its handler answers pages, the hints its page used (self-healing: the next request
   * gets them), and whether its handler set headers that flushing would lose.
   */
  fromResponse(page: PreloadRequest, facts: HeaderTimeFacts, result: HeaderTimeResult): void {
    // A 304 has no type: it says nothing about what the handler answers.
    if (facts.statusCode !== 304) this.noteAnswer(page.route.handler, facts.contentType);
    this.noteValidators(page, false);
    if (result.remember) this.rememberPage(page.cacheKey, page.collector.entries());
    if (result.flushEvent) {
      const problem =
        result.flushEvent === 'failed-late'
          ? `answered ${facts.statusCode}, which a flushed 200 cannot carry`
          : `sets ${facts.setByHandler?.join(', ')} while it runs, which flushed headers would lose`;
      this.learn(page.request, page.route.handler, result.flushEvent, problem);
    }
  }

  /** What followed a flush: a clean page teaches the route's hints; anything else holds the route back (flush-backoff.ts). */
  afterFlush(page: PreloadRequest, outcome: AfterFlushOutcome): void {
    const { request, route } = page;
    // A page let through shows its validators; a 304 stopped underneath is a revalidation that matched.
    if ((outcome.action === 'send' || page.response.statusCode === 304) && this.noteValidators(page, true)) return;
    if (outcome.action === 'send') {
      this.learn(request, route.handler, 'clean-flush');
      this.rememberPage(page.cacheKey, page.collector.entries());
      return;
    }
    this.metrics.countRetryPage(outcome.cause ?? 'failed');
    const ending =
      outcome.action === 'forward'
        ? 'the browser got a page that forwards it there'
        : "the browser got a page that asks again, and gets the app's answer late";
    this.learn(
      request,
      route.handler,
      'failed-flush',
      `${outcome.problem} after its headers had been flushed; ${ending}`,
    );
  }

  /**
   * Notes the validators a page response carried (or the 304 it became). True for a
   * revalidation answered `304` underneath flushed headers: it ended on the page that
   * asks again, but it shows only that the route's validators repeat, not that its
   * plain navigations cannot be flushed, so it teaches the validator memory (the route's
   * revalidations go late from now on) and not the flush back-off.
   */
  private noteValidators(page: PreloadRequest, flushed: boolean): boolean {
    const observation = validatorObservation(page, flushed);
    if (observation === undefined) return false;
    const firstMatch = this.validatorMemories.record(page.route.handler, observation);
    if (!observation.underFlush) return false;
    if (firstMatch) {
      this.logger.warn(
        `${routeLabel(page.request)} answered 304 after its headers had been flushed: a revalidation matched, ` +
          'which its responses had not shown could happen; the browser got a page that asks again, and gets the 304 late. ' +
          'Its revalidations are answered late from now on.',
      );
    }
    return true;
  }

  /** Replaces the key's hints with what a page just used. */
  private rememberPage(key: string | undefined, hints: readonly PreloadHint[]): void {
    if (key !== undefined) this.cache.remember(key, hints);
  }

  /**
   * Records what a response of the route showed. Logs when the route stops or resumes
   * flushing, and a route's first failed flush that does not stop it (a failure that
   * comes back is told by the counts, not by a line each time).
   */
  private learn(request: Request, handler: Function, event: FlushEvent, problem?: string): void {
    const { state, switched } = this.flushStates.record(handler, event);
    const rate = `${Math.round(state.failureRate * 100)} %`;
    if (switched !== undefined) this.metrics.countRouteHeldBack(switched === 'stopped' ? 1 : -1);
    if (switched === 'stopped') {
      this.logger.warn(
        `${routeLabel(request)} ${problem}. It is not flushed while that happens on a large share of its ` +
          `requests (now ${rate}; it is flushed again under ${RESUME_BELOW * 100} %).`,
      );
    } else if (switched === 'resumed') {
      this.logger.log(`${routeLabel(request)} is flushed again: its late responses went out clean (${rate}).`);
    } else if (event === 'failed-flush' && state.flushing && !this.failedOnce.has(handler)) {
      this.failedOnce.add(handler);
      this.logger.warn(
        `${routeLabel(request)} ${problem}. It is still flushed: that happens on a small share of its requests (${rate}).`,
      );
    }
  }
}
