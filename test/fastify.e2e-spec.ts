import { Controller, Get, Module, NotFoundException, Param, Render, Req } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { FLUSHED_FIRST_CHUNK } from '../src/flush/flushed-response.js';
import { ETag, Http2PreloadModule, NoPreload, Preload, PreloadCollector } from '../src/index.js';
import { FIXTURE_VIEWS, PAGE_ASSETS } from './support/app.js';
import { startFastifyApp } from './support/fastify-app.js';
import { Gate } from './support/gate.js';
import { linkUrls, navigate, request, stagedNavigation } from './support/http.js';
import { RecordingLogger } from './support/logger.js';
import { followRecovery, isRecoveryPage } from './support/recovery.js';

let gate = Gate.open();
let articleRenders = 0;

@Controller()
class PagesController {
  @Get('page')
  @Render('page')
  page() {
    return { title: 'Page' };
  }

  @Get('slow')
  @Render('page')
  async slow() {
    await gate.opened;
    return { title: 'Slow' };
  }

  @Get('users/:id')
  @Render('page')
  user(@Param('id') id: string, @Req() req: object) {
    if (id !== '1') throw new NotFoundException(`No user ${id}`);
    PreloadCollector.of(req).add('/static/img/user.webp');
    return { title: `User ${id}` };
  }

  @Preload({ strategy: 'earlyHints' })
  @Get('hinted')
  @Render('page')
  hinted() {
    return { title: 'Hinted' };
  }

  @NoPreload()
  @Get('plain')
  @Render('page')
  plain() {
    return { title: 'Plain' };
  }

  @Get('article')
  @Render('page')
  @ETag(() => 'v7')
  article() {
    articleRenders += 1;
    return { title: 'Article' };
  }

  @Get('api/data')
  data() {
    return { ok: true };
  }
}

@Module({ imports: [Http2PreloadModule.forRoot()], controllers: [PagesController] })
class AppModule {}

/** NestJS on Fastify with @fastify/view and Handlebars, as the NestJS MVC docs set it up. */
describe('on Fastify (@nestjs/platform-fastify, @fastify/view + Handlebars)', () => {
  let app: NestFastifyApplication;
  let baseUrl: string;
  let logger: RecordingLogger;
  const url = (path: string) => `${baseUrl}${path}`;

  beforeEach(async () => {
    logger = new RecordingLogger();
    gate = Gate.open();
    ({ app, baseUrl } = await startFastifyApp(AppModule, { views: FIXTURE_VIEWS, logger }));
  });
  afterEach(() => {
    gate.open();
    return app.close();
  });

  it('records with the helper and sends the links late, then flushed before the handler', async () => {
    const first = await navigate(url('/page'));
    expect(first.statusCode).toBe(200);
    expect(first.headers['x-http2-preload']).toBe('late');
    expect(linkUrls(first.headers.link)).toEqual(PAGE_ASSETS);
    expect(first.body).toContain('<h1>Page</h1>');

    await navigate(url('/slow'));
    gate = new Gate();
    const staged = stagedNavigation(url('/slow'));
    const head = await staged.head;
    expect(head.headers['x-http2-preload']).toBe('early');
    expect(linkUrls(head.headers.link)).toEqual(PAGE_ASSETS);
    expect(await staged.firstChunk).toBe(FLUSHED_FIRST_CHUNK);
    gate.open();
    const end = await staged.end;
    expect(end.complete).toBe(true);
    expect(end.body).toContain('<h1>Slow</h1>');
  });

  it('adds what the collector was given, and sends a 103 for @Preload({ strategy: "earlyHints" })', async () => {
    const user = await navigate(url('/users/1'));
    expect(linkUrls(user.headers.link)).toContain('/static/img/user.webp');

    await navigate(url('/hinted'));
    const hinted = await navigate(url('/hinted'));
    expect(hinted.informational).toHaveLength(1);
    expect(linkUrls(hinted.informational[0].headers.link as string)).toEqual(PAGE_ASSETS);
    expect(hinted.headers['x-http2-preload']).toBe('early');
    expect(hinted.body).toContain('<h1>Hinted</h1>');
  });

  it('ends a 404 after a flush on the app answer, one round trip later', async () => {
    await navigate(url('/users/1'));
    const flushed = await navigate(url('/users/2'));
    expect(flushed.headers['x-http2-preload']).toBe('early');
    expect(isRecoveryPage(flushed.body)).toBe(true);
    for (const scripting of [true, false]) {
      const retry = await followRecovery(url('/users/2'), flushed, scripting);
      expect(retry.statusCode).toBe(404);
      expect(JSON.parse(retry.body)).toMatchObject({ statusCode: 404, message: 'No user 2' });
    }
    expect(logger.at('warn')).toContainEqual(expect.stringContaining('GET /users/:id answered 404 (No user 2)'));
  });

  it('leaves JSON alone and says off for @NoPreload()', async () => {
    const json = await request(url('/api/data'));
    expect(JSON.parse(json.body)).toEqual({ ok: true });
    expect(json.headers.link).toBeUndefined();
    expect(json.headers['x-http2-preload']).toBeUndefined();
    const plain = await navigate(url('/plain'));
    expect(plain.headers['x-http2-preload']).toBe('off');
    expect(plain.headers.link).toBeUndefined();
  });

  it('answers @ETag() revalidations with 304 before the handler, and sends the ETag with the page', async () => {
    articleRenders = 0;
    const page = await navigate(url('/article'));
    expect(page.headers.etag).toBe('"v7"');
    const revalidated = await navigate(url('/article'), { 'if-none-match': '"v7"' });
    expect(revalidated.statusCode).toBe(304);
    expect(revalidated.headers.etag).toBe('"v7"');
    expect(revalidated.body).toBe('');
    expect(articleRenders).toBe(1);
    expect((await navigate(url('/api/data'))).statusCode).toBe(200);
  });
});
