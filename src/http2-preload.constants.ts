/** Where the helper looks for an asset path that is neither absolute nor root-relative. */
export const DEFAULT_STATIC_PREFIX = '/static/';

/** Response header that tells which path a response took (`off`, `late` or `early`). */
export const DEFAULT_DEBUG_HEADER = 'x-http2-preload';

/** Injection token of the validated options, with every default filled in. */
export const HTTP2_PRELOAD_OPTIONS = Symbol('HTTP2_PRELOAD_OPTIONS');

/** RFC 9110 token: what a header name, or an unquoted header parameter value, may be made of. */
export const HTTP_TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Reflect-metadata key written by `@NoPreload()`. */
export const NO_PRELOAD_METADATA = 'nestjs-http2-preload:no-preload';

/** Reflect-metadata key written by `@Preload()`. */
export const PRELOAD_METADATA = 'nestjs-http2-preload:preload';

/** Default budget of the `Link` value the module adds, in bytes. */
export const DEFAULT_MAX_HEADER_BYTES = 2000;

/** How many routes' hints are remembered by default. */
export const DEFAULT_CACHE_SIZE = 1000;

/**
 * Key under which the interceptor leaves the request's render context in `res.locals`.
 * Express spreads `res.locals` into every template's root context, which is how the
 * Handlebars helper finds the current request without any global state. A registered
 * symbol, so that two copies of this package in one process still find each other.
 */
export const PRELOAD_RENDER_CONTEXT = Symbol.for('nestjs-http2-preload.render-context');

/**
 * Longest hint URL the module records, in UTF-16 code units (characters, for ASCII).
 * Real asset URLs are far shorter; a longer one is refused with a warning (the page
 * still renders), so that no request can make the module keep an arbitrary amount of
 * text. `@Preload()` refuses one at startup. Two links this long would not fit the
 * default `maxHeaderBytes` anyway.
 */
export const MAX_HINT_URL_LENGTH = 2048;

/**
 * Longest hint cache key: a longer one (a long path under `cacheKey: 'path'`, or what a
 * key function returned) is neither looked up nor remembered, so its request goes late.
 */
export const MAX_CACHE_KEY_LENGTH = 2048;

/**
 * Most the hint cache may hold, in estimated bytes of keys, URLs and their link texts,
 * whatever `cacheSize` says: least recently used entries are forgotten first.
 */
export const HINT_CACHE_MAX_BYTES = 4 * 1024 * 1024;

/** Most the per-URL caches of plain hints and their link texts may hold, in estimated bytes. */
export const PLAIN_HINT_CACHE_MAX_BYTES = 1024 * 1024;
