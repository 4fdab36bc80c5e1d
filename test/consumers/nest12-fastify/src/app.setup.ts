import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import Handlebars from 'handlebars';
import { join } from 'node:path';
import { registerPreloadHelper } from 'nestjs-http2-preload';

/** The view engine and static files, shared by main.ts and the e2e test, as the README's Fastify section has it. */
export function setUpViews(app: NestFastifyApplication): void {
  const handlebars = Handlebars.create();
  registerPreloadHelper(handlebars);
  app.useStaticAssets({ root: join(import.meta.dirname, '..', 'public'), prefix: '/static/' });
  app.setViewEngine({ engine: { handlebars }, templates: join(import.meta.dirname, '..', 'views') });
}
