import { readLocalsCspNonce } from './csp-nonce.js';
import type { ResolvedHttp2PreloadOptions } from './http2-preload-options.interface.js';
import { PRELOAD_STRATEGY } from './preload-vocabulary.js';

/** The debug header's name unless `debugHeader` says otherwise; the doctor reads it by this name too. */
export const DEFAULT_DEBUG_HEADER = 'x-http2-preload';

/**
 * What each option of `Http2PreloadModule.forRoot()` is when not given: the one source
 * of the defaults. The `@default` of each field in http2-preload-options.interface.ts
 * and the README's options table say the same (http2-preload-options.defaults.spec.ts
 * checks both).
 */
export const DEFAULT_OPTIONS: ResolvedHttp2PreloadOptions = Object.freeze({
  preloadHeaders: true,
  presendCachedHeaders: true,
  serverPush: false,
  staticPrefix: '/static/',
  debugHeader: DEFAULT_DEBUG_HEADER,
  strategy: PRELOAD_STRATEGY.flushHeaders,
  disableProxyBuffering: true,
  cacheKey: 'route',
  cacheSize: 1000,
  version: undefined,
  maxHeaderBytes: 2000,
  preloadRedirects: false,
  nonce: readLocalsCspNonce,
  sharedHintOrigins: Object.freeze([]),
  shell: false,
});
