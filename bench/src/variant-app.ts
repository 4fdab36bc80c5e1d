/**
 * One benchmark server, started by run.ts as a child process (`node variant-app.js <variant>`),
 * so that the load generator never shares its event loop. It listens on an ephemeral
 * loopback port, says so over IPC, and answers `stats` requests with its own memory figures.
 */
import 'reflect-metadata';
import {
  Injectable,
  Module,
  type CallHandler,
  type DynamicModule,
  type ExecutionContext,
  type NestInterceptor,
  type Provider,
  type Type,
} from '@nestjs/common';
import type { Request, RequestHandler, Response } from 'express';
import { APP_INTERCEPTOR, ModulesContainer, NestFactory } from '@nestjs/core';
import type { Observable } from 'rxjs';
import type { NestExpressApplication } from '@nestjs/platform-express';
import hbs from 'hbs';
import netjet from 'netjet';
import { Http2PreloadModule, registerPreloadHelper } from 'nestjs-http2-preload';
import type { AddressInfo } from 'node:net';
import { useNonceContentSecurityPolicy } from '../../sample/src/content-security-policy.js';
import { defaultFloorLinks, FLOOR_PATHS, floorMiddleware, type FloorLinks } from './floors.js';
import { benchPath } from './paths.js';
import type { ChildMessage, ParentMessage, ServerStats } from './ipc.js';
import { OtherPagesController, PageController, ScopedPageController, StatusController } from './page.controllers.js';
import { variant, type Variant } from './variants.js';

const VIEWS = benchPath('views') + '/';

@Module({})
class BenchAppModule {}

/** Does nothing: with one global interceptor Nest runs every handler through an RxJS pipeline. */
@Injectable()
class PassThroughInterceptor implements NestInterceptor {
  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle();
  }
}

/** A floor's wire work where a hand-written Nest equivalent of the module would do it: in a global interceptor, on the pages. */
class FloorInterceptor implements NestInterceptor {
  constructor(private readonly work: RequestHandler) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const request = http.getRequest<Request>();
    if (FLOOR_PATHS.includes(request.path)) void this.work(request, http.getResponse<Response>(), () => undefined);
    return next.handle();
  }
}

function rootModule(config: Variant, floorLinks: FloorLinks): DynamicModule {
  const pages: Type = config.requestScoped ? ScopedPageController : PageController;
  const providers: Provider[] = [];
  if (config.noopInterceptor) providers.push({ provide: APP_INTERCEPTOR, useClass: PassThroughInterceptor });
  if (config.floor && config.floorInInterceptor)
    providers.push({
      provide: APP_INTERCEPTOR,
      useFactory: () => new FloorInterceptor(floorMiddleware(config.floor!, floorLinks)),
    });
  return {
    module: BenchAppModule,
    imports: config.module ? [Http2PreloadModule.forRoot(config.module)] : [],
    controllers: [pages, OtherPagesController, StatusController],
    providers,
  };
}

async function createApp(config: Variant, floorLinks: FloorLinks): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(rootModule(config, floorLinks), {
    logger: ['error', 'warn'],
    // An error must reach the orchestrator as a message, not end the process.
    abortOnError: false,
  });
  // Apps without the module write plain URLs; the others use the helper.
  app.setBaseViewsDir(`${VIEWS}${config.module ? 'preload' : 'plain'}`);
  app.setViewEngine('hbs');
  // As in production (NODE_ENV=production turns it on): without it every render re-reads the templates.
  app.set('view cache', true);
  if (config.module) registerPreloadHelper(hbs);
  if (config.netjet) app.use(netjet());
  // The sample's own setup, so that the nonce is made and the policy written as a user's app does.
  if (config.nonce) useNonceContentSecurityPolicy(app);
  // Registered before Nest adds its routes (at listen), so it runs before the page's handler
  // (and after the CSP middleware: a flush carries its header, and the links its nonce).
  if (config.floor && !config.floorInInterceptor) app.use(FLOOR_PATHS, floorMiddleware(config.floor, floorLinks));
  return app;
}

function statsOf(app: NestExpressApplication, config: Variant): ServerStats {
  const rss = process.memoryUsage.rss();
  const gc = (globalThis as { gc?: () => void }).gc;
  let afterGc: Pick<ServerStats, 'rssAfterGc' | 'heapUsedAfterGc'> = {};
  if (gc) {
    gc();
    const usage = process.memoryUsage();
    afterGc = { rssAfterGc: usage.rss, heapUsedAfterGc: usage.heapUsed };
  }
  const cacheEntries = config.module ? cacheSize(app) : undefined;
  return { rss, ...afterGc, cacheEntries };
}

/**
 * Keys in the module's hint cache. The cache class is not part of the package's API, and
 * the bench reaches the package by its name only, so the provider is found in Nest's
 * (public) modules container by its class name; undefined if it is not there any more.
 */
function cacheSize(app: NestExpressApplication): number | undefined {
  for (const module of app.get(ModulesContainer).values()) {
    for (const [token, wrapper] of module.providers) {
      if (typeof token === 'function' && token.name === 'PreloadCache') {
        const size = (wrapper.instance as { size?: unknown } | undefined)?.size;
        return typeof size === 'number' ? size : undefined;
      }
    }
  }
  return undefined;
}

function send(message: ChildMessage): Promise<void> {
  return new Promise((resolve) => (process.send ? process.send(message, () => resolve()) : resolve()));
}

try {
  const config = variant(process.argv[2] ?? '');
  // run.ts passes a floor the links its module counterpart sent (see floors.ts).
  const floorLinks = process.argv[3] ? (JSON.parse(process.argv[3]) as FloorLinks) : defaultFloorLinks(config.floor);
  const app = await createApp(config, floorLinks);
  await app.listen(0, '127.0.0.1');
  process.on('message', (message: ParentMessage) => {
    if (message.type === 'stats') void send({ type: 'stats', stats: statsOf(app, config) });
    if (message.type === 'cpu') {
      const { user, system } = process.cpuUsage();
      void send({ type: 'cpu', micros: user + system });
    }
  });
  // The orchestrator died without stopping us: do not linger as an orphan.
  process.on('disconnect', () => process.exit(0));
  // An orderly exit, so that a child run with --cpu-prof writes its profile.
  process.on('SIGTERM', () => process.exit(0));
  await send({ type: 'ready', port: (app.getHttpServer().address() as AddressInfo).port });
} catch (error) {
  await send({ type: 'failed', error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exit(1);
}
