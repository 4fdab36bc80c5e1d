import {
  Catch,
  Controller,
  Get,
  Injectable,
  Module,
  NotFoundException,
  Query,
  Render,
  Res,
  UseGuards,
  type ArgumentsHost,
  type CanActivate,
  type ExceptionFilter,
  type ExecutionContext,
} from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Response } from 'express';
import hbs from 'hbs';
import { randomUUID } from 'node:crypto';
import { Agent, request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { Http2PreloadModule, registerPreloadHelper, type PreloadStrategy } from '../src/index.js';
import { PreloadCache } from '../src/preload.cache.js';
import { FIXTURE_VIEWS, PAGE_ASSETS, type RunningApp, startApp } from './support/app.js';
import { Gate } from './support/gate.js';
import { linkUrls, navigate } from './support/http.js';
import { RecordingLogger } from './support/logger.js';

const FLOOD_REQUESTS = 100_000;
const CACHE_SIZE = 100;

/** Renders every 404, routed or not, as an HTML page that uses the helper. */
@Catch(NotFoundException)
class NotFoundPage implements ExceptionFilter {
  catch(_error: NotFoundException, host: ArgumentsHost): void {
    host.switchToHttp().getResponse<Response>().status(404).render('not-found', { title: 'Not found' });
  }
}

@Controller()
class FloodController {
  @Get('pages/:slug')
  @Render('page')
  page() {
    return { title: 'A page' };
  }

  @Get('gone/:slug')
  gone(): never {
    throw new NotFoundException();
  }

  @Get('unsafe')
  @Render('unsafe')
  unsafe(@Query('path') path: string) {
    return { layout: false, path };
  }
}

/** Sends every path once over keep-alive connections, a few at a time; resolves with the count of each status. */
async function requestAll(baseUrl: string, paths: readonly string[], concurrency = 16): Promise<Map<number, number>> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const statuses = new Map<number, number>();
  let next = 0;
  const worker = async () => {
    while (next < paths.length) {
      const path = paths[next++];
      const status = await new Promise<number>((resolve, reject) => {
        const req = httpRequest(`${baseUrl}${path}`, { agent, headers: { accept: 'text/html' } }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
          res.on('error', reject);
        });
        req.on('error', reject);
        req.end();
      });
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    agent.destroy();
  }
  return statuses;
}

describe('abuse: distinct random paths, unsafe asset paths', () => {
  let running: RunningApp;
  let cache: PreloadCache;
  const logger = new RecordingLogger();

  beforeAll(async () => {
    @Module({
      imports: [Http2PreloadModule.forRoot({ cacheKey: 'path', cacheSize: CACHE_SIZE })],
      controllers: [FloodController],
      providers: [{ provide: APP_FILTER, useClass: NotFoundPage }],
    })
    class AppModule {}
    running = await startApp(AppModule, {
      nest: { logger },
      configure: (app) => {
        app.setBaseViewsDir(FIXTURE_VIEWS);
        app.setViewEngine('hbs');
        // As in production: without it, hbs reads and compiles each template on every render.
        app.set('view cache', true);
        registerPreloadHelper(hbs);
      },
    });
    cache = running.app.get(PreloadCache);
  });
  afterAll(() => running.close());

  it(`keeps the cache within cacheSize after ${FLOOD_REQUESTS.toLocaleString('en')} requests to distinct paths, and never caches a 404`, async () => {
    // Half are pages (200, each its own key under cacheKey: 'path'), half 404 pages
    // that use the helper: thrown by a route, or for a path no route matches.
    const paths = Array.from({ length: FLOOD_REQUESTS }, (_, i) => {
      const slug = randomUUID();
      return i % 2 === 0 ? `/pages/${slug}` : i % 4 === 1 ? `/gone/${slug}` : `/nowhere/${slug}`;
    });
    const statuses = await requestAll(running.baseUrl, paths);
    expect(Object.fromEntries(statuses)).toEqual({ 200: FLOOD_REQUESTS / 2, 404: FLOOD_REQUESTS / 2 });
    expect(cache.size).toBe(CACHE_SIZE);

    // Fill the cache with known pages, then send 404s: had a 404 been cached, it would
    // have evicted one of them.
    const pages = Array.from({ length: CACHE_SIZE }, () => `/pages/${randomUUID()}`);
    await requestAll(running.baseUrl, pages);
    const notFound = Array.from(
      { length: 10 * CACHE_SIZE },
      (_, i) => `/${i % 2 ? 'gone' : 'nowhere'}/${randomUUID()}`,
    );
    expect(Object.fromEntries(await requestAll(running.baseUrl, notFound))).toEqual({ 404: notFound.length });

    expect(cache.size).toBe(CACHE_SIZE);
    for (const page of pages) expect(cache.hintsFor(`GET ${page}`)).toBeDefined();
    for (const path of notFound) expect(cache.hintsFor(`GET ${path}`)).toBeUndefined();
    expect(logger.at('error')).toEqual([]);
  }, 300_000);

  it('gives a 404 page no hints, and never sends it hints early', async () => {
    const path = `/gone/${randomUUID()}`;
    for (let i = 0; i < 2; i += 1) {
      const res = await navigate(`${running.baseUrl}${path}`);
      expect(res.statusCode).toBe(404);
      expect(res.body).toContain('Not found');
      expect(res.headers.link).toBeUndefined();
      expect(res.headers['x-http2-preload']).toBe('off');
    }
  });

  it.each([
    ['javascript:alert(1)', 'javascript:alert(1)'],
    ['a header injection', '/static/app.css\r\nSet-Cookie: stolen=1'],
    ['a data: URL', 'data:text/css,body{}'],
  ])('renders a page whose template preloads %s, without that link, and warns', async (_, path) => {
    const res = await navigate(`${running.baseUrl}/unsafe?path=${encodeURIComponent(path)}`);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Rendered anyway');
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(res.headers.link).toBeUndefined();
    expect(res.headers['x-http2-preload']).toBe('off');
    expect(logger.at('warn')).toContainEqual(expect.stringContaining(`Not preloading ${JSON.stringify(path)}`));
  });

  it('encodes what it can make safe: spaces, quotes, angle brackets, commas, non-ASCII', async () => {
    const path = '/static/my "odd", <file>;é.css';
    const res = await navigate(`${running.baseUrl}/unsafe?path=${encodeURIComponent(path)}`);
    expect(res.statusCode).toBe(200);
    expect(linkUrls(res.headers.link)).toEqual(['/static/my%20%22odd%22,%20%3Cfile%3E;%C3%A9.css']);
  });
});

/** Where a request is, seen from the server; each test makes new ones. */
let stage = {
  arrived: new Gate(),
  disconnected: new Gate(),
  proceed: new Gate(),
  rendered: new Gate(),
  flushed: false,
};

/** Holds a request before the interceptor, so the test can drop the connection first. */
@Injectable()
class HoldGuard implements CanActivate {
  async canActivate(context: ExecutionContext): Promise<boolean> {
    const { arrived, disconnected, proceed } = stage;
    context
      .switchToHttp()
      .getResponse<Response>()
      .on('close', () => disconnected.open());
    arrived.open();
    await proceed.opened;
    return true;
  }
}

@Controller()
class HeldController {
  @UseGuards(HoldGuard)
  @Get('held')
  @Render('page')
  held(@Res({ passthrough: true }) res: Response) {
    stage.flushed = res.getHeader('link') !== undefined;
    return { title: 'Held' };
  }
}

/** hbs, with a signal once Express has sent what a render produced (it sends from the callback). */
function configureWithRenderSignal(app: NestExpressApplication): void {
  app.setBaseViewsDir(FIXTURE_VIEWS);
  const render = hbs.__express as (
    path: string,
    options: object,
    done: (error: unknown, html?: string) => void,
  ) => void;
  app.engine('hbs', (path: string, options: object, done: (error: unknown, html?: string) => void) =>
    render(path, options, (error, html) => {
      done(error, html);
      stage.rendered.open();
    }),
  );
  app.setViewEngine('hbs');
  registerPreloadHelper(hbs);
}

describe.each<PreloadStrategy>(['flushHeaders', 'earlyHints'])(
  'a client that disconnects before the early headers (strategy: %s)',
  (strategy) => {
    let running: RunningApp;
    const logger = new RecordingLogger();
    const failures: unknown[] = [];
    const recordFailure = (error: unknown) => failures.push(error);

    beforeAll(async () => {
      @Module({ imports: [Http2PreloadModule.forRoot({ strategy })], controllers: [HeldController] })
      class AppModule {}
      running = await startApp(AppModule, { configure: configureWithRenderSignal, nest: { logger } });
      process.on('unhandledRejection', recordFailure);
      process.on('uncaughtException', recordFailure);
    });
    afterAll(async () => {
      stage.proceed.open();
      process.off('unhandledRejection', recordFailure);
      process.off('uncaughtException', recordFailure);
      await running.close();
    });

    it('logs no error, throws nothing, and goes on serving', async () => {
      stage = {
        arrived: Gate.open(),
        disconnected: new Gate(),
        proceed: Gate.open(),
        rendered: new Gate(),
        flushed: false,
      };
      const warmUp = await navigate(`${running.baseUrl}/held`);
      expect(linkUrls(warmUp.headers.link)).toEqual(PAGE_ASSETS);

      stage = {
        arrived: new Gate(),
        disconnected: new Gate(),
        proceed: new Gate(),
        rendered: new Gate(),
        flushed: false,
      };
      const { hostname, port } = new URL(running.baseUrl);
      const socket = connect({ host: hostname, port: Number(port) }, () =>
        socket.write(`GET /held HTTP/1.1\r\nHost: ${hostname}:${port}\r\nAccept: text/html\r\n\r\n`),
      );
      const received: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => received.push(chunk));
      await stage.arrived.opened;
      socket.destroy();
      await stage.disconnected.opened;
      stage.proceed.open();
      // The early headers, the handler, the render and the final write all ran on a closed connection.
      await stage.rendered.opened;

      expect(Buffer.concat(received).length).toBe(0);
      // The flush path sets the Link header before the handler runs (a closed connection then
      // takes nothing); a 103 leaves no trace.
      expect(stage.flushed).toBe(strategy === 'flushHeaders');
      stage = {
        arrived: Gate.open(),
        disconnected: new Gate(),
        proceed: Gate.open(),
        rendered: new Gate(),
        flushed: false,
      };
      const after = await navigate(`${running.baseUrl}/held`);
      expect(after.statusCode).toBe(200);
      expect(after.headers['x-http2-preload']).toBe('early');
      expect(failures).toEqual([]);
      expect(logger.at('error')).toEqual([]);
      expect(logger.at('warn')).toEqual([]);
    });
  },
);
