import { Controller, Get, Module, Param, Query, Render } from '@nestjs/common';
import type { Request } from 'express';
import fc from 'fast-check';
import { Http2PreloadModule, Preload, type PreloadCacheKey, type PreloadStrategy } from '../src/index.js';
import { startApp, type RunningApp } from './support/app.js';
import { linkUrls, navigate, type HttpResult } from './support/http.js';
import { RecordingLogger } from './support/logger.js';

/**
 * A page whose template preloads request data, as the README warns against: an image
 * named after the route parameter, and whatever the `asset` query parameter says.
 */
@Controller()
class PagesController {
  @Get('pages/:slug')
  @Render('shared')
  page(@Param('slug') slug: string, @Query('asset') asset: unknown) {
    return {
      layout: false,
      image: `img/${slug}.png`,
      asset: typeof asset === 'string' && asset !== '' ? asset : undefined,
    };
  }

  @Preload(['https://fonts.example/inter.woff2'])
  @Get('declared/:slug')
  @Render('shared')
  declared(@Param('slug') slug: string, @Query('asset') asset: unknown) {
    return this.page(slug, asset);
  }
}

const LISTED_ORIGIN = 'https://cdn.example.com';

/** Builds an app for one combination of cacheKey and strategy. */
async function start(cacheKey: PreloadCacheKey, strategy: PreloadStrategy): Promise<RunningApp> {
  @Module({
    imports: [Http2PreloadModule.forRoot({ cacheKey, strategy, sharedHintOrigins: [LISTED_ORIGIN] })],
    controllers: [PagesController],
  })
  class AppModule {}
  return startApp(AppModule, { nest: { logger: new RecordingLogger() } });
}

/** Where a browser on the page would fetch a Link URL from, and whether that is in the allowed set. */
function isAllowed(url: string, pageUrl: string): boolean {
  if (url === 'https://fonts.example/inter.woff2') return true; // declared in code
  let resolved: URL;
  try {
    resolved = new URL(url, pageUrl);
  } catch {
    return false;
  }
  let decoded = resolved.pathname;
  for (let i = 0; i < 5; i += 1)
    decoded = decoded.replace(/%([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
  if (decoded.split(/[/\\]/).some((segment) => ['.', '..'].includes(segment.split(';')[0].trim()))) return false;
  if (resolved.username !== '' || resolved.password !== '') return false;
  if (resolved.origin === LISTED_ORIGIN) return true;
  return resolved.origin === new URL(pageUrl).origin && resolved.pathname.startsWith('/static/');
}

/** What went to a request before its handler ran: its 103's links, or its flushed headers' links. */
function earlyUrls(result: HttpResult): string[] {
  const fromHints = result.informational.flatMap((info) => linkUrls(info.headers.link));
  const flushed = result.headers['x-http2-preload'] === 'early' && result.informational.length === 0;
  return [...fromHints, ...(flushed ? linkUrls(result.headers.link) : [])];
}

/** Pieces of a route parameter as an attacker writes it in the URL (Express decodes them). */
const slugPiece = fc.oneof(
  fc.constantFrom(
    '%2F',
    '%2f',
    '..',
    '.',
    '%2e%2e',
    '%2E',
    '%5C',
    '%252e%252e',
    '%3A',
    '%40',
    '%2F%2F',
    'evil.example',
    'logout.webp',
    '%3F',
    '%23',
  ),
  fc.string({ minLength: 1, maxLength: 6 }).map(encodeURIComponent),
);
const attackerSlug = fc.array(slugPiece, { minLength: 1, maxLength: 8 }).map((pieces) => pieces.join(''));

/** What an attacker puts in the asset query parameter. */
const assetPiece = fc.oneof(
  fc.constantFrom(
    '/',
    '//',
    '\\',
    '..',
    '.',
    '%2e',
    '%2F',
    '%5c',
    'https://',
    'http://',
    '//evil.example',
    'https://evil.example/x.js',
    '/logout.webp',
    '/static/',
    'static/',
    LISTED_ORIGIN,
    `${LISTED_ORIGIN}@evil.example`,
    'https://fonts.example/inter.woff2',
  ),
  fc.string({ maxLength: 6 }),
);
const attackerAsset = fc.array(assetPiece, { minLength: 1, maxLength: 8 }).map((pieces) => pieces.join(''));

const CACHE_KEYS: [string, PreloadCacheKey][] = [
  ['route', 'route'],
  ['path', 'path'],
  // The worst case: every request of the app shares one entry.
  ['a function giving one key to all', (_req: Request) => 'everyone'],
];

describe.each(CACHE_KEYS)('the shared hint cache, cacheKey %s', (_name, cacheKey) => {
  describe.each<PreloadStrategy>(['flushHeaders', 'earlyHints'])('strategy %s', (strategy) => {
    let running: RunningApp;
    beforeAll(async () => {
      running = await start(cacheKey, strategy);
    });
    afterAll(() => running.close());

    it('never sends a victim early what an attacker recorded outside the allowed set', async () => {
      await fc.assert(
        fc.asyncProperty(
          attackerSlug,
          fc.option(attackerAsset),
          fc.constantFrom('pages', 'declared'),
          async (slug, asset, route) => {
            const attackerPath = `/${route}/${slug}`;
            const query = asset === null ? '' : `?asset=${encodeURIComponent(asset)}`;
            await navigate(`${running.baseUrl}${attackerPath}${query}`);
            // The victim: the same path under 'path' (the only way to share its entry), a page of its own otherwise.
            const victimPath = cacheKey === 'path' ? attackerPath : `/${route}/victim`;
            const victim = await navigate(`${running.baseUrl}${victimPath}`);
            for (const url of earlyUrls(victim)) expect(isAllowed(url, `${running.baseUrl}${victimPath}`)).toBe(true);
          },
        ),
        { numRuns: 60 },
      );
    });
  });
});

describe('the shared hint cache: what is kept and what goes late', () => {
  let running: RunningApp;
  beforeAll(async () => {
    running = await start('route', 'flushHeaders');
  });
  afterAll(() => running.close());

  it('sends the recording request everything late, and later requests only what is safe to share', async () => {
    const evil = 'https://evil.example/x.js';
    const attacker = await navigate(`${running.baseUrl}/pages/..%2F..%2Flogout?asset=${encodeURIComponent(evil)}`);
    expect(attacker.headers['x-http2-preload']).toBe('late');
    expect(linkUrls(attacker.headers.link)).toEqual(['/static/css/app.css', evil, '/static/img/../../logout.png']);

    const victim = await navigate(`${running.baseUrl}/pages/victim`);
    expect(victim.headers['x-http2-preload']).toBe('early');
    expect(linkUrls(victim.headers.link)).toEqual(['/static/css/app.css']);
  });

  it('shares a listed origin and what @Preload() declares', async () => {
    const listed = `${LISTED_ORIGIN}/lib.js`;
    await navigate(`${running.baseUrl}/declared/a?asset=${encodeURIComponent(listed)}`);
    const next = await navigate(`${running.baseUrl}/declared/b`);
    expect(next.headers['x-http2-preload']).toBe('early');
    expect(linkUrls(next.headers.link)).toEqual([
      '/static/css/app.css',
      'https://fonts.example/inter.woff2',
      listed,
      '/static/img/a.png',
    ]);
  });
});
