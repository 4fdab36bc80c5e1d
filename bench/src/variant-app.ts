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
  type Type,
} from '@nestjs/common';
import { APP_INTERCEPTOR, NestFactory } from '@nestjs/core';
import type { Observable } from 'rxjs';
import type { NestExpressApplication } from '@nestjs/platform-express';
import hbs from 'hbs';
import netjet from 'netjet';
import { Http2PreloadModule, registerPreloadHelper } from 'nestjs-http2-preload';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
// Not part of the public API: read through the Nest container only to count cache entries.
// The relative path points at the same built file the package entry imports, so it is the same class.
import { PreloadCache } from '../../dist/preload.cache.js';
import type { ChildMessage, ParentMessage, ServerStats } from './ipc.js';
import { OtherPagesController, PageController, ScopedPageController, StatusController } from './page.controllers.js';
import { variant, type Variant } from './variants.js';

const VIEWS = fileURLToPath(new URL('../views/', import.meta.url));

@Module({})
class BenchAppModule {}

/** Does nothing: with one global interceptor Nest runs every handler through an RxJS pipeline. */
@Injectable()
class PassThroughInterceptor implements NestInterceptor {
  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle();
  }
}

function rootModule(config: Variant): DynamicModule {
  const pages: Type = config.requestScoped ? ScopedPageController : PageController;
  return {
    module: BenchAppModule,
    imports: config.module ? [Http2PreloadModule.forRoot(config.module)] : [],
    controllers: [pages, OtherPagesController, StatusController],
    providers: config.noopInterceptor ? [{ provide: APP_INTERCEPTOR, useClass: PassThroughInterceptor }] : [],
  };
}

async function createApp(config: Variant): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(rootModule(config), {
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
  const cacheEntries = config.module ? app.get(PreloadCache).size : undefined;
  return { rss, ...afterGc, cacheEntries };
}

function send(message: ChildMessage): Promise<void> {
  return new Promise((resolve) => (process.send ? process.send(message, () => resolve()) : resolve()));
}

try {
  const config = variant(process.argv[2] ?? '');
  const app = await createApp(config);
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
