import {
  Inject,
  Injectable,
  Logger,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { OutgoingHttpHeaders } from 'node:http';
import onHeaders from 'on-headers';
import { catchError, defer, mergeMap, of, throwError, type Observable } from 'rxjs';
import { failureOf } from './flush/index.js';
import { exchangeOf, type HttpExchange } from './http-exchange.js';
import { HTTP2_PRELOAD_OPTIONS } from './http2-preload.module-definition.js';
import { PRELOAD_STRATEGY } from './preload-vocabulary.js';
import type { ResolvedHttp2PreloadOptions } from './http2-preload-options.interface.js';
import { settlePreconditions } from './conditional/index.js';
import { PreloadEmitter } from './preload.emitter.js';
import { planBeforeHandler, resultAtHeaderTime } from './preload-mode.js';
import { startCollecting, type PreloadRequest } from './preload-request.js';
import { routePreloadOf, type RoutePreload } from './preload-route.js';
import { mayBeNavigation, requestBeforeHandler, responseAtHeaderTime, routeLabel } from './request-facts.js';
import { RouteLearning } from './route-learning.js';
import { shellWanted } from './shell/index.js';

/**
 * Global interceptor, a singleton (it must not make every controller request-scoped).
 * It orchestrates the data path and decides nothing itself:
 * record (handlebars.helper.ts) → collect (preload-request.ts, preload.collector.ts) →
 * decide (preload-mode.ts, from the facts of request-facts.ts and route-learning.ts) →
 * format (link-header.ts, early-hints.ts) → emit (preload.emitter.ts, flushed-response.ts).
 *
 * Before the handler: settle `@Conditional()` preconditions, start collecting, and send
 * what the plan says goes early. When the headers are written (`@Render()` templates, and
 * so the helper, run only after the handler's observable completes): the late step.
 */
@Injectable()
export class PreloadInterceptor implements NestInterceptor {
  private readonly logger = new Logger('Http2Preload');

  constructor(
    @Inject(HTTP2_PRELOAD_OPTIONS) private readonly options: ResolvedHttp2PreloadOptions,
    private readonly reflector: Reflector,
    private readonly learning: RouteLearning,
    private readonly emitter: PreloadEmitter,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const http = context.switchToHttp();
    const exchange = exchangeOf(http.getRequest<unknown>(), http.getResponse<unknown>());
    if (exchange === undefined || exchange.response.headersSent) return next.handle();
    const route = routePreloadOf(this.reflector, context.getHandler(), context.getClass());
    const retry = exchange.takeRetryMarker();
    if (!route.conditional) return this.preload(exchange, route, retry, false, next);
    return defer(() => settlePreconditions(exchange, route)).pipe(
      mergeMap((answered) => (answered ? of(undefined) : this.preload(exchange, route, retry, true, next))),
    );
  }

  private preload(
    exchange: HttpExchange,
    route: RoutePreload,
    retry: boolean,
    settled: boolean,
    next: CallHandler,
  ): Observable<unknown> {
    if (!this.options.preloadHeaders) return next.handle();
    const { request, response } = exchange;
    // An API route: nothing to record, send or learn, unless a browser navigates to it.
    if (this.learning.isDataHandler(route.handler) && !this.options.preloadRedirects && !mayBeNavigation(request))
      return next.handle();

    const page = startCollecting(exchange, route, this.options.staticPrefix, this.learning.keyOf(route, exchange));
    const learnt = this.learning.beforeHandler(page);
    const plan = planBeforeHandler(
      requestBeforeHandler(request, response, settled, retry, exchange.appRequest),
      learnt.route,
      this.options.presendCachedHeaders,
    );
    if (plan.early === PRELOAD_STRATEGY.flushHeaders) {
      const withShell = shellWanted({
        option: this.options.shell === false ? false : (this.options.shell.routes ?? 'declared'),
        declared: route.shell === false ? false : route.shell?.data,
        rendersTemplate: route.rendersTemplate,
      });
      const flushed = this.emitter.flush(
        page,
        learnt.hints,
        (outcome) => this.learning.afterFlush(page, outcome),
        withShell,
      );
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
      plan.early === 'announce' ||
      (plan.early === PRELOAD_STRATEGY.earlyHints && this.emitter.sendEarlyHints(page, learnt.hints));
    const before = plan.compareHeaders ? exchange.headers() : undefined;
    onHeaders(response, () => this.atHeaderTime(page, sentEarly, before));
    return next.handle();
  }

  /** The late step; runs inside writeHead(), where a throw would break a response that is otherwise fine. */
  private atHeaderTime(page: PreloadRequest, sentEarly: boolean, before: OutgoingHttpHeaders | undefined): void {
    try {
      if (this.options.preloadRedirects) this.emitter.setRedirectPreload(page);
      const facts = responseAtHeaderTime(page, sentEarly, before);
      const result = resultAtHeaderTime(facts);
      this.learning.fromResponse(page, facts, result);
      this.emitter.setLateHeaders(page, result);
    } catch (error) {
      this.logger.warn(`No preload headers for ${routeLabel(page.request)}: ${(error as Error).message}`);
    }
  }
}
