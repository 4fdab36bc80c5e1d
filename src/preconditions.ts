import { PreconditionFailedException } from '@nestjs/common';
import type { Request, Response } from 'express';
import { currentValidators, evaluatePreconditions } from './conditional-request.js';
import { answerNotModified, setValidators } from './not-modified.js';
import type { RoutePreload } from './preload-route.js';

/**
 * `@Conditional()`, before the handler: computes the route's validators, then answers a
 * `304` itself or throws a `PreconditionFailedException` (412) when a precondition says
 * so; otherwise sets `ETag` / `Last-Modified` on a GET or HEAD answer. True when the
 * request has been answered and the handler must not run.
 */
export async function settlePreconditions(request: Request, response: Response, route: RoutePreload): Promise<boolean> {
  const validators = await currentValidators(route, request);
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
    return true;
  }
  // What a changed resource now is: only a GET or HEAD answer describes it.
  if (request.method === 'GET' || request.method === 'HEAD') setValidators(response, validators);
  return false;
}
