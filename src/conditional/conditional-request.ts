import { parseHttpDate } from './http-date.js';

/**
 * Conditional requests (RFC 9110 §13), decided before the handler runs from validators
 * the route computes cheaply: Django's `condition(etag_func, last_modified_func)`.
 */

/** The validators of the current representation; undefined when the route has none (Django's `None`). */
export interface Validators {
  /** A complete entity tag, quoted: `"v1"` or `W/"v1"`. */
  readonly etag?: string;
  readonly lastModified?: Date;
}

/** The request's precondition headers, as received. */
export interface PreconditionHeaders {
  readonly method: string;
  readonly ifMatch?: string;
  readonly ifNoneMatch?: string;
  readonly ifModifiedSince?: string;
  readonly ifUnmodifiedSince?: string;
}

/** `proceed`: run the handler. `not-modified`: answer 304. `precondition-failed`: answer 412. */
export type PreconditionOutcome = 'proceed' | 'not-modified' | 'precondition-failed';

/** `"opaque"` or `W/"opaque"`, where the opaque part is etagc: no `"`, no controls, no spaces. */
const ENTITY_TAG = /^(W\/)?"[\x21\x23-\x7e\x80-\xff]*"$/;
const ETAGC = /^[\x21\x23-\x7e\x80-\xff]*$/;
const LIST_MEMBER = /(?:W\/)?"[^"]*"/g;

/**
 * The entity tag a validator function returned, quoted when it was not: `v1` → `"v1"`,
 * as Django's `quote_etag` does. Throws a `TypeError` for a value no header may carry.
 */
export function toEntityTag(value: string): string {
  if (ENTITY_TAG.test(value)) return value;
  if (ETAGC.test(value)) return `"${value}"`;
  throw new TypeError(
    `${JSON.stringify(value.length > 100 ? `${value.slice(0, 100)}…` : value)} cannot be an entity tag (no quotes, spaces or control characters).`,
  );
}

function isWeak(tag: string): boolean {
  return tag.startsWith('W/');
}

function opaque(tag: string): string {
  return isWeak(tag) ? tag.slice(2) : tag;
}

/** The members of an `If-Match` / `If-None-Match` list, or `*`. Unparseable members are left out. */
function entityTagList(header: string): readonly string[] | '*' {
  if (header.trim() === '*') return '*';
  return header.match(LIST_MEMBER) ?? [];
}

/** RFC 9110 §13.1.1: strong comparison, neither tag weak. */
function ifMatchPasses(header: string, validators: Validators): boolean {
  const { etag } = validators;
  const list = entityTagList(header);
  // Django (and RFC 9110: "a current representation") fails If-Match when there is no entity tag.
  if (etag === undefined) return false;
  if (list === '*') return true;
  return !isWeak(etag) && list.some((tag) => !isWeak(tag) && tag === etag);
}

/** RFC 9110 §13.1.2: weak comparison. True when no member matches, so the request goes on. */
function ifNoneMatchPasses(header: string, validators: Validators): boolean {
  const { etag } = validators;
  if (etag === undefined) return true;
  const list = entityTagList(header);
  if (list === '*') return false;
  return !list.some((tag) => opaque(tag) === opaque(etag));
}

/** Seconds since the epoch of an HTTP-date, or undefined for anything else (which is then ignored: RFC 9110 §13.1.3, §13.1.4). */
function httpDateSeconds(value: string | undefined): number | undefined {
  const time = parseHttpDate(value);
  return time === undefined ? undefined : Math.floor(time / 1000);
}

function seconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}

const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD']);

/**
 * RFC 9110 §13.2.2, in its order: `If-Match`, else `If-Unmodified-Since` (412 when
 * false); then `If-None-Match` (304 for GET/HEAD, 412 otherwise when false), else
 * `If-Modified-Since` for GET/HEAD (304 when false). A date header is ignored when it
 * is not a valid HTTP-date or the route has no modification date.
 */
export function evaluatePreconditions(request: PreconditionHeaders, validators: Validators): PreconditionOutcome {
  const safe = SAFE_METHODS.has(request.method);
  if (request.ifMatch !== undefined) {
    if (!ifMatchPasses(request.ifMatch, validators)) return 'precondition-failed';
  } else {
    const since = httpDateSeconds(request.ifUnmodifiedSince);
    if (since !== undefined && validators.lastModified !== undefined && seconds(validators.lastModified) > since) {
      return 'precondition-failed';
    }
  }
  if (request.ifNoneMatch !== undefined) {
    if (!ifNoneMatchPasses(request.ifNoneMatch, validators)) return safe ? 'not-modified' : 'precondition-failed';
  } else if (safe) {
    const since = httpDateSeconds(request.ifModifiedSince);
    if (since !== undefined && validators.lastModified !== undefined && seconds(validators.lastModified) <= since) {
      return 'not-modified';
    }
  }
  return 'proceed';
}

/** The validator functions a route declares (`@Conditional()`, `@ETag()`, `@LastModified()`). */
export interface ValidatorFunctions<TRequest> {
  readonly etag?: (request: TRequest) => unknown;
  readonly lastModified?: (request: TRequest) => unknown;
}

/**
 * Calls the route's validator functions (both at once; either may be async) and checks
 * what they return. A function that throws, or returns what no header can carry, rejects:
 * the request then fails as if its handler had thrown.
 */
export async function currentValidators<TRequest>(
  functions: ValidatorFunctions<TRequest>,
  request: TRequest,
): Promise<Validators> {
  const [etag, lastModified] = await Promise.all([functions.etag?.(request), functions.lastModified?.(request)]);
  const validators: { etag?: string; lastModified?: Date } = {};
  if (etag !== undefined && etag !== null) {
    if (typeof etag !== 'string')
      throw new TypeError(`The etag function of @Conditional() must return a string or undefined; got ${typeof etag}.`);
    validators.etag = toEntityTag(etag);
  }
  if (lastModified !== undefined && lastModified !== null) {
    if (!(lastModified instanceof Date) || Number.isNaN(lastModified.getTime())) {
      throw new TypeError('The lastModified function of @Conditional() must return a valid Date or undefined.');
    }
    validators.lastModified = lastModified;
  }
  return validators;
}
