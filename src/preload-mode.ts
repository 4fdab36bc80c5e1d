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
  /** A session middleware (`express-session`, `cookie-session`) is on the request: it writes its cookie with the headers. */
  readonly hasSession: boolean;
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
 * session middleware that would write its cookie at the flush, and a route whose
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
      const safe = request.statusCode === 200 && !request.hasSession && route.flushable;
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
}

/** The whole decision before the handler: what goes early, and what to watch for the route's learning. */
export function planBeforeHandler(
  request: RequestBeforeHandler,
  route: RouteBeforeHandler,
  presendCachedHeaders: boolean,
): BeforeHandlerPlan {
  const early = chooseEarlyStrategy(request, route, presendCachedHeaders);
  const compareHeaders =
    request.method === 'GET' &&
    presendCachedHeaders &&
    !route.optedOut &&
    route.strategy === PRELOAD_STRATEGY.flushHeaders &&
    !route.flushingLearnt &&
    !route.answersData;
  return { early, compareHeaders };
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
  readonly flushEvent: 'clean-late' | 'headers-late' | undefined;
}

/**
 * The late step, decided as a whole: a successful HTML page gets its links, is
 * remembered (GET only), and tells whether its handler set headers that flushing
 * would lose; anything else is left alone or only labelled.
 */
export function resultAtHeaderTime(facts: HeaderTimeFacts): HeaderTimeResult {
  const mode = modeAtHeaderTime(facts);
  const page = mode !== undefined && isSuccess(facts.statusCode) && !facts.optedOut;
  const learnt = page && facts.setByHandler !== undefined;
  return {
    mode,
    addLinks: page && facts.hintCount > 0,
    remember: page && facts.method === 'GET',
    flushEvent: !learnt ? undefined : facts.setByHandler!.length === 0 ? 'clean-late' : 'headers-late',
  };
}
