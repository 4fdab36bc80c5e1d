/**
 * The words the module, its options, `@Preload()` and the decisions share: the
 * strategies and the modes. The types are derived from the lists, so that a value
 * added here is accepted by the options and the decorator, and named in their errors.
 */

/**
 * How cached hints are sent before the handler runs. `late` (a route setting only)
 * means never before the handler: the hints go on the response.
 */
export const PRELOAD_STRATEGY = {
  flushHeaders: 'flushHeaders',
  earlyHints: 'earlyHints',
  late: 'late',
} as const;

/** The strategies the module's `strategy` option accepts. */
export const MODULE_STRATEGIES = [PRELOAD_STRATEGY.flushHeaders, PRELOAD_STRATEGY.earlyHints] as const;

/** The strategies `@Preload({ strategy })` accepts: the module's, and `late`. */
export const ROUTE_STRATEGIES = [...MODULE_STRATEGIES, PRELOAD_STRATEGY.late] as const;

/**
 * How a route's cached hints go out before its handler runs:
 * - `flushHeaders`: a `200` with the `Link` header is flushed at once, followed by 512
 *   bytes of whitespace (for WebKit); the handler's page streams after it. Works through
 *   every proxy, but the handler can no longer change the status or headers (see the
 *   README's safety rules).
 * - `earlyHints`: a `103 Early Hints` response carries the links and commits nothing.
 *   Browsers use it only over HTTP/2 or HTTP/3, and some proxies (nginx before 1.29)
 *   turn it into a failed page load.
 */
export type PreloadStrategy = (typeof MODULE_STRATEGIES)[number];

/** A route's strategy: one of the module's, or `late` to never send its hints before the handler. */
export type RoutePreloadStrategy = (typeof ROUTE_STRATEGIES)[number];

/** Values of the debug header: which path an HTML response took. */
export const PRELOAD_MODE = {
  off: 'off',
  late: 'late',
  early: 'early',
} as const;

export type PreloadMode = (typeof PRELOAD_MODE)[keyof typeof PRELOAD_MODE];
