import type { Response } from 'express';
import type { OutgoingHttpHeaders } from 'node:http';
import { afterFlushOutcome, type AfterFlushOutcome, type HeaderValue, type RetryCause } from './after-flush.js';
import { redirectPage } from './redirect-page.js';
import { sharedAcrossCopies } from '../shared-across-copies.js';

/**
 * The first body chunk after flushed headers: 512 bytes of whitespace, which HTML parsers
 * skip before the doctype (the document stays in standards mode), ending in a newline.
 * Why 512: WebKit (Safari) holds the first 512 bytes of a document for content sniffing
 * and acts on the response's `Link` header only once they have arrived; with fewer, it
 * requests nothing before the page's body comes (WebKitGTK 2.50: 511 bytes change nothing,
 * 512 let it request the stylesheet at header time; `X-Content-Type-Options: nosniff` does
 * not help). It counts decoded bytes, so behind `compression()` the padding still counts,
 * and costs a few bytes on the wire. One byte would already do for nginx's HTTP/2 proxy,
 * which holds headers back until the first body byte.
 */
export const FLUSHED_FIRST_CHUNK = `${' '.repeat(511)}\n`;

/** The content type flushed headers promise before the handler has said anything. */
export const FLUSHED_CONTENT_TYPE = 'text/html; charset=utf-8';

/** The headers that go out with the flushed 200. */
export interface FlushedHeaders {
  readonly link: string | string[];
  /** Debug header name and value, or undefined for none. */
  readonly debug?: readonly [name: string, value: string];
  /**
   * Send `X-Accel-Buffering: no` (the `disableProxyBuffering` option): nginx with its
   * defaults (HTTP/1.0 to the app, `proxy_buffering on`) would hold the flushed headers
   * until the page is complete; it honours this header per response.
   */
  readonly disableProxyBuffering: boolean;
}

export interface FlushHooks {
  /** Called once, when what follows the flushed headers is decided (at the first body byte, or a failure before it). */
  settled(outcome: AfterFlushOutcome): void;
  /** The page that sends the browser to ask again (see flush-recovery.ts). */
  recoveryPage(): string;
  /** What the handler did to the request's session that needs a cookie the flushed head did not carry (session-facts.ts). */
  sessionProblem?: () => string | undefined;
  /**
   * Headers the platform still holds, by lower-case name, that it will not hand to the
   * Node response once its headers are out: Fastify's reply keeps its own until it sends,
   * and sends a stream (a file, `StreamableFile`, `reply.download()`) without them when
   * headers were already sent. Read at the first body byte, as if set late. None on
   * Express, whose response holds them all, nor for a hijacked reply, which sends none.
   */
  heldHeaders?(): OutgoingHttpHeaders | undefined;
  /** Set when the page's shell went out with the headers (src/shell/): how the page's render ends it. */
  readonly shell?: ShellEnding;
}

/** How a page whose shell went out is finished when its view renders. */
export interface ShellEnding {
  /**
   * What follows the view's own HTML: the rest of the layout, rendered from the page's
   * template data; undefined when it cannot be rendered (the response then asks again).
   */
  rest(pageLocals: object | undefined): string | undefined;
  /**
   * What follows the shell when the app rendered its whole document, layout and view
   * (Fastify's `reply.view()`, which the module cannot ask for the view alone): the
   * document less the layout's start, with the page's title put right; undefined when
   * the document does not begin and end as the layout does with the page's data.
   */
  afterDocument(document: string, pageLocals: object | undefined): string | undefined;
}

export interface FlushedResponse {
  /** The handler failed: end on the recovery page, or close the connection if its body had started. */
  fail(problem: string, cause?: RetryCause): void;
  /** What the handler returned: the page's template data, which the shell's ending renders the layout's rest with. */
  answered(result: unknown): void;
}

type RenderCallback = (error: Error | null, html?: string) => void;
type Callback = (error?: Error | null) => void;
/** A response method as the guard calls it underneath. */
type Method = (this: Response, ...args: unknown[]) => unknown;

/** Compression middleware buffers what is written until it is flushed. */
interface MaybeCompressed {
  flush?: () => void;
}

/**
 * Each guarded response's guard, found by the shared methods below; nothing is stored on
 * the response itself. One map per process, like the prototypes the guard is installed
 * on (below): a response may be flushed by either build of the package while the other
 * installed the guard on its prototype (shared-across-copies.ts).
 */
const GUARDS = sharedAcrossCopies('flushGuards', () => new WeakMap<object, FlushGuard>());

/**
 * The last guarded response looked up, and its guard: a flushed response's methods are
 * read many times in a row (Express's `send()` alone reads a dozen), and one comparison
 * costs less than a lookup. Only a guard found is remembered: a response that was not
 * flushed may be flushed next, by this build or the other.
 */
let lastGuarded: object | undefined;
let lastGuard: FlushGuard | undefined;

/** A response's guard, or undefined when it was not flushed. */
function guardOf(response: object): FlushGuard | undefined {
  if (response === lastGuarded) return lastGuard;
  const guard = GUARDS.get(response);
  if (guard !== undefined) {
    lastGuarded = response;
    lastGuard = guard;
  }
  return guard;
}

type GuardedResponse = Response;

/** An end() chunk that carries no byte (end(), end(callback), end('')). */
function isEmptyChunk(chunk: unknown): boolean {
  return (
    chunk === undefined || chunk === null || typeof chunk === 'function' || (chunk as { length?: number }).length === 0
  );
}

/**
 * The state of one flushed response, and the methods it had before it was guarded
 * (the prototype's, or what compression or on-headers put on the instance). The
 * replacement methods are shared by every response (defined once, below, and installed
 * once per prototype); only this object is made per response, so a flush costs one
 * allocation and a few stores.
 */
class FlushGuard implements FlushedResponse {
  /** Headers set after the flush, by lower-case name; created on the first one. */
  lateHeaders: Map<string, HeaderValue> | undefined;
  /** The handler's body is streaming after the flushed headers. */
  bodyStarted = false;
  /** The response is over, or ended by us: what the app does from now on is dropped. */
  done = false;
  /** After a shell: the body about to be written is the view rendered without its layout, plus the layout's rest. */
  shellPage = false;
  /** What the handler returned, when it was an object: a `@Render()` page's template data. */
  pageLocals: object | undefined;
  readonly setHeader: Method;
  readonly appendHeader: Method;
  readonly getHeader: Method;
  readonly removeHeader: Method;
  readonly writeHead: Method;
  readonly write: Method;
  readonly end: Method;
  readonly render: Method | undefined;
  readonly sendFile: Method | undefined;

  constructor(
    readonly response: Response,
    readonly hooks: FlushHooks,
  ) {
    this.setHeader = response.setHeader as Method;
    this.appendHeader = response.appendHeader as Method;
    this.getHeader = response.getHeader as Method;
    this.removeHeader = response.removeHeader as Method;
    this.writeHead = response.writeHead as Method;
    this.write = response.write as Method;
    this.end = response.end as Method;
    this.render = typeof response.render === 'function' ? (response.render as Method) : undefined;
    this.sendFile = typeof response.sendFile === 'function' ? (response.sendFile as Method) : undefined;
  }

  keep(name: string, value: HeaderValue): void {
    (this.lateHeaders ??= new Map()).set(name.toLowerCase(), value);
  }

  /**
   * The outcome at the first body byte. Until then every header the handler sets is
   * kept aside, so the response's own headers are still exactly the flushed ones, read
   * only when a late header needs comparing. Express's own body ETag is told from a
   * handler's by its shape (looksLikeExpressEtag): hashing the body again would cost
   * what Express already paid, and an ETag of that shape is a body hash either way.
   */
  decide(emptyBody: boolean): AfterFlushOutcome {
    const { response, getHeader } = this;
    const outcome = afterFlushOutcome({
      statusCode: response.statusCode,
      lateHeaders: withHeldHeaders(this.lateHeaders ?? NO_HEADERS, this.hooks.heldHeaders?.()),
      emptyBody,
      flushedHeader: (name) => getHeader.call(response, name) as HeaderValue | undefined,
      requestCookie: response.req?.headers.cookie,
      sessionProblem: this.hooks.sessionProblem?.(),
    });
    // The shell opened the document: only the view it frames may follow, not a page of its own.
    if (outcome.action === 'send' && this.hooks.shell !== undefined && !this.shellPage)
      return { action: 'recover', problem: 'answered a page that was not its view rendered after the shell' };
    return outcome;
  }

  /** Ends the response with a page of ours in place of the app's body. */
  endWith(outcome: AfterFlushOutcome): void {
    this.done = true;
    this.hooks.settled(outcome);
    const page = outcome.action === 'forward' ? redirectPage(outcome.location ?? '/') : this.hooks.recoveryPage();
    this.end.call(this.response, page);
  }

  answered(result: unknown): void {
    if (result !== null && typeof result === 'object') this.pageLocals = result;
  }

  /**
   * After a shell, a whole document (the layout around the view) becomes what follows
   * the shell, when it is the layout the shell began; left as it is otherwise, and then
   * found to be a page of its own.
   */
  afterShell(chunk: unknown): unknown {
    const shell = this.hooks.shell;
    if (shell === undefined || this.shellPage) return chunk;
    if (typeof chunk !== 'string' && !Buffer.isBuffer(chunk)) return chunk;
    const rest = shell.afterDocument(chunk.toString(), this.pageLocals);
    if (rest === undefined) return chunk;
    this.shellPage = true;
    return rest;
  }

  fail(problem: string, cause: RetryCause = 'failed'): void {
    if (this.done) return;
    if (this.bodyStarted) {
      // Part of the page is out: as with a late response, only a cut connection says it is incomplete.
      this.done = true;
      this.response.destroy();
      return;
    }
    this.endWith({ action: 'recover', problem, cause });
  }
}

const NO_HEADERS: ReadonlyMap<string, HeaderValue> = new Map();
const CONTENT_TYPE = 'content-type';

/**
 * The late headers with the platform's held ones on top: Fastify writes its reply's
 * headers over the Node response's (writeHead(status, headers), or setHeader() before a
 * stream), so a held value wins, as it would on a late response.
 */
function withHeldHeaders(
  late: ReadonlyMap<string, HeaderValue>,
  held: OutgoingHttpHeaders | undefined,
): ReadonlyMap<string, HeaderValue> {
  if (held === undefined) return late;
  let merged: Map<string, HeaderValue> | undefined;
  for (const [name, value] of Object.entries(held)) {
    if (value === undefined) continue;
    (merged ??= new Map(late)).set(name.toLowerCase(), value);
  }
  return merged ?? late;
}

/** Calls a dropped write's or sendFile's callback, as a stream piped here expects. */
function callBackLater(args: readonly unknown[]): void {
  const callback = args.find((arg): arg is Callback => typeof arg === 'function');
  if (callback) process.nextTick(callback);
}

// The shared replacement methods. Once the handler's body streams, a header set late
// throws ERR_HTTP_HEADERS_SENT, as it would on a late response: quietly keeping it aside
// would lose it without a word.

function setHeader(this: GuardedResponse, name: string, value: HeaderValue): Response {
  const guard = guardOf(this)!;
  if (!this.headersSent || guard.bodyStarted) return guard.setHeader.call(this, name, value) as Response;
  guard.keep(name, value);
  return this;
}

function appendHeader(this: GuardedResponse, name: string, value: string | readonly string[]): Response {
  const guard = guardOf(this)!;
  if (!this.headersSent || guard.bodyStarted) return guard.appendHeader.call(this, name, value) as Response;
  const previous = guard.lateHeaders?.get(name.toLowerCase());
  const values = previous === undefined ? [] : Array.isArray(previous) ? previous : [String(previous)];
  guard.keep(name, [...values, ...(Array.isArray(value) ? value : [value as string])]);
  return this;
}

function getHeader(this: GuardedResponse, name: string): unknown {
  const guard = guardOf(this)!;
  // Express reads a dozen headers back on send(): most are neither kept aside nor the type.
  if (!this.headersSent || (guard.lateHeaders === undefined && name.length !== CONTENT_TYPE.length))
    return guard.getHeader.call(this, name);
  const key = name.toLowerCase();
  if (guard.lateHeaders?.has(key)) return guard.lateHeaders.get(key);
  // The flushed Content-Type was ours, not the handler's: hiding it lets Express set the
  // type the handler means (res.json() sets one only when none is set), so it can be checked.
  return key === CONTENT_TYPE ? undefined : guard.getHeader.call(this, name);
}

function removeHeader(this: GuardedResponse, name: string): void {
  const guard = guardOf(this)!;
  if (!this.headersSent || guard.bodyStarted) return void guard.removeHeader.call(this, name);
  guard.lateHeaders?.delete(name.toLowerCase());
}

function writeHead(this: GuardedResponse, statusCode: number, ...rest: unknown[]): Response {
  const guard = guardOf(this)!;
  if (!this.headersSent) return guard.writeHead.call(this, statusCode, ...rest) as Response;
  if (guard.done) return this;
  this.statusCode = statusCode;
  const given = typeof rest[0] === 'string' ? rest[1] : rest[0];
  if (Array.isArray(given)) {
    // Raw form: [name, value, name, value, ...]
    for (let i = 0; i + 1 < given.length; i += 2) guard.keep(String(given[i]), given[i + 1]);
  } else if (given && typeof given === 'object') {
    for (const [name, value] of Object.entries(given)) guard.keep(name, value as HeaderValue);
  }
  return this;
}

function write(this: GuardedResponse, chunk: unknown, ...rest: unknown[]): boolean {
  const guard = guardOf(this)!;
  if (guard.bodyStarted && !guard.done) return guard.write.call(this, chunk, ...rest) as boolean;
  if (!guard.done && !isEmptyChunk(chunk)) {
    const outcome = guard.decide(false);
    if (outcome.action === 'send') {
      guard.bodyStarted = true;
      guard.hooks.settled(outcome);
      return guard.write.call(this, chunk, ...rest) as boolean;
    }
    guard.endWith(outcome);
  }
  // Dropped: a stream piped here (a file, an event stream) must not fail on a closed response.
  callBackLater(rest);
  return true;
}

function end(this: GuardedResponse, ...args: unknown[]): Response {
  const guard = guardOf(this)!;
  if (guard.done || this.destroyed) {
    guard.done = true;
    return this;
  }
  if (guard.bodyStarted) {
    guard.done = true;
    return guard.end.apply(this, args) as Response;
  }
  if (guard.hooks.shell !== undefined && !isEmptyChunk(args[0])) args[0] = guard.afterShell(args[0]);
  const outcome = guard.decide(isEmptyChunk(args[0]));
  if (outcome.action !== 'send') {
    guard.endWith(outcome);
    return this;
  }
  guard.done = true;
  guard.hooks.settled(outcome);
  return guard.end.apply(this, args) as Response;
}

// Express's default render callback hands a template error to the error handlers,
// which can only call end() once headers are sent: that would look like a complete page.
function render(
  this: GuardedResponse,
  view: string,
  options?: object | RenderCallback,
  callback?: RenderCallback,
): void {
  const guard = guardOf(this)!;
  if (guard.done) return;
  const given = typeof options === 'function' ? options : callback;
  const locals = typeof options === 'function' ? undefined : options;
  const shell = guard.hooks.shell;
  // After a shell, the layout's start is out: the view renders alone, and the rest of the layout follows it.
  const viewLocals = shell === undefined ? locals : { ...locals, layout: false };
  guard.render!.call(this, view, viewLocals, (error: Error | null, html?: string) => {
    if (!error && shell !== undefined && !guard.done) {
      const rest = shell.rest(locals);
      if (rest === undefined) return guard.fail(`could not render the rest of its layout after ${view}`);
      guard.shellPage = true;
      html = `${html ?? ''}${rest}`;
    }
    if (error) guard.fail(`failed to render ${view} (${error.message})`);
    if (given) return given(error, html);
    if (error) return this.req.next?.(error);
    this.send(html);
  });
}

// A file cannot follow HTML headers, and send() would only fail on them: ask again
// instead, so that the retry downloads it as the app means it.
function sendFile(this: GuardedResponse, path: string, ...rest: unknown[]): void {
  const guard = guardOf(this)!;
  if (!guard.done) {
    if (guard.bodyStarted) guard.fail(`sent the file ${path} after its page had started`);
    else guard.endWith({ action: 'recover', problem: 'sent a file', cause: 'not-html' });
  }
  callBackLater(rest);
}

/** The shared replacement methods, by the name they take the place of. */
const GUARDED_METHODS = {
  setHeader,
  appendHeader,
  getHeader,
  removeHeader,
  writeHead,
  write,
  end,
  // Express's own methods; Fastify's Node response has neither (its errors reach end()).
  render,
  sendFile,
} as const;
type GuardedName = keyof typeof GUARDED_METHODS;
const GUARDED_NAMES = Object.keys(GUARDED_METHODS) as GuardedName[];

/**
 * The methods assigned on a response (or on a guarded prototype) under a guarded name,
 * by name: what middleware puts on a response to wrap it (compression's `write` and `end`,
 * express-session's `end`, on-headers' `writeHead`), kept underneath the guard. An
 * instance's object inherits from its prototype's, so an agent that patches the prototype
 * later still reaches every response. One key for every name: the accessors' read of it
 * stays monomorphic, where a key per name made every method read of every response a
 * megamorphic lookup through the prototype chain (the costliest line of a flushed page).
 */
const ASSIGNED = Symbol.for('nestjs-http2-preload.v1.assignedMethods');
type WithAssigned = { [ASSIGNED]?: Record<string, unknown>; readonly headersSent?: boolean };

/** Prototypes the guard is installed on (Express's per-app response, Node's ServerResponse on Fastify), by either build. */
const INSTALLED = sharedAcrossCopies('flushGuardPrototypes', () => new WeakSet<object>());
/** Prototypes the guard could not be installed on: their flushed responses carry it themselves. */
const UNGUARDABLE = sharedAcrossCopies('unguardablePrototypes', () => new WeakSet<object>());

/**
 * Installs the guard once on a response prototype: each guarded name becomes an accessor
 * that hands out the shared guarded method on a flushed response and, on any other, the
 * method it would have had. Installed once, rather than a prototype or methods swapped on
 * each flushed response, so that every response of the app keeps one shape, and one whose
 * headers are not out pays two property reads per method it reads.
 *
 * Middleware that wraps a method assigns it on the response (`res.end = …`); the setter
 * keeps that underneath the guard, so the guard stays above compression (which must see
 * the page before it is compressed, and the page that asks again instead of it) and
 * above any other wrapper. A wrapper assigned after the flush goes above the guard, as it
 * would have over any method. On Fastify the prototype is Node's `ServerResponse`
 * (Fastify hands the module the Node response): every server of the process then reads
 * its response methods through the accessor, and only flushed responses see a change.
 */
function installGuard(prototype: object): void {
  INSTALLED.add(prototype);
  // Found on the prototype itself, the accessors' read of it stops there: a key missing
  // from the whole chain would be looked up through every prototype on each read.
  if (!Object.hasOwn(prototype, ASSIGNED))
    Object.defineProperty(prototype, ASSIGNED, { value: undefined, writable: true, configurable: true });
  for (const name of GUARDED_NAMES) {
    const own: unknown = Reflect.get(prototype, name);
    if (typeof own !== 'function') continue;
    const guarded = GUARDED_METHODS[name];
    Object.defineProperty(prototype, name, {
      configurable: true,
      get(this: WithAssigned): unknown {
        const assigned = this[ASSIGNED];
        const method = assigned !== undefined && name in assigned ? assigned[name] : own;
        // Only a response whose headers are out can have been flushed: any other (most
        // reads of most responses) is answered here, without a lookup.
        if (this.headersSent !== true) return method;
        // The guard's method on a flushed response, unless a wrapper was put on since the flush.
        return guardOf(this)?.[name] === method ? guarded : method;
      },
      set(this: WithAssigned, method: unknown): void {
        let assigned = Object.hasOwn(this, ASSIGNED) ? this[ASSIGNED] : undefined;
        if (assigned === undefined)
          assigned = this[ASSIGNED] = Object.create(this[ASSIGNED] ?? null) as Record<string, unknown>;
        assigned[name] = method;
      },
    });
  }
}

/**
 * Guards a response whose headers were just flushed: installs the guard on its prototype
 * the first time one is seen (once per app), then registers the response's guard, which
 * is all a flush costs from then on. A response that already carries methods of its own
 * under a guarded name (middleware ran before the guard was installed, or defined them
 * with `defineProperty`) gets the guarded method on itself too, with its own underneath.
 */
function guard(response: Response, state: FlushGuard): void {
  const prototype = Object.getPrototypeOf(response) as object;
  if (!INSTALLED.has(prototype) && !UNGUARDABLE.has(prototype)) {
    try {
      installGuard(prototype);
    } catch {
      // A method the prototype will not let go (defined non-configurable): its flushed
      // responses get the guarded methods on themselves. The headers are out by now, so
      // this must not throw.
      UNGUARDABLE.add(prototype);
    }
  }
  GUARDS.set(response, state);
  const everyName = UNGUARDABLE.has(prototype);
  for (const name of GUARDED_NAMES) {
    if (
      everyName
        ? typeof (response as unknown as Record<string, unknown>)[name] !== 'function'
        : !Object.hasOwn(response, name)
    )
      continue;
    try {
      Object.defineProperty(response, name, { value: GUARDED_METHODS[name], writable: true, configurable: true });
    } catch {
      // A method the response itself will not let go: it stays as it is, unguarded.
    }
  }
}

/**
 * Sends a 200 with the hints at once, before the handler runs, followed by
 * FLUSHED_FIRST_CHUNK (whitespace, which HTML parsers skip before the doctype, and which
 * WebKit and nginx's HTTP/2 proxy need before they act on or pass on the headers). Then
 * guards the response: what the handler does later must neither throw
 * `ERR_HTTP_HEADERS_SENT` nor pass for something else.
 * Headers it sets are kept aside (Express reads back what it set), and before the first
 * byte of its body leaves (`write()`, `pipe()`, `end()`, `render()`, `sendFile()`),
 * status, type and headers are checked: a body the flushed 200 cannot carry is never
 * sent; the response ends on a page that forwards the browser (a redirect) or makes it
 * ask again, and everything the app writes after that is dropped.
 *
 * On Fastify the check sits here too, on the Node response (`reply.raw`), rather than in
 * an `onSend` hook: every way a reply carries a body meets here (`reply.send()` of a
 * string, a Buffer, a Node or web stream, a `Response`; `StreamableFile`; @fastify/static's
 * `sendFile()`/`download()`; writes on `reply.raw`; a hijacked reply), while `onSend` sees
 * only `reply.send()`, and Fastify refuses `addHook()` once it listens, which is before
 * the module sees its first request. What Fastify adds is headers it holds on the reply
 * and, once headers are sent, never gives the Node response when it pipes a stream: the
 * exchange hands them over as `heldHeaders`, read at the first byte.
 */
export function flushHeadersEarly(
  response: Response,
  headers: FlushedHeaders,
  hooks: FlushHooks,
  firstChunk: string = FLUSHED_FIRST_CHUNK,
): FlushedResponse {
  // The methods the guard will call underneath, read while the headers are not out, when
  // each read costs the least (the accessor's first test).
  const state = new FlushGuard(response, hooks);
  response.statusCode = 200;
  response.setHeader('Content-Type', FLUSHED_CONTENT_TYPE);
  response.setHeader('Link', headers.link);
  if (headers.debug) response.setHeader(headers.debug[0], headers.debug[1]);
  if (headers.disableProxyBuffering) response.setHeader('X-Accel-Buffering', 'no');
  // write() sends the headers with the padding in one packet (flushHeaders() first would
  // cost a second one). Node corks the socket until the next tick on a write; uncorking
  // now sends them at once, before a handler that fails at once can close the connection.
  response.write(firstChunk);
  response.socket?.uncork();
  (response as MaybeCompressed).flush?.();

  guard(response, state);
  return state;
}
