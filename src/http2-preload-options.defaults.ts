import { readLocalsCspNonce } from './csp-nonce.js';
import type { ResolvedHttp2PreloadOptions } from './http2-preload-options.interface.js';
import { PRELOAD_STRATEGY } from './preload-vocabulary.js';

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
  debugHeader: 'x-http2-preload',
  strategy: PRELOAD_STRATEGY.flushHeaders,
  cacheKey: 'route',
  cacheSize: 1000,
  version: undefined,
  maxHeaderBytes: 2000,
  preloadRedirects: false,
  nonce: readLocalsCspNonce,
  sharedHintOrigins: Object.freeze([]),
  shell: false,
});
