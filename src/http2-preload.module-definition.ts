import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { Http2PreloadOptions } from './http2-preload-options.interface.js';

/** Injection token of the validated options, with every default filled in. */
export const HTTP2_PRELOAD_OPTIONS = Symbol('HTTP2_PRELOAD_OPTIONS');

export const {
  ConfigurableModuleClass: ConfigurableHttp2PreloadModule,
  MODULE_OPTIONS_TOKEN: HTTP2_PRELOAD_RAW_OPTIONS,
  OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<Http2PreloadOptions>({ moduleName: 'Http2Preload' })
  .setClassMethodName('forRoot')
  // Always global: the interceptor is app-wide anyway, and PreloadCollector should be
  // injectable from any module without importing this one again.
  .setExtras({}, (definition) => ({ ...definition, global: true }))
  .build();
