import { Injectable, Logger } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { createHash } from 'node:crypto';
import type { PreloadAttributes, PreloadHint } from './preload-hint.interface.js';
import { isPlainCall, normalizeHint } from './preload-hint.js';
import type { RoutePlainHints } from './route-plain-hints.js';
import { sharedAcrossCopies } from './shared-across-copies.js';
import { unsafeUrlReason } from './link/index.js';

const logger = new Logger('Http2Preload');

/**
 * URLs already warned about, so that a page rendered a million times warns once, not a
 * million times. Kept as digests: a refused URL may be megabytes long.
 */
const warnedUrls = sharedAcrossCopies('warnedUrls', () => new LRUCache<string, true>({ max: 100 }));

function warnSkipped(url: string, reason: string): void {
  const digest = createHash('sha256').update(url).digest('base64');
  if (warnedUrls.has(digest)) return;
  warnedUrls.set(digest, true);
  // JSON-quoted and cut short: the URL may come from a request, and must not forge log lines.
  const shown = JSON.stringify(url.length > 200 ? `${url.slice(0, 200)}…` : url);
  logger.warn(`Not preloading ${shown}: ${reason}.`);
}

/**
 * The assets one request wants preloaded. The template helper records into it while
 * the page renders; a service may inject it (it is request-scoped) and add hints of
 * its own. The interceptor reads it when the response headers are written.
 */
@Injectable()
class LocalPreloadCollector {
  private readonly hints = new Map<string, PreloadHint>();
  private redirectPreloadSkipped = false;
  /** The plain hints the request's route has recorded before, when the module works on the request. */
  private routeHints: RoutePlainHints | undefined;

  /**
   * The collector of an Express request, for code that has the request but cannot
   * inject a request-scoped provider (a singleton controller using `@Req()`).
   */
  static of(request: object): PreloadCollector {
    return collectorFor(request);
  }

  /**
   * Records a URL to preload. `as` is inferred from the extension when left out, and
   * fonts get `crossorigin` by default. Recording a URL twice keeps the first hint.
   * Throws a `TypeError` for an empty URL or an attribute browsers would not accept.
   * A URL that no preload could safely carry (a control character, a `javascript:` or
   * `data:` scheme) is skipped with a warning, so the page still renders.
   */
  add(url: string, attributes?: PreloadAttributes): this {
    if (this.hints.has(url)) return this;
    const plain = isPlainCall(attributes);
    // The helper's usual call, for a URL the route has recorded before: its hint was
    // worked out and its URL found safe then (the same URL gives the same hint).
    const known = plain ? this.routeHints?.get(url) : undefined;
    if (known !== undefined) {
      this.hints.set(url, known);
      return this;
    }
    const hint = normalizeHint(url, attributes);
    const unsafe = unsafeUrlReason(url);
    if (unsafe !== undefined) {
      warnSkipped(url, unsafe);
      return this;
    }
    this.hints.set(url, hint);
    if (plain) this.routeHints?.keep(hint);
    return this;
  }

  /**
   * Used by the module as it starts on a request (not meant for apps): the plain hints
   * the request's route has recorded before, which `add()` checks first and adds to.
   */
  useRouteHints(routeHints: RoutePlainHints): void {
    this.routeHints = routeHints;
  }

  /**
   * Used by the module as it starts on a request (not meant for apps): the route's
   * `@Preload()` hints, checked and frozen when the decorator ran. Recorded as they are,
   * so that every request of the route carries the same hint objects, and the `Link`
   * text made from them is reused (link/formatted-once.ts) instead of made again.
   */
  addDeclared(hints: readonly PreloadHint[]): void {
    for (const hint of hints) if (!this.hints.has(hint.url)) this.hints.set(hint.url, hint);
  }

  /** The recorded hints, in the order they were first recorded. */
  entries(): PreloadHint[] {
    return [...this.hints.values()];
  }

  /** How many distinct URLs were recorded. */
  get size(): number {
    return this.hints.size;
  }

  /**
   * With `preloadRedirects` on, keeps this response's redirect from carrying a preload
   * of its target: for a redirect the browser will not follow at once, such as one
   * to a page that differs per user.
   */
  skipRedirectPreload(): this {
    this.redirectPreloadSkipped = true;
    return this;
  }

  /** Whether `skipRedirectPreload()` was called for this response. */
  get redirectPreloadWanted(): boolean {
    return !this.redirectPreloadSkipped;
  }
}

// Nest names a class in its messages ("Nest can't resolve PreloadCollector…").
Object.defineProperty(LocalPreloadCollector, 'name', { value: 'PreloadCollector' });

/**
 * The class users inject. One per process even when both the ESM and the CommonJS
 * build load: it is Nest's DI token, so a service importing it from one build must
 * get what the module of the other build provides.
 */
export const PreloadCollector: typeof LocalPreloadCollector = sharedAcrossCopies(
  'PreloadCollector',
  () => LocalPreloadCollector,
);
export type PreloadCollector = LocalPreloadCollector;

/** One map for both builds, so a request has one collector whichever build asks. */
const collectors = sharedAcrossCopies('collectors', () => new WeakMap<object, PreloadCollector>());

/**
 * The one collector of a request, created on first use. Keyed by the request object,
 * so the request-scoped provider, the singleton interceptor and the helper all see
 * the same instance without making anything else request-scoped.
 *
 * Outside a request there is nothing to key by: `moduleRef.resolve()` or a testing
 * module without HTTP gives the request-scoped provider `undefined` as its request.
 * It then gets a detached collector of its own, which records as usual and is sent
 * nowhere, so code that injects it can be unit-tested.
 */
export function collectorFor(request: unknown): PreloadCollector {
  if (request === null || (typeof request !== 'object' && typeof request !== 'function')) {
    return new PreloadCollector();
  }
  let collector = collectors.get(request);
  if (!collector) {
    collector = new PreloadCollector();
    collectors.set(request, collector);
  }
  return collector;
}
