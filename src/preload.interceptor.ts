import {
  Inject,
  Injectable,
  Logger,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import type { OutgoingHttpHeaders } from 'node:http';
import onHeaders from 'on-headers';
import { catchError, defer, mergeMap, of, throwError, type Observable } from 'rxjs';
import { failureOf, headersSetByHandler, type AfterFlushOutcome } from './after-flush.js';
import { createNonceReader } from './csp-nonce.js';
import { earlyHintLinks, flushedEarlyLinks } from './early-hints.js';
import { inlineScriptAllowed, recoveryPage } from './flush-recovery.js';
import { flushHeadersEarly, type FlushedResponse } from './flushed-response.js';
import { HTTP2_PRELOAD_OPTIONS } from './http2-preload.module-definition.js';
import { PRELOAD_MODE, PRELOAD_STRATEGY } from './preload-vocabulary.js';
import type { ResolvedHttp2PreloadOptions } from './http2-preload-options.interface.js';
import { appendLinkHeader, formatLink, formatLinkHeader, type LinkFormatOptions } from './link-header.js';
import { settlePreconditions } from './preconditions.js';
import { collectorFor, type PreloadCollector } from './preload.collector.js';
import { sendEarlyHints, setLateHeaders } from './preload.emitter.js';
import type { PreloadHint } from './preload-hint.interface.js';
import { chooseEarlyStrategy, resultAtHeaderTime } from './preload-mode.js';
import { attachRenderContext } from './preload-render-context.js';
import { routePreloadOf, type RoutePreload } from './preload-route.js';
import { redirectPreloadTarget } from './redirect-preload.js';
import { exchangeOf, type HttpExchange } from './http-exchange.js';
import { mayBeNavigation, redirectFacts, requestBeforeHandler } from './request-facts.js';
import { routeLabel, RouteLearning } from './route-learning.js';

/** One request, from before its handler to its headers. */
interface PreloadRequest {
  readonly exchange: HttpExchange;
  readonly request: Request;
  readonly response: Response;
  readonly handler: Function;
  readonly route: RoutePreload;
  readonly collector: PreloadCollector;
  /** Hint cache key; undefined when the route opted out or a custom key function failed. */
  readonly cacheKey: string | undefined;
  /** The request's CSP nonce, once read (null: read, none); never stored beyond the request. */
  nonce?: string | null;
}

/**
 * Global interceptor, a singleton (it must not make every controller request-scoped).
 * It orchestrates; the decisions are pure functions (preload-mode.ts, after-flush.ts,
 * conditional-request.ts), the learning lives in route-learning.ts, and what goes on the
 * wire in preload.emitter.ts and flushed-response.ts. Before the handler: settle
 * `@Conditional()` preconditions, hand the collector to the templates, send the route's
 * hints early. When the headers are written (`@Render()` templates, and so the helper,
 * run only after the handler's observable completes): the late `Link`, and learning.
 */
@Injectable()
export class PreloadInterceptor implements NestInterceptor {
  private readonly logger = new Logger('Http2Preload');
  private readonly linkOptions: LinkFormatOptions;
  private readonly readNonce: ReturnType<typeof createNonceReader>;

  constructor(
    @Inject(HTTP2_PRELOAD_OPTIONS) private readonly options: ResolvedHttp2PreloadOptions,
    private readonly reflector: Reflector,
    private readonly learning: RouteLearning,
  ) {
    this.linkOptions = { nopush: !options.serverPush, maxBytes: options.maxHeaderBytes };
    this.readNonce = createNonceReader(options.nonce, this.logger);
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const http = context.switchToHttp();
    const exchange = exchangeOf(http.getRequest<unknown>(), http.getResponse<unknown>());
    if (exchange === undefined || exchange.response.headersSent) return next.handle();
    const handler = context.getHandler();
    const route = routePreloadOf(this.reflector, handler, context.getClass());
    const retry = exchange.takeRetryMarker();
    if (route.etag === undefined && route.lastModified === undefined) {
      return this.preload(exchange, handler, route, retry, false, next);
    }
    return defer(() => settlePreconditions(exchange, route)).pipe(
      mergeMap((answered) => (answered ? of(undefined) : this.preload(exchange, handler, route, retry, true, next))),
    );
  }

  private preload(
    exchange: HttpExchange,
    handler: Function,
    route: RoutePreload,
    retry: boolean,
    settled: boolean,
    next: CallHandler,
  ): Observable<unknown> {
    if (!this.options.preloadHeaders) return next.handle();
    const { request, response } = exchange;
    // An API route: nothing to record, send or learn, unless a browser navigates to it.
    if (this.learning.isDataHandler(handler) && !this.options.preloadRedirects && !mayBeNavigation(request))
      return next.handle();

    const collector = collectorFor(exchange.appRequest);
    if (exchange.locals) attachRenderContext(exchange.locals, { collector, staticPrefix: this.options.staticPrefix });
    for (const { url, ...attributes } of route.declaredHints) collector.add(url, attributes);
    const state: PreloadRequest = {
      exchange,
      request,
      response,
      handler,
      route,
      collector,
      cacheKey: this.learning.keyOf(request, route, exchange.appRequest),
    };

    const early = this.learning.earlyHintsOf(route, state.cacheKey);
    // Nothing to send (every JSON route): skip looking at the request at all.
    const strategy =
      early.length === 0
        ? undefined
        : chooseEarlyStrategy(
            requestBeforeHandler(request, response, settled, retry, exchange.appRequest),
            {
              optedOut: route.optedOut,
              strategy: route.strategy ?? this.options.strategy,
              flushable: this.learning.mayFlush(route, handler),
              hintCount: early.length,
            },
            this.options.presendCachedHeaders,
          );
    if (strategy === PRELOAD_STRATEGY.flushHeaders) {
      const flushed = this.flush(state, early);
      if (flushed) {
        return next.handle().pipe(
          catchError((error: unknown) => {
            flushed.fail(failureOf(error));
            return throwError(() => error);
          }),
        );
      }
    }
    const sentEarly =
      strategy === 'announce' || (strategy === PRELOAD_STRATEGY.earlyHints && this.send103(state, early));
    const before = this.learning.isLearningToFlush(route, handler, request.method) ? exchange.headers() : undefined;
    onHeaders(response, () => this.atHeaderTime(state, sentEarly, before));
    return next.handle();
  }

  /** Flushes a 200 with the hints; undefined when nothing fits or it could not even start (the request then goes late). */
  private flush(state: PreloadRequest, hints: readonly PreloadHint[]): FlushedResponse | undefined {
    const { request, response } = state;
    const linkOptions = this.linkOptionsFor(state);
    const links = flushedEarlyLinks(hints, linkOptions);
    if (links === undefined) return undefined;
    try {
      const debug = this.options.debugHeader ? ([this.options.debugHeader, PRELOAD_MODE.early] as const) : undefined;
      state.exchange.beforeFlush();
      return flushHeadersEarly(
        response,
        { link: appendLinkHeader(response.getHeader('link'), links), debug },
        {
          settled: (outcome) => this.afterFlush(state, outcome),
          recoveryPage: () =>
            recoveryPage({
              requestUrl: request.originalUrl,
              nonce: linkOptions.nonce,
              scriptAllowed: inlineScriptAllowed(
                response.getHeader('content-security-policy') as string | string[] | undefined,
                linkOptions.nonce,
              ),
            }),
        },
      );
    } catch (error) {
      this.logger.warn(`Could not flush early headers for ${routeLabel(request)}: ${(error as Error).message}`);
      if (response.headersSent) response.destroy();
      return undefined;
    }
  }

  private afterFlush({ request, handler, collector, cacheKey }: PreloadRequest, outcome: AfterFlushOutcome): void {
    if (outcome.action === 'send') {
      this.learning.learn(request, handler, 'clean-flush');
      // Self-healing: the next request gets what this page actually used.
      this.learning.rememberPage(cacheKey, collector.entries());
      return;
    }
    const ending =
      outcome.action === 'forward'
        ? 'the browser got a page that forwards it there'
        : "the browser got a page that asks again, and gets the app's answer late";
    this.learning.learn(
      request,
      handler,
      'failed-flush',
      `${outcome.problem} after its headers had been flushed; ${ending}`,
    );
  }

  /** One 103 with the links Node can carry and the browsers act on (with the nonce: see earlyHintLinks). */
  private send103(state: PreloadRequest, hints: readonly PreloadHint[]): boolean {
    const { request, response } = state;
    try {
      return sendEarlyHints(response, earlyHintLinks(hints, this.linkOptionsFor(state)));
    } catch (error) {
      this.logger.warn(`Could not send 103 Early Hints for ${routeLabel(request)}: ${(error as Error).message}`);
      return false;
    }
  }

  /** The late step; runs inside writeHead(), where a throw would break a response that is otherwise fine. */
  private atHeaderTime(state: PreloadRequest, sentEarly: boolean, before: OutgoingHttpHeaders | undefined): void {
    const { request, response, handler, route, collector } = state;
    try {
      if (this.options.preloadRedirects) this.addRedirectPreload(state);
      const contentType = response.getHeader('content-type');
      this.learning.noteAnswer(handler, contentType);
      const setByHandler = before === undefined ? undefined : headersSetByHandler(before, response.getHeaders());
      const result = resultAtHeaderTime({
        statusCode: response.statusCode,
        contentType,
        optedOut: route.optedOut,
        hintCount: collector.size,
        sentEarly,
        method: request.method,
        setByHandler,
      });
      if (result.mode === undefined) return;
      if (result.remember) this.learning.rememberPage(state.cacheKey, collector.entries());
      if (result.flushEvent) {
        const problem = `sets ${setByHandler?.join(', ')} while it runs, which flushed headers would lose`;
        this.learning.learn(request, handler, result.flushEvent, problem);
      }
      const links = result.addLinks ? formatLinkHeader(collector.entries(), this.linkOptionsFor(state)) : '';
      setLateHeaders(response, links, this.options.debugHeader ? [this.options.debugHeader, result.mode] : undefined);
    } catch (error) {
      this.logger.warn(`No preload headers for ${routeLabel(request)}: ${(error as Error).message}`);
    }
  }

  /** The link format for this request: the module's, plus the request's CSP nonce when it has one. */
  private linkOptionsFor(state: PreloadRequest): LinkFormatOptions {
    if (state.nonce === undefined)
      state.nonce =
        this.readNonce(state.exchange.appRequest, state.exchange.appResponse, () => routeLabel(state.request)) ?? null;
    return state.nonce === null ? this.linkOptions : { ...this.linkOptions, nonce: state.nonce };
  }

  /** `preloadRedirects`: a same-origin HTTPS redirect gets a preload of where it leads. */
  private addRedirectPreload(state: PreloadRequest): void {
    const { request, response, route, collector } = state;
    const target = redirectPreloadTarget(
      redirectFacts(request, response, route.optedOut || !collector.redirectPreloadWanted),
    );
    if (target !== undefined)
      response.setHeader('Link', formatLink({ url: target, as: 'document' }, this.linkOptionsFor(state)));
  }
}
