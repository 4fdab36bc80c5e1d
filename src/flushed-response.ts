import type { Response } from 'express';
import { afterFlushOutcome, type AfterFlushOutcome, type HeaderValue } from './after-flush.js';
import { FLUSHED_CONTENT_TYPE, FLUSHED_FIRST_CHUNK } from './http2-preload.constants.js';
import { redirectPage } from './redirect-page.js';

/** The headers that go out with the flushed 200. */
export interface FlushedHeaders {
  readonly link: string | string[];
  /** Debug header name and value, or undefined for none. */
  readonly debug?: readonly [name: string, value: string];
}

/** Called once when a flushed response ends, however it ends. */
export type FlushSettled = (outcome: AfterFlushOutcome) => void;

export interface FlushedResponse {
  /** The handler failed: close the connection without the final chunk. */
  abort(problem: string): void;
}

type RenderCallback = (error: Error | null, html?: string) => void;

/** Compression middleware buffers what is written until it is flushed. */
interface MaybeCompressed {
  flush?: () => void;
}

/**
 * Sends a 200 with the hints at once, before the handler runs, followed by a newline
 * (HTML parsers skip whitespace before the doctype, and nginx's HTTP/2 proxy holds
 * headers back until the first body byte). Then guards the response: what the handler
 * does later must neither throw `ERR_HTTP_HEADERS_SENT` nor pass for something else.
 * Headers it sets are kept aside (so Express still reads back what it set) and dropped;
 * a redirect becomes a page that forwards the browser; an error status, a non-HTML
 * body or a failed render closes the connection before the final chunk.
 */
export function flushHeadersEarly(response: Response, headers: FlushedHeaders, settled: FlushSettled): FlushedResponse {
  response.statusCode = 200;
  response.setHeader('Content-Type', FLUSHED_CONTENT_TYPE);
  response.setHeader('Link', headers.link);
  if (headers.debug) response.setHeader(headers.debug[0], headers.debug[1]);
  // write() sends the headers with the newline in one packet (flushHeaders() first would
  // cost a second one). Node corks the socket until the next tick on a write; uncorking
  // now sends them at once, before a handler that fails at once can close the connection.
  response.write(FLUSHED_FIRST_CHUNK);
  response.socket?.uncork();
  (response as MaybeCompressed).flush?.();

  const lateHeaders = new Map<string, HeaderValue>();
  let done = false;
  const settle = (outcome: AfterFlushOutcome): void => {
    done = true;
    settled(outcome);
  };
  const abort = (problem: string): void => {
    if (done) return;
    settle({ action: 'abort', problem });
    response.destroy();
  };

  const { setHeader, appendHeader, getHeader, removeHeader, writeHead, end, render } = response;

  response.setHeader = function (this: Response, name: string, value: HeaderValue) {
    if (!this.headersSent) return setHeader.call(this, name, value);
    lateHeaders.set(name.toLowerCase(), value);
    return this;
  } as Response['setHeader'];

  response.appendHeader = function (this: Response, name: string, value: string | readonly string[]) {
    if (!this.headersSent) return appendHeader.call(this, name, value);
    const key = name.toLowerCase();
    const previous = lateHeaders.get(key);
    const values = previous === undefined ? [] : Array.isArray(previous) ? previous : [String(previous)];
    lateHeaders.set(key, [...values, ...(Array.isArray(value) ? value : [value as string])]);
    return this;
  } as Response['appendHeader'];

  response.getHeader = function (this: Response, name: string) {
    if (!this.headersSent) return getHeader.call(this, name);
    const key = name.toLowerCase();
    if (lateHeaders.has(key)) return lateHeaders.get(key);
    // The flushed Content-Type was ours, not the handler's: hiding it lets Express set the
    // type the handler means (res.json() sets one only when none is set), so it can be checked.
    return key === 'content-type' ? undefined : getHeader.call(this, name);
  } as Response['getHeader'];

  response.removeHeader = function (this: Response, name: string) {
    if (!this.headersSent) return removeHeader.call(this, name);
    lateHeaders.delete(name.toLowerCase());
  };

  response.writeHead = function (this: Response, statusCode: number, ...rest: unknown[]) {
    if (!this.headersSent) return (writeHead as (...args: unknown[]) => Response).call(this, statusCode, ...rest);
    this.statusCode = statusCode;
    const given = typeof rest[0] === 'string' ? rest[1] : rest[0];
    if (Array.isArray(given)) {
      // Raw form: [name, value, name, value, ...]
      for (let i = 0; i + 1 < given.length; i += 2) lateHeaders.set(String(given[i]).toLowerCase(), given[i + 1]);
    } else if (given && typeof given === 'object') {
      for (const [name, value] of Object.entries(given)) lateHeaders.set(name.toLowerCase(), value as HeaderValue);
    }
    return this;
  } as Response['writeHead'];

  response.end = function (this: Response, ...args: unknown[]) {
    if (done || this.destroyed) {
      done = true;
      return this;
    }
    const outcome = afterFlushOutcome({ statusCode: this.statusCode, lateHeaders });
    settle(outcome);
    switch (outcome.action) {
      case 'redirect':
        return (end as (chunk: string) => Response).call(this, redirectPage(outcome.location ?? '/'));
      case 'abort':
        this.destroy();
        return this;
      default:
        return (end as (...a: unknown[]) => Response).apply(this, args);
    }
  } as Response['end'];

  // Express's default render callback hands a template error to the error handlers,
  // which can only call end() once headers are sent: that would look like a complete page.
  response.render = function (this: Response, view: string, options?: object | RenderCallback, callback?: RenderCallback) {
    const given = typeof options === 'function' ? options : callback;
    const locals = typeof options === 'function' ? undefined : options;
    (render as (view: string, locals: object | undefined, done: RenderCallback) => void).call(this, view, locals, (error, html) => {
      if (error) abort(`failed to render ${view} (${error.message})`);
      if (given) return given(error, html);
      if (error) return this.req.next?.(error);
      this.send(html);
    });
  } as Response['render'];

  return { abort };
}
