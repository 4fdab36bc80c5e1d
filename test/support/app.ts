import 'reflect-metadata';
import type { DynamicModule, NestApplicationOptions, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import hbs from 'hbs';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { registerPreloadHelper } from '../../src/index.js';

export const FIXTURE_VIEWS = fileURLToPath(new URL('../fixtures/views', import.meta.url));

/** What the fixture `page` view (in its layout) records, in Link header order. */
export const PAGE_ASSETS = [
  '/static/css/app.css',
  '/static/fonts/body.woff2',
  '/static/js/app.js',
  '/static/img/hero.png',
];

export interface RunningApp {
  readonly app: NestExpressApplication;
  /** `http://127.0.0.1:<port>` */
  readonly baseUrl: string;
  close(): Promise<void>;
}

export interface StartOptions {
  /** Configure the view engine yourself; by default hbs with the fixture views and the helper. */
  readonly configure?: (app: NestExpressApplication) => void | Promise<void>;
  readonly nest?: NestApplicationOptions;
}

/** Boots a real Nest app on an ephemeral loopback port. */
export async function startApp(module: Type | DynamicModule, options: StartOptions = {}): Promise<RunningApp> {
  const app = await NestFactory.create<NestExpressApplication>(module, {
    logger: false,
    abortOnError: false,
    ...options.nest,
  });
  if (options.configure) {
    await options.configure(app);
  } else {
    app.setBaseViewsDir(FIXTURE_VIEWS);
    app.setViewEngine('hbs');
    registerPreloadHelper(hbs);
  }
  return listenOnLoopback(app);
}

/** Starts an app that is already set up on an ephemeral loopback port. */
export async function listenOnLoopback(app: NestExpressApplication): Promise<RunningApp> {
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { app, baseUrl: `http://127.0.0.1:${port}`, close: () => app.close() };
}
