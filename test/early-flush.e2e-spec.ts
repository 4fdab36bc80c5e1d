import { Controller, Get, Module, Render, Res } from '@nestjs/common';
import compression from 'compression';
import type { Response } from 'express';
import hbs from 'hbs';
import { constants as zlibConstants, gunzipSync } from 'node:zlib';
import { FLUSHED_FIRST_CHUNK } from '../src/flush/flushed-response.js';
import { Http2PreloadModule, NoPreload, registerPreloadHelper } from '../src/index.js';
import { FIXTURE_VIEWS, PAGE_ASSETS, type RunningApp, startApp } from './support/app.js';
import { Gate } from './support/gate.js';
import { linkUrls, navigate, request, stagedNavigation, stagedRequest } from './support/http.js';
import { RecordingLogger } from './support/logger.js';
import { followRecovery, isRecoveryPage } from './support/recovery.js';

/** What the handlers do on the next request; each test sets what it needs. */
const next = { gate: Gate.open(), fail: false, redirect: false, cookie: false, json: false };

@Controller()
class PagesController {
  @Get('slow')
  @Render('page')
  async slow() {
    await next.gate.opened;
    return { title: 'Slow' };
  }

  @Get('fresh')
  @Render('page')
  fresh() {
    return { title: 'Fresh' };
  }

  @Get('plain')
  @NoPreload()
  @Render('page')
  plain() {
    return { title: 'Plain' };
  }

  @Get('throws')
  @Render('page')
  throws() {
    if (next.fail) throw new Error('database down');
    return { title: 'Throws' };
  }

  @Get('fragile')
  @Render('fragile')
  fragile() {
    return { fail: next.fail };
  }

  @Get('redirects')
  redirects(@Res() res: Response) {
    if (next.redirect) return res.redirect('/signed-out?from=a&b');
    return res.render('page', { title: 'Redirects' });
  }

  @Get('cookie')
  @Render('page')
  cookie(@Res({ passthrough: true }) res: Response) {
    if (next.cookie) res.cookie('visited', 'yes').setHeader('Cache-Control', 'private');
    return { title: 'Cookie' };
  }

  @Get('always-cookie')
  @Render('page')
  alwaysCookie(@Res({ passthrough: true }) res: Response) {
    res.cookie('visited', 'yes');
    return { title: 'Always a cookie' };
  }

  @Get('negotiated')
  negotiated(@Res() res: Response) {
    if (next.json) return res.json({ title: 'Negotiated' });
    return res.render('page', { title: 'Negotiated' });
  }
}

@Module({ imports: [Http2PreloadModule.forRoot()], controllers: [PagesController] })
class AppModule {}

describe('early mode, flushed headers (the default strategy)', () => {
  let running: RunningApp;
  let logger: RecordingLogger;
  const url = (path: string) => `${running.baseUrl}${path}`;

  beforeEach(async () => {
    // A fresh app per test: each starts with an empty hint cache.
    logger = new RecordingLogger();
    running = await startApp(AppModule, { nest: { logger } });
    Object.assign(next, { gate: Gate.open(), fail: false, redirect: false, cookie: false, json: false });
  });
  // A failed test must not leave a handler waiting at its gate, or closing would hang.
  afterEach(() => {
    next.gate.open();
    return running.close();
  });

  it('is late on the first request of a route and early on the second', async () => {
    const first = await navigate(url('/fresh'));
    expect(first.headers['x-http2-preload']).toBe('late');
    expect(linkUrls(first.headers.link)).toEqual(PAGE_ASSETS);

    const second = await navigate(url('/fresh'));
    expect(second.statusCode).toBe(200);
    expect(second.headers['x-http2-preload']).toBe('early');
    expect(linkUrls(second.headers.link)).toEqual(PAGE_ASSETS);
    expect(second.headers['content-type']).toBe('text/html; charset=utf-8');
  });

  it('sends status and links while the handler is still running, then the page', async () => {
    await navigate(url('/slow'));
    next.gate = new Gate();

    const staged = stagedNavigation(url('/slow'));
    const head = await staged.head;
    expect(head.statusCode).toBe(200);
    expect(head.headers['x-http2-preload']).toBe('early');
    expect(linkUrls(head.headers.link)).toEqual(PAGE_ASSETS);
    expect(await staged.firstChunk).toBe(FLUSHED_FIRST_CHUNK);

    next.gate.open();
    const end = await staged.end;
    expect(end.complete).toBe(true);
    expect(end.body).toContain('<h1>Slow</h1>');
  });

  // WebKit (Safari) acts on the flushed Link header only once 512 bytes of body have
  // arrived (the browser tests prove it in WebKitGTK); whitespace keeps the document as it is.
  it('pads the first chunk to 512 bytes of whitespace', () => {
    expect(Buffer.byteLength(FLUSHED_FIRST_CHUNK)).toBeGreaterThanOrEqual(512);
    expect(FLUSHED_FIRST_CHUNK).toMatch(/^[ \n]+$/);
  });

  // nginx with its defaults (HTTP/1.0 upstream, proxy_buffering on) holds a flushed 200
  // until the page is complete unless the response says X-Accel-Buffering: no.
  it('asks proxies not to buffer the flushed response, and only that one', async () => {
    await navigate(url('/slow'));
    const late = await navigate(url('/fresh'));
    expect(late.headers['x-http2-preload']).toBe('late');
    expect(late.headers['x-accel-buffering']).toBeUndefined();
    const off = await navigate(url('/plain'));
    expect(off.headers['x-http2-preload']).toBe('off');
    expect(off.headers['x-accel-buffering']).toBeUndefined();

    next.gate = new Gate();
    const staged = stagedNavigation(url('/slow'));
    const head = await staged.head;
    expect(head.headers['x-http2-preload']).toBe('early');
    expect(head.headers['x-accel-buffering']).toBe('no');
    next.gate.open();
    expect((await staged.end).complete).toBe(true);
  });

  it('starts the body with the whitespace padding and then sends the same page as a late response', async () => {
    const late = await navigate(url('/fresh'));
    const early = await navigate(url('/fresh'));
    expect(early.headers['x-http2-preload']).toBe('early');
    expect(early.body).toBe(`${FLUSHED_FIRST_CHUNK}${late.body}`);
    expect(early.body.trimStart().startsWith('<!doctype html>')).toBe(true);
    // Express's Content-Length and ETag came too late to be sent; the body is chunked.
    expect(early.headers['content-length']).toBeUndefined();
    expect(early.headers['transfer-encoding']).toBe('chunked');
  });

  it('still answers a conditional request with its 304', async () => {
    const first = await navigate(url('/fresh'));
    const etag = first.headers.etag;
    expect(etag).toBeDefined();

    const revalidated = await navigate(url('/fresh'), { 'if-none-match': etag as string });
    expect(revalidated.statusCode).toBe(304);
    expect(revalidated.headers['x-http2-preload']).toBeUndefined();
    expect(revalidated.body).toBe('');
  });

  it.each([
    ['If-Modified-Since', { 'if-modified-since': new Date(0).toUTCString() }],
    ['Range', { range: 'bytes=0-10' }],
  ])('does not flush a request with %s', async (_name, headers) => {
    await navigate(url('/fresh'));
    const res = await navigate(url('/fresh'), headers);
    expect(res.headers['x-http2-preload']).toBe('late');
    expect(res.headers.etag).toBeDefined();
  });

  it('does not flush what is not a page navigation', async () => {
    await navigate(url('/fresh'));
    const json = await request(url('/fresh'), { headers: { accept: 'application/json' } });
    expect(json.headers['x-http2-preload']).toBe('late');
    const fetched = await navigate(url('/fresh'), { 'sec-fetch-mode': 'cors' });
    expect(fetched.headers['x-http2-preload']).toBe('late');
    // A HEAD is never flushed (it has no body to follow), but says what its GET gets.
    const head = await request(url('/fresh'), { method: 'HEAD', headers: { accept: 'text/html' } });
    expect(head.headers['x-http2-preload']).toBe('early');
    expect(linkUrls(head.headers.link)).toEqual(PAGE_ASSETS);
    expect(head.headers['content-length']).toBeDefined();
    // A browser navigation and a client that accepts anything (curl) are flushed.
    expect((await navigate(url('/fresh'), { 'sec-fetch-mode': 'navigate' })).headers['x-http2-preload']).toBe('early');
    expect((await request(url('/fresh'), { headers: { accept: '*/*' } })).headers['x-http2-preload']).toBe('early');
  });

  it('ends on a page that asks again when the handler throws after the flush; the retry gets the real error', async () => {
    await navigate(url('/throws'));
    next.fail = true;

    const staged = stagedNavigation(url('/throws'));
    expect((await staged.head).headers['x-http2-preload']).toBe('early');
    const end = await staged.end;
    expect(end.complete).toBe(true);
    expect(isRecoveryPage(end.body)).toBe(true);
    expect(logger.at('warn')).toEqual([
      expect.stringMatching(
        /^GET \/throws failed \(database down\) after its headers had been flushed; the browser got a page that asks again.*still flushed: that happens on a small share/,
      ),
    ]);

    for (const scripting of [true, false]) {
      const retry = await followRecovery(
        url('/throws'),
        { statusCode: 200, headers: {}, body: end.body, informational: [] },
        scripting,
      );
      expect(retry.statusCode).toBe(500);
      expect(retry.headers['x-http2-preload']).toBeUndefined();
      expect(JSON.parse(retry.body)).toMatchObject({ statusCode: 500 });
    }
  });

  it('keeps flushing a route that fails now and then, stops one that keeps failing, and resumes it once its late pages come out clean', async () => {
    await navigate(url('/throws'));
    // One failure among clean pages: the route keeps flushing.
    next.fail = true;
    await navigate(url('/throws'));
    next.fail = false;
    const modes: string[] = [];
    for (let i = 0; i < 5; i += 1) modes.push((await navigate(url('/throws'))).headers['x-http2-preload'] as string);
    expect(modes).toEqual(Array(5).fill('early'));

    // Failing again and again: it stops, and says so once.
    next.fail = true;
    const failing: string[] = [];
    for (let i = 0; i < 6; i += 1) failing.push((await navigate(url('/throws'))).headers['x-http2-preload'] as string);
    expect(failing.filter((mode) => mode === 'early').length).toBeLessThanOrEqual(5);
    expect(failing.at(-1)).toBeUndefined();
    expect(logger.at('warn').filter((line) => line.includes('It is not flushed while'))).toHaveLength(1);

    next.fail = false;
    const again: string[] = [];
    for (let i = 0; i < 20 && again.at(-1) !== 'early'; i += 1)
      again.push((await navigate(url('/throws'))).headers['x-http2-preload'] as string);
    expect(again.at(-1)).toBe('early');
    expect(again.slice(0, -1).every((mode) => mode === 'late')).toBe(true);
    expect(logger.at('log').filter((line) => line.includes('flushed again'))).toEqual([
      expect.stringContaining('GET /throws is flushed again'),
    ]);
  });

  it('ends on a page that asks again when the template fails after the flush', async () => {
    await navigate(url('/fragile'));
    next.fail = true;

    const end = await stagedNavigation(url('/fragile')).end;
    expect(end.complete).toBe(true);
    expect(isRecoveryPage(end.body)).toBe(true);
    expect(logger.at('warn')).toEqual([expect.stringMatching(/^GET \/fragile failed to render fragile/)]);

    // One failure among clean pages does not stop the route.
    next.fail = false;
    const after = await navigate(url('/fragile'));
    expect(after.headers['x-http2-preload']).toBe('early');
    expect(after.body).toContain('<p>Fragile</p>');
  });

  it('sends the browser on when the handler redirects after the flush, and stops flushing a route that keeps redirecting', async () => {
    await navigate(url('/redirects'));
    next.redirect = true;

    const res = await navigate(url('/redirects'));
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-http2-preload']).toBe('early');
    expect(res.body).toContain('<meta http-equiv="refresh" content="0; url=/signed-out?from=a&amp;b">');
    expect(res.body).toContain('<a href="/signed-out?from=a&amp;b">');
    expect(logger.at('warn')).toEqual([
      expect.stringContaining('GET /redirects redirected (302) to /signed-out?from=a&b'),
    ]);

    const later = [];
    for (let i = 0; i < 6; i += 1) later.push(await navigate(url('/redirects')));
    expect(later.at(-1)!.statusCode).toBe(302);
    expect(later.at(-1)!.headers.location).toBe('/signed-out?from=a&b');
    for (const res of later.filter((each) => each.statusCode === 200))
      expect(res.body).toContain('<meta http-equiv="refresh" content="0; url=/signed-out?from=a&amp;b">');
  });

  it('never sends a cookie-setting page under flushed headers: the retry gets the page with its cookie', async () => {
    await navigate(url('/cookie'));
    next.cookie = true;

    const flushed = await navigate(url('/cookie'));
    expect(flushed.statusCode).toBe(200);
    expect(flushed.headers['x-http2-preload']).toBe('early');
    expect(flushed.body).not.toContain('<h1>Cookie</h1>');
    expect(logger.at('warn')).toEqual([
      expect.stringContaining('GET /cookie set set-cookie, cache-control, which the flushed headers did not carry'),
    ]);

    const retry = await followRecovery(url('/cookie'), flushed, true);
    expect(retry.headers['x-http2-preload']).toBe('late');
    expect(retry.headers['set-cookie']).toEqual(['visited=yes; Path=/']);
    expect(retry.headers['cache-control']).toBe('private');
    expect(retry.body).toContain('<h1>Cookie</h1>');
  });

  it('never flushes a route whose handler sets a cookie on its first request', async () => {
    const responses = [];
    for (let i = 0; i < 6; i += 1) responses.push(await navigate(url('/always-cookie')));
    for (const res of responses) {
      expect(res.headers['x-http2-preload']).toBe('late');
      expect(res.headers['set-cookie']).toEqual(['visited=yes; Path=/']);
    }
    expect(logger.at('warn')).toEqual([expect.stringContaining('GET /always-cookie sets set-cookie while it runs')]);
  });

  it('never sends what is not HTML under the flushed headers: the retry gets it as the app meant it', async () => {
    await navigate(url('/negotiated'));
    next.json = true;

    const end = await stagedNavigation(url('/negotiated')).end;
    expect(end.complete).toBe(true);
    expect(end.body).not.toContain('Negotiated');
    expect(isRecoveryPage(end.body)).toBe(true);
    expect(logger.at('warn')).toEqual([
      expect.stringContaining('GET /negotiated answered application/json; charset=utf-8 instead of HTML'),
    ]);

    const retry = await followRecovery(
      url('/negotiated'),
      { statusCode: 200, headers: {}, body: end.body, informational: [] },
      true,
    );
    expect(retry.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(retry.body)).toEqual({ title: 'Negotiated' });
  });
});

@Module({ imports: [Http2PreloadModule.forRoot({ disableProxyBuffering: false })], controllers: [PagesController] })
class BufferingAllowedModule {}

describe('disableProxyBuffering: false', () => {
  let running: RunningApp;
  beforeAll(async () => {
    running = await startApp(BufferingAllowedModule);
  });
  afterAll(() => running.close());

  it('flushes without X-Accel-Buffering', async () => {
    await navigate(`${running.baseUrl}/fresh`);
    const early = await navigate(`${running.baseUrl}/fresh`);
    expect(early.headers['x-http2-preload']).toBe('early');
    expect(early.headers['x-accel-buffering']).toBeUndefined();
  });
});

describe('flushed headers behind compression middleware', () => {
  let running: RunningApp;
  beforeAll(async () => {
    running = await startApp(AppModule, {
      configure: (app) => {
        app.use(compression({ threshold: 0 }));
        app.setBaseViewsDir(FIXTURE_VIEWS);
        app.setViewEngine('hbs');
        registerPreloadHelper(hbs);
      },
    });
  });
  afterAll(() => {
    next.gate.open();
    return running.close();
  });

  it('gets the headers and the first chunk out while the handler waits, and a complete gzip body after', async () => {
    const url = `${running.baseUrl}/slow`;
    await navigate(url, { 'accept-encoding': 'gzip' });
    next.gate = new Gate();

    const staged = stagedRequest(url, { headers: { accept: 'text/html', 'accept-encoding': 'gzip' } });
    const head = await staged.head;
    expect(head.headers['content-encoding']).toBe('gzip');
    expect(head.headers['x-http2-preload']).toBe('early');
    // Compression buffers what is written until flushed; the padding must get through while
    // the handler waits, compressed (WebKit counts the decoded bytes, the browser tests check it).
    const padding = await staged.until(
      (received) =>
        gunzipSync(received, { finishFlush: zlibConstants.Z_SYNC_FLUSH }).toString() === FLUSHED_FIRST_CHUNK,
    );
    expect(padding.length).toBeLessThan(64);

    next.gate.open();
    const end = await staged.end;
    expect(end.complete).toBe(true);
    const page = gunzipSync(end.bytes).toString('utf8');
    expect(page.startsWith(`${FLUSHED_FIRST_CHUNK}<!doctype html>`)).toBe(true);
    expect(page).toContain('<h1>Slow</h1>');
  });
});

describe('flushed headers under concurrency', () => {
  let running: RunningApp;
  beforeAll(async () => {
    running = await startApp(AppModule);
  });
  afterAll(() => {
    next.gate.open();
    return running.close();
  });

  it('gives each of 100 concurrent early responses its complete page', async () => {
    next.gate = Gate.open();
    await navigate(`${running.baseUrl}/fresh`);
    const responses = await Promise.all(Array.from({ length: 100 }, () => navigate(`${running.baseUrl}/fresh`)));
    for (const res of responses) {
      expect(res.headers['x-http2-preload']).toBe('early');
      expect(res.body.startsWith(`${FLUSHED_FIRST_CHUNK}<!doctype html>`)).toBe(true);
      expect(res.body.trimEnd().endsWith('</html>')).toBe(true);
    }
  });
});
