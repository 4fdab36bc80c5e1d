import type { NestExpressApplication } from '@nestjs/platform-express';
import hbs from 'hbs';
import { join } from 'node:path';
import { registerPreloadHelper } from 'nestjs-http2-preload';

/** The view engine and static files, shared by main.ts and the e2e test. */
export function setUpViews(app: NestExpressApplication): void {
  app.useStaticAssets(join(import.meta.dirname, '..', 'public'), { prefix: '/static/' });
  app.setBaseViewsDir(join(import.meta.dirname, '..', 'views'));
  app.setViewEngine('hbs');
  registerPreloadHelper(hbs);
}
