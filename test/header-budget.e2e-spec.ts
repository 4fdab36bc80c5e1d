import { Controller, Get, Module, Render } from '@nestjs/common';
import { Http2PreloadModule, Preload } from '../src/index.js';
import { startApp, type RunningApp } from './support/app.js';
import { linkUrls, navigate } from './support/http.js';

// A gallery: 499 images recorded before its one stylesheet.
const ASSETS = [...Array.from({ length: 499 }, (_, i) => `img/gallery/photo-${i}.webp`), 'css/gallery.css'];

// Under the URL length limit, but its link alone is longer than the 2,000-byte budget.
const OVERSIZED = `css/${'a'.repeat(1990)}.css`;

@Controller()
class GalleryController {
  @Get('gallery')
  @Render('asset')
  gallery() {
    return { layout: false, assets: ASSETS };
  }

  // One stylesheet too long for the budget on its own, recorded first.
  @Get('oversized-first')
  @Render('asset')
  oversizedFirst() {
    return { layout: false, assets: [OVERSIZED, 'js/app.js', 'img/a.png'] };
  }

  @Preload({ strategy: 'earlyHints' })
  @Get('oversized-first-103')
  @Render('asset')
  oversizedFirstWithEarlyHints() {
    return { layout: false, assets: [OVERSIZED, 'js/app.js', 'img/a.png'] };
  }

  @Get('oversized-only')
  @Render('asset')
  oversizedOnly() {
    return { layout: false, assets: [OVERSIZED] };
  }

  @Preload({ strategy: 'earlyHints' })
  @Get('oversized-only-103')
  @Render('asset')
  oversizedOnlyWithEarlyHints() {
    return { layout: false, assets: [OVERSIZED] };
  }

  @Preload({ strategy: 'earlyHints' })
  @Get('gallery-103')
  @Render('asset')
  galleryWithEarlyHints() {
    return { layout: false, assets: ASSETS };
  }
}

@Module({ imports: [Http2PreloadModule.forRoot()], controllers: [GalleryController] })
class AppModule {}

describe('the Link header budget (maxHeaderBytes, 2,000 bytes by default)', () => {
  let running: RunningApp;
  beforeAll(async () => {
    running = await startApp(AppModule);
  });
  afterAll(() => running.close());

  function expectWithinBudget(link: string | string[] | undefined): void {
    expect(typeof link).toBe('string');
    expect(Buffer.byteLength(link as string, 'latin1')).toBeLessThanOrEqual(2000);
    const urls = linkUrls(link);
    expect(urls[0]).toBe('/static/css/gallery.css');
    expect(urls.length).toBeGreaterThan(10);
    expect(urls.length).toBeLessThan(500);
  }

  it('keeps a page with 500 assets within budget, late and in flushed headers, styles first', async () => {
    const late = await navigate(`${running.baseUrl}/gallery`);
    expect(late.statusCode).toBe(200);
    expect(late.headers['x-http2-preload']).toBe('late');
    expectWithinBudget(late.headers.link);
    expect(late.body.match(/<img /g)).toHaveLength(500);

    const early = await navigate(`${running.baseUrl}/gallery`);
    expect(early.headers['x-http2-preload']).toBe('early');
    expectWithinBudget(early.headers.link);
    expect(early.body.match(/<img /g)).toHaveLength(500);
  });

  it('holds the same budget in a 103', async () => {
    await navigate(`${running.baseUrl}/gallery-103`);
    const res = await navigate(`${running.baseUrl}/gallery-103`);
    expect(res.informational).toHaveLength(1);
    expectWithinBudget(res.informational[0].headers.link);
    expectWithinBudget(res.headers.link);
  });

  it('skips a link too long for the budget and keeps the ones that fit, late and early', async () => {
    const late = await navigate(`${running.baseUrl}/oversized-first`);
    expect(late.headers['x-http2-preload']).toBe('late');
    expect(linkUrls(late.headers.link)).toEqual(['/static/js/app.js', '/static/img/a.png']);

    const early = await navigate(`${running.baseUrl}/oversized-first`);
    expect(early.headers['x-http2-preload']).toBe('early');
    expect(linkUrls(early.headers.link)).toEqual(['/static/js/app.js', '/static/img/a.png']);

    await navigate(`${running.baseUrl}/oversized-first-103`);
    const hinted = await navigate(`${running.baseUrl}/oversized-first-103`);
    expect(hinted.informational).toHaveLength(1);
    expect(linkUrls(hinted.informational[0].headers.link)).toEqual(['/static/js/app.js', '/static/img/a.png']);
    expect(linkUrls(hinted.headers.link)).toEqual(['/static/js/app.js', '/static/img/a.png']);
  });

  it('sends nothing early, and no empty Link, when not one link fits', async () => {
    for (const path of ['/oversized-only', '/oversized-only-103']) {
      for (let i = 0; i < 2; i += 1) {
        const res = await navigate(`${running.baseUrl}${path}`);
        expect(res.statusCode).toBe(200);
        expect(res.informational).toHaveLength(0);
        expect(res.headers).not.toHaveProperty('link');
        expect(res.headers['x-http2-preload']).toBe('late');
        expect(res.body).toContain('<img');
      }
    }
  });
});
