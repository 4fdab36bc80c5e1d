import { Controller, Get, Header, Injectable, Module, NotFoundException, Render, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Http2PreloadModule, NoPreload, PreloadCollector, type Http2PreloadOptions } from '../src/index.js';
import { PAGE_ASSETS, type RunningApp, startApp } from './support/app.js';
import { linkUrls, navigate, request } from './support/http.js';

@Injectable()
class AnalyticsService {
  constructor(private readonly preload: PreloadCollector) {}

  scriptUrl(): string {
    this.preload.add('https://cdn.example.com/analytics.js', { fetchpriority: 'low' });
    return 'https://cdn.example.com/analytics.js';
  }
}

@Controller()
class PagesController {
  @Get('page')
  @Render('page')
  page() {
    return { title: 'Page' };
  }

  @Get('no-assets')
  @Render('bare')
  noAssets() {
    return { layout: false };
  }

  @Get('own-link')
  @Header('Link', '</canonical>; rel=canonical')
  @Render('page')
  ownLink() {
    return { title: 'Own link' };
  }

  @Get('missing')
  @Render('page')
  missing() {
    throw new NotFoundException();
  }

  @Get('html-404')
  html404(@Res() res: Response) {
    res.status(404);
    res.render('page', { title: 'Not found' });
  }

  @Get('api/data')
  data() {
    return { ok: true };
  }

  @NoPreload()
  @Get('opted-out')
  @Render('page')
  optedOut() {
    return { title: 'Opted out' };
  }
}

@NoPreload()
@Controller('quiet')
class QuietController {
  @Get()
  @Render('page')
  page() {
    return { title: 'Quiet' };
  }
}

@Controller('service')
class ServiceHintController {
  constructor(private readonly analytics: AnalyticsService) {}

  @Get()
  @Render('page')
  page() {
    return { title: 'With a service hint', analytics: this.analytics.scriptUrl() };
  }
}

function appModule(options: Http2PreloadOptions = {}) {
  @Module({
    imports: [Http2PreloadModule.forRoot(options)],
    controllers: [PagesController, QuietController, ServiceHintController],
    providers: [AnalyticsService],
  })
  class AppModule {}
  return AppModule;
}

describe('late mode, default options', () => {
  let running: RunningApp;
  beforeAll(async () => {
    running = await startApp(appModule());
  });
  afterAll(() => running.close());

  it('attaches what the helper recorded during @Render() to that same response', async () => {
    const res = await navigate(`${running.baseUrl}/page`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-http2-preload']).toBe('late');
    expect(linkUrls(res.headers.link)).toEqual(PAGE_ASSETS);
    expect(res.headers.link).toBe(
      '</static/css/app.css>; rel=preload; as=style; nopush, ' +
        '</static/fonts/body.woff2>; rel=preload; as=font; crossorigin=anonymous; nopush, ' +
        '</static/js/app.js>; rel=preload; as=script; nopush, ' +
        '</static/img/hero.png>; rel=preload; as=image; nopush',
    );
    expect(res.body).toContain('<link rel="stylesheet" href="/static/css/app.css">');
  });

  it('sends the links on HEAD too, as curl -I shows them, saying early once its GET would be flushed', async () => {
    const res = await request(`${running.baseUrl}/page`, { method: 'HEAD' });
    expect(res.headers['x-http2-preload']).toBe('early');
    expect(linkUrls(res.headers.link)).toEqual(PAGE_ASSETS);
  });

  it('leaves a JSON route untouched: no Link, no debug header', async () => {
    const res = await request(`${running.baseUrl}/api/data`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers.link).toBeUndefined();
    expect(res.headers['x-http2-preload']).toBeUndefined();
    expect(JSON.parse(res.body)).toEqual({ ok: true });
  });

  it('says off for an HTML page that recorded nothing', async () => {
    const res = await navigate(`${running.baseUrl}/no-assets`);
    expect(res.statusCode).toBe(200);
    expect(res.headers.link).toBeUndefined();
    expect(res.headers['x-http2-preload']).toBe('off');
  });

  it('gives no links to an HTML error page', async () => {
    const res = await navigate(`${running.baseUrl}/html-404`);
    expect(res.statusCode).toBe(404);
    expect(res.body).toContain('Not found');
    expect(res.headers.link).toBeUndefined();
    expect(res.headers['x-http2-preload']).toBe('off');
  });

  it('leaves a JSON error from a page route untouched', async () => {
    const res = await navigate(`${running.baseUrl}/missing`);
    expect(res.statusCode).toBe(404);
    expect(res.headers.link).toBeUndefined();
    expect(res.headers['x-http2-preload']).toBeUndefined();
  });

  it('honours @NoPreload() on a handler', async () => {
    const res = await navigate(`${running.baseUrl}/opted-out`);
    expect(res.statusCode).toBe(200);
    expect(res.headers.link).toBeUndefined();
    expect(res.headers['x-http2-preload']).toBe('off');
    // The page still renders with its URLs.
    expect(res.body).toContain('href="/static/css/app.css"');
  });

  it('honours @NoPreload() on a controller', async () => {
    const res = await navigate(`${running.baseUrl}/quiet`);
    expect(res.statusCode).toBe(200);
    expect(res.headers.link).toBeUndefined();
    expect(res.headers['x-http2-preload']).toBe('off');
    expect(res.body).toContain('src="/static/img/hero.png"');
  });

  it('includes a hint that a service added through the injected collector', async () => {
    const res = await navigate(`${running.baseUrl}/service`);
    expect(res.headers['x-http2-preload']).toBe('late');
    // The handler ran before the template, so its script is the first script used.
    expect(linkUrls(res.headers.link)).toEqual([
      '/static/css/app.css',
      '/static/fonts/body.woff2',
      'https://cdn.example.com/analytics.js',
      '/static/js/app.js',
      '/static/img/hero.png',
    ]);
    expect(res.headers.link).toContain(
      '<https://cdn.example.com/analytics.js>; rel=preload; as=script; fetchpriority=low; nopush',
    );
  });

  it('keeps a Link header the handler set and appends its own', async () => {
    const res = await navigate(`${running.baseUrl}/own-link`);
    expect(res.headers['x-http2-preload']).toBe('late');
    expect(res.headers.link).toMatch(/^<\/canonical>; rel=canonical, <\/static\/css\/app.css>; rel=preload/);
    expect(linkUrls(res.headers.link)).toEqual(['/canonical', ...PAGE_ASSETS]);
  });
});

describe('late mode, options', () => {
  let running: RunningApp | undefined;
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });

  it('preloadHeaders: false turns everything off, and pages still render', async () => {
    running = await startApp(appModule({ preloadHeaders: false }));
    const res = await navigate(`${running.baseUrl}/page`);
    expect(res.statusCode).toBe(200);
    expect(res.headers.link).toBeUndefined();
    expect(res.headers['x-http2-preload']).toBeUndefined();
    expect(res.body).toContain('href="/static/css/app.css"');
  });

  it('serverPush: true drops nopush', async () => {
    running = await startApp(appModule({ serverPush: true }));
    const res = await navigate(`${running.baseUrl}/page`);
    expect(linkUrls(res.headers.link)).toEqual(PAGE_ASSETS);
    expect(res.headers.link).not.toContain('nopush');
  });

  it('staticPrefix changes the URLs the helper returns and hints', async () => {
    running = await startApp(appModule({ staticPrefix: 'https://cdn.example.com/assets' }));
    const res = await navigate(`${running.baseUrl}/page`);
    expect(linkUrls(res.headers.link)[0]).toBe('https://cdn.example.com/assets/css/app.css');
    expect(res.body).toContain('href="https://cdn.example.com/assets/css/app.css"');
  });

  it('debugHeader renames or removes the debug header', async () => {
    running = await startApp(appModule({ debugHeader: 'x-preload-mode' }));
    const renamed = await navigate(`${running.baseUrl}/page`);
    expect(renamed.headers['x-preload-mode']).toBe('late');
    expect(renamed.headers['x-http2-preload']).toBeUndefined();
    await running.close();

    running = await startApp(appModule({ debugHeader: false }));
    const removed = await navigate(`${running.baseUrl}/page`);
    expect(linkUrls(removed.headers.link)).toEqual(PAGE_ASSETS);
    expect(removed.headers['x-http2-preload']).toBeUndefined();
  });
});
