import { Controller, Get, Module, Render, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Http2PreloadModule, PreloadCollector } from '../src/index.js';
import { PAGE_ASSETS, type RunningApp, startApp } from './support/app.js';
import { Gate } from './support/gate.js';
import { linkUrls, navigate, rawExchange, request, stagedNavigation } from './support/http.js';

/** What the handlers do on the next request; each test sets what it needs. */
const next = { gate: Gate.open(), assets: ['img/a.png'], redirect: false, cookie: false };

@Controller()
class PagesController {
  constructor(private readonly preload: PreloadCollector) {}

  @Get('slow')
  @Render('page')
  async slow() {
    await next.gate.opened;
    return { title: 'Slow' };
  }

  @Get('assets')
  @Render('asset')
  assets() {
    return { layout: false, assets: next.assets };
  }

  @Get('print')
  @Render('page')
  print() {
    this.preload.add('/static/css/print.css', { media: '(min-width: 600px) and print' });
    return { title: 'Print' };
  }

  @Get('account')
  account(@Res() res: Response) {
    if (next.redirect) return res.redirect('/sign-in');
    if (next.cookie) res.cookie('session', 'new');
    return res.status(next.cookie ? 201 : 200).render('page', { title: 'Account' });
  }
}

@Module({ imports: [Http2PreloadModule.forRoot({ strategy: 'earlyHints' })], controllers: [PagesController] })
class AppModule {}

describe('early mode, 103 Early Hints (strategy: earlyHints)', () => {
  let running: RunningApp;
  const url = (path: string) => `${running.baseUrl}${path}`;

  beforeEach(async () => {
    running = await startApp(AppModule);
    Object.assign(next, { gate: Gate.open(), assets: ['img/a.png'], redirect: false, cookie: false });
  });
  // A failed test must not leave a handler waiting at its gate, or closing would hang.
  afterEach(() => {
    next.gate.open();
    return running.close();
  });

  it('sends no 103 on the first request of a route, and one on the second', async () => {
    const first = await navigate(url('/slow'));
    expect(first.informational).toEqual([]);
    expect(first.headers['x-http2-preload']).toBe('late');

    const second = await navigate(url('/slow'));
    expect(second.informational).toHaveLength(1);
    expect(second.informational[0].statusCode).toBe(103);
    expect(second.headers['x-http2-preload']).toBe('early');
  });

  it('sends the 103 with the cached links before the handler completes, and the full Link after', async () => {
    await navigate(url('/slow'));
    next.gate = new Gate();

    const staged = stagedNavigation(url('/slow'));
    const hints = await staged.informational;
    expect(hints.statusCode).toBe(103);
    expect(linkUrls(hints.headers.link)).toEqual(PAGE_ASSETS);

    next.gate.open();
    const head = await staged.head;
    expect(head.statusCode).toBe(200);
    expect(head.headers['x-http2-preload']).toBe('early');
    expect(linkUrls(head.headers.link)).toEqual(PAGE_ASSETS);
    const end = await staged.end;
    expect(end.complete).toBe(true);
    expect(end.body).toContain('<h1>Slow</h1>');
  });

  it('leaves the handler in charge of status, cookies and redirects', async () => {
    await navigate(url('/account'));
    next.cookie = true;
    const withCookie = await navigate(url('/account'));
    expect(withCookie.informational).toHaveLength(1);
    expect(withCookie.statusCode).toBe(201);
    expect(withCookie.headers['set-cookie']).toEqual(['session=new; Path=/']);
    expect(withCookie.headers['x-http2-preload']).toBe('early');

    Object.assign(next, { cookie: false, redirect: true });
    const redirected = await navigate(url('/account'));
    expect(redirected.informational).toHaveLength(1);
    expect(redirected.statusCode).toBe(302);
    expect(redirected.headers.location).toBe('/sign-in');

    // Nothing was committed, so nothing is learnt against the route: it still gets its 103.
    next.redirect = false;
    expect((await navigate(url('/account'))).informational).toHaveLength(1);
  });

  it('adds what the page recorded beyond the early set to the final Link, and learns it', async () => {
    await navigate(url('/assets'));
    next.assets = ['img/a.png', 'img/b.png'];

    const second = await navigate(url('/assets'));
    expect(linkUrls(second.informational[0].headers.link)).toEqual(['/static/img/a.png']);
    expect(linkUrls(second.headers.link)).toEqual(['/static/img/a.png', '/static/img/b.png']);

    const third = await navigate(url('/assets'));
    expect(linkUrls(third.informational[0].headers.link)).toEqual(['/static/img/a.png', '/static/img/b.png']);
  });

  it('corrects the cache when a page stops using an asset', async () => {
    await navigate(url('/assets'));
    next.assets = ['img/renamed.png'];
    const second = await navigate(url('/assets'));
    expect(linkUrls(second.informational[0].headers.link)).toEqual(['/static/img/a.png']);
    expect(linkUrls(second.headers.link)).toEqual(['/static/img/renamed.png']);

    const third = await navigate(url('/assets'));
    expect(linkUrls(third.informational[0].headers.link)).toEqual(['/static/img/renamed.png']);
  });

  it('keeps a link with a media query (Chromium ignores it in a 103) for the final response', async () => {
    await navigate(url('/print'));
    const res = await navigate(url('/print'));
    expect(linkUrls(res.informational[0].headers.link)).toEqual(PAGE_ASSETS);
    expect(linkUrls(res.headers.link)).toEqual(['/static/css/print.css', ...PAGE_ASSETS]);
    expect(res.headers.link).toContain('media="(min-width: 600px) and print"');
  });

  it('sends no 103 to requests that are not page navigations', async () => {
    await navigate(url('/slow'));
    const json = await request(url('/slow'), { headers: { accept: 'application/json' } });
    expect(json.informational).toEqual([]);
    expect(json.headers['x-http2-preload']).toBe('late');
    const fetched = await navigate(url('/slow'), { 'sec-fetch-mode': 'cors' });
    expect(fetched.informational).toEqual([]);
    const posted = await request(url('/slow'), { method: 'POST', headers: { accept: 'text/html' } });
    expect(posted.informational).toEqual([]);
    // A HEAD navigation may get one: it commits nothing.
    const head = await request(url('/slow'), { method: 'HEAD', headers: { accept: 'text/html' } });
    expect(head.informational).toHaveLength(1);
  });

  it('never sends a 103 to an HTTP/1.0 client', async () => {
    await navigate(url('/slow'));
    const host = new URL(running.baseUrl).host;
    const http11 = await rawExchange(
      running.baseUrl,
      `GET /slow HTTP/1.1\r\nHost: ${host}\r\nAccept: text/html\r\nConnection: close\r\n\r\n`,
    );
    expect(http11.startsWith('HTTP/1.1 103 Early Hints\r\n')).toBe(true);

    const http10 = await rawExchange(
      running.baseUrl,
      `GET /slow HTTP/1.0\r\nHost: ${host}\r\nAccept: text/html\r\n\r\n`,
    );
    expect(http10).not.toContain(' 103 ');
    expect(http10.startsWith('HTTP/1.1 200 OK\r\n')).toBe(true);
    expect(http10).toMatch(/\r\nx-http2-preload: late\r\n/i);
  });
});
