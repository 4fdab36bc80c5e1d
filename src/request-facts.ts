import type { Request, Response } from 'express';
import type { OutgoingHttpHeaders } from 'node:http';
import { routePatternOf } from './cache-key.js';
import { hasPrecondition } from './conditional/index.js';
import { headersSetByHandler, isRetryRequest } from './flush/index.js';
import type { HeaderTimeFacts, RequestBeforeHandler } from './preload-mode.js';
import type { PreloadRequest } from './preload-request.js';
import type { RedirectAtHeaderTime } from './redirect-preload.js';

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

export function requestBeforeHandler(
  request: Request,
  response: Response,
  settled: boolean,
  retry: boolean,
  appRequest: object = request,
): RequestBeforeHandler {
  const { headers } = request;
  const secFetchMode = headers['sec-fetch-mode'];
  return {
    method: request.method,
    httpVersion: request.httpVersion,
    acceptsHtml: acceptsHtml(request),
    secFetchMode: typeof secFetchMode === 'string' ? secFetchMode : undefined,
    conditional: (!settled && hasPrecondition(headers)) || headers.range !== undefined,
    // express-session and cookie-session define it; they write their cookie with the headers.
    hasSession: 'session' in appRequest,
    retry: retry || isRetryRequest('', headers.cookie),
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
): HeaderTimeFacts {
  return {
    statusCode: response.statusCode,
    contentType: response.getHeader('content-type'),
    optedOut: route.optedOut,
    hintCount: collector.size,
    sentEarly,
    method: request.method,
    setByHandler: before === undefined ? undefined : headersSetByHandler(before, response.getHeaders()),
  };
}

/** `GET /users/:id`: how a route is named in warnings. */
export function routeLabel(request: Request): string {
  return `${request.method} ${routePatternOf(request) ?? request.path}`;
}
