import { applyDecorators, SetMetadata } from '@nestjs/common';
import type { Request } from 'express';
import { describeValue } from './describe-value.js';

/** Computes the current entity tag of what the route answers, from the request; undefined when there is none. */
export type EtagFunction = (request: Request) => string | undefined | null | Promise<string | undefined | null>;

/** Computes when what the route answers last changed, from the request; undefined when unknown. */
export type LastModifiedFunction = (request: Request) => Date | undefined | null | Promise<Date | undefined | null>;

/** What `@Conditional()` takes: Django's `condition(etag_func, last_modified_func)`. */
export interface ConditionalOptions {
  /** The entity tag; quoted for you when it is not (`v1` → `"v1"`), `W/"…"` for a weak one. */
  etag?: EtagFunction;
  /** The modification date, compared to the second. */
  lastModified?: LastModifiedFunction;
}

/** Reflect-metadata keys: each validator separately, so that `@ETag()` and `@LastModified()` combine. */
export const ETAG_METADATA = 'nestjs-http2-preload:etag';
export const LAST_MODIFIED_METADATA = 'nestjs-http2-preload:last-modified';

const OPTION_NAMES: readonly string[] = ['etag', 'lastModified'];

function checkFunction(decorator: string, name: string, value: unknown, required = false): void {
  if ((required || value !== undefined) && typeof value !== 'function') {
    throw new TypeError(`${decorator}: "${name}" must be a function of the request; got ${describeValue(value)}.`);
  }
}

/**
 * Conditional request processing before the handler runs, on a controller or a
 * handler: the functions compute the validators from the request (they may be async,
 * and should be much cheaper than the handler), then `If-Match`, `If-Unmodified-Since`,
 * `If-None-Match` and `If-Modified-Since` are evaluated as RFC 9110 §13.2.2 says. A
 * match answers `304 Not Modified` (GET, HEAD) or fails with `412 Precondition Failed`
 * (a `PreconditionFailedException`, rendered by your exception filters) without running
 * the handler; otherwise the handler runs, a `GET`/`HEAD` answer carries `ETag` and
 * `Last-Modified`, and the page may go early like any other.
 *
 *     @Conditional({ etag: (req) => articles.etagOf(req.params.id) })
 *
 * A function that throws fails that request as the handler would. The handler's own
 * decorator overrides its controller's, validator by validator.
 */
export function Conditional(options: ConditionalOptions): ClassDecorator & MethodDecorator {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`@Conditional(): expected { etag, lastModified }; got ${describeValue(options)}.`);
  }
  for (const key of Object.keys(options)) {
    if (!OPTION_NAMES.includes(key)) {
      throw new TypeError(`@Conditional(): unknown option "${key}"; accepted: ${OPTION_NAMES.join(', ')}.`);
    }
  }
  checkFunction('@Conditional()', 'etag', options.etag);
  checkFunction('@Conditional()', 'lastModified', options.lastModified);
  if (options.etag === undefined && options.lastModified === undefined) {
    throw new TypeError('@Conditional(): give an "etag" function, a "lastModified" function, or both.');
  }
  const decorators: (ClassDecorator & MethodDecorator)[] = [];
  if (options.etag) decorators.push(SetMetadata(ETAG_METADATA, options.etag));
  if (options.lastModified) decorators.push(SetMetadata(LAST_MODIFIED_METADATA, options.lastModified));
  return applyDecorators(...decorators);
}

/** `@Conditional({ etag })`: Django's `etag()`. Unlike Django's, it combines with `@LastModified()`. */
export function ETag(etag: EtagFunction): ClassDecorator & MethodDecorator {
  checkFunction('@ETag()', 'etag', etag, true);
  return Conditional({ etag });
}

/** `@Conditional({ lastModified })`: Django's `last_modified()`. */
export function LastModified(lastModified: LastModifiedFunction): ClassDecorator & MethodDecorator {
  checkFunction('@LastModified()', 'lastModified', lastModified, true);
  return Conditional({ lastModified });
}
