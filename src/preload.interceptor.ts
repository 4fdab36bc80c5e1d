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
import { defer, mergeMap, Observable, of } from 'rxjs';
import { failureCauseOf, failureOf, type FlushedResponse } from './flush/index.js';
import { exchangeOf, type HttpExchange } from './http-exchange.js';
import { HTTP2_PRELOAD_OPTIONS } from './http2-preload.module-definition.js';
import { PRELOAD_STRATEGY } from './preload-vocabulary.js';
import type { ResolvedHttp2PreloadOptions } from './http2-preload-options.interface.js';
import { settlePreconditions } from './conditional/index.js';
import { PreloadEmitter } from './preload.emitter.js';
import { PreloadMetrics } from './preload.metrics.js';
import { planBeforeHandler, resultAtHeaderTime } from './preload-mode.js';
import { startCollecting, type PreloadRequest } from './preload-request.js';
import { routePreloadOf, type RoutePreload } from './preload-route.js';
import { mayBeNavigation, requestBeforeHandler, responseAtHeaderTime, routeLabel } from './request-facts.js';
import { RouteLearning } from './route-learning.js';
import { sessionOf, watchSession } from './session-facts.js';
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
  /** Which routes stream their page shell (option `shell`), read once: validation already filled in `routes`. */
  private readonly shellRoutes: false | 'declared' | 'all';

  constructor(
    @Inject(HTTP2_PRELOAD_OPTIONS) private readonly options: ResolvedHttp2PreloadOptions,
    private readonly reflector: Reflector,
    private readonly learning: RouteLearning,
    private readonly emitter: PreloadEmitter,
    private readonly metrics: PreloadMetrics,
  ) {
    this.shellRoutes = options.shell === false ? false : (options.shell.routes ?? 'declared');
  }

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
    if (this.learning.isDataHandler(route.handler) && !this.options.preloadRedirects && !mayBeNavigation(request)) {
      this.metrics.countNotEarly('not-navigation');
      return next.handle();
    }

    const page = startCollecting(exchange, route, this.options.staticPrefix, this.learning.keyOf(route, exchange));
    const learnt = this.learning.beforeHandler(page);
    const cookie = request.headers.cookie;
    const session = sessionOf(exchange.appRequest, cookie);
    const plan = planBeforeHandler(
      requestBeforeHandler(request, response, settled, retry, session),
      learnt.route,
      this.options.presendCachedHeaders,
    );
    if (plan.notEarly !== undefined) this.metrics.countNotEarly(plan.notEarly);
    if (plan.early === PRELOAD_STRATEGY.flushHeaders) {
      const withShell = shellWanted({
        option: this.shellRoutes,
        declared: route.shell === false ? false : route.shell?.data,
        rendersTemplate: route.rendersTemplate,
      });
      const flushed = this.emitter.flush(
        page,
        learnt.hints,
        (outcome) => this.learning.afterFlush(page, outcome),
        withShell,
        session && watchSession(exchange.appRequest, cookie, this.learning.sessionHabits, response),
      );
      if (flushed) {
        this.metrics.countNavigation('early-flush');
        return watchHandler(next.handle(), flushed);
      }
    }
    const sentEarly =
      plan.early === 'announce' ||
      (plan.early === PRELOAD_STRATEGY.earlyHints && this.emitter.sendEarlyHints(page, learnt.hints));
    if (sentEarly) this.metrics.countNavigation(plan.early === 'announce' ? 'early-flush' : 'early-103');
    const before = plan.compareHeaders ? exchange.headers() : undefined;
    const sessionProblem = before && session && watchSession(exchange.appRequest, cookie, this.learning.sessionHabits);
    const navigation = plan.notEarly !== 'not-navigation';
    onHeaders(response, () => this.atHeaderTime(page, sentEarly, before, sessionProblem, navigation));
    return next.handle();
  }

  /** The late step; runs inside writeHead(), where a throw would break a response that is otherwise fine. */
  private atHeaderTime(
    page: PreloadRequest,
    sentEarly: boolean,
    before: OutgoingHttpHeaders | undefined,
    sessionProblem: (() => string | undefined) | undefined,
    navigation: boolean,
  ): void {
    try {
      if (this.options.preloadRedirects) this.emitter.setRedirectPreload(page);
      const facts = responseAtHeaderTime(page, sentEarly, before, sessionProblem);
      const result = resultAtHeaderTime(facts);
      this.learning.fromResponse(page, facts, result);
      // Late or off: an early one was counted when its hints went.
      if (navigation && !sentEarly && result.mode !== undefined && result.mode !== 'early')
        this.metrics.countNavigation(result.mode);
      this.emitter.setLateHeaders(page, result);
    } catch (error) {
      this.logger.warn(`No preload headers for ${routeLabel(page.request)}: ${(error as Error).message}`);
    }
  }
}

/**
 * What the handler of a flushed page answers, passed on unchanged: its value (a
 * `@Render()` page's data, which the layout's rest renders with after a shell), or its
 * failure, which the flushed response ends on the recovery page before Nest's exception
 * filter sees it. One subscriber in place of `tap()` and `catchError()`: a flushed page
 * pays for one more link in Nest's pipeline, not two.
 */
function watchHandler(handled: Observable<unknown>, flushed: FlushedResponse): Observable<unknown> {
  return new Observable((subscriber) =>
    handled.subscribe({
      next(result) {
        flushed.answered(result);
        subscriber.next(result);
      },
      error(error: unknown) {
        try {
          flushed.fail(failureOf(error), failureCauseOf(error));
        } catch (failure) {
          // As catchError() would: what failed in ending the page reaches Nest in its place.
          return subscriber.error(failure);
        }
        subscriber.error(error);
      },
      complete() {
        subscriber.complete();
      },
    }),
  );
}
