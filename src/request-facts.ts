import type { Request, Response } from 'express';
import { isRetryRequest, RETRY_MARKER, withoutRetryMarker } from './flush-recovery.js';
import type { RequestBeforeHandler } from './preload-mode.js';
import type { RedirectAtHeaderTime } from './redirect-preload.js';

/** Reading the facts the decisions need off an Express request and response. */

/** Express responses only: another platform's reply has no `locals` to hand the helper. */
export function isExpressResponse(response: unknown): response is Response {
  return (
    typeof response === 'object' &&
    response !== null &&
    typeof (response as Response).writeHead === 'function' &&
    typeof (response as Response).locals === 'object'
  );
}

/**
 * The retry of a page that went wrong after a flush may carry a query parameter: take it
 * off the URL before anything reads the query, so the app sees the URL it linked to.
 */
export function takeRetryMarker(request: Request): boolean {
  // Almost no URL has it: one substring search, no parsing, on every other request.
  if (!request.url.includes(RETRY_MARKER)) return false;
  const url = withoutRetryMarker(request.url);
  if (url === request.url) return false;
  request.url = url;
  request.originalUrl = withoutRetryMarker(request.originalUrl);
  return true;
}

export function requestBeforeHandler(
  request: Request,
  response: Response,
  settled: boolean,
  retry: boolean,
): RequestBeforeHandler {
  const { headers } = request;
  const secFetchMode = headers['sec-fetch-mode'];
  return {
    method: request.method,
    httpVersion: request.httpVersion,
    acceptsHtml: request.accepts('html') !== false,
    secFetchMode: typeof secFetchMode === 'string' ? secFetchMode : undefined,
    conditional:
      (!settled &&
        (headers['if-none-match'] !== undefined ||
          headers['if-modified-since'] !== undefined ||
          headers['if-match'] !== undefined ||
          headers['if-unmodified-since'] !== undefined)) ||
      headers.range !== undefined,
    // express-session and cookie-session define it; they write their cookie with the headers.
    hasSession: 'session' in request,
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
