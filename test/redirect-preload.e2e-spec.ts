import { Controller, Get, Module, Post, Redirect, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Http2PreloadModule, NoPreload, PreloadCollector, type Http2PreloadOptions } from '../src/index.js';
import { type RunningApp, startApp } from './support/app.js';
import { request } from './support/http.js';

/** What a TLS-terminating proxy in front of the app adds. */
const OVER_HTTPS = { 'x-forwarded-proto': 'https' };

@Controller()
class RedirectsController {
  @Get('old')
  @Redirect('/new?from=old#top', 302)
  old() {}

  @Get('status/:code')
  status(@Req() req: Request, @Res() res: Response) {
    res.redirect(Number(req.params.code), '/new');
  }

  @Get('absolute')
  absolute(@Req() req: Request, @Res() res: Response) {
    res.redirect(`https://${req.host}/new`);
  }

  @Get('elsewhere')
  @Redirect('https://other.example/new')
  elsewhere() {}

  @Post('form')
  @Redirect('/new', 303)
  form() {}

  @Get('with-link')
  withLink(@Res() res: Response) {
    res.setHeader('Link', '</static/next.css>; rel=preload; as=style');
    res.redirect('/new');
  }

  @Get('per-user')
  perUser(@Req() req: Request, @Res() res: Response) {
    PreloadCollector.of(req).skipRedirectPreload();
    res.redirect('/new');
  }

  @NoPreload()
  @Get('opted-out')
  @Redirect('/new')
  optedOut() {}
}

async function startWith(options: Http2PreloadOptions, trustProxy = true): Promise<RunningApp> {
  @Module({ imports: [Http2PreloadModule.forRoot(options)], controllers: [RedirectsController] })
  class AppModule {}
  return startApp(AppModule, {
    configure: (app) => {
      if (trustProxy) app.set('trust proxy', 'loopback');
    },
  });
}

describe('preloadRedirects', () => {
  let running: RunningApp;
  const get = (path: string, headers: Record<string, string> = OVER_HTTPS) =>
    request(`${running.baseUrl}${path}`, { headers });
  afterEach(() => running.close());

  describe('on', () => {
    beforeEach(async () => {
      running = await startWith({ preloadRedirects: true });
    });

    it('preloads the target of a GET redirect over HTTPS, as a document', async () => {
      const res = await get('/old');
      expect(res.statusCode).toBe(302);
      expect(res.headers.location).toBe('/new?from=old#top');
      expect(res.headers.link).toBe('</new?from=old>; rel=preload; as=document; nopush');
    });

    it.each([301, 302, 303, 307, 308])('does so for a %i', async (code) => {
      const res = await get(`/status/${code}`);
      expect(res.statusCode).toBe(code);
      expect(res.headers.link).toBe('</new>; rel=preload; as=document; nopush');
    });

    it('does so for an absolute URL of the same origin', async () => {
      const res = await get('/absolute');
      expect(res.headers.location).toBe(`https://${new URL(running.baseUrl).host}/new`);
      expect(res.headers.link).toBe('</new>; rel=preload; as=document; nopush');
    });

    it.each([
      ['a 300, which is no redirect', '/status/300', OVER_HTTPS],
      ['a plain-http request', '/old', {}],
      ['a request that says http', '/old', { 'x-forwarded-proto': 'http' }],
      ['another origin', '/elsewhere', OVER_HTTPS],
      ['a response that has its own Link', '/with-link', OVER_HTTPS],
      ['a handler that skips it', '/per-user', OVER_HTTPS],
      ['a @NoPreload() route', '/opted-out', OVER_HTTPS],
    ])('does nothing for %s', async (_, path, headers) => {
      const res = await get(path, headers);
      expect(res.statusCode).toBeGreaterThanOrEqual(300);
      expect(res.statusCode).toBeLessThan(400);
      expect(res.headers.link ?? '').not.toContain('as=document');
    });

    it('keeps the handler’s own Link as it is', async () => {
      const res = await get('/with-link');
      expect(res.headers.link).toBe('</static/next.css>; rel=preload; as=style');
    });

    it('leaves other methods alone', async () => {
      const res = await request(`${running.baseUrl}/form`, { method: 'POST', headers: OVER_HTTPS });
      expect(res.statusCode).toBe(303);
      expect(res.headers.link).toBeUndefined();
    });
  });

  it('is off by default', async () => {
    running = await startWith({});
    const res = await get('/old');
    expect(res.statusCode).toBe(302);
    expect(res.headers.link).toBeUndefined();
  });

  it('believes X-Forwarded-Proto only under trust proxy', async () => {
    running = await startWith({ preloadRedirects: true }, false);
    const res = await get('/old');
    expect(res.statusCode).toBe(302);
    expect(res.headers.link).toBeUndefined();
  });
});
