import type { Request, Response } from 'express';
import type { HttpExchange } from './http-exchange.js';
import { collectorFor, type PreloadCollector } from './preload.collector.js';
import { attachRenderContext } from './preload-render-context.js';
import type { RoutePreload } from './preload-route.js';
import { routePlainHintsOf } from './route-plain-hints.js';

/**
 * One request the module works on, from before its handler to its headers: what the
 * interceptor hands the learning (route-learning.ts) and the emitter (preload.emitter.ts).
 */
export interface PreloadRequest {
  readonly exchange: HttpExchange;
  /** The Express(-shaped) request the module reads. */
  readonly request: Request;
  /** The Node response the module writes. */
  readonly response: Response;
  readonly route: RoutePreload;
  /** Where the request's hints are recorded (the helper's, a service's, the route's declared ones). */
  readonly collector: PreloadCollector;
  /** Hint cache key; undefined when the route opted out or a custom key function failed. */
  readonly cacheKey: string | undefined;
  /** The request's CSP nonce, once read (null: read, none); never kept beyond the request. */
  nonce?: string | null;
}

/**
 * Starts collecting a request's hints: its collector, handed to the templates through
 * the render context (`res.locals`, `reply.locals`), with the route's declared hints first.
 * The collector checks the URLs the route has recorded before first: one lookup for the
 * route here, rather than one in the process-wide plain-hint cache per URL.
 */
export function startCollecting(
  exchange: HttpExchange,
  route: RoutePreload,
  staticPrefix: string,
  cacheKey: string | undefined,
): PreloadRequest {
  const collector = collectorFor(exchange.appRequest);
  collector.useRouteHints(routePlainHintsOf(route.handler));
  if (exchange.locals) attachRenderContext(exchange.locals, { collector, staticPrefix });
  collector.addDeclared(route.declaredHints);
  return {
    exchange,
    request: exchange.request,
    response: exchange.response,
    route,
    collector,
    cacheKey,
  };
}
