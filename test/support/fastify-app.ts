import type { LoggerService, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import Handlebars from 'handlebars';
import type { AddressInfo } from 'node:net';
import { registerPreloadHelper } from '../../src/index.js';

export interface RunningFastifyApp {
  readonly app: NestFastifyApplication;
  /** `http://127.0.0.1:<port>` */
  readonly baseUrl: string;
}

/**
 * Boots a real Nest app on Fastify, on an ephemeral loopback port, with @fastify/view,
 * Handlebars (the helper registered) and a `layout.hbs` in `views`, as the NestJS MVC docs
 * set it up. Kept apart from app.ts, so that Express-only test files do not load Fastify.
 */
export async function startFastifyApp(
  module: Type,
  options: { readonly views: string; readonly logger?: LoggerService | false },
): Promise<RunningFastifyApp> {
  const app = await NestFactory.create<NestFastifyApplication>(module, new FastifyAdapter(), {
    logger: options.logger ?? false,
    abortOnError: false,
  });
  const handlebars = Handlebars.create();
  registerPreloadHelper(handlebars);
  app.setViewEngine({ engine: { handlebars }, templates: options.views, layout: 'layout.hbs' });
  await app.listen(0, '127.0.0.1');
  return { app, baseUrl: `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}` };
}
