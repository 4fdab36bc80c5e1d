import { isHtmlContentType } from '../preload-mode.js';
import { repeatsRequestCookies } from '../session-cookie.js';
import { forwardingUrl } from './redirect-page.js';

/** A header value as Node's `OutgoingMessage` holds it. */
export type HeaderValue = number | string | readonly string[];

function firstValue(value: HeaderValue | undefined): string | undefined {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value[0] : String(value);
}

/**
 * The shape of the ETag Express computes from the body on `res.send()` (the `etag`
 * package: length in hex, then 27 characters of a base64 SHA-1), weak or strong: told
 * by its shape, since hashing the body again would cost what Express already paid.
 */
const EXPRESS_ETAG = /^(W\/)?"[0-9a-f]+-[A-Za-z0-9+/]{27}"$/;

export function looksLikeExpressEtag(value: HeaderValue | undefined): boolean {
  return EXPRESS_ETAG.test(firstValue(value) ?? '');
}

/**
 * Headers a page may set after its headers were flushed without anything being lost:
 * Express sets them on every `res.send()`, and the flushed response already says the
 * same (a chunked HTML body) or does not need them (a body hash, which only saves a
 * revalidation). An ETag the handler chose is not harmless: revalidation depends on it.
 */
function isHarmlessToDrop(name: string, value: HeaderValue | undefined, requestCookie?: string): boolean {
  switch (name) {
    case 'set-cookie':
      // A session middleware's refresh of the very cookie the browser sent (repeatsRequestCookies).
      return repeatsRequestCookies(value, requestCookie);
    case 'content-length':
      return true;
    case 'etag':
      return looksLikeExpressEtag(value);
    case 'content-type':
      // The flushed header promised UTF-8 HTML; another charset would be decoded wrongly.
      return isHtmlContentType(value) && /^[^;]*(;\s*charset="?utf-8"?\s*)?$/i.test(firstValue(value) ?? '');
    default:
      return false;
  }
}

/** The headers, by lower-case name, that a page set too late to be sent. */
export function droppedHeaderNames(lateHeaders: ReadonlyMap<string, HeaderValue>, requestCookie?: string): string[] {
  return [...lateHeaders]
    .filter(([name, value]) => !isHarmlessToDrop(name, value, requestCookie))
    .map(([name]) => name);
}

/**
 * The headers a handler (or its template) set or changed while it ran, from snapshots
 * taken before it ran and when the headers were written: what flushed headers would
 * have lost.
 */
export function headersSetByHandler(
  before: Readonly<Record<string, HeaderValue | undefined>>,
  after: Readonly<Record<string, HeaderValue | undefined>>,
  requestCookie?: string,
): string[] {
  const changed = new Map<string, HeaderValue>();
  for (const [name, value] of Object.entries(after)) {
    if (value !== undefined && !sameHeaderValue(before[name], value)) changed.set(name, value);
  }
  return droppedHeaderNames(changed, requestCookie);
}

function sameHeaderValue(a: HeaderValue | undefined, b: HeaderValue): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => item === b[i]);
  return a === b || (a !== undefined && !Array.isArray(a) && !Array.isArray(b) && String(a) === String(b));
}

const REDIRECT_BODY_HEADERS: ReadonlySet<string> = new Set(['location', 'content-type', 'vary']);

/** What the handler did to a response whose headers (a 200, UTF-8 HTML) were flushed before it ran, seen at its first body byte. */
export interface ResponseAfterFlush {
  /** The status the handler set; the client got 200. */
  readonly statusCode: number;
  /**
   * Headers set after the flush, by lower-case name (with those the platform still holds).
   * Without a `content-type` among them, the body has no type of its own.
   */
  readonly lateHeaders: ReadonlyMap<string, HeaderValue>;
  /** Whether the response ends here without a single body byte. */
  readonly emptyBody: boolean;
  /** A header that was flushed, by lower-case name: setting one again to the same value loses nothing. */
  readonly flushedHeader?: (name: string) => HeaderValue | undefined;
  /** The request's `Cookie` header: a late `Set-Cookie` that only repeats it loses nothing. */
  readonly requestCookie?: string;
  /** What the handler did to the request's session that needs a cookie the flushed head did not carry (session-cookie.ts). */
  readonly sessionProblem?: string;
}

export interface AfterFlushOutcome {
  /**
   * `send`: the body is what the app meant; let it through. `forward`: the handler
   * redirected: end with a page that sends the browser to `location` (the handler's, as
   * `forwardingUrl()` writes it). `recover`: the app answered something the flushed 200
   * cannot carry: end with a page that makes the browser ask again, marked so that the
   * retry is answered late, as the app means it.
   */
  readonly action: 'send' | 'forward' | 'recover';
  readonly location?: string;
  /** What went wrong, for the log; undefined for `send`. */
  readonly problem?: string;
  /** What went wrong, for the counts (preload.metrics.ts); undefined for `send`, `failed` when not told. */
  readonly cause?: RetryCause;
}

/**
 * Why a flushed response ended on a page of the module's: the handler answered another
 * status, redirected, answered something that is not HTML, set a header the flush could
 * not carry, needed a session cookie the flush did not carry, answered no body, or threw.
 */
export const RETRY_CAUSES = ['status', 'redirect', 'not-html', 'headers', 'session', 'empty', 'failed'] as const;

export type RetryCause = (typeof RETRY_CAUSES)[number];

/**
 * Decides, before the first byte of the handler's body leaves, whether that body may
 * follow the flushed headers. Anything the client would get differently from a late
 * response (a status, a type, a header) is not sent under the flushed 200.
 */
export function afterFlushOutcome(response: ResponseAfterFlush): AfterFlushOutcome {
  const { statusCode, flushedHeader } = response;
  // Fastify hands every header to writeHead() when it sends, those flushed included.
  const lateHeaders = new Map<string, HeaderValue>();
  for (const [name, value] of response.lateHeaders) {
    if (flushedHeader === undefined || !sameHeaderValue(flushedHeader(name), value)) lateHeaders.set(name, value);
  }
  const dropped = droppedHeaderNames(lateHeaders, response.requestCookie);
  // Before a redirect too: a login that forwards would otherwise lose its new session.
  if (response.sessionProblem !== undefined)
    return {
      action: 'recover',
      problem: `${response.sessionProblem}, whose cookie the flushed headers did not carry`,
      cause: 'session',
    };
  const location = firstValue(lateHeaders.get('location'));
  if (statusCode >= 300 && statusCode < 400 && location) {
    // res.redirect() sets these for its own little body, which the forwarding page replaces.
    const alsoDropped = dropped.filter((name) => !REDIRECT_BODY_HEADERS.has(name));
    // A forwarding page is a link the user may follow: only to an http(s) URL, as the browser will read it.
    const target = forwardingUrl(location);
    if (target !== undefined && alsoDropped.length === 0) {
      return {
        action: 'forward',
        location: target,
        problem: `redirected (${statusCode}) to ${location}`,
        cause: 'redirect',
      };
    }
    const why = alsoDropped.length > 0 ? `setting ${alsoDropped.join(', ')}` : 'to a URL no page may link to';
    return { action: 'recover', problem: `redirected (${statusCode}) ${why}`, cause: 'redirect' };
  }
  if (statusCode !== 200) return { action: 'recover', problem: `answered ${statusCode}`, cause: 'status' };
  const contentType = lateHeaders.get('content-type');
  if (contentType !== undefined && !isHtmlContentType(contentType)) {
    return { action: 'recover', problem: `answered ${firstValue(contentType)} instead of HTML`, cause: 'not-html' };
  }
  if (dropped.length > 0)
    return {
      action: 'recover',
      problem: `set ${dropped.join(', ')}, which the flushed headers did not carry`,
      cause: 'headers',
    };
  // A body of no declared type (a file piped in, an untyped stream) would go out as the
  // flushed HTML: a text file with a <script> in it would run as a page of the site.
  // (Declared: set after the flush, even to the flushed value, which the filter above drops.)
  if (!response.lateHeaders.has('content-type') && !response.emptyBody)
    return { action: 'recover', problem: 'sent a body without a Content-Type', cause: 'not-html' };
  if (response.emptyBody) return { action: 'recover', problem: 'answered with an empty body', cause: 'empty' };
  return { action: 'send' };
}

/** How a handler's exception counts (preload.metrics.ts): an HTTP status, or a failure. */
export function failureCauseOf(error: unknown): RetryCause {
  return typeof (error as { getStatus?: unknown } | null)?.getStatus === 'function' ? 'status' : 'failed';
}

/** How a handler's exception reads in a warning: `answered 404 (No user 9)`, `failed (database down)`. */
export function failureOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const status = (error as { getStatus?: () => unknown } | null)?.getStatus?.();
  return typeof status === 'number' ? `answered ${status} (${message})` : `failed (${message})`;
}
