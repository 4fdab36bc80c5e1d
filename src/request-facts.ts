import type { Request, Response } from 'express';
import { hasPrecondition } from './conditional-request.js';
import { isRetryRequest } from './flush-recovery.js';
import type { RequestBeforeHandler } from './preload-mode.js';
import type { RedirectAtHeaderTime } from './redirect-preload.js';

/** Reading the facts the decisions need off an Express(-shaped) request and response. */

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
    acceptsHtml: request.accepts('html') !== false,
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
