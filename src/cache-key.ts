import type { Request } from 'express';
import { describeValue } from './describe-value.js';
import type { PreloadCacheKey } from './http2-preload-options.interface.js';

/** The request path without its query string. */
function pathOf(request: Request): string {
  const url = request.originalUrl ?? request.url;
  const query = url.indexOf('?');
  return query < 0 ? url : url.slice(0, query);
}

/**
 * The route pattern Nest registered with Express for this request, global prefix and
 * version included (`/v1/users/:id`), or undefined outside a route.
 */
export function routePatternOf(request: Request): string | undefined {
  const pattern: unknown = (request.route as { path?: unknown } | undefined)?.path;
  return typeof pattern === 'string' ? pattern : undefined;
}

/**
 * The hint cache key of a request. With `route` and `path`, HEAD shares GET's key:
 * Express answers both with the same handler and template (a key function decides for
 * itself). `route` uses the route pattern, so all requests of a route share a key.
 * Throws when a custom key function throws or returns anything but a non-empty string.
 */
export function cacheKeyFor(
  request: Request,
  cacheKey: PreloadCacheKey,
  version: string | undefined,
  // What the key function gets: the app's own request (Fastify's, on Fastify).
  appRequest: object = request,
): string {
  let key: string;
  if (typeof cacheKey === 'function') {
    const custom: unknown = cacheKey(appRequest as Request);
    if (typeof custom !== 'string' || custom.length === 0) {
      throw new TypeError(`the cacheKey function must return a non-empty string, got ${describeValue(custom)}`);
    }
    key = custom;
  } else {
    const method = request.method === 'HEAD' ? 'GET' : request.method;
    const path = (cacheKey === 'route' ? routePatternOf(request) : undefined) ?? pathOf(request);
    key = `${method} ${path}`;
  }
  return version === undefined ? key : `${version} ${key}`;
}
