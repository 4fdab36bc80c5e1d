import type { Response } from 'express';
import { afterFlushOutcome, type AfterFlushOutcome, type HeaderValue } from './after-flush.js';
import { redirectPage } from './redirect-page.js';

/** The first body chunk after flushed headers: a newline, which HTML parsers skip before the doctype. */
export const FLUSHED_FIRST_CHUNK = '\n';

/** The content type flushed headers promise before the handler has said anything. */
export const FLUSHED_CONTENT_TYPE = 'text/html; charset=utf-8';

/** The headers that go out with the flushed 200. */
export interface FlushedHeaders {
  readonly link: string | string[];
  /** Debug header name and value, or undefined for none. */
  readonly debug?: readonly [name: string, value: string];
}

export interface FlushHooks {
  /** Called once, when what follows the flushed headers is decided (at the first body byte, or a failure before it). */
  settled(outcome: AfterFlushOutcome): void;
  /** The page that sends the browser to ask again (see flush-recovery.ts). */
  recoveryPage(): string;
}

export interface FlushedResponse {
  /** The handler failed: end on the recovery page, or close the connection if its body had started. */
  fail(problem: string): void;
}

type RenderCallback = (error: Error | null, html?: string) => void;
type Callback = (error?: Error | null) => void;

/** Compression middleware buffers what is written until it is flushed. */
interface MaybeCompressed {
  flush?: () => void;
}

/** An end() chunk that carries no byte (end(), end(callback), end('')). */
function isEmptyChunk(chunk: unknown): boolean {
  return (
    chunk === undefined || chunk === null || typeof chunk === 'function' || (chunk as { length?: number }).length === 0
  );
}

/**
 * Sends a 200 with the hints at once, before the handler runs, followed by a newline
 * (HTML parsers skip whitespace before the doctype, and nginx's HTTP/2 proxy holds
 * headers back until the first body byte). Then guards the response: what the handler
 * does later must neither throw `ERR_HTTP_HEADERS_SENT` nor pass for something else.
 * Headers it sets are kept aside (Express reads back what it set), and before the first
 * byte of its body leaves (`write()`, `pipe()`, `end()`, `render()`, `sendFile()`),
 * status, type and headers are checked: a body the flushed 200 cannot carry is never
 * sent; the response ends on a page that forwards the browser (a redirect) or makes it
 * ask again, and everything the app writes after that is dropped.
 */
export function flushHeadersEarly(response: Response, headers: FlushedHeaders, hooks: FlushHooks): FlushedResponse {
  response.statusCode = 200;
  response.setHeader('Content-Type', FLUSHED_CONTENT_TYPE);
  response.setHeader('Link', headers.link);
  if (headers.debug) response.setHeader(headers.debug[0], headers.debug[1]);
  // write() sends the headers with the newline in one packet (flushHeaders() first would
  // cost a second one). Node corks the socket until the next tick on a write; uncorking
  // now sends them at once, before a handler that fails at once can close the connection.
  const flushedHeaders = response.getHeaders();
  response.write(FLUSHED_FIRST_CHUNK);
  response.socket?.uncork();
  (response as MaybeCompressed).flush?.();

  const lateHeaders = new Map<string, HeaderValue>();
  /** The handler's body is streaming after the flushed headers. */
  let bodyStarted = false;
  /** The response is over, or ended by us: what the app does from now on is dropped. */
  let done = false;

  const { setHeader, appendHeader, getHeader, removeHeader, writeHead, write, end, render } = response;

  /** Ends the response with a page of ours in place of the app's body. */
  const endWith = (outcome: AfterFlushOutcome): void => {
    done = true;
    hooks.settled(outcome);
    const page = outcome.action === 'forward' ? redirectPage(outcome.location ?? '/') : hooks.recoveryPage();
    (end as (chunk: string) => Response).call(response, page);
  };

  /**
   * The outcome at the first body byte. Express's own body ETag is told from a handler's
   * by its shape (looksLikeExpressEtag): hashing the body again would cost what Express
   * already paid, and an ETag of that shape is a body hash either way.
   */
  const decide = (emptyBody: boolean): AfterFlushOutcome =>
    afterFlushOutcome({ statusCode: response.statusCode, lateHeaders, emptyBody, flushedHeaders });

  const fail = (problem: string): void => {
    if (done) return;
    if (bodyStarted) {
      // Part of the page is out: as with a late response, only a cut connection says it is incomplete.
      done = true;
      response.destroy();
      return;
    }
    endWith({ action: 'recover', problem });
  };

  // Once the handler's body streams, a header set late throws ERR_HTTP_HEADERS_SENT, as it
  // would on a late response: quietly keeping it aside would lose it without a word.
  response.setHeader = function (this: Response, name: string, value: HeaderValue) {
    if (!this.headersSent || bodyStarted) return setHeader.call(this, name, value);
    lateHeaders.set(name.toLowerCase(), value);
    return this;
  } as Response['setHeader'];

  response.appendHeader = function (this: Response, name: string, value: string | readonly string[]) {
    if (!this.headersSent || bodyStarted) return appendHeader.call(this, name, value);
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
    if (!this.headersSent || bodyStarted) return removeHeader.call(this, name);
    lateHeaders.delete(name.toLowerCase());
  };

  response.writeHead = function (this: Response, statusCode: number, ...rest: unknown[]) {
    if (!this.headersSent) return (writeHead as (...args: unknown[]) => Response).call(this, statusCode, ...rest);
    if (done) return this;
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

  response.write = function (this: Response, chunk: unknown, ...rest: unknown[]) {
    if (bodyStarted && !done) return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
    if (!done && !isEmptyChunk(chunk)) {
      const outcome = decide(false);
      if (outcome.action === 'send') {
        bodyStarted = true;
        hooks.settled(outcome);
        return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
      }
      endWith(outcome);
    }
    // Dropped: a stream piped here (a file, an event stream) must not fail on a closed response.
    const callback = rest.find((arg): arg is Callback => typeof arg === 'function');
    if (callback) process.nextTick(callback);
    return true;
  } as Response['write'];

  response.end = function (this: Response, ...args: unknown[]) {
    if (done || this.destroyed) {
      done = true;
      return this;
    }
    if (bodyStarted) {
      done = true;
      return (end as (...a: unknown[]) => Response).apply(this, args);
    }
    const [chunk] = args;
    const outcome = decide(isEmptyChunk(chunk));
    if (outcome.action !== 'send') {
      endWith(outcome);
      return this;
    }
    done = true;
    hooks.settled(outcome);
    return (end as (...a: unknown[]) => Response).apply(this, args);
  } as Response['end'];

  // Express's default render callback hands a template error to the error handlers,
  // which can only call end() once headers are sent: that would look like a complete page.
  // Express's own methods; Fastify's Node response has neither (its errors reach end()).
  if (typeof render === 'function')
    response.render = function (
      this: Response,
      view: string,
      options?: object | RenderCallback,
      callback?: RenderCallback,
    ) {
      if (done) return;
      const given = typeof options === 'function' ? options : callback;
      const locals = typeof options === 'function' ? undefined : options;
      (render as (view: string, locals: object | undefined, done: RenderCallback) => void).call(
        this,
        view,
        locals,
        (error, html) => {
          if (error) fail(`failed to render ${view} (${error.message})`);
          if (given) return given(error, html);
          if (error) return this.req.next?.(error);
          this.send(html);
        },
      );
    } as Response['render'];

  // A file cannot follow HTML headers, and send() would only fail on them: ask again
  // instead, so that the retry downloads it as the app means it.
  if (typeof response.sendFile === 'function')
    response.sendFile = function (this: Response, path: string, ...rest: unknown[]) {
      if (!done) {
        if (bodyStarted) fail(`sent the file ${path} after its page had started`);
        else endWith({ action: 'recover', problem: 'sent a file' });
      }
      const callback = rest.find((arg): arg is Callback => typeof arg === 'function');
      if (callback) process.nextTick(callback);
    } as Response['sendFile'];

  return { fail };
}
