import 'reflect-metadata';
import { Controller, Get, Inject, Module, Render, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import compression from 'compression';
import hbs from 'hbs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Http2PreloadModule, registerPreloadHelper, type Http2PreloadOptions } from 'nestjs-http2-preload';
import { createSampleApp } from '../../sample/src/app.js';
import { ASSET_VERSION } from '../../sample/src/asset-version.js';
import { PlainController } from '../../sample/src/plain.controller.js';
import { SlowController } from '../../sample/src/slow.controller.js';
import { StatusController } from '../../sample/src/status.controller.js';
import { REPO_DIR } from './repo.js';

export interface RunningApp {
  readonly port: number;
  /** What the app saw, in order: `request /path` when a request arrives, `finish /path` when its response is done. */
  readonly events: string[];
  /** How many requests the app received for a path (with its query), since the events were last cleared. */
  requests(path: string): number;
  /**
   * Resolves once the app has seen `event` (`request /path`, as in `events`), now or later;
   * rejects after `limitMs`, so a request that never comes fails the test instead of hanging it.
   */
  until(event: string, limitMs: number): Promise<void>;
  /**
   * Holds the handler of the next `/gated` requests (the sample's slow page, waiting for
   * the test instead of a timer) until the returned function is called. Variants only.
   */
  holdGated(): () => void;
  close(): Promise<void>;
}

/** The sample app exactly as `npm start` builds it, on an ephemeral loopback port. */
export async function startSampleApp(): Promise<RunningApp> {
  return listen(await createSampleApp({ logger: false }));
}

/**
 * The sample's slow and plain pages (same controllers, views and static files) with other
 * module options, for what the sample cannot show: `preloadHeaders: false`, say.
 */
export async function startSampleVariant(
  options: Http2PreloadOptions,
  variant: VariantOptions = {},
): Promise<RunningApp> {
  const gate = new HandlerGate();
  const app = await NestFactory.create<NestExpressApplication>(variantModule(options, gate), { logger: false });
  if (variant.compression) app.use(compression());
  // As sample/src/app.ts does; the sample's own setup is what startSampleApp() tests.
  app.useStaticAssets(
    join(REPO_DIR, 'sample', 'public'),
    variant.staticDefaults ? { prefix: '/static/' } : { prefix: '/static/', maxAge: '1y', immutable: true },
  );
  app.setBaseViewsDir(join(REPO_DIR, 'sample', 'views'));
  app.setViewEngine('hbs');
  app.setLocal('assetVersion', ASSET_VERSION);
  registerPreloadHelper(hbs);
  return listen(app, gate);
}

export interface VariantOptions {
  /** Serve the static files with useStaticAssets' defaults (`max-age=0`), as many apps do. */
  readonly staticDefaults?: boolean;
  /** Put Express's `compression()` middleware in front of everything (gzip whatever the browser accepts). */
  readonly compression?: boolean;
}

/** What the `/gated` handler waits for: open unless a test holds it. */
class HandlerGate {
  passed: Promise<void> = Promise.resolve();

  hold(): () => void {
    let open!: () => void;
    this.passed = new Promise((resolve) => (open = resolve));
    return () => {
      open();
      this.passed = Promise.resolve();
    };
  }
}

/** The sample's slow page, whose handler waits for the test (a gate) instead of a timer. */
@Controller()
class GatedController {
  constructor(@Inject(HandlerGate) private readonly gate: HandlerGate) {}

  @Get('gated')
  @Render('slow')
  async gated() {
    await this.gate.passed;
    return { title: 'Gated page', waitedMs: 'until the test let it go, a few hundred', strategy: 'flushed headers' };
  }
}

function variantModule(options: Http2PreloadOptions, gate: HandlerGate): DynamicModule {
  @Module({})
  class SampleVariantModule {}
  return {
    module: SampleVariantModule,
    imports: [
      Http2PreloadModule.forRoot({
        staticPrefix: '/static/',
        // As the sample: routes with @Shell() (its /shell) stream the layout before their body.
        shell: { layout: join(REPO_DIR, 'sample', 'views', 'layout.hbs') },
        ...options,
      }),
    ],
    controllers: [SlowController, PlainController, StatusController, GatedController],
    providers: [{ provide: HandlerGate, useValue: gate }],
  };
}

async function listen(app: NestExpressApplication, gate?: HandlerGate): Promise<RunningApp> {
  const events: string[] = [];
  const waiters = new Map<string, () => void>();
  const push = (event: string) => {
    events.push(event);
    waiters.get(event)?.();
  };
  // Before Express and its static middleware, so that every request is seen.
  app.getHttpServer().prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    // Read now: express.static strips its mount prefix from req.url.
    const url = req.url;
    push(`request ${url}`);
    res.once('finish', () => push(`finish ${url}`));
  });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return {
    port,
    events,
    requests: (path) => events.filter((event) => event === `request ${path}`).length,
    until: (event, limitMs) =>
      events.includes(event)
        ? Promise.resolve()
        : new Promise<void>((resolve, reject) => {
            const timer = setTimeout(() => {
              waiters.delete(event);
              reject(new Error(`The app did not see "${event}" within ${limitMs} ms; it saw: ${events.join(', ')}`));
            }, limitMs);
            waiters.set(event, () => {
              clearTimeout(timer);
              waiters.delete(event);
              resolve();
            });
          }),
    holdGated: () => {
      if (!gate) throw new Error('Only a sample variant has the /gated page');
      return gate.hold();
    },
    close: () => app.close(),
  };
}
