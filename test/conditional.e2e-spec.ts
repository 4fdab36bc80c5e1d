import { Body, Controller, Get, Module, Put, Query, Render } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Conditional, ETag, Http2PreloadModule, LastModified } from '../src/index.js';
import { FIXTURE_VIEWS, PAGE_ASSETS, startApp, type RunningApp } from './support/app.js';
import {
  BROWSER_NAVIGATION_HEADERS,
  linkUrls,
  navigate,
  request,
  stagedNavigation,
  type HttpResult,
} from './support/http.js';
import { isRecoveryPage } from './support/recovery.js';
import { startFastifyApp } from './support/fastify-app.js';
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

/** The resource of the routes below, and its body: a page that changes only when it does. */
const resource = { version: 1, modified: new Date('2026-11-20T10:00:00Z') };

@Controller()
class ForeignValidatorsController {
  @Get('modified')
  @Render('page')
  @LastModified(() => resource.modified)
  modified() {
    return { title: `Version ${resource.version}` };
  }

  @Get('etag-none')
  @Render('page')
  @ETag(() => undefined)
  etagNone() {
    return { title: `Version ${resource.version}` };
  }

  @Get('owned')
  @Render('page')
  @ETag(() => `v${resource.version}`)
  owned() {
    return { title: `Version ${resource.version}` };
  }
}

@Module({ imports: [Http2PreloadModule.forRoot()], controllers: [ForeignValidatorsController] })
class ForeignValidatorsModule {}

/**
 * What a browser does with its cache on a navigation: it keeps the page's `ETag` and
 * `Last-Modified` from each `200`, and revalidates with `If-None-Match` and
 * `If-Modified-Since`; a `304` shows the page it has.
 */
class BrowserCache {
  private readonly entries = new Map<string, { etag?: string; lastModified?: string; body: string }>();

  async visit(url: string): Promise<HttpResult & { shown: string }> {
    const entry = this.entries.get(url);
    const headers: Record<string, string> = { ...BROWSER_NAVIGATION_HEADERS };
    if (entry?.etag) headers['if-none-match'] = entry.etag;
    if (entry?.lastModified) headers['if-modified-since'] = entry.lastModified;
    const res = await navigate(url, headers);
    if (res.statusCode === 304 && entry) return { ...res, shown: entry.body };
    const etag = res.headers.etag;
    const lastModified = res.headers['last-modified'];
    if (etag || lastModified) this.entries.set(url, { etag, lastModified, body: res.body });
    else this.entries.delete(url);
    return { ...res, shown: res.body };
  }
}

describe('@Conditional() with validators the module does not own (Express adds its own ETag)', () => {
  let running: RunningApp;
  let logger: RecordingLogger;
  const url = (path: string) => `${running.baseUrl}${path}`;
  const plain = async (path: string) => (await navigate(url(path), BROWSER_NAVIGATION_HEADERS)).headers;

  beforeEach(async () => {
    Object.assign(resource, { version: 1, modified: new Date('2026-11-20T10:00:00Z') });
    logger = new RecordingLogger();
    running = await startApp(ForeignValidatorsModule, { nest: { logger } });
  });
  afterEach(() => running.close());

  it.each(['/modified', '/etag-none'])(
    "revalidates %s with the 304 Express's own ETag earns, never a retry page, and keeps flushing plain navigations",
    async (path) => {
      const browser = new BrowserCache();
      const first = await browser.visit(url(path));
      expect(first.statusCode).toBe(200);
      expect(first.headers['x-http2-preload']).toBe('late');
      expect(first.headers.etag).toMatch(/^W\/"/);

      for (let i = 0; i < 3; i += 1) {
        const again = await browser.visit(url(path));
        expect(isRecoveryPage(again.body)).toBe(false);
        expect(again.statusCode).toBe(304);
        expect(again.shown).toContain('<h1>Version 1</h1>');
        expect((await plain(path))['x-http2-preload']).toBe('early');
      }

      resource.version = 2;
      resource.modified = new Date('2026-11-21T10:00:00Z');
      const changed = await browser.visit(url(path));
      expect(changed.statusCode).toBe(200);
      expect(isRecoveryPage(changed.body)).toBe(false);
      expect(changed.body).toContain('<h1>Version 2</h1>');
      expect((await plain(path))['x-http2-preload']).toBe('early');
      expect(logger.at('warn')).toEqual([]);
    },
  );

  it('revalidates a copy that came flushed (Last-Modified, no ETag) before the handler, and sends a changed page early', async () => {
    await navigate(url('/modified'));
    const flushed = await navigate(url('/modified'), BROWSER_NAVIGATION_HEADERS);
    expect(flushed.headers['x-http2-preload']).toBe('early');
    expect(flushed.headers.etag).toBeUndefined();
    const lastModified = String(flushed.headers['last-modified']);

    const unchanged = await navigate(url('/modified'), { 'if-modified-since': lastModified });
    expect(unchanged.statusCode).toBe(304);

    resource.version = 2;
    resource.modified = new Date('2026-11-21T10:00:00Z');
    const changed = await navigate(url('/modified'), { 'if-modified-since': lastModified });
    expect(changed.statusCode).toBe(200);
    expect(changed.headers['x-http2-preload']).toBe('early');
    expect(isRecoveryPage(changed.body)).toBe(false);
    expect(changed.body).toContain('<h1>Version 2</h1>');
    expect(logger.at('warn')).toEqual([]);
  });

  it("answers @ETag() with Express's etag on: a match with 304 before the handler, a change early", async () => {
    const browser = new BrowserCache();
    expect((await browser.visit(url('/owned'))).headers.etag).toBe('"v1"');
    expect((await plain('/owned'))['x-http2-preload']).toBe('early');
    expect((await browser.visit(url('/owned'))).statusCode).toBe(304);

    resource.version = 2;
    const changed = await browser.visit(url('/owned'));
    expect(changed.statusCode).toBe(200);
    expect(changed.headers['x-http2-preload']).toBe('early');
    expect(changed.headers.etag).toBe('"v2"');
    expect(isRecoveryPage(changed.body)).toBe(false);
    expect(changed.body).toContain('<h1>Version 2</h1>');
    expect((await browser.visit(url('/owned'))).statusCode).toBe(304);
    expect(logger.at('warn')).toEqual([]);
  });

  // RFC 9110 §13.1.3, §13.1.4: ignored. Express's own check (the fresh package, Date.parse) would take them, so
  // the module settles it: late, and also after a flush, where a 304 would have ended on the page that asks again.
  it.each(['2099-12-31', '3000', '12/31/2099', 'Tue, 31 Dec 2099'])(
    'ignores If-Modified-Since: %s, which is not an HTTP-date, late and flushed',
    async (value) => {
      const late = await navigate(url('/modified'), { 'if-modified-since': value });
      expect(late.statusCode).toBe(200);
      expect(late.headers['x-http2-preload']).toBe('late');
      const early = await navigate(url('/modified'), { 'if-modified-since': value });
      expect(early.statusCode).toBe(200);
      expect(early.headers['x-http2-preload']).toBe('early');
      expect(isRecoveryPage(early.body)).toBe(false);
      expect(early.body).toContain('<h1>Version 1</h1>');
      expect(logger.at('warn')).toEqual([]);
    },
  );

  it('ignores If-Unmodified-Since: 2001-01-01 on a GET (no 412), and takes an obsolete HTTP-date format', async () => {
    expect((await navigate(url('/modified'), { 'if-unmodified-since': '2001-01-01' })).statusCode).toBe(200);
    expect((await navigate(url('/modified'), { 'if-unmodified-since': 'Mon Jan  1 00:00:00 2001' })).statusCode).toBe(
      412,
    );
    expect(
      (await navigate(url('/modified'), { 'if-modified-since': 'Saturday, 21-Nov-26 10:00:00 GMT' })).statusCode,
    ).toBe(304);
  });
});

describe('@Conditional() dates on Fastify', () => {
  let app: NestFastifyApplication;
  let baseUrl: string;
  const url = (path: string) => `${baseUrl}${path}`;

  beforeEach(async () => {
    Object.assign(resource, { version: 1, modified: new Date('2026-11-20T10:00:00Z') });
    ({ app, baseUrl } = await startFastifyApp(ForeignValidatorsModule, { views: FIXTURE_VIEWS }));
  });
  afterEach(() => app.close());

  it('ignores a date that is not an HTTP-date, late and flushed, and answers a real one', async () => {
    for (const mode of ['late', 'early']) {
      const res = await navigate(url('/modified'), { 'if-modified-since': '2099-12-31' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['x-http2-preload']).toBe(mode);
      expect(isRecoveryPage(res.body)).toBe(false);
    }
    const lastModified = resource.modified.toUTCString();
    expect((await navigate(url('/modified'), { 'if-modified-since': lastModified })).statusCode).toBe(304);
    expect((await navigate(url('/modified'), { 'if-unmodified-since': '2001-01-01' })).statusCode).toBe(200);
  });
});
