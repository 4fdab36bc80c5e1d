import type { Request, Response } from 'express';
import { evaluatePreconditions } from './conditional-request.js';
import { parseHttpDate } from './http-date.js';

/**
 * Express checks `If-None-Match` and `If-Modified-Since` once more on its own: `res.send()`
 * turns a page into a `304` when `req.fresh` says so (the `fresh` package), after the
 * module has settled the same headers before the handler. The two disagree: `fresh`
 * reads any `Date.parse()`-able text as a date (`If-Modified-Since: 2099-12-31` makes
 * every page a `304`), and `If-None-Match: *` as a match without an ETag. On a flushed
 * response that `304` would end on the page that asks again. So on a request whose
 * preconditions the module settled, `req.fresh` gives the module's verdict instead,
 * over the validators the response carries when its body is sent (the module's,
 * Express's own body ETag, or the handler's).
 */

/** What a freshness check looks at, when the body is sent. */
export interface FreshnessFacts {
  readonly method: string;
  readonly statusCode: number;
  readonly cacheControl: string | undefined;
  readonly ifNoneMatch: string | undefined;
  readonly ifModifiedSince: string | undefined;
  /** The response's `ETag` and `Last-Modified` headers as they are then. */
  readonly etag: unknown;
  readonly lastModified: unknown;
}

/** `fresh`'s reading of `Cache-Control: no-cache` (a reload asking for the whole page), kept as Express has it. */
const NO_CACHE = /(?:^|,)\s*no-cache\s*(?:,|$)/;

/**
 * Whether a `GET`/`HEAD` answer may become a `304`, as Express's `req.fresh` decides it
 * (only a `2xx` or a `304`, never with `Cache-Control: no-cache`) but with RFC 9110's
 * comparisons and strict HTTP-dates (conditional-request.ts).
 */
export function isFresh(facts: FreshnessFacts): boolean {
  if (facts.method !== 'GET' && facts.method !== 'HEAD') return false;
  const { statusCode } = facts;
  if (!((statusCode >= 200 && statusCode < 300) || statusCode === 304)) return false;
  if (facts.ifNoneMatch === undefined && facts.ifModifiedSince === undefined) return false;
  if (facts.cacheControl !== undefined && NO_CACHE.test(facts.cacheControl)) return false;
  const modified = typeof facts.lastModified === 'string' ? parseHttpDate(facts.lastModified) : undefined;
  return (
    evaluatePreconditions(
      { method: facts.method, ifNoneMatch: facts.ifNoneMatch, ifModifiedSince: facts.ifModifiedSince },
      {
        etag: typeof facts.etag === 'string' ? facts.etag : undefined,
        lastModified: modified === undefined ? undefined : new Date(modified),
      },
    ) === 'not-modified'
  );
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

function settledFresh(this: Request): boolean {
  const { headers, res } = this;
  return isFresh({
    method: this.method,
    statusCode: res?.statusCode ?? 200,
    cacheControl: header(headers['cache-control']),
    ifNoneMatch: header(headers['if-none-match']),
    ifModifiedSince: header(headers['if-modified-since']),
    etag: res?.getHeader('etag'),
    lastModified: res?.getHeader('last-modified'),
  });
}

/**
 * Gives Express's `req.fresh` (and so `res.send()`'s `304` and `req.stale`) the module's
 * verdict on this request. Nothing on a platform without it (Fastify's Node request).
 */
export function agreeOnFreshness(response: Response): void {
  const request = (response as { req?: unknown }).req;
  if (typeof request !== 'object' || request === null || !('fresh' in request)) return;
  Object.defineProperty(request, 'fresh', { configurable: true, enumerable: false, get: settledFresh });
}
