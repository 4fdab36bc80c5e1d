/**
 * Whether a request with conditional headers may get its hints early (flushed headers
 * or a `103`), decided from plain facts: what the request carries, whether
 * `@Conditional()` settled it before the handler, and what the route's responses have
 * shown about their validators (validator-memory.ts).
 *
 * Early hints belong on a page, and a conditional request may still end in a `304`,
 * `412` or `206`, which no hint belongs on, and which flushed headers would turn into
 * the page that asks again. A request may go early when nothing can still answer that:
 * - `@Conditional()` settled it and the module owns the validators its headers are
 *   compared with (RFC 9110 §13.2.2, and Express's `fresh`: `If-None-Match` with the
 *   `ETag`; `If-Modified-Since`, only without `If-None-Match`, with `Last-Modified`).
 *   It does not own an ETag it did not set: Express puts its own body ETag on a page
 *   without one (its `etag` setting, on by default), and a handler or an interceptor
 *   may put one on, which the route's history then shows.
 * - Or it is a revalidation (`If-None-Match`, or `If-Modified-Since` alone) of a route
 *   whose responses have never repeated the validator it compares: Express's ETag over
 *   a page with a per-request CSP nonce changes every time, so such a revalidation never
 *   matches, and a returning visitor's navigation is a page like any other.
 * A `Range` request is never early (its answer is a `206`), nor an `If-Match` or
 * `If-Unmodified-Since` the module has not settled (its answer may be a `412`).
 */

/** The conditional headers of a request, and what `@Conditional()` did with them. */
export interface PreconditionFacts {
  readonly ifNoneMatch: boolean;
  readonly ifModifiedSince: boolean;
  /** `If-Match` or `If-Unmodified-Since`. */
  readonly ifMatchOrUnmodifiedSince: boolean;
  readonly range: boolean;
  /** `@Conditional()` evaluated them before the handler, and the request goes on to it. */
  readonly settled: boolean;
  /** The module put an `ETag` on the response while settling them. */
  readonly moduleEtag: boolean;
  /** The module put a `Last-Modified` on the response while settling them. */
  readonly moduleLastModified: boolean;
}

/** A request without conditional or range headers: the usual case, one shared object. */
export const NO_PRECONDITIONS: PreconditionFacts = Object.freeze({
  ifNoneMatch: false,
  ifModifiedSince: false,
  ifMatchOrUnmodifiedSince: false,
  range: false,
  settled: false,
  moduleEtag: false,
  moduleLastModified: false,
});

/**
 * What a route's responses have shown about one kind of validator: `unknown` until two
 * of them carried one, `unique` while no value came twice, `repeated` once one did (or
 * a revalidation of the route matched).
 */
export type ValidatorRecord = 'unknown' | 'unique' | 'repeated';

/** What a route's responses have shown about their validators. */
export interface ValidatorHistory {
  readonly etags: ValidatorRecord;
  readonly lastModified: ValidatorRecord;
  /** A response carried an `ETag` the module had not set, or a `304` came from underneath a flush. */
  readonly foreignEtag: boolean;
  /** The same for `Last-Modified`. */
  readonly foreignLastModified: boolean;
}

/** A route that has shown nothing yet. */
export const NO_VALIDATOR_HISTORY: ValidatorHistory = Object.freeze({
  etags: 'unknown',
  lastModified: 'unknown',
  foreignEtag: false,
  foreignLastModified: false,
});

/**
 * Whether the module owns the validators the request's headers will be compared with,
 * so that nothing else can answer `304`: it set them, and no response of the route has
 * carried another (Express adds its body ETag only to a page without one).
 */
function moduleOwnsCompared(request: PreconditionFacts, route: ValidatorHistory): boolean {
  if (request.ifNoneMatch) return request.moduleEtag && !route.foreignEtag;
  return request.moduleLastModified && !route.foreignLastModified;
}

/** Whether the request's conditional headers leave it free to get hints before its handler runs. */
export function preconditionsAllowEarly(request: PreconditionFacts, route: ValidatorHistory): boolean {
  if (request.range) return false;
  const revalidation = request.ifNoneMatch || request.ifModifiedSince;
  if (!revalidation && !request.ifMatchOrUnmodifiedSince) return true;
  if (request.settled) {
    // Its If-Match and If-Unmodified-Since passed; only a revalidation may still end in a 304.
    if (!revalidation || moduleOwnsCompared(request, route)) return true;
  } else if (request.ifMatchOrUnmodifiedSince) {
    return false;
  }
  return request.ifNoneMatch ? route.etags === 'unique' : route.lastModified === 'unique';
}
