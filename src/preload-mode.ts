import { preconditionsAllowEarly, type PreconditionFacts, type ValidatorHistory } from './conditional/index.js';
import {
  PRELOAD_MODE,
  PRELOAD_STRATEGY,
  type PreloadMode,
  type PreloadStrategy,
  type RoutePreloadStrategy,
} from './preload-vocabulary.js';

/** True for `text/html`, with or without parameters, in any letter case. */
export function isHtmlContentType(contentType: unknown): boolean {
  if (typeof contentType !== 'string') return false;
  const semicolon = contentType.indexOf(';');
  const mediaType = (semicolon < 0 ? contentType : contentType.slice(0, semicolon)).trim();
  return mediaType.toLowerCase() === 'text/html';
}

export interface ResponseAtHeaderTime {
  readonly statusCode: number;
  readonly contentType: unknown;
  /** `@NoPreload()` on the handler or its controller. */
  readonly optedOut: boolean;
  /** How many hints the request recorded. */
  readonly hintCount: number;
  /** A `103 Early Hints` already went out for this request. */
  readonly sentEarly: boolean;
}

/**
 * What a response gets when its headers are written: `late` (attach the links), `off`
 * (say so in the debug header), `early` (a 103 went before it), or undefined for
 * anything but HTML, which is left exactly as it is. Only successful pages are worth
 * hinting: an error page's assets are not what the next navigation needs.
 */
export function modeAtHeaderTime(response: ResponseAtHeaderTime): PreloadMode | undefined {
  if (!isHtmlContentType(response.contentType)) return undefined;
  if (response.sentEarly) return PRELOAD_MODE.early;
  return isSuccess(response.statusCode) && !response.optedOut && response.hintCount > 0
    ? PRELOAD_MODE.late
    : PRELOAD_MODE.off;
}

export function isSuccess(statusCode: number): boolean {
  return statusCode >= 200 && statusCode < 300;
}

/** The facts about a request, before its handler runs, that decide whether hints may go early. */
export interface RequestBeforeHandler {
  readonly method: string;
  /** `1.0`, `1.1`, `2.0`… */
  readonly httpVersion: string;
  /** The `Accept` header admits `text/html` (a missing header admits everything). */
  readonly acceptsHtml: boolean;
  /** The `Sec-Fetch-Mode` header, which browsers send; undefined when absent. */
  readonly secFetchMode: string | undefined;
  /**
   * Its preconditions (`If-None-Match`, `If-Modified-Since`, `If-Match`,
   * `If-Unmodified-Since`) and `Range`, and whether `@Conditional()` settled them
   * before the handler (conditional/revalidation.ts).
   */
  readonly preconditions: PreconditionFacts;
  /**
   * A session middleware is on the request whose cookie flushed headers could lose
   * (session-cookie.ts: one the module does not know, or one that writes its cookie
   * after the head and would have to here).
   */
  readonly sessionBlocksFlush: boolean;
  /** The browser's second try after a flushed response went wrong (see flush-recovery.ts). */
  readonly retry: boolean;
  /** The status already set on the response (`@HttpCode()` sets it before interceptors run). */
  readonly statusCode: number;
}

/** The facts about the route. */
export interface RouteBeforeHandler {
  /** `@NoPreload()` on the handler or its controller. */
  readonly optedOut: boolean;
  /** The route's `@Preload({ strategy })`, else the module's. */
  readonly strategy: RoutePreloadStrategy;
  /** Flushed headers may go: its responses have shown they stay as they are, or its declaration vouches for it. */
  readonly flushable: boolean;
  /** Its responses have shown it (flush-backoff.ts): its flushed responses check themselves, so nothing is left to compare. */
  readonly flushingLearnt: boolean;
  /** Its handler has answered only data (JSON, files) so far: it has nothing to learn about flushing pages. */
  readonly answersData: boolean;
  /** How many hints there are to send: cached or declared. */
  readonly hintCount: number;
  /** What its responses have shown about their validators: whether a revalidation of it may match (conditional/validator-memory.ts). */
  readonly validators: ValidatorHistory;
  /**
   * Why the route is not flushable, when its responses have shown something: its
   * handler sets headers a flush would lose, or its flushed responses fail too often
   * (flush-backoff.ts). Undefined: it has not shown anything yet.
   */
  readonly flushHeldBack?: 'sets-headers' | 'backoff';
}

/**
 * A browser navigation: only pages are worth hinting, and a `fetch()` or an API client
 * must never get a `103` or flushed HTML headers. Browsers send `Sec-Fetch-Mode`;
 * other clients are judged by their `Accept` header alone.
 */
export function isNavigation(request: RequestBeforeHandler): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  if (!request.acceptsHtml) return false;
  return request.secFetchMode === undefined || request.secFetchMode === 'navigate';
}

/**
 * How the route's hints go out before its handler runs: a strategy, `announce` (a HEAD
 * whose GET would be flushed: its response says `early`, as the GET's would), or
 * undefined when they wait for the response (`late`).
 *
 * A conditional or range request gets nothing early while it may still end in a 304,
 * 412 or 206, which no hint belongs on: unless `@Conditional()` settled it with
 * validators the module owns, or it revalidates a route whose validators have never
 * repeated (conditional/revalidation.ts). Neither
 * does the retry of a page that went wrong after a flush. Flushed headers commit the
 * response, so they are sent only when nothing the handler could still decide is at
 * stake: a GET (a HEAD has no body to stream after them), a status still at 200, no
 * session whose cookie the flush could lose (session-cookie.ts), and a route whose
 * responses have shown it answers the same way late (flush-backoff.ts).
 * A 103 commits nothing, but RFC 9110 forbids 1xx responses to HTTP/1.0 clients.
 */
export function chooseEarlyStrategy(
  request: RequestBeforeHandler,
  route: RouteBeforeHandler,
  presendCachedHeaders: boolean,
): PreloadStrategy | 'announce' | undefined {
  if (!presendCachedHeaders || route.optedOut || route.hintCount === 0 || !isNavigation(request)) return undefined;
  if (request.retry || !preconditionsAllowEarly(request.preconditions, route.validators)) return undefined;
  switch (route.strategy) {
    case PRELOAD_STRATEGY.flushHeaders: {
      const safe = request.statusCode === 200 && !request.sessionBlocksFlush && route.flushable;
      if (!safe) return undefined;
      return request.method === 'GET' ? PRELOAD_STRATEGY.flushHeaders : 'announce';
    }
    case PRELOAD_STRATEGY.earlyHints:
      return request.httpVersion === '1.0' ? undefined : PRELOAD_STRATEGY.earlyHints;
    default:
      return undefined;
  }
}

/** What to do before a request's handler runs. */
export interface BeforeHandlerPlan {
  /** How the hints go out before the handler (see chooseEarlyStrategy); undefined: late. */
  readonly early: PreloadStrategy | 'announce' | undefined;
  /**
   * If the response goes late, compare the handler's headers before it runs and when
   * they are written: a GET of a route that uses flushed headers but has not yet shown
   * it may be flushed, as flushing would lose what its handler sets. (A flushed response
   * checks itself, in flushed-response.ts.)
   */
  readonly compareHeaders: boolean;
  /** Why nothing goes early (notEarlyReason); undefined when something does. */
  readonly notEarly: NotEarlyReason | undefined;
}

/** The whole decision before the handler: what goes early, and what to watch for the route's learning. */
export function planBeforeHandler(
  request: RequestBeforeHandler,
  route: RouteBeforeHandler,
  presendCachedHeaders: boolean,
): BeforeHandlerPlan {
  const early = chooseEarlyStrategy(request, route, presendCachedHeaders);
  // A retry's answer was learnt from already, when its flush failed; a request its
  // session keeps from being flushed shows nothing about the route's other requests.
  const compareHeaders =
    request.method === 'GET' &&
    !request.retry &&
    !request.sessionBlocksFlush &&
    presendCachedHeaders &&
    !route.optedOut &&
    route.strategy === PRELOAD_STRATEGY.flushHeaders &&
    !route.flushingLearnt &&
    !route.answersData;
  const notEarly = early === undefined ? notEarlyReason(request, route, presendCachedHeaders) : undefined;
  return { early, compareHeaders, notEarly };
}

/**
 * Why a request gets nothing early, as the counts (preload.metrics.ts) name it:
 * - `opted-out`: `@NoPreload()`, `@Preload({ strategy: 'late' })`, `presendCachedHeaders: false`;
 * - `not-navigation`: not a browser's page navigation (a `fetch()`, a POST, an API client);
 * - `not-learnt`: the route has no hints yet, or has not yet shown it may be flushed;
 * - `retry`: the browser's second try after a flushed response went wrong;
 * - `conditional`: a revalidation or range request;
 * - `sets-headers`: the handler sets a status or headers a flush would lose;
 * - `session`: a session whose cookie a flush could lose (session-cookie.ts);
 * - `backoff`: the route's flushed responses fail too often (flush-backoff.ts);
 * - `http-1.0`: a `103` for a client that must not get one.
 */
export const NOT_EARLY_REASONS = [
  'opted-out',
  'not-navigation',
  'not-learnt',
  'retry',
  'conditional',
  'sets-headers',
  'session',
  'backoff',
  'http-1.0',
] as const;

export type NotEarlyReason = (typeof NOT_EARLY_REASONS)[number];

/** The first rule of chooseEarlyStrategy() that kept the request from going early (a request that is no navigation first). */
export function notEarlyReason(
  request: RequestBeforeHandler,
  route: RouteBeforeHandler,
  presendCachedHeaders: boolean,
): NotEarlyReason {
  if (!isNavigation(request)) return 'not-navigation';
  if (!presendCachedHeaders || route.optedOut || route.strategy === PRELOAD_STRATEGY.late) return 'opted-out';
  if (route.hintCount === 0) return 'not-learnt';
  if (request.retry) return 'retry';
  if (!preconditionsAllowEarly(request.preconditions, route.validators)) return 'conditional';
  if (route.strategy === PRELOAD_STRATEGY.earlyHints) return request.httpVersion === '1.0' ? 'http-1.0' : 'not-learnt';
  if (request.statusCode !== 200) return 'sets-headers';
  if (request.sessionBlocksFlush) return 'session';
  return route.flushHeldBack ?? 'not-learnt';
}

/** What the interceptor knows when a response's headers are written. */
export interface HeaderTimeFacts extends ResponseAtHeaderTime {
  readonly method: string;
  /** Headers the handler set while it ran, when they were compared (a route learning whether to flush). */
  readonly setByHandler: readonly string[] | undefined;
}

/** What to do with a response whose headers are being written. */
export interface HeaderTimeResult {
  /** The debug header's value; undefined leaves the response exactly as it is. */
  readonly mode: PreloadMode | undefined;
  /** Put the page's links on it. */
  readonly addLinks: boolean;
  /** Remember the page's hints for the route's next requests. */
  readonly remember: boolean;
  /** What the response showed about flushing the route (flush-backoff.ts). */
  readonly flushEvent: 'clean-late' | 'headers-late' | 'failed-late' | undefined;
}

/**
 * The late step, decided as a whole: a successful HTML page gets its links, is
 * remembered (GET only), and tells whether its handler set headers that flushing
 * would lose; anything else is left alone or only labelled.
 */
export function resultAtHeaderTime(facts: HeaderTimeFacts): HeaderTimeResult {
  const mode = modeAtHeaderTime(facts);
  const page = mode !== undefined && isSuccess(facts.statusCode) && !facts.optedOut;
  return {
    mode,
    addLinks: page && facts.hintCount > 0,
    remember: page && facts.method === 'GET',
    flushEvent: lateFlushEvent(facts, mode, page),
  };
}

/**
 * What a late response whose headers were compared shows about flushing its route
 * (flush-backoff.ts): a clean page, a page whose handler set headers a flush would lose,
 * or an HTML answer a flushed 200 could not carry (an error page, a redirect).
 */
function lateFlushEvent(
  facts: HeaderTimeFacts,
  mode: PreloadMode | undefined,
  page: boolean,
): HeaderTimeResult['flushEvent'] {
  if (facts.setByHandler === undefined || mode === undefined) return undefined;
  if (!page) return facts.optedOut ? undefined : 'failed-late';
  return facts.setByHandler.length === 0 ? 'clean-late' : 'headers-late';
}
