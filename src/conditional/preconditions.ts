import { PreconditionFailedException } from '@nestjs/common';
import { currentValidators, evaluatePreconditions, type Validators } from './conditional-request.js';
import { agreeOnFreshness } from './freshness.js';
import type { Request, Response } from 'express';
import type { RoutePreload } from '../preload-route.js';

/**
 * What settling needs of a request's exchange: the `HttpExchange` of http-exchange.ts
 * on either platform, described here rather than imported, since that file writes
 * validators and 304s with this folder's functions.
 */
export interface ConditionalExchange {
  readonly request: Pick<Request, 'method' | 'headers'>;
  readonly appRequest: Request;
  readonly response: Response;
  answerNotModified(validators: Validators): void;
  setValidators(validators: Validators): void;
}

/** What the module put on each response it settled (by the Node response): which validators it owns. */
const SETTLED = new WeakMap<object, Validators>();

/** The validators `settlePreconditions` put on a response that goes on to its handler; undefined when it settled none. */
export function settledValidatorsOf(response: object): Validators | undefined {
  return SETTLED.get(response);
}

/**
 * `@Conditional()`, before the handler: computes the route's validators, then answers a
 * `304` itself or throws a `PreconditionFailedException` (412) when a precondition says
 * so; otherwise sets `ETag` / `Last-Modified` on a GET or HEAD answer. True when the
 * request has been answered and the handler must not run.
 */
export async function settlePreconditions(exchange: ConditionalExchange, route: RoutePreload): Promise<boolean> {
  const { request } = exchange;
  const validators = await currentValidators(route, exchange.appRequest);
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
    exchange.answerNotModified(validators);
    return true;
  }
  // What a changed resource now is: only a GET or HEAD answer describes it.
  if (request.method === 'GET' || request.method === 'HEAD') {
    exchange.setValidators(validators);
    SETTLED.set(exchange.response, validators);
    // Settled: Express must not decide otherwise when the body is sent (freshness.ts).
    agreeOnFreshness(exchange.response);
  }
  return false;
}
