import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NestApplicationOptions } from '@nestjs/common';
import hbs from 'hbs';
import { registerPreloadHelper } from 'nestjs-http2-preload';
import { AppModule } from './app.module.js';
import { ASSET_VERSION } from './asset-version.js';
import { HtmlExceptionFilter } from './html-exception.filter.js';
import { useNonceContentSecurityPolicy } from './content-security-policy.js';
import { SAMPLE_DIR } from './sample-dir.js';

export async function createSampleApp(options: NestApplicationOptions = {}): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule, options);
  useNonceContentSecurityPolicy(app);
  app.useGlobalFilters(new HtmlExceptionFilter());
  // Versioned URLs may be cached for a year; early-hinted files are reused only if cacheable.
  app.useStaticAssets(`${SAMPLE_DIR}public`, { prefix: '/static/', maxAge: '1y', immutable: true });
  app.setBaseViewsDir(`${SAMPLE_DIR}views`);
  app.setViewEngine('hbs');
  app.setLocal('assetVersion', ASSET_VERSION);
  registerPreloadHelper(hbs);
  return app;
}
