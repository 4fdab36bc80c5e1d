import {
  Controller,
  Get,
  Injectable,
  Module,
  Query,
  Render,
  Req,
  type MiddlewareConsumer,
  type NestMiddleware,
  type NestModule,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import Handlebars from 'handlebars';
import hbs from 'hbs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Http2PreloadModule, registerPreloadHelper } from '../src/index.js';
import { FIXTURE_VIEWS } from './support/app.js';
import { navigate } from './support/http.js';

/**
 * The retry marker (`?http2-preload=late`, or the `http2-preload=late` cookie) is the
 * module's, not the app's: no middleware, Nest's or the platform's, and no handler sees
 * it, on Express or Fastify; the request is still answered late, as a retry must be.
 */

/** What each layer of the app saw of the last request: URL, original URL, query, cookies. */
let seen: Record<string, unknown> = {};

/** The parts of a request any layer may read, whichever platform's object it is. */
function visible(request: Record<string, unknown>): Record<string, unknown> {
  const raw = request.raw as Record<string, unknown> | undefined;
  return {
    url: request.url,
    originalUrl: request.originalUrl,
    query: request.query,
    cookie: (request.headers as IncomingMessage['headers']).cookie,
    ...(raw && { rawUrl: raw.url, rawOriginalUrl: raw.originalUrl, rawQuery: raw.query }),
  };
}

@Injectable()
class RecordingMiddleware implements NestMiddleware {
  use(request: Record<string, unknown>, _response: unknown, next: () => void): void {
    seen.nestMiddleware = visible(request);
    next();
  }
}

@Controller()
class PagesController {
  @Get('page')
  @Render('page')
  page(@Req() request: Record<string, unknown>, @Query() query: unknown) {
    seen.handler = { ...visible(request), queryParameter: query };
    return { title: 'Page' };
  }
}

@Module({ imports: [Http2PreloadModule.forRoot()], controllers: [PagesController] })
class AppModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(RecordingMiddleware).forRoutes(PagesController);
  }
}

function recordGlobally(request: Record<string, unknown>, _response: unknown, next: () => void): void {
  seen.appUse = visible(request);
  next();
}

async function startExpress(): Promise<{ app: NestExpressApplication; baseUrl: string }> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule, { logger: false });
  app.use(recordGlobally);
  app.setBaseViewsDir(FIXTURE_VIEWS);
  app.setViewEngine('hbs');
  registerPreloadHelper(hbs);
  await app.listen(0, '127.0.0.1');
  return { app, baseUrl: `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}` };
}

async function startFastify(): Promise<{ app: NestFastifyApplication; baseUrl: string }> {
  const app = await NestFactory.create<NestFastifyApplication>(AppModule, new FastifyAdapter(), { logger: false });
  app.use(recordGlobally);
  const handlebars = Handlebars.create();
  registerPreloadHelper(handlebars);
  app.setViewEngine({ engine: { handlebars }, templates: FIXTURE_VIEWS, layout: 'layout.hbs' });
  await app.listen(0, '127.0.0.1');
  return { app, baseUrl: `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}` };
}

describe.each([
  ['Express', startExpress],
  ['Fastify', startFastify],
])('the retry marker on %s, with a Nest middleware and an app.use() middleware', (_platform, start) => {
  let app: NestExpressApplication | NestFastifyApplication;
  let baseUrl: string;

  beforeEach(async () => {
    ({ app, baseUrl } = await start());
    seen = {};
    // Warmed: the route is flushed from now on, unless a request is a retry.
    await navigate(`${baseUrl}/page`);
    expect((await navigate(`${baseUrl}/page`)).headers['x-http2-preload']).toBe('early');
  });
  afterEach(() => app.close());

  it('is taken off the URL before any middleware: none sees it, and the retry still goes late', async () => {
    seen = {};
    const retry = await navigate(`${baseUrl}/page?tab=2&http2-preload=late&x=1`, { cookie: 'sid=7' });
    expect(retry.headers['x-http2-preload']).toBe('late');
    expect(retry.body).toContain('<h1>Page</h1>');
    expect(Object.keys(seen).sort()).toEqual(['appUse', 'handler', 'nestMiddleware']);
    for (const [layer, view] of Object.entries(seen)) {
      const values = view as Record<string, unknown>;
      expect([layer, JSON.stringify(values)]).toEqual([layer, expect.not.stringContaining('http2-preload')]);
      // Middie gives a mounted middleware the URL below its mount point.
      expect([layer, values.url]).toEqual([layer, expect.stringMatching(/^\/(page)?\?tab=2&x=1$/)]);
      expect([layer, values.originalUrl ?? values.rawOriginalUrl]).toEqual([layer, '/page?tab=2&x=1']);
      expect([layer, values.cookie]).toEqual([layer, 'sid=7']);
    }
    expect((seen.handler as Record<string, unknown>).queryParameter).toEqual({ tab: '2', x: '1' });
  });

  it('is taken out of the cookies before any middleware, the others left as they were', async () => {
    seen = {};
    const retry = await navigate(`${baseUrl}/page?tab=2`, { cookie: 'sid=7; http2-preload=late; theme=dark' });
    expect(retry.headers['x-http2-preload']).toBe('late');
    for (const [layer, view] of Object.entries(seen)) {
      expect([layer, (view as Record<string, unknown>).cookie]).toEqual([layer, 'sid=7; theme=dark']);
    }
    const alone = await navigate(`${baseUrl}/page`, { cookie: 'http2-preload=late' });
    expect(alone.headers['x-http2-preload']).toBe('late');
    for (const [layer, view] of Object.entries(seen)) {
      expect([layer, (view as Record<string, unknown>).cookie]).toEqual([layer, undefined]);
    }
  });

  it('leaves a request without the marker as it was, and is flushed as before', async () => {
    seen = {};
    const page = await navigate(`${baseUrl}/page?tab=2&http2-preload=later`, { cookie: 'xhttp2-preload=late' });
    expect(page.headers['x-http2-preload']).toBe('early');
    expect((seen.handler as Record<string, unknown>).url).toBe('/page?tab=2&http2-preload=later');
    expect((seen.handler as Record<string, unknown>).cookie).toBe('xhttp2-preload=late');
  });

  it('stops taking it off when the app closes, leaving the server with the listeners it had', async () => {
    const server = app.getHttpServer() as Server;
    const listeners = server.listeners('request').length;
    await app.close();
    expect(server.listeners('request')).toHaveLength(listeners - 1);
  });
});

describe('the retry marker on a server of the app’s own (Express, app.init() without listen())', () => {
  let app: NestExpressApplication;
  let server: Server;
  let baseUrl: string;

  beforeAll(async () => {
    app = await NestFactory.create<NestExpressApplication>(AppModule, { logger: false });
    app.setBaseViewsDir(FIXTURE_VIEWS);
    app.setViewEngine('hbs');
    registerPreloadHelper(hbs);
    await app.init();
    // As a serverless adapter or a second listener would: Express's handler on another server.
    server = createServer(app.getHttpAdapter().getInstance());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await app.close();
  });

  it('is still taken off before the handler, and the retry goes late', async () => {
    await navigate(`${baseUrl}/page`);
    expect((await navigate(`${baseUrl}/page`)).headers['x-http2-preload']).toBe('early');
    seen = {};
    const retry = await navigate(`${baseUrl}/page?tab=2&http2-preload=late`);
    expect(retry.headers['x-http2-preload']).toBe('late');
    const handler = seen.handler as Record<string, unknown>;
    expect([handler.url, handler.originalUrl]).toEqual(['/page?tab=2', '/page?tab=2']);
    expect(handler.queryParameter).toEqual({ tab: '2' });
  });
});
