import 'reflect-metadata';
import { Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
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
  const app = await NestFactory.create<NestExpressApplication>(variantModule(options), { logger: false });
  // As sample/src/app.ts does; the sample's own setup is what startSampleApp() tests.
  app.useStaticAssets(
    join(REPO_DIR, 'sample', 'public'),
    variant.staticDefaults ? { prefix: '/static/' } : { prefix: '/static/', maxAge: '1y', immutable: true },
  );
  app.setBaseViewsDir(join(REPO_DIR, 'sample', 'views'));
  app.setViewEngine('hbs');
  app.setLocal('assetVersion', ASSET_VERSION);
  registerPreloadHelper(hbs);
  return listen(app);
}

export interface VariantOptions {
  /** Serve the static files with useStaticAssets' defaults (`max-age=0`), as many apps do. */
  readonly staticDefaults?: boolean;
}

function variantModule(options: Http2PreloadOptions): DynamicModule {
  @Module({})
  class SampleVariantModule {}
  return {
    module: SampleVariantModule,
    imports: [Http2PreloadModule.forRoot({ staticPrefix: '/static/', ...options })],
    controllers: [SlowController, PlainController, StatusController],
  };
}

async function listen(app: NestExpressApplication): Promise<RunningApp> {
  const events: string[] = [];
  // Before Express and its static middleware, so that every request is seen.
  app.getHttpServer().prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    // Read now: express.static strips its mount prefix from req.url.
    const url = req.url;
    events.push(`request ${url}`);
    res.once('finish', () => events.push(`finish ${url}`));
  });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return {
    port,
    events,
    requests: (path) => events.filter((event) => event === `request ${path}`).length,
    close: () => app.close(),
  };
}
