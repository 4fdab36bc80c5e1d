import type { Request, Response } from 'express';
import type { OutgoingHttpHeaders } from 'node:http';
import { routePatternOf } from './cache-key.js';
import {
  NO_PRECONDITIONS,
  settledValidatorsOf,
  type PreconditionFacts,
  type ValidatorObservation,
} from './conditional/index.js';
import { headersSetByHandler } from './flush/index.js';
import { isHtmlContentType, isSuccess, type HeaderTimeFacts, type RequestBeforeHandler } from './preload-mode.js';
import type { PreloadRequest } from './preload-request.js';
import type { RedirectAtHeaderTime } from './redirect-preload.js';
import { sessionAllowsFlush, type SessionFacts } from './session-cookie.js';

/** Reading the facts the decisions need off an Express(-shaped) request and response. */

/**
 * Whether an `Accept` value admits HTML, by the value: a browser sends the same few
 * values on every navigation, and negotiating one (parsing its media ranges and
 * q-values) costs more than the rest of the request's facts together. Bounded: when
 * full it starts over, and a long value is negotiated each time, never kept.
 */
const acceptsHtmlByValue = new Map<string, boolean>();
const ACCEPT_MEMO_SIZE = 64;
const ACCEPT_MEMO_MAX_LENGTH = 512;

function acceptsHtml(request: Request): boolean {
  const { accept } = request.headers;
  if (typeof accept !== 'string' || accept.length > ACCEPT_MEMO_MAX_LENGTH) return request.accepts('html') !== false;
  let admits = acceptsHtmlByValue.get(accept);
  if (admits === undefined) {
    admits = request.accepts('html') !== false;
    if (acceptsHtmlByValue.size >= ACCEPT_MEMO_SIZE) acceptsHtmlByValue.clear();
    acceptsHtmlByValue.set(accept, admits);
  }
  return admits;
}

/**
 * The request's conditional and range headers, and what `@Conditional()` settled
 * (`settled`: it evaluated them and the request goes on to its handler).
 */
function preconditionsOf(request: Request, response: Response, settled: boolean): PreconditionFacts {
  const { headers } = request;
  const ifNoneMatch = headers['if-none-match'] !== undefined;
  const ifModifiedSince = headers['if-modified-since'] !== undefined;
  const ifMatchOrUnmodifiedSince = headers['if-match'] !== undefined || headers['if-unmodified-since'] !== undefined;
  const range = headers.range !== undefined;
  if (!ifNoneMatch && !ifModifiedSince && !ifMatchOrUnmodifiedSince && !range) return NO_PRECONDITIONS;
  const validators = settled ? settledValidatorsOf(response) : undefined;
  return {
    ifNoneMatch,
    ifModifiedSince,
    ifMatchOrUnmodifiedSince,
    range,
    settled,
    moduleEtag: validators?.etag !== undefined,
    moduleLastModified: validators?.lastModified !== undefined,
  };
}

export function requestBeforeHandler(
  request: Request,
  response: Response,
  settled: boolean,
  retry: boolean,
  session: SessionFacts | undefined,
): RequestBeforeHandler {
  const { headers } = request;
  const secFetchMode = headers['sec-fetch-mode'];
  return {
    method: request.method,
    httpVersion: request.httpVersion,
    acceptsHtml: acceptsHtml(request),
    secFetchMode: typeof secFetchMode === 'string' ? secFetchMode : undefined,
    preconditions: preconditionsOf(request, response, settled),
    sessionBlocksFlush: !sessionAllowsFlush(session),
    retry,
    statusCode: response.statusCode,
  };
}

/** A browser navigation, by the two headers browsers send: cheap enough for every request of an API route. */
export function mayBeNavigation(request: Request): boolean {
  const { accept } = request.headers;
  return request.headers['sec-fetch-mode'] === 'navigate' || (accept !== undefined && accept.includes('text/html'));
}

/** What `redirectPreloadTarget()` needs to know about a response being written. */
export function redirectFacts(request: Request, response: Response, optedOut: boolean): RedirectAtHeaderTime {
  return {
    method: request.method,
    statusCode: response.statusCode,
    secure: request.secure,
    host: request.host,
    requestUrl: request.originalUrl,
    location: response.getHeader('location'),
    hasLink: response.hasHeader('link'),
    optedOut,
  };
}

/**
 * What a response shows when its headers are written. `before`: the headers as they were
 * before the handler ran, when the plan asked to compare them (planBeforeHandler).
 */
export function responseAtHeaderTime(
  { request, response, route, collector }: PreloadRequest,
  sentEarly: boolean,
  before: OutgoingHttpHeaders | undefined,
  sessionProblem?: () => string | undefined,
): HeaderTimeFacts {
  let setByHandler: string[] | undefined;
  if (before !== undefined) {
    setByHandler = headersSetByHandler(before, response.getHeaders(), request.headers.cookie);
    // The session middleware writes its cookie after this listener has run (on-headers runs the last one added first).
    const problem = sessionProblem?.();
    if (problem !== undefined) setByHandler.push(`set-cookie (the handler ${problem})`);
  }
  return {
    statusCode: response.statusCode,
    contentType: response.getHeader('content-type'),
    optedOut: route.optedOut,
    hintCount: collector.size,
    sentEarly,
    method: request.method,
    setByHandler,
  };
}

function headerText(value: number | string | string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join(', ') : String(value);
}

/**
 * What a page response shows about its validators, for the route's validator memory:
 * when its headers are written (late), or at its first body byte after a flush
 * (`flushed`: a page the flush guard let through, or a `304` it stopped), where the
 * ETag Express computed from the body is read although the flushed headers could not
 * carry it. Undefined for anything else (an error, JSON).
 */
export function validatorObservation(
  { request, response }: PreloadRequest,
  flushed: boolean,
): ValidatorObservation | undefined {
  const { method, headers } = request;
  const { statusCode } = response;
  if (method !== 'GET' && method !== 'HEAD') return undefined;
  // A 304 tells something only as the answer to a revalidation (a handler may set one itself).
  const notModified =
    statusCode === 304 && (headers['if-none-match'] !== undefined || headers['if-modified-since'] !== undefined);
  const page = flushed || (isSuccess(statusCode) && isHtmlContentType(response.getHeader('content-type')));
  if (!notModified && !page) return undefined;
  const settled = settledValidatorsOf(response);
  return {
    etag: headerText(response.getHeader('etag')),
    lastModified: headerText(response.getHeader('last-modified')),
    moduleEtag: settled?.etag,
    moduleLastModified: settled?.lastModified?.toUTCString(),
    notModified,
    ifNoneMatch: headers['if-none-match'] !== undefined,
    underFlush: flushed && notModified,
  };
}

/** `GET /users/:id`: how a route is named in warnings. */
export function routeLabel(request: Request): string {
  return `${request.method} ${routePatternOf(request) ?? request.path}`;
}
