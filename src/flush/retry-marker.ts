import type { IncomingMessage, Server } from 'node:http';

/**
 * The retry marker, the one place that knows it. A flushed page whose handler answered
 * otherwise ends with a page (flush-recovery.ts) that makes the browser ask again,
 * marked so that no instance flushes that request: a short-lived cookie for the path, or
 * the query parameter `http2-preload=late`. The marker is the module's business, not the
 * app's: it is taken off the request as it reaches the Node server, before Express,
 * Fastify, middie or any middleware has read the URL, the query or the cookies, and the
 * fact "this request is a retry" is kept aside for the interceptor.
 */
export const RETRY_MARKER = 'http2-preload';
export const RETRY_MARKER_VALUE = 'late';
/** `http2-preload=late`, as the cookie and the query parameter both carry it. */
export const RETRY_PAIR = `${RETRY_MARKER}=${RETRY_MARKER_VALUE}`;

const COOKIE_PAIR = new RegExp(`(?:^|;)\\s*${RETRY_PAIR}\\s*(?:;|$)`);
const QUERY_PAIR = new RegExp(`[?&]${RETRY_PAIR}(?=&|#|$)`);

/** Whether a `Cookie` header carries the retry cookie. */
export function hasRetryCookie(cookieHeader: string | undefined): boolean {
  return cookieHeader !== undefined && cookieHeader.includes(RETRY_MARKER) && COOKIE_PAIR.test(cookieHeader);
}

/** Whether a request target (path and query) carries the retry query parameter. */
export function hasRetryQuery(url: string): boolean {
  return url.includes(RETRY_MARKER) && QUERY_PAIR.test(url);
}

/** The URL without the retry query parameter, so that the app never sees it; the same string when it has none. */
export function withoutRetryMarker(url: string): string {
  if (!hasRetryQuery(url)) return url;
  const hash = url.indexOf('#');
  const fragment = hash < 0 ? '' : url.slice(hash);
  const withoutFragment = hash < 0 ? url : url.slice(0, hash);
  const query = withoutFragment.indexOf('?');
  const kept = withoutFragment
    .slice(query + 1)
    .split('&')
    .filter((pair) => pair !== RETRY_PAIR);
  return `${withoutFragment.slice(0, query)}${kept.length > 0 ? `?${kept.join('&')}` : ''}${fragment}`;
}

/** The `Cookie` header without the retry cookie; undefined when nothing else is left. */
export function withoutRetryCookie(cookieHeader: string): string | undefined {
  const kept = cookieHeader
    .split(';')
    .map((pair) => pair.trim())
    .filter((pair) => pair !== '' && pair !== RETRY_PAIR);
  return kept.length > 0 ? kept.join('; ') : undefined;
}

/**
 * The request's own URL with the retry parameter, as a path a browser cannot read as
 * another host: `//evil.example/x` or `/\evil.example` would be protocol-relative.
 */
export function retryUrl(requestUrl: string): string {
  let path = requestUrl.replace(/\\/g, '%5C');
  if (!path.startsWith('/')) path = `/${path}`;
  if (path.startsWith('//')) path = `/.${path}`;
  const hash = path.indexOf('#');
  const withoutFragment = hash < 0 ? path : path.slice(0, hash);
  return `${withoutFragment}${withoutFragment.includes('?') ? '&' : '?'}${RETRY_PAIR}`;
}

/** What the marker is taken off: a Node request as it arrives (Express's request is the same object). */
export interface ArrivingRequest {
  url?: string;
  readonly headers: IncomingMessage['headers'];
}

/**
 * The requests that came marked, by object: the mark never becomes a property the app
 * could read, and goes with the request. Process-wide in each copy of the package; the
 * request that a copy's hook marks is read by the same copy's interceptor.
 */
const retries = new WeakSet<object>();

/**
 * Takes the marker off a request (the query parameter from `url`, the cookie from the
 * `Cookie` header) and remembers that it came marked. Almost no request has it: two
 * substring searches, and nothing is written, on every other one. Returns whether the
 * request is a retry, marked now or before.
 */
export function takeRetryMarker(request: ArrivingRequest): boolean {
  const { url, headers } = request;
  let retry = false;
  if (url !== undefined && hasRetryQuery(url)) {
    request.url = withoutRetryMarker(url);
    retry = true;
  }
  const cookie = headers.cookie;
  if (hasRetryCookie(cookie)) {
    const rest = withoutRetryCookie(cookie!);
    if (rest === undefined) delete headers.cookie;
    else headers.cookie = rest;
    retry = true;
  }
  if (retry) retries.add(request);
  return retry || retries.has(request);
}

/**
 * Takes the marker off every request of `server` before anything else sees it: a
 * `request` listener put in front of the app's own (Express's handler, Fastify's router),
 * so Express and Fastify parse, route and hand to middleware the URL without it. Returns
 * the function that removes the listener (at `app.close()`).
 */
export function takeRetryMarkerFirst(server: Pick<Server, 'prependListener' | 'removeListener'>): () => void {
  const listener = (request: IncomingMessage): void => {
    takeRetryMarker(request);
  };
  server.prependListener('request', listener);
  return () => {
    server.removeListener('request', listener);
  };
}

/** What the module knows of Nest's HTTP adapter (no dependency on a platform's types). */
export interface HttpAdapterLike {
  getType?(): string;
  getHttpServer?(): unknown;
}

/**
 * `takeRetryMarkerFirst` on the Node server of an Express or Fastify app; nothing for a
 * testing module without an app, or another platform (which the module leaves alone).
 */
export function takeRetryMarkerFirstOn(adapter: HttpAdapterLike | undefined): (() => void) | undefined {
  const type = adapter?.getType?.();
  if (type !== 'express' && type !== 'fastify') return undefined;
  const server = adapter?.getHttpServer?.() as Partial<Server> | undefined;
  if (typeof server?.prependListener !== 'function' || typeof server.removeListener !== 'function') return undefined;
  return takeRetryMarkerFirst(server as Server);
}
