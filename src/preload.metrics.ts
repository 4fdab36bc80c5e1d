import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { RETRY_CAUSES, type RetryCause } from './flush/index.js';
import { NOT_EARLY_REASONS, type NotEarlyReason } from './preload-mode.js';

/**
 * How a page navigation's hints went: `early-flush` (flushed headers, or a HEAD that says
 * its GET would get them), `early-103` (a `103 Early Hints`), `late` (on the page's own
 * response), `off` (none: an error page, a page without hints, `@NoPreload()`).
 */
export const NAVIGATION_MODES = ['early-flush', 'early-103', 'late', 'off'] as const;

export type NavigationMode = (typeof NAVIGATION_MODES)[number];

/** What the module did, counted since the app started. */
export interface PreloadMetricsSnapshot {
  /** Page navigations (HTML answers to browsers' page requests) by how their hints went. */
  readonly navigations: Readonly<Record<NavigationMode, number>>;
  /** Requests that got nothing early, by why (see `notEarlyReason` in the README's Counts). */
  readonly notEarly: Readonly<Record<NotEarlyReason, number>>;
  /** Flushed responses that ended on a page of the module's (the page that asks again, or one that forwards), by cause. */
  readonly retryPages: Readonly<Record<RetryCause, number>>;
  /** Routes not flushed now because of what their responses showed (failures, headers a flush would lose). */
  readonly routesHeldBack: number;
}

/** The OpenTelemetry metrics API, as far as the counts use it (`@opentelemetry/api`, an optional peer). */
interface OtelObservable {
  readonly __observable?: never;
}
interface OtelBatchResult {
  observe(instrument: OtelObservable, value: number, attributes?: Record<string, string>): void;
}
interface OtelMeter {
  createObservableCounter(name: string, options: { description: string; unit?: string }): OtelObservable;
  createObservableUpDownCounter(name: string, options: { description: string; unit?: string }): OtelObservable;
  addBatchObservableCallback(callback: (result: OtelBatchResult) => void, instruments: OtelObservable[]): void;
}
interface OtelApi {
  metrics: { getMeter(name: string): OtelMeter };
}

function indexOf<T extends string>(names: readonly T[]): Readonly<Record<T, number>> {
  return Object.freeze(Object.fromEntries(names.map((name, index) => [name, index])) as Record<T, number>);
}

const MODE_INDEX = indexOf(NAVIGATION_MODES);
const REASON_INDEX = indexOf(NOT_EARLY_REASONS);
const CAUSE_INDEX = indexOf(RETRY_CAUSES);

function record<T extends string>(names: readonly T[], counts: Float64Array): Record<T, number> {
  return Object.fromEntries(names.map((name, index) => [name, counts[index]])) as Record<T, number>;
}

/**
 * The counts of what the module did: injectable (`constructor(private readonly
 * metrics: PreloadMetrics)`), read with `snapshot()` (a health endpoint, a test), and
 * exported through the OpenTelemetry metrics API when the app has `@opentelemetry/api`
 * (observable instruments read at each collection; without an SDK they are no-ops).
 * Counting is an increment in a preallocated array: nothing is allocated per request.
 */
@Injectable()
export class PreloadMetrics implements OnModuleInit {
  private readonly navigations = new Float64Array(NAVIGATION_MODES.length);
  private readonly notEarly = new Float64Array(NOT_EARLY_REASONS.length);
  private readonly retryPages = new Float64Array(RETRY_CAUSES.length);
  private heldBack = 0;

  /** A page navigation, by how its hints went. */
  countNavigation(mode: NavigationMode): void {
    this.navigations[MODE_INDEX[mode]] += 1;
  }

  /** A request that got nothing early, by why. */
  countNotEarly(reason: NotEarlyReason): void {
    this.notEarly[REASON_INDEX[reason]] += 1;
  }

  /** A flushed response that ended on a page of the module's, by cause. */
  countRetryPage(cause: RetryCause): void {
    this.retryPages[CAUSE_INDEX[cause]] += 1;
  }

  /** A route stopped (+1) or resumed (-1) flushing. */
  countRouteHeldBack(change: 1 | -1): void {
    this.heldBack += change;
  }

  /** The counts as plain objects, made when asked. */
  snapshot(): PreloadMetricsSnapshot {
    return {
      navigations: record(NAVIGATION_MODES, this.navigations),
      notEarly: record(NOT_EARLY_REASONS, this.notEarly),
      retryPages: record(RETRY_CAUSES, this.retryPages),
      routesHeldBack: this.heldBack,
    };
  }

  /** Registers the OpenTelemetry instruments, when the app has `@opentelemetry/api`; Nest awaits it at startup. */
  async onModuleInit(): Promise<void> {
    let api: OtelApi;
    try {
      api = (await import('@opentelemetry/api')) as unknown as OtelApi;
    } catch {
      return; // Not installed: nothing to export to.
    }
    try {
      this.observeWith(api.metrics.getMeter('nestjs-http2-preload'));
    } catch (error) {
      new Logger('Http2Preload').warn(`Could not register the OpenTelemetry counts: ${(error as Error).message}`);
    }
  }

  private observeWith(meter: OtelMeter): void {
    const navigations = meter.createObservableCounter('http2_preload.navigations', {
      description: 'Page navigations, by how their preload hints went (mode)',
    });
    const notEarly = meter.createObservableCounter('http2_preload.not_early', {
      description: 'Requests that got no hints early, by why (reason)',
    });
    const retryPages = meter.createObservableCounter('http2_preload.retry_pages', {
      description: "Flushed responses that ended on a page of the module's, by cause",
    });
    const heldBack = meter.createObservableUpDownCounter('http2_preload.routes_held_back', {
      description: 'Routes not flushed now because of what their responses showed',
    });
    // Attribute objects made once: a collection allocates nothing per count either.
    const modeAttributes = NAVIGATION_MODES.map((mode) => ({ mode }));
    const reasonAttributes = NOT_EARLY_REASONS.map((reason) => ({ reason }));
    const causeAttributes = RETRY_CAUSES.map((cause) => ({ cause }));
    meter.addBatchObservableCallback(
      (result) => {
        modeAttributes.forEach((attributes, i) => result.observe(navigations, this.navigations[i]!, attributes));
        reasonAttributes.forEach((attributes, i) => result.observe(notEarly, this.notEarly[i]!, attributes));
        causeAttributes.forEach((attributes, i) => result.observe(retryPages, this.retryPages[i]!, attributes));
        result.observe(heldBack, this.heldBack);
      },
      [navigations, notEarly, retryPages, heldBack],
    );
  }
}
