import type { Http2PreloadOptions } from 'nestjs-http2-preload';
import type { FloorKind } from './floors.js';

/** The servers the benchmark compares; each runs in its own child process. */
export const VARIANTS = [
  'bare',
  'noop-interceptor',
  'floor-late',
  'floor-late-interceptor',
  'late',
  'floor-flush',
  'floor-flush-interceptor',
  'early-flush',
  'floor-flush-nonce',
  'early-flush-nonce',
  'floor-103',
  'floor-103-interceptor',
  'early-103',
  'netjet',
  'request-scoped',
] as const;

/** The module's modes that have a floor, and which floor each is measured against. */
export const FLOOR_OF = {
  late: 'floor-late',
  'early-flush': 'floor-flush',
  'early-flush-nonce': 'floor-flush-nonce',
  'early-103': 'floor-103',
} as const;
export type FlooredMode = keyof typeof FLOOR_OF;
export const FLOORED_MODES = Object.keys(FLOOR_OF) as FlooredMode[];

/** The server of the memory section, which only that section starts. */
export const MEMORY_VARIANT = 'memory-path-key';

/**
 * The same floors with their wire work in a global Nest interceptor instead of Express
 * middleware: where a hand-written Nest equivalent of the module would do it, as the
 * route is known there. Not judged by any target; they tell what any interceptor costs
 * from what the module itself does.
 */
export const INTERCEPTOR_FLOOR_OF = {
  late: 'floor-late-interceptor',
  'early-flush': 'floor-flush-interceptor',
  'early-103': 'floor-103-interceptor',
} as const;

/** The module mode a floor (middleware or interceptor) does the wire work of, and whose links it sends. */
export function modeOfFloor(name: string): FlooredMode | undefined {
  return FLOORED_MODES.find(
    (mode) => FLOOR_OF[mode] === name || (INTERCEPTOR_FLOOR_OF as Partial<Record<FlooredMode, string>>)[mode] === name,
  );
}

export type VariantName = (typeof VARIANTS)[number] | typeof MEMORY_VARIANT;

export interface Variant {
  readonly name: VariantName;
  /** What the results table says about it. */
  readonly description: string;
  /** `Http2PreloadModule.forRoot()` options, or undefined for an app without the module. */
  readonly module?: Http2PreloadOptions;
  /** Cloudflare's netjet middleware in front of the bare app. */
  readonly netjet?: boolean;
  /** A global interceptor that does nothing: what Nest itself charges any interceptor-based module. */
  readonly noopInterceptor?: boolean;
  /** The page controller injects `PreloadCollector`, which makes it request-scoped. */
  readonly requestScoped?: boolean;
  /** Hand-written middleware doing one mode's wire work with precomputed links (floors.ts). */
  readonly floor?: FloorKind;
  /** The floor's work runs in a global interceptor rather than in middleware before the router. */
  readonly floorInInterceptor?: boolean;
  /**
   * The app sets a Content-Security-Policy with a fresh nonce per request, as the sample
   * does (helmet, the nonce in `res.locals.cspNonce`, where the module's `nonce` option
   * reads it by default and the page's tags take it).
   */
  readonly nonce?: boolean;
  /**
   * Only the HTML route is measured: a floor's middleware is mounted on the pages only, so
   * on the JSON route it would be bare again, and the JSON target compares with noop-interceptor
   * (which a variant with the app's own CSP middleware would not be measured against either).
   */
  readonly htmlOnly?: boolean;
}

/** The memory section's bound; stated here so the report can show it next to the cache size. */
export const MEMORY_CACHE_SIZE = 1000;

const DEFINITIONS: Record<VariantName, Omit<Variant, 'name'>> = {
  bare: { description: 'NestJS + hbs, plain asset URLs, no module' },
  'noop-interceptor': {
    description: 'bare + a global interceptor that only calls `next.handle()`',
    noopInterceptor: true,
  },
  'floor-late': {
    description: "bare + hand-written middleware: precomputed `Link` set by `on-headers` (late mode's wire work)",
    floor: 'late',
    htmlOnly: true,
  },
  'floor-flush': {
    description: 'bare + hand-written middleware: 200, precomputed `Link` and `\\n` written before the route',
    floor: 'flush',
    htmlOnly: true,
  },
  'floor-flush-nonce': {
    description:
      "floor-flush on an app with the sample's per-request CSP nonce: the precomputed `Link` with the request's nonce worked in",
    floor: 'flush-nonce',
    nonce: true,
    htmlOnly: true,
  },
  'floor-103': {
    description: 'bare + hand-written middleware: precomputed `writeEarlyHints()` before the route, `Link` on the 200',
    floor: '103',
    htmlOnly: true,
  },
  'floor-late-interceptor': {
    description: 'floor-late, its work done in a global interceptor instead of middleware (not a target)',
    floor: 'late',
    floorInInterceptor: true,
    htmlOnly: true,
  },
  'floor-flush-interceptor': {
    description: 'floor-flush, its work done in a global interceptor instead of middleware (not a target)',
    floor: 'flush',
    floorInInterceptor: true,
    htmlOnly: true,
  },
  'floor-103-interceptor': {
    description: 'floor-103, its work done in a global interceptor instead of middleware (not a target)',
    floor: '103',
    floorInInterceptor: true,
    htmlOnly: true,
  },
  late: { description: 'module, `presendCachedHeaders: false`', module: { presendCachedHeaders: false } },
  'early-flush': { description: 'module, default strategy (flushed 200 headers)', module: {} },
  'early-flush-nonce': {
    description:
      "module, default strategy, on an app with the sample's per-request CSP nonce (helmet, `res.locals.cspNonce`)",
    module: {},
    nonce: true,
    htmlOnly: true,
  },
  'early-103': { description: "module, `strategy: 'earlyHints'` (103)", module: { strategy: 'earlyHints' } },
  netjet: { description: 'bare app + `netjet()` (parses the HTML output)', netjet: true },
  'request-scoped': {
    description: 'early-flush, page controller injects `PreloadCollector`',
    module: {},
    requestScoped: true,
  },
  [MEMORY_VARIANT]: {
    description: "early-flush, `cacheKey: 'path'`",
    module: { cacheKey: 'path', cacheSize: MEMORY_CACHE_SIZE },
  },
};

export function variant(name: string): Variant {
  if (!Object.hasOwn(DEFINITIONS, name)) throw new Error(`Unknown bench variant "${name}"`);
  return { name: name as VariantName, ...DEFINITIONS[name as VariantName] };
}
