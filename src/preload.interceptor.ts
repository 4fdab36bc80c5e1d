import { Inject, Injectable, Logger, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { OutgoingHttpHeaders } from 'node:http';
import type { Request, Response } from 'express';
import onHeaders from 'on-headers';
import { catchError, throwError, type Observable } from 'rxjs';
import { headersSetByHandler, type AfterFlushOutcome } from './after-flush.js';
import { cacheKeyFor, routePatternOf } from './cache-key.js';
import { isCspNonce } from './csp-nonce.js';
import { describeValue } from './describe-value.js';
import { earlyHintLinks, flushedEarlyLinks, ownsSocket } from './early-hints.js';
import { flushHeadersEarly, type FlushedResponse } from './flushed-response.js';
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
  /** The request's CSP nonce, once read; never stored beyond the request. */
  nonce?: string;
}

function requestBeforeHandler(request: Request, response: Response): RequestBeforeHandler {
  const { headers } = request;
  const secFetchMode = headers['sec-fetch-mode'];
  return {
    method: request.method,
    httpVersion: request.httpVersion,
    acceptsHtml: request.accepts('html') !== false,
    secFetchMode: typeof secFetchMode === 'string' ? secFetchMode : undefined,
    conditional:
      headers['if-none-match'] !== undefined ||
      headers['if-modified-since'] !== undefined ||
      headers.range !== undefined,
    statusCode: response.statusCode,
  };
}

/** `GET /users/:id`: how a route is named in warnings. */
function routeLabel(request: Request): string {
  return `${request.method} ${routePatternOf(request) ?? request.path}`;
}

/**
 * Global interceptor, a singleton (it must not make every controller request-scoped).
 * Before the handler it hands the request's collector to the templates and, when the
 * route's hints are cached, sends them early (flushed headers or a 103). The `Link`
 * header of the response itself is added when its headers are written, because
 * `@Render()` templates (and so the helper's recordings) run only after the handler's
 * observable has completed; that is also when the cache learns what the page used.
 */
@Injectable()
export class PreloadInterceptor implements NestInterceptor {
  private readonly logger = new Logger('Http2Preload');
  private readonly linkOptions: LinkFormatOptions;
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
    if (!this.options.preloadHeaders || context.getType() !== 'http') return next.handle();
    const http = context.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<unknown>();
    if (!isExpressResponse(response) || response.headersSent) return next.handle();

    const handler = context.getHandler();
    const route = readRoutePreload(this.reflector, handler, context.getClass());
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
    };

    const earlyHints = this.earlyHintsOf(state);
    // Nothing to send (every JSON route): skip looking at the request at all.
    const strategy =
      earlyHints.length === 0
        ? undefined
        : chooseEarlyStrategy(
            requestBeforeHandler(request, response),
            {
              optedOut: route.optedOut,
              strategy: route.strategy ?? this.options.strategy,
              flushable: this.cache.isFlushable(handler),
              hintCount: earlyHints.length,
            },
            this.options.presendCachedHeaders,
          );
    if (strategy === PRELOAD_STRATEGY.flushHeaders) {
      const flushed = this.flushEarly(state, earlyHints);
      if (flushed) {
        return next.handle().pipe(
          catchError((error: unknown) => {
            flushed.abort(`failed (${error instanceof Error ? error.message : String(error)})`);
            return throwError(() => error);
          }),
        );
      }
    }
    const sentEarly = strategy === PRELOAD_STRATEGY.earlyHints && this.sendEarlyHints(state, earlyHints);
    const headersBefore = this.mayLearnToFlush(state) ? response.getHeaders() : undefined;
    onHeaders(response, () => this.beforeHeadersWritten(state, sentEarly, headersBefore));
    return next.handle();
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
      return flushHeadersEarly(response, { link, debug }, (outcome) => this.afterFlush(state, outcome));
    } catch (error) {
      this.logger.warn(`Could not flush early headers for ${routeLabel(state.request)}: ${(error as Error).message}`);
      if (response.headersSent) response.destroy();
      return undefined;
    }
  }

  private afterFlush({ request, collector, handler, cacheKey }: PreloadRequest, outcome: AfterFlushOutcome): void {
    if (outcome.problem && this.cache.stopFlushing(handler)) {
      const done =
        outcome.action === 'redirect'
          ? '; the client got a page that forwards it there'
          : outcome.action === 'abort'
            ? '; the connection was closed so that the client does not take it for a complete page'
            : '';
      this.logger.warn(
        `${routeLabel(request)} ${outcome.problem} after its headers had been flushed early${done}. ` +
          'Its hints will be sent late from now on.',
      );
    }
    // Self-healing: the next request gets what this page actually used.
    if (outcome.action === 'finish' && cacheKey !== undefined) this.cache.remember(cacheKey, collector.entries());
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

  /** A GET to a route that may be flushed later: note which headers its handler sets, as flushing would drop them. */
  private mayLearnToFlush({ request, route, handler }: PreloadRequest): boolean {
    return (
      this.options.presendCachedHeaders &&
      !route.optedOut &&
      request.method === 'GET' &&
      (route.strategy ?? this.options.strategy) === PRELOAD_STRATEGY.flushHeaders &&
      this.cache.isFlushable(handler)
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

  /** After a successful page: remember its hints, and whether its handler sets headers a flush would drop. */
  private learnFromPage(state: PreloadRequest, headersBefore: OutgoingHttpHeaders | undefined): void {
    const { request, response, collector, handler, cacheKey } = state;
    if (request.method === 'GET' && cacheKey !== undefined) this.cache.remember(cacheKey, collector.entries());
    if (headersBefore === undefined) return;
    const setLate = headersSetByHandler(headersBefore, response.getHeaders());
    if (setLate.length > 0 && this.cache.stopFlushing(handler)) {
      this.logger.log(
        `${routeLabel(request)} sets ${setLate.join(', ')} while it runs, which flushed headers would drop: ` +
          'its hints will be sent late.',
      );
    }
  }
}
