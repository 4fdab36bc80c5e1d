export { Http2PreloadModule } from './http2-preload.module.js';
export type { Http2PreloadOptions, PreloadCacheKey, ShellOptions } from './http2-preload-options.interface.js';
export {
  PRELOAD_MODE,
  type PreloadMode,
  type PreloadStrategy,
  type RoutePreloadStrategy,
} from './preload-vocabulary.js';
export { PreloadCollector } from './preload.collector.js';
export {
  NAVIGATION_MODES,
  PreloadMetrics,
  type NavigationMode,
  type PreloadMetricsSnapshot,
} from './preload.metrics.js';
export { NOT_EARLY_REASONS, type NotEarlyReason } from './preload-mode.js';
export { RETRY_CAUSES, type RetryCause } from './flush/index.js';
export { NoPreload } from './no-preload.decorator.js';
export { Shell } from './shell.decorator.js';
export {
  Conditional,
  ETag,
  LastModified,
  type ConditionalOptions,
  type EtagFunction,
  type LastModifiedFunction,
} from './conditional.decorator.js';
export { Preload, type PreloadDeclaration, type PreloadRouteOptions } from './preload.decorator.js';
export { registerPreloadHelper, type HandlebarsLike, type PreloadHelperOptions } from './handlebars.helper.js';
export type {
  PreloadAttributes,
  PreloadCrossOrigin,
  PreloadDestination,
  PreloadFetchPriority,
  PreloadHint,
  PreloadRel,
} from './preload-hint.interface.js';
export { MAX_HINT_URL_LENGTH } from './preload-hint.js';
