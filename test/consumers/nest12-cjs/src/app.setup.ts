import type { NestExpressApplication } from '@nestjs/platform-express';
import hbs from 'hbs';
import { join } from 'node:path';
import { registerPreloadHelper } from 'nestjs-http2-preload';

/** The view engine and static files, shared by main.ts and the e2e test. */
export function setUpViews(app: NestExpressApplication): void {
  app.useStaticAssets(join(__dirname, '..', 'public'), { prefix: '/static/' });
  app.setBaseViewsDir(join(__dirname, '..', 'views'));
  app.setViewEngine('hbs');
  registerPreloadHelper(hbs);
}
