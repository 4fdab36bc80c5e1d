import {
  Inject,
  Logger,
  Module,
  Optional,
  Scope,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { EventEmitter } from 'node:events';
import { APP_INTERCEPTOR, HttpAdapterHost, ModulesContainer, REQUEST } from '@nestjs/core';
import {
  ConfigurableHttp2PreloadModule,
  HTTP2_PRELOAD_OPTIONS,
  HTTP2_PRELOAD_RAW_OPTIONS,
  OPTIONS_TYPE,
} from './http2-preload.module-definition.js';
import type { ResolvedHttp2PreloadOptions } from './http2-preload-options.interface.js';
import { resolveOptions } from './http2-preload-options.validation.js';
import { PreloadCache } from './preload.cache.js';
import { collectorFor, PreloadCollector } from './preload.collector.js';
import { PreloadEmitter } from './preload.emitter.js';
import { ShellRenderer } from './shell/index.js';
import { PreloadInterceptor } from './preload.interceptor.js';
import { PreloadMetrics } from './preload.metrics.js';
import { takeRetryMarkerFirstOn } from './flush/index.js';
import { RouteLearning } from './route-learning.js';
import { useStaticPrefixOutsideRequests } from './preload-render-context.js';
import { assertImportedOnce, HTTP2_PRELOAD_MODULE_MARK } from './single-import.js';
import { watchStaticPrefix } from './static-prefix.watch.js';

/**
 * `imports: [Http2PreloadModule.forRoot({ ... })]` (or `forRootAsync`) in the root module.
 * Global: registers the preload interceptor app-wide and exports `PreloadCollector` and `PreloadMetrics`.
 */
@Module({
  providers: [
    // Validation happens here, so forRoot and forRootAsync fail the same way at bootstrap.
    { provide: HTTP2_PRELOAD_OPTIONS, inject: [HTTP2_PRELOAD_RAW_OPTIONS], useFactory: resolveOptions },
    PreloadCache,
    RouteLearning,
    PreloadEmitter,
    PreloadMetrics,
    ShellRenderer,
    { provide: APP_INTERCEPTOR, useClass: PreloadInterceptor },
    // Request-scoped, but the instance lives on the request object, so it is the same one
    // the singleton interceptor and the template helper see.
    { provide: PreloadCollector, scope: Scope.REQUEST, inject: [REQUEST], useFactory: collectorFor },
  ],
  exports: [PreloadCollector, PreloadMetrics],
})
export class Http2PreloadModule
  extends ConfigurableHttp2PreloadModule
  implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown
{
  /** `forRoot()` with no argument takes every default. */
  static override forRoot(options: typeof OPTIONS_TYPE = {}): DynamicModule {
    return super.forRoot(options);
  }

  /** Found by `assertImportedOnce()` whichever build (ESM or CommonJS) this class comes from. */
  static readonly [HTTP2_PRELOAD_MODULE_MARK] = true;

  /** Withdraws this app's prefix for templates rendered outside a request; set while the app runs. */
  private withdrawStaticPrefix: (() => void) | undefined;
  /** Removes the server hook that takes the retry marker off requests; set while the app runs. */
  private releaseRetryMarker: (() => void) | undefined;

  /** Ends the watch for a `staticPrefix` the app does not serve (static-prefix.watch.ts). */
  private stopStaticPrefixWatch: (() => void) | undefined;

  constructor(
    @Inject(HTTP2_PRELOAD_OPTIONS) private readonly options: ResolvedHttp2PreloadOptions,
    modules: ModulesContainer,
    @Optional() private readonly adapterHost?: HttpAdapterHost,
  ) {
    super();
    // At bootstrap (NestFactory.create(), a testing module's compile()), with a message
    // that says where it is imported, rather than doubled links later. Only a check:
    // the process-wide state is touched in the lifecycle hooks below.
    assertImportedOnce(modules);
  }

  /**
   * A global module's init hook runs before those of the app's own modules, so a
   * template they render outside a request (an e-mail at startup) already gets the prefix.
   * The retry marker is taken off at the server, in front of all middleware: the app's
   * server exists from `NestFactory.create()`, and takes requests only after `listen()`.
   */
  onModuleInit(): void {
    this.withdrawStaticPrefix ??= useStaticPrefixOutsideRequests(this.options.staticPrefix);
    this.releaseRetryMarker ??= takeRetryMarkerFirstOn(this.adapterHost?.httpAdapter);
  }

  /** Never silently nothing: on a platform the module does not know, say so once, at startup. */
  onApplicationBootstrap(): void {
    const type = this.adapterHost?.httpAdapter?.getType?.();
    if (type !== undefined && type !== 'express' && type !== 'fastify') {
      new Logger('Http2Preload').warn(
        `The HTTP platform is "${type}": nestjs-http2-preload works on Express and Fastify only, and passes this app's requests through untouched.`,
      );
    }
    // Files served at '/' while the helper writes '/static/…' 404 without a word: say so once.
    const server: unknown = type === undefined ? undefined : this.adapterHost?.httpAdapter?.getHttpServer?.();
    if (server instanceof EventEmitter) {
      this.stopStaticPrefixWatch = watchStaticPrefix(server, this.options.staticPrefix, (message) =>
        new Logger('Http2Preload').warn(message),
      );
    }
  }

  /**
   * The last hook of `app.close()` (a global module's shutdown hook runs after the app's
   * own modules'), so templates they render while shutting down still get the prefix;
   * after it, the previous app's prefix or the default applies again.
   */
  onApplicationShutdown(): void {
    this.withdrawStaticPrefix?.();
    this.withdrawStaticPrefix = undefined;
    this.stopStaticPrefixWatch?.();
    this.stopStaticPrefixWatch = undefined;
    this.releaseRetryMarker?.();
    this.releaseRetryMarker = undefined;
  }
}
