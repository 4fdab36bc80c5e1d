import {
  Inject,
  Injectable,
  Logger,
  PreconditionFailedException,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { OutgoingHttpHeaders } from 'node:http';
import type { Request, Response } from 'express';
import onHeaders from 'on-headers';
import { catchError, defer, from, mergeMap, of, throwError, type Observable } from 'rxjs';
import { headersSetByHandler, type AfterFlushOutcome } from './after-flush.js';
import { cacheKeyFor, routePatternOf } from './cache-key.js';
import { currentValidators, evaluatePreconditions, hasPrecondition, type Validators } from './conditional-request.js';
import { cleanRunNeeded, type FlushEvent } from './flush-backoff.js';
import { inlineScriptAllowed, isRetryRequest, recoveryPage, RETRY_MARKER, withoutRetryMarker } from './flush-recovery.js';
import { isCspNonce } from './csp-nonce.js';
import { describeValue } from './describe-value.js';
import { earlyHintLinks, flushedEarlyLinks, ownsSocket } from './early-hints.js';
import { flushHeadersEarly, type FlushedResponse } from './flushed-response.js';
import { answerNotModified, setValidators } from './not-modified.js';
import { HTTP2_PRELOAD_OPTIONS, PRELOAD_MODE, PRELOAD_STRATEGY } from './http2-preload.constants.js';
import type { ResolvedHttp2PreloadOptions } from './http2-preload-options.interface.js';
import { appendLinkHeader, formatLink, formatLinkHeader, type LinkFormatOptions } from './link-header.js';
import { PreloadCache } from './preload.cache.js';
import { collectorFor, type PreloadCollector } from './preload.collector.js';
import type { PreloadHint } from './preload-hint.interface.js';
import { chooseEarlyStrategy, isSuccess, modeAtHeaderTime, type RequestBeforeHandler } from './preload-mode.js';
import { attachRenderContext } from './preload-render-context.js';
import { readRoutePreload, type RoutePreload } from './preload-route.js';
import { redirectPreloadTarget } from './redirect-preload.js';

/** Express responses only: another platform's reply has no `locals` to hand the helper. */
function isExpressResponse(response: unknown): response is Response {
  return (
    typeof response === 'object' &&
    response !== null &&
    typeof (response as Response).writeHead === 'function' &&
    typeof (response as Response).locals === 'object'
  );
}

const NO_HINTS: readonly PreloadHint[] = Object.freeze([]);

/** Everything the interceptor knows about one request, passed from before the handler to after it. */
interface PreloadRequest {
  readonly request: Request;
  readonly response: Response;
  readonly collector: PreloadCollector;
  readonly route: RoutePreload;
  readonly handler: Function;
  /** Hint cache key; undefined when the route opted out or a custom key function failed. */
  readonly cacheKey: string | undefined;
  /** `@Conditional()` settled the request's preconditions before the handler: it is an ordinary page now. */
  readonly preconditionsSettled: boolean;
  /** The request's CSP nonce, once read; never stored beyond the request. */
  nonce?: string;
}

function requestBeforeHandler(request: Request, response: Response, preconditionsSettled: boolean, retry: boolean): RequestBeforeHandler {
  const { headers } = request;
  const secFetchMode = headers['sec-fetch-mode'];
  return {
    method: request.method,
    httpVersion: request.httpVersion,
    acceptsHtml: request.accepts('html') !== false,
    secFetchMode: typeof secFetchMode === 'string' ? secFetchMode : undefined,
    conditional: (!preconditionsSettled && hasPrecondition(headers)) || headers.range !== undefined,
    // express-session and cookie-session define it; they write their cookie with the headers.
    hasSession: 'session' in request,
    retry: retry || isRetryRequest('', headers.cookie),
    statusCode: response.statusCode,
  };
}

/** How a handler's exception reads in a warning: `answered 404 (No user 9)`, `failed (database down)`. */
function failureOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const status = (error as { getStatus?: () => unknown } | null)?.getStatus?.();
  return typeof status === 'number' ? `answered ${status} (${message})` : `failed (${message})`;
}

/** `GET /users/:id`: how a route is named in warnings. */
function routeLabel(request: Request): string {
  return `${request.method} ${routePatternOf(request) ?? request.path}`;
}

/**
 * The retry of a page that went wrong after a flush may carry a query parameter: take it
 * off the URL before anything reads the query, so the app sees the URL it linked to.
 * True when it was there.
 */
function takeRetryMarker(request: Request): boolean {
  // Almost no URL has it: one substring search, no parsing, on every other request.
  if (!request.url.includes(RETRY_MARKER)) return false;
  const url = withoutRetryMarker(request.url);
  if (url === request.url) return false;
  request.url = url;
  request.originalUrl = withoutRetryMarker(request.originalUrl);
  return true;
}

/**
 * Global interceptor, a singleton (it must not make every controller request-scoped).
 * Before the handler it settles `@Conditional()` preconditions, hands the request's
 * collector to the templates and, when the route's hints are cached, sends them early
 * (flushed headers or a 103). The `Link` header of the response itself is added when
 * its headers are written, because `@Render()` templates (and so the helper's
 * recordings) run only after the handler's observable has completed; that is also when
 * the cache learns what the page used.
 */
@Injectable()
export class PreloadInterceptor implements NestInterceptor {
  private readonly logger = new Logger('Http2Preload');
  private readonly linkOptions: LinkFormatOptions;
  private readonly routes = new WeakMap<Function, WeakMap<Function, RoutePreload>>();
  private cacheKeyFailureLogged = false;
  private nonceFailureLogged = false;

  constructor(
    @Inject(HTTP2_PRELOAD_OPTIONS) private readonly options: ResolvedHttp2PreloadOptions,
    private readonly reflector: Reflector,
    private readonly cache: PreloadCache,
  ) {
    this.linkOptions = { nopush: !options.serverPush, maxBytes: options.maxHeaderBytes };
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const http = context.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<unknown>();
    if (!isExpressResponse(response) || response.headersSent) return next.handle();
    const handler = context.getHandler();
    const route = this.routeOf(handler, context.getClass());
    const retry = takeRetryMarker(request);
    if (route.etag === undefined && route.lastModified === undefined) {
      return this.preload(request, response, route, handler, retry, false, next);
    }
    return defer(() => from(currentValidators(route, request))).pipe(
      mergeMap((validators) => this.afterPreconditions(request, response, route, handler, retry, validators, next)),
    );
  }

  /** The decorators of a route, read once per handler: they never change. */
  private routeOf(handler: Function, controller: Function): RoutePreload {
    let byHandler = this.routes.get(controller);
    if (!byHandler) this.routes.set(controller, (byHandler = new WeakMap()));
    let route = byHandler.get(handler);
    if (!route) byHandler.set(handler, (route = readRoutePreload(this.reflector, handler, controller)));
    return route;
  }

  /** RFC 9110 §13.2.2 with the route's validators: a 304 or a 412 without the handler, else an ordinary request. */
  private afterPreconditions(
    request: Request,
    response: Response,
    route: RoutePreload,
    handler: Function,
    retry: boolean,
    validators: Validators,
    next: CallHandler,
  ): Observable<unknown> {
    const outcome = evaluatePreconditions(
      {
        method: request.method,
        ifMatch: request.headers['if-match'],
        ifNoneMatch: request.headers['if-none-match'],
        ifModifiedSince: request.headers['if-modified-since'],
        ifUnmodifiedSince: request.headers['if-unmodified-since'],
      },
      validators,
    );
    if (outcome === 'precondition-failed') throw new PreconditionFailedException();
    if (outcome === 'not-modified') {
      answerNotModified(response, validators);
      return of(undefined);
    }
    // What a changed resource now is: only a GET or HEAD answer describes it.
    if (request.method === 'GET' || request.method === 'HEAD') setValidators(response, validators);
    return this.preload(request, response, route, handler, retry, true, next);
  }

  private preload(
    request: Request,
    response: Response,
    route: RoutePreload,
    handler: Function,
    retry: boolean,
    preconditionsSettled: boolean,
    next: CallHandler,
  ): Observable<unknown> {
    if (!this.options.preloadHeaders) return next.handle();
    const collector = collectorFor(request);
    attachRenderContext(response.locals, { collector, staticPrefix: this.options.staticPrefix });
    for (const { url, ...attributes } of route.declaredHints) collector.add(url, attributes);
    const state: PreloadRequest = {
      request,
      response,
      collector,
      route,
      handler,
      cacheKey: route.optedOut ? undefined : this.cacheKeyOf(request),
      preconditionsSettled,
    };

    const earlyHints = this.earlyHintsOf(state);
    // Nothing to send (every JSON route): skip looking at the request at all.
    const strategy =
      earlyHints.length === 0
        ? undefined
        : chooseEarlyStrategy(
            requestBeforeHandler(request, response, preconditionsSettled, retry),
            {
              optedOut: route.optedOut,
              strategy: route.strategy ?? this.options.strategy,
              flushable: this.mayFlush(state),
              hintCount: earlyHints.length,
            },
            this.options.presendCachedHeaders,
          );
    if (strategy === PRELOAD_STRATEGY.flushHeaders) {
      const flushed = this.flushEarly(state, earlyHints);
      if (flushed) {
        return next.handle().pipe(
          catchError((error: unknown) => {
            flushed.fail(failureOf(error));
            return throwError(() => error);
          }),
        );
      }
    }
    const sentEarly = strategy === 'announce' || (strategy === PRELOAD_STRATEGY.earlyHints && this.sendEarlyHints(state, earlyHints));
    const headersBefore = this.isLearningToFlush(state) ? response.getHeaders() : undefined;
    onHeaders(response, () => this.beforeHeadersWritten(state, sentEarly, headersBefore));
    return next.handle();
  }

  /**
   * Whether the route's responses have shown that flushing keeps them as they are
   * (flush-backoff.ts). A `@Render()` route that declares hints is trusted until one of
   * its responses shows otherwise: its declaration is the evidence.
   */
  private mayFlush({ route, handler }: PreloadRequest): boolean {
    const state = this.cache.flushStateOf(handler);
    if (state.flushing) return true;
    return state.failures === 0 && route.rendersTemplate && route.declaredHints.length > 0;
  }

  /**
   * What may go before the handler: what the route's last page used, else what it
   * declares. Only HTML pages are remembered, and declared hints go first only on a
   * `@Render()` route: before the handler runs, nothing else shows that the response
   * will be a page and not JSON, a file or an event stream.
   */
  private earlyHintsOf({ route, cacheKey }: PreloadRequest): readonly PreloadHint[] {
    if (route.optedOut || !this.options.presendCachedHeaders) return NO_HINTS;
    const cached = cacheKey === undefined ? undefined : this.cache.hintsFor(cacheKey);
    return cached ?? (route.rendersTemplate ? route.declaredHints : NO_HINTS);
  }

  private cacheKeyOf(request: Request): string | undefined {
    try {
      return cacheKeyFor(request, this.options.cacheKey, this.options.version);
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

  /** Flushes a 200 with the hints; undefined when that could not even start (the request then goes late). */
  private flushEarly(state: PreloadRequest, hints: readonly PreloadHint[]): FlushedResponse | undefined {
    const { response } = state;
    try {
      const links = flushedEarlyLinks(hints, this.linkOptionsFor(state));
      if (links === undefined) return undefined;
      const link = appendLinkHeader(response.getHeader('link'), links);
      const debug = this.options.debugHeader ? ([this.options.debugHeader, PRELOAD_MODE.early] as const) : undefined;
      return flushHeadersEarly(response, { link, debug }, {
        settled: (outcome) => this.afterFlush(state, outcome),
        recoveryPage: () => this.recoveryPageFor(state),
      });
    } catch (error) {
      this.logger.warn(`Could not flush early headers for ${routeLabel(state.request)}: ${(error as Error).message}`);
      if (response.headersSent) response.destroy();
      return undefined;
    }
  }

  /** The page that makes the browser ask again; its script runs only where the response's own policy lets it. */
  private recoveryPageFor(state: PreloadRequest): string {
    const nonce = this.linkOptionsFor(state).nonce;
    const policy = state.response.getHeader('content-security-policy') as string | string[] | undefined;
    return recoveryPage({ requestUrl: state.request.originalUrl, nonce, scriptAllowed: inlineScriptAllowed(policy, nonce) });
  }

  private afterFlush(state: PreloadRequest, outcome: AfterFlushOutcome): void {
    const { collector, cacheKey } = state;
    if (outcome.action === 'send') {
      this.learnToFlush(state, 'clean-flush');
      // Self-healing: the next request gets what this page actually used.
      if (cacheKey !== undefined) this.cache.remember(cacheKey, collector.entries());
      return;
    }
    const ending =
      outcome.action === 'forward'
        ? 'the browser got a page that forwards it there'
        : 'the browser got a page that asks again, and gets the app\'s answer late';
    this.learnToFlush(state, 'failed-flush', `${outcome.problem} after its headers had been flushed; ${ending}`);
  }

  /** Route learning, in one place: what a response showed, and one log line when the route stops or resumes flushing. */
  private learnToFlush({ request, handler }: PreloadRequest, event: FlushEvent, problem?: string): void {
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

  /** Sends one 103 with the hints Node can carry; false when there was none to send or it failed. */
  private sendEarlyHints({ request, response }: PreloadRequest, hints: readonly PreloadHint[]): boolean {
    // No nonce to read: a 103 never carries one (see earlyHintLinks).
    const links = earlyHintLinks(hints, this.linkOptions);
    if (links.length === 0 || !ownsSocket(response)) return false;
    try {
      response.writeEarlyHints({ link: [...links] });
      return true;
    } catch (error) {
      this.logger.warn(`Could not send 103 Early Hints for ${routeLabel(request)}: ${(error as Error).message}`);
      return false;
    }
  }

  /**
   * A late GET of a route that uses flushed headers but may not flush yet: note which
   * headers its handler sets, as flushing would lose them. Once the route flushes, the
   * flushed response itself checks, so no snapshot is taken.
   */
  private isLearningToFlush({ request, route, handler }: PreloadRequest): boolean {
    return (
      this.options.presendCachedHeaders &&
      !route.optedOut &&
      request.method === 'GET' &&
      (route.strategy ?? this.options.strategy) === PRELOAD_STRATEGY.flushHeaders &&
      !this.cache.isFlushable(handler)
    );
  }

  private beforeHeadersWritten(
    state: PreloadRequest,
    sentEarly: boolean,
    headersBefore: OutgoingHttpHeaders | undefined,
  ): void {
    const { request, response, collector, route } = state;
    // Runs inside writeHead(): a throw here would break a response that is otherwise fine.
    try {
      if (this.options.preloadRedirects) this.addRedirectPreload(state);
      const mode = modeAtHeaderTime({
        statusCode: response.statusCode,
        contentType: response.getHeader('content-type'),
        optedOut: route.optedOut,
        hintCount: collector.size,
        sentEarly,
      });
      if (mode === undefined) return;
      const hinted = isSuccess(response.statusCode) && !route.optedOut;
      if (hinted) this.learnFromPage(state, headersBefore);
      if (hinted && collector.size > 0) {
        const links = formatLinkHeader(collector.entries(), this.linkOptionsFor(state));
        if (links !== '') response.setHeader('Link', appendLinkHeader(response.getHeader('link'), links));
      }
      if (this.options.debugHeader) response.setHeader(this.options.debugHeader, mode);
    } catch (error) {
      this.logger.warn(`No preload headers for ${routeLabel(request)}: ${(error as Error).message}`);
    }
  }

  /** The link format for this request: the module's, plus the request's CSP nonce when it has one. */
  private linkOptionsFor(state: PreloadRequest): LinkFormatOptions {
    state.nonce ??= this.nonceOf(state);
    return state.nonce === undefined ? this.linkOptions : { ...this.linkOptions, nonce: state.nonce };
  }

  private nonceOf({ request, response }: PreloadRequest): string | undefined {
    const readNonce = this.options.nonce;
    if (readNonce === false) return undefined;
    let problem: string;
    try {
      const nonce: unknown = readNonce(request, response);
      if (nonce === undefined || nonce === '') return undefined;
      if (isCspNonce(nonce)) return nonce;
      problem = `expected base64 characters, got ${describeValue(nonce)}`;
    } catch (error) {
      problem = `it threw ${error instanceof Error ? error.message : String(error)}`;
    }
    // A link without the nonce is refused by the browser's CSP; a page that still renders beats a 500.
    if (!this.nonceFailureLogged) {
      this.nonceFailureLogged = true;
      this.logger.warn(
        `The nonce option gave no usable CSP nonce for ${routeLabel(request)}, so links go without one (logged once): ${problem}.`,
      );
    }
    return undefined;
  }

  /** `preloadRedirects`: a same-origin HTTPS redirect gets a preload of where it leads. */
  private addRedirectPreload(state: PreloadRequest): void {
    const { request, response, route, collector } = state;
    const target = redirectPreloadTarget({
      method: request.method,
      statusCode: response.statusCode,
      secure: request.secure,
      host: request.host,
      requestUrl: request.originalUrl,
      location: response.getHeader('location'),
      hasLink: response.hasHeader('link'),
      optedOut: route.optedOut || !collector.redirectPreloadWanted,
    });
    if (target !== undefined) {
      response.setHeader('Link', formatLink({ url: target, as: 'document' }, this.linkOptionsFor(state)));
    }
  }

  /** After a successful page: remember its hints, and whether its handler sets headers a flush would lose. */
  private learnFromPage(state: PreloadRequest, headersBefore: OutgoingHttpHeaders | undefined): void {
    const { request, response, collector, cacheKey } = state;
    if (request.method === 'GET' && cacheKey !== undefined) this.cache.remember(cacheKey, collector.entries());
    if (headersBefore === undefined) return;
    const setLate = headersSetByHandler(headersBefore, response.getHeaders());
    if (setLate.length === 0) return this.learnToFlush(state, 'clean-late');
    this.learnToFlush(state, 'headers-late', `sets ${setLate.join(', ')} while it runs, which flushed headers would lose`);
  }
}
