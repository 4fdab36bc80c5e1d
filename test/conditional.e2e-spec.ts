import { Body, Controller, Get, Module, Put, Query, Render } from '@nestjs/common';
import { Conditional, ETag, Http2PreloadModule, LastModified } from '../src/index.js';
import { PAGE_ASSETS, startApp, type RunningApp } from './support/app.js';
import { linkUrls, navigate, request, stagedNavigation } from './support/http.js';
import { Gate } from './support/gate.js';
import { RecordingLogger } from './support/logger.js';

/** The resource the routes serve, and how often each handler ran. */
const article = { version: 1, modified: new Date('2026-11-20T10:00:00Z'), etagThrows: false };
const ran = { page: 0, json: 0, put: 0, handlerEtag: 0 };
let gate = Gate.open();

@Controller()
class ArticlesController {
  @Get('article')
  @Render('page')
  @Conditional({ etag: () => `article-${article.version}`, lastModified: async () => article.modified })
  async page(@Query('tab') tab?: string) {
    ran.page += 1;
    await gate.opened;
    return { title: `Article ${article.version}${tab ? ` ${tab}` : ''}` };
  }

  @Get('api/article')
  @ETag(() => {
    if (article.etagThrows) throw new Error('version store down');
    return `W/"article-${article.version}"`;
  })
  json() {
    ran.json += 1;
    return { version: article.version };
  }

  @Put('api/article')
  @ETag(() => `article-${article.version}`)
  @LastModified(() => article.modified)
  update(@Body() _body: unknown) {
    ran.put += 1;
    article.version += 1;
    return { version: article.version };
  }

  @Get('handler-etag')
  @Render('page')
  handlerEtag() {
    ran.handlerEtag += 1;
    return { title: 'Handler ETag' };
  }
}

@Module({ imports: [Http2PreloadModule.forRoot()], controllers: [ArticlesController] })
class AppModule {}

describe('@Conditional(): preconditions settled before the handler', () => {
  let running: RunningApp;
  let logger: RecordingLogger;
  const url = (path: string) => `${running.baseUrl}${path}`;

  beforeEach(async () => {
    Object.assign(article, { version: 1, etagThrows: false });
    Object.assign(ran, { page: 0, json: 0, put: 0, handlerEtag: 0 });
    gate = Gate.open();
    logger = new RecordingLogger();
    running = await startApp(AppModule, { nest: { logger } });
  });
  afterEach(() => {
    gate.open();
    return running.close();
  });

  it('sets ETag and Last-Modified on the page, and answers a match with 304 without running the handler', async () => {
    const page = await navigate(url('/article'));
    expect(page.statusCode).toBe(200);
    expect(page.headers.etag).toBe('"article-1"');
    expect(page.headers['last-modified']).toBe(article.modified.toUTCString());
    expect(ran.page).toBe(1);

    const byEtag = await navigate(url('/article'), { 'if-none-match': '"article-1"' });
    const byDate = await navigate(url('/article'), { 'if-modified-since': article.modified.toUTCString() });
    const head = await request(url('/article'), { method: 'HEAD', headers: { 'if-none-match': 'W/"article-1"' } });
    for (const res of [byEtag, byDate, head]) {
      expect(res.statusCode).toBe(304);
      expect(res.body).toBe('');
      expect(res.headers.etag).toBe('"article-1"');
      expect(res.headers.link).toBeUndefined();
      expect(res.headers['x-http2-preload']).toBeUndefined();
    }
    expect(ran.page).toBe(1);
  });

  it('sends a revalidation that no longer matches early, with its validators in the flushed headers', async () => {
    await navigate(url('/article'));
    article.version = 2;
    gate = new Gate();
    const staged = stagedNavigation(url('/article'), { 'if-none-match': '"article-1"' });
    const head = await staged.head;
    expect(head.statusCode).toBe(200);
    expect(head.headers['x-http2-preload']).toBe('early');
    expect(head.headers.etag).toBe('"article-2"');
    expect(linkUrls(head.headers.link)).toEqual(PAGE_ASSETS);
    // The handler is running, held at the gate: the headers came before its answer.
    expect(ran.page).toBe(2);
    gate.open();
    const end = await staged.end;
    expect(end.complete).toBe(true);
    expect(end.body).toContain('<h1>Article 2</h1>');
  });

  it('works on JSON routes: 304 for GET, and If-Match for optimistic concurrency on PUT (412 without running the handler)', async () => {
    const first = await request(url('/api/article'));
    expect(first.headers.etag).toBe('W/"article-1"');
    expect((await request(url('/api/article'), { headers: { 'if-none-match': 'W/"article-1"' } })).statusCode).toBe(
      304,
    );
    expect(ran.json).toBe(1);

    const stale = await request(url('/api/article'), { method: 'PUT', headers: { 'if-match': '"article-0"' } });
    expect(stale.statusCode).toBe(412);
    expect(JSON.parse(stale.body)).toMatchObject({ statusCode: 412 });
    const stillModified = await request(url('/api/article'), {
      method: 'PUT',
      headers: { 'if-unmodified-since': new Date(article.modified.getTime() - 60_000).toUTCString() },
    });
    expect(stillModified.statusCode).toBe(412);
    expect(ran.put).toBe(0);

    const current = await request(url('/api/article'), { method: 'PUT', headers: { 'if-match': '"article-1"' } });
    expect(current.statusCode).toBe(200);
    expect(JSON.parse(current.body)).toEqual({ version: 2 });
    // A PUT's answer does not describe the resource as it is now: no validators on it.
    expect(current.headers.etag).not.toBe('"article-1"');
    expect(ran.put).toBe(1);
  });

  it('fails only that request when a validator function throws; the app keeps serving', async () => {
    article.etagThrows = true;
    const failed = await request(url('/api/article'));
    expect(failed.statusCode).toBe(500);
    expect(ran.json).toBe(0);
    article.etagThrows = false;
    expect((await request(url('/api/article'))).statusCode).toBe(200);
  });

  it('takes the retry marker off the URL before the handler reads its query', async () => {
    const res = await navigate(url('/article?tab=notes&http2-preload=late'));
    expect(res.body).toContain('<h1>Article 1 notes</h1>');
    expect(res.headers['x-http2-preload']).toBe('late');
  });
});

describe('without @Conditional', () => {
  let running: RunningApp;
  beforeAll(async () => {
    running = await startApp(AppModule);
  });
  afterAll(() => running.close());

  it.each([
    ['If-Match', { 'if-match': '"x"' }],
    ['If-Unmodified-Since', { 'if-unmodified-since': new Date(0).toUTCString() }],
    ['If-None-Match', { 'if-none-match': '"x"' }],
  ])('sends nothing early to a request with %s', async (_name, headers) => {
    await navigate(`${running.baseUrl}/handler-etag`);
    expect((await navigate(`${running.baseUrl}/handler-etag`)).headers['x-http2-preload']).toBe('early');
    expect((await navigate(`${running.baseUrl}/handler-etag`, headers)).headers['x-http2-preload']).toBe('late');
  });
});
