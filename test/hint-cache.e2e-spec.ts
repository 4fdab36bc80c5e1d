import { Controller, Get, Module, Param, Render, type DynamicModule } from '@nestjs/common';
import type { Request } from 'express';
import hbs from 'hbs';
import { Http2PreloadModule, registerPreloadHelper, type Http2PreloadOptions } from '../src/index.js';
import { PreloadCache } from '../src/preload.cache.js';
import { FIXTURE_VIEWS, startApp, type RunningApp } from './support/app.js';
import { linkUrls, navigate } from './support/http.js';
import { RecordingLogger } from './support/logger.js';

/** What the templates use on the next request; tests change it to stand for a deploy. */
const next = { assets: ['img/a.png'] };

@Controller()
class ItemsController {
  @Get('items/:id')
  @Render('asset')
  item(@Param('id') id: string) {
    return { layout: false, assets: [...next.assets, `img/item-${id}.png`] };
  }

  @Get('pages/:name')
  @Render('asset')
  page() {
    return { layout: false, assets: next.assets };
  }
}

function appModule(options: Http2PreloadOptions): DynamicModule {
  @Module({})
  class AppModule {}
  return { module: AppModule, imports: [Http2PreloadModule.forRoot(options)], controllers: [ItemsController] };
}

describe('the hint cache', () => {
  let running: RunningApp | undefined;
  const url = (path: string) => `${running!.baseUrl}${path}`;
  const mode = async (path: string) => (await navigate(url(path))).headers['x-http2-preload'];

  async function start(options: Http2PreloadOptions, logger?: RecordingLogger): Promise<RunningApp> {
    running = await startApp(appModule(options), { nest: logger ? { logger } : undefined });
    return running;
  }

  beforeEach(() => {
    next.assets = ['img/a.png'];
  });
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });

  it("keys by route by default, so /items/1 warms /items/2 (with /items/1's hints)", async () => {
    await start({});
    expect(await mode('/items/1')).toBe('late');
    const second = await navigate(url('/items/2'));
    expect(second.headers['x-http2-preload']).toBe('early');
    expect(linkUrls(second.headers.link)).toEqual(['/static/img/a.png', '/static/img/item-1.png']);
    expect(running!.app.get(PreloadCache).size).toBe(1);
  });

  it("keys by path with cacheKey: 'path'", async () => {
    await start({ cacheKey: 'path' });
    expect(await mode('/items/1')).toBe('late');
    expect(await mode('/items/2')).toBe('late');
    expect(await mode('/items/1?utm=x')).toBe('early');
    expect(running!.app.get(PreloadCache).size).toBe(2);
  });

  it('keys by what a cacheKey function returns', async () => {
    await start({ cacheKey: (req: Request) => `${req.path} ${String(req.query.lang ?? 'en')}` });
    expect(await mode('/pages/a?lang=fr')).toBe('late');
    expect(await mode('/pages/a?lang=de')).toBe('late');
    expect(await mode('/pages/a?lang=fr&x=1')).toBe('early');
  });

  it('sends hints late, and logs once, when the cacheKey function fails', async () => {
    const logger = new RecordingLogger();
    await start(
      {
        cacheKey: () => {
          throw new Error('no tenant');
        },
      },
      logger,
    );
    for (let i = 0; i < 3; i += 1) {
      const res = await navigate(url('/pages/a'));
      expect(res.statusCode).toBe(200);
      expect(res.headers['x-http2-preload']).toBe('late');
      expect(linkUrls(res.headers.link)).toEqual(['/static/img/a.png']);
    }
    expect(logger.at('warn')).toEqual([
      expect.stringContaining(
        'No hint cache key for GET /pages/:name, so its hints are not remembered (logged once): no tenant',
      ),
    ]);
  });

  it('never holds more than cacheSize entries, forgetting the least recently used', async () => {
    await start({ cacheKey: 'path', cacheSize: 2 });
    const cache = running!.app.get(PreloadCache);
    for (const name of ['a', 'b', 'c', 'd']) {
      await navigate(url(`/pages/${name}`));
      expect(cache.size).toBeLessThanOrEqual(2);
    }
    expect(await mode('/pages/a')).toBe('late');
    expect(await mode('/pages/d')).toBe('early');
  });

  it('joins the version to every key', async () => {
    await start({ version: 'release-42' });
    await navigate(url('/items/1'));
    const cache = running!.app.get(PreloadCache);
    expect(cache.hintsFor('release-42 GET /items/:id')).toHaveLength(2);
    expect(cache.hintsFor('GET /items/:id')).toBeUndefined();
  });

  it('heals itself: after the assets change, the next early hints hold the new ones', async () => {
    await start({});
    await navigate(url('/pages/a'));
    next.assets = ['img/a.3f9c1.png'];

    const second = await navigate(url('/pages/a'));
    expect(second.headers['x-http2-preload']).toBe('early');
    // Flushed before the template ran: still the old asset, and the page is complete.
    expect(linkUrls(second.headers.link)).toEqual(['/static/img/a.png']);
    expect(second.body).toContain('/static/img/a.3f9c1.png');

    const third = await navigate(url('/pages/a'));
    expect(linkUrls(third.headers.link)).toEqual(['/static/img/a.3f9c1.png']);
  });

  it('forgets a route whose page stopped using assets', async () => {
    await start({});
    await navigate(url('/pages/a'));
    next.assets = [];
    expect(await mode('/pages/a')).toBe('early');
    expect(await mode('/pages/a')).toBe('off');
    expect(running!.app.get(PreloadCache).size).toBe(0);
  });

  it('stays late with presendCachedHeaders: false', async () => {
    await start({ presendCachedHeaders: false });
    for (let i = 0; i < 3; i += 1) expect(await mode('/pages/a')).toBe('late');
  });

  it('does nothing at all with preloadHeaders: false', async () => {
    await start({ preloadHeaders: false, strategy: 'earlyHints' });
    for (let i = 0; i < 3; i += 1) {
      const res = await navigate(url('/pages/a'));
      expect(res.informational).toEqual([]);
      expect(res.headers.link).toBeUndefined();
      expect(res.headers['x-http2-preload']).toBeUndefined();
    }
  });

  it('keys by the full route pattern under a global prefix', async () => {
    running = await startApp(appModule({}), {
      configure: (app) => {
        app.setGlobalPrefix('shop');
        app.setBaseViewsDir(FIXTURE_VIEWS);
        app.setViewEngine('hbs');
        registerPreloadHelper(hbs);
      },
    });
    await navigate(url('/shop/items/1'));
    expect(running!.app.get(PreloadCache).hintsFor('GET /shop/items/:id')).toHaveLength(2);
  });
});
