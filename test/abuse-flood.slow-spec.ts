import {
  Catch,
  Controller,
  Get,
  Module,
  NotFoundException,
  Render,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import type { Response } from 'express';
import hbs from 'hbs';
import { randomUUID } from 'node:crypto';
import { Agent, request as httpRequest } from 'node:http';
import { Http2PreloadModule, registerPreloadHelper } from '../src/index.js';
import { PreloadCache } from '../src/preload.cache.js';
import { FIXTURE_VIEWS, type RunningApp, startApp } from './support/app.js';
import { RecordingLogger } from './support/logger.js';

/**
 * The flood of abuse.e2e-spec.ts, in a file of its own: 100,000 requests take most of a
 * minute, so it runs with `npm run test:slow` rather than `npm test`.
 */
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

describe('abuse: distinct random paths', () => {
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
});
