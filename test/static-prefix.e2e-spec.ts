import { Controller, Get, Module, Render, type DynamicModule, type ModuleMetadata } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import Handlebars from 'handlebars';
import hbs from 'hbs';
import type { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Http2PreloadModule, Preload, registerPreloadHelper } from '../src/index.js';
import { FIXTURE_VIEWS } from './support/app.js';
import { linkUrls, navigate, request } from './support/http.js';
import { RecordingLogger } from './support/logger.js';

/** `css/app.css`: what the fixture layout records as `{{preload 'css/app.css'}}`. */
const PUBLIC = fileURLToPath(new URL('./fixtures/public', import.meta.url));

@Controller()
class PageController {
  @Get()
  @Render('page')
  page() {
    return { title: 'Page' };
  }
}

/**
 * Resolves when the server has finished the response to the next request for `path`.
 * First in line, so it sees the URL before Express's static mount rewrites `req.url`.
 * `finish` calls its listeners one after the other and a promise resumes its awaiter
 * only after that: once this resolves, the module has judged the response (no clock).
 */
function finished(server: EventEmitter, path: string): Promise<number> {
  return new Promise((resolve) => {
    const onRequest = (req: IncomingMessage, res: ServerResponse) => {
      if (req.url !== path) return;
      server.removeListener('request', onRequest);
      res.once('finish', () => resolve(res.statusCode));
    };
    server.prependListener('request', onRequest);
  });
}

const watchWarnings = (logger: RecordingLogger) => logger.at('warn').filter((message) => message.includes('404'));

async function expressApp(
  imports: ModuleMetadata['imports'],
  serve: (app: NestExpressApplication) => void,
): Promise<{ app: NestExpressApplication; baseUrl: string; logger: RecordingLogger }> {
  @Module({ imports, controllers: [PageController] })
  class AppModule {}
  const logger = new RecordingLogger();
  const app = await NestFactory.create<NestExpressApplication>(AppModule, { logger, abortOnError: false });
  app.setBaseViewsDir(FIXTURE_VIEWS);
  app.setViewEngine('hbs');
  registerPreloadHelper(hbs);
  serve(app);
  await app.listen(0, '127.0.0.1');
  return { app, baseUrl: `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`, logger };
}

describe('staticPrefix that the app does not serve', () => {
  it('Express, files served at / (as the NestJS MVC docs do) while staticPrefix is /static/: one warning naming staticPrefix', async () => {
    const { app, baseUrl, logger } = await expressApp([Http2PreloadModule.forRoot()], (app) =>
      app.useStaticAssets(PUBLIC),
    );
    try {
      const page = await navigate(`${baseUrl}/`);
      expect(linkUrls(page.headers.link)).toContain('/static/css/app.css');
      // Where the files really are, and where the page asks for them.
      expect((await request(`${baseUrl}/css/app.css`)).statusCode).toBe(200);
      const judged = finished(app.getHttpServer(), '/static/css/app.css');
      expect((await request(`${baseUrl}/static/css/app.css`)).statusCode).toBe(404);
      await judged;
      expect(watchWarnings(logger)).toEqual([
        expect.stringContaining(
          "GET /static/css/app.css answered 404, and no file under staticPrefix '/static/' has been served yet",
        ),
      ]);
      expect(watchWarnings(logger)[0]).toContain("useStaticAssets(dir, { prefix: '/static/' })");
      expect(watchWarnings(logger)[0]).toContain("set the module's staticPrefix to where they are");

      const again = finished(app.getHttpServer(), '/static/js/app.js');
      expect((await request(`${baseUrl}/static/js/app.js`)).statusCode).toBe(404);
      await again;
      expect(watchWarnings(logger)).toHaveLength(1);
    } finally {
      await app.close();
    }
  });

  it('Express, files under another prefix than staticPrefix: the same warning, with that staticPrefix', async () => {
    const { app, baseUrl, logger } = await expressApp(
      [Http2PreloadModule.forRoot({ staticPrefix: '/assets/' })],
      (app) => app.useStaticAssets(PUBLIC, { prefix: '/static/' }),
    );
    try {
      const judged = finished(app.getHttpServer(), '/assets/css/app.css');
      expect((await request(`${baseUrl}/assets/css/app.css`)).statusCode).toBe(404);
      await judged;
      expect(watchWarnings(logger)).toEqual([expect.stringContaining("no file under staticPrefix '/assets/'")]);
    } finally {
      await app.close();
    }
  });

  it('Express, files served at staticPrefix: the first file served ends the watch, and a later 404 is not blamed on the prefix', async () => {
    const { app, baseUrl, logger } = await expressApp([Http2PreloadModule.forRoot()], (app) =>
      app.useStaticAssets(PUBLIC, { prefix: '/static/' }),
    );
    try {
      const server = app.getHttpServer();
      const served = finished(server, '/static/css/app.css');
      expect((await request(`${baseUrl}/static/css/app.css`)).statusCode).toBe(200);
      await served;
      const missing = finished(server, '/static/css/typo.css');
      expect((await request(`${baseUrl}/static/css/typo.css`)).statusCode).toBe(404);
      await missing;
      expect(watchWarnings(logger)).toEqual([]);
    } finally {
      await app.close();
    }
  });

  // @fastify/static cannot load under Jest's ESM mode on Node 20 (one of its dependencies is
  // ESM-only and required): a route of the app serves the file at / instead, which is
  // all the watch sees (the consumer app test/consumers/nest12-fastify uses @fastify/static).
  it('Fastify, the stylesheet served at / while staticPrefix is /static/: the same warning', async () => {
    @Module({ imports: [Http2PreloadModule.forRoot()], controllers: [PageController] })
    class FastifyModule {}
    const logger = new RecordingLogger();
    const app = await NestFactory.create<NestFastifyApplication>(FastifyModule, new FastifyAdapter(), {
      logger,
      abortOnError: false,
    });
    const handlebars = Handlebars.create();
    registerPreloadHelper(handlebars);
    app
      .getHttpAdapter()
      .getInstance()
      .get('/css/app.css', (_request, reply) => reply.type('text/css').send(readFileSync(`${PUBLIC}/css/app.css`)));
    app.setViewEngine({ engine: { handlebars }, templates: FIXTURE_VIEWS, layout: 'layout.hbs' });
    await app.listen(0, '127.0.0.1');
    const baseUrl = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    try {
      expect((await navigate(`${baseUrl}/`)).statusCode).toBe(200);
      expect((await request(`${baseUrl}/css/app.css`)).statusCode).toBe(200);
      const judged = finished(app.getHttpServer(), '/static/css/app.css');
      expect((await request(`${baseUrl}/static/css/app.css`)).statusCode).toBe(404);
      await judged;
      expect(watchWarnings(logger)).toEqual([expect.stringContaining("no file under staticPrefix '/static/'")]);
    } finally {
      await app.close();
    }
  });
});

describe('a helper with no module', () => {
  it('warns once, naming Http2PreloadModule.forRoot(), and the page keeps its URLs', async () => {
    const { app, baseUrl, logger } = await expressApp([], (app) => app.useStaticAssets(PUBLIC, { prefix: '/static/' }));
    try {
      const first = await navigate(`${baseUrl}/`);
      expect(first.statusCode).toBe(200);
      expect(first.body).toContain('href="/static/css/app.css"');
      expect(first.headers.link).toBeUndefined();
      await navigate(`${baseUrl}/`);
      const warnings = logger.at('warn').filter((message) => message.includes('Http2PreloadModule'));
      expect(warnings).toEqual([
        '{{preload}} was called, but no Http2PreloadModule runs in this process: pages get their asset URLs and no Link header. Import Http2PreloadModule.forRoot() once, in the root module (AppModule). (A template rendered before the app starts, such as an e-mail, also gets this warning.)',
      ]);
    } finally {
      await app.close();
    }
  });
});

describe('options that cannot work are refused at bootstrap', () => {
  async function bootstrap(module: DynamicModule): Promise<void> {
    @Module({ imports: [module], controllers: [PageController] })
    class AppModule {}
    const app = await NestFactory.create(AppModule, { logger: false, abortOnError: false });
    await app.close();
  }

  it("staticPrefix: 'static' (no leading slash) fails with the fix", async () => {
    await expect(bootstrap(Http2PreloadModule.forRoot({ staticPrefix: 'static' }))).rejects.toThrow(
      /option "staticPrefix" must be a path from the site's root, starting with '\/'.*got "static"\. Use '\/static\/'\./,
    );
  });

  it('a relative @Preload() URL fails when the class is defined, that is when the app loads', () => {
    expect(() => {
      @Preload(['css/app.css'])
      @Controller('shop')
      class ShopController {}
      return ShopController;
    }).toThrow(`@Preload(): "css/app.css" is a relative URL`);
  });
});
