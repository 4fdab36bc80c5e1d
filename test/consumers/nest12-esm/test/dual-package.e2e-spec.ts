import {
  Controller,
  Get,
  Inject,
  Injectable,
  Module,
  Render,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import hbs from 'hbs';
import { createRequire } from 'node:module';
import request from 'supertest';
import * as esm from 'nestjs-http2-preload';
import { setUpViews } from './../src/app.setup.js';

// The package's CommonJS build, loaded next to the ESM one in the same process.
const cjs = createRequire(import.meta.url)(
  'nestjs-http2-preload',
) as typeof esm;

@Injectable()
class CommonJsService {
  constructor(
    @Inject(cjs.PreloadCollector) readonly preload: esm.PreloadCollector,
  ) {}
}

@Controller()
class PageController {
  constructor(
    @Inject(CommonJsService) private readonly service: CommonJsService,
  ) {}

  @Get()
  @Render('index')
  page() {
    this.service.preload.add('/static/img/from-commonjs.webp');
    return { message: 'Both builds' };
  }
}

describe('both builds of the package in one process', () => {
  it('are two copies whose PreloadCollector is one class', () => {
    expect(cjs.Http2PreloadModule).not.toBe(esm.Http2PreloadModule);
    expect(cjs.PreloadCollector).toBe(esm.PreloadCollector);
  });

  it('give a request one collector and the app one cache: module from ESM, service and helper from CommonJS', async () => {
    @Module({
      imports: [
        esm.Http2PreloadModule.forRoot({
          sharedHintOrigins: ['https://cdn.example.com'],
        }),
      ],
      controllers: [PageController],
      providers: [CommonJsService],
    })
    class AppModule {}

    const app = await NestFactory.create<NestExpressApplication>(AppModule, {
      logger: false,
      abortOnError: false,
    });
    setUpViews(app);
    cjs.registerPreloadHelper(hbs); // replaces the ESM build's helper
    await app.listen(0, '127.0.0.1');
    try {
      const url = await app.getUrl();
      const first = await request(url)
        .get('/')
        .set('Accept', 'text/html')
        .expect(200);
      const second = await request(url)
        .get('/')
        .set('Accept', 'text/html')
        .expect(200);
      const urls = (first.headers.link as string)
        .split(', ')
        .map((link) => link.slice(1, link.indexOf('>')));
      expect(urls).toEqual([
        '/static/css/app.css',
        '/static/js/app.mjs',
        '/static/img/from-commonjs.webp',
      ]);
      expect(first.headers['x-http2-preload']).toBe('late');
      expect(second.headers['x-http2-preload']).toBe('early');
      expect(second.headers.link).toBe(first.headers.link);
    } finally {
      await app.close();
    }
  });

  it('refuse the module imported once from each build, as they refuse it imported twice', async () => {
    @Module({ imports: [cjs.Http2PreloadModule.forRoot()] })
    class FeatureModule {}
    @Module({ imports: [esm.Http2PreloadModule.forRoot(), FeatureModule] })
    class AppModule {}

    await expect(
      NestFactory.create(AppModule, { logger: false, abortOnError: false }),
    ).rejects.toThrow(
      /Http2PreloadModule is imported 2 times, by AppModule, FeatureModule/,
    );
  });
});
