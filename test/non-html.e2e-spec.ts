import { Controller, Get, Module, Render, Req, Sse, StreamableFile, type MessageEvent } from '@nestjs/common';
import type { Request } from 'express';
import { from, type Observable } from 'rxjs';
import { Http2PreloadModule, Preload, PreloadCollector, type PreloadStrategy } from '../src/index.js';
import { type RunningApp, startApp } from './support/app.js';
import { navigate, request, type HttpResult } from './support/http.js';

/** What a browser sends when the user opens a URL: the worst case for a non-HTML route. */
const BROWSER_NAVIGATION = { 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document' };
const FILE_BYTES = 'not a page, a file';

/** Every route records a hint and declares one, so only the response type can keep them off. */
@Preload(['/static/css/declared.css'])
@Controller()
class MixedController {
  @Get('api')
  api(@Req() req: Request) {
    PreloadCollector.of(req).add('/static/css/app.css');
    return { ok: true };
  }

  @Get('download')
  download(@Req() req: Request) {
    PreloadCollector.of(req).add('/static/css/app.css');
    return new StreamableFile(Buffer.from(FILE_BYTES), { type: 'application/octet-stream' });
  }

  @Sse('events')
  events(@Req() req: Request): Observable<MessageEvent> {
    PreloadCollector.of(req).add('/static/css/app.css');
    return from([{ data: 'first' }, { data: 'second' }]);
  }

  @Get('page')
  @Render('page')
  page() {
    return { title: 'Cacheable page' };
  }
}

function expectNoHints(res: HttpResult): void {
  expect(res.informational).toEqual([]);
  expect(res.headers.link).toBeUndefined();
}

describe.each<PreloadStrategy>(['flushHeaders', 'earlyHints'])('non-HTML responses (strategy: %s)', (strategy) => {
  let running: RunningApp;
  const url = (path: string) => `${running.baseUrl}${path}`;

  beforeAll(async () => {
    @Module({ imports: [Http2PreloadModule.forRoot({ strategy })], controllers: [MixedController] })
    class AppModule {}
    running = await startApp(AppModule);
  });
  afterAll(() => running.close());

  it('leaves JSON untouched, however often a browser opens it', async () => {
    for (let i = 0; i < 3; i += 1) {
      const res = await navigate(url('/api'), BROWSER_NAVIGATION);
      expectNoHints(res);
      expect(res.headers['x-http2-preload']).toBeUndefined();
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(JSON.parse(res.body)).toEqual({ ok: true });
    }
  });

  it('leaves HEAD of a JSON route untouched', async () => {
    for (let i = 0; i < 2; i += 1) {
      const res = await request(url('/api'), {
        method: 'HEAD',
        headers: { accept: 'text/html', ...BROWSER_NAVIGATION },
      });
      expectNoHints(res);
      expect(res.headers['x-http2-preload']).toBeUndefined();
      expect(res.headers['content-type']).toMatch(/^application\/json/);
    }
  });

  it('leaves a StreamableFile download untouched', async () => {
    for (let i = 0; i < 2; i += 1) {
      const res = await navigate(url('/download'), BROWSER_NAVIGATION);
      expectNoHints(res);
      expect(res.headers['x-http2-preload']).toBeUndefined();
      expect(res.headers['content-type']).toBe('application/octet-stream');
      expect(res.body).toBe(FILE_BYTES);
    }
  });

  it('leaves a server-sent event stream untouched', async () => {
    for (let i = 0; i < 2; i += 1) {
      const res = await request(url('/events'), { headers: { accept: 'text/event-stream' } });
      expectNoHints(res);
      expect(res.headers['x-http2-preload']).toBeUndefined();
      expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
      expect(res.body).toContain('data: first');
      expect(res.body).toContain('data: second');
    }
  });

  it('gives a 304 no hints, even for a page whose hints are cached', async () => {
    expect((await navigate(url('/page'), BROWSER_NAVIGATION)).headers['x-http2-preload']).toBe('early');
    // A flushed page is chunked, without an ETag; a stale revalidation gets the whole page, late, with one.
    const page = await navigate(url('/page'), { ...BROWSER_NAVIGATION, 'if-none-match': '"stale"' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['x-http2-preload']).toBe('late');
    const etag = String(page.headers.etag);

    const revalidated = await navigate(url('/page'), { ...BROWSER_NAVIGATION, 'if-none-match': etag });
    expect(revalidated.statusCode).toBe(304);
    expectNoHints(revalidated);
    expect(revalidated.body).toBe('');
  });
});
