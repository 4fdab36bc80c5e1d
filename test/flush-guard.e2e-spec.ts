import { Controller, Get, Module, Render } from '@nestjs/common';
import compression from 'compression';
import type { NextFunction, Request, Response } from 'express';
import hbs from 'hbs';
import { ServerResponse } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { Http2PreloadModule, registerPreloadHelper } from '../src/index.js';
import { FIXTURE_VIEWS, type RunningApp, startApp } from './support/app.js';
import { navigate, stagedRequest } from './support/http.js';
import { followRecovery, isRecoveryPage } from './support/recovery.js';

// The guard a flushed response needs is installed once, on the app's response prototype:
// a flushed response keeps the shape of every other response of the app, and middleware
// that wraps a method on the response (compression) stays underneath the guard.

const next = { fail: false };

@Controller()
class PagesController {
  @Get('page')
  @Render('page')
  page() {
    return { title: 'Page' };
  }

  @Get('throws')
  @Render('page')
  throws() {
    if (next.fail) throw new Error('database down');
    return { title: 'Throws' };
  }
}

@Module({ imports: [Http2PreloadModule.forRoot()], controllers: [PagesController] })
class AppModule {}

/** What each finished response looked like, seen from middleware. */
interface Probe {
  readonly mode: string | undefined;
  readonly prototype: object;
  /** Guarded method names the response carries as its own properties. */
  readonly ownMethods: string[];
}

const GUARDED_NAMES = ['setHeader', 'appendHeader', 'getHeader', 'removeHeader', 'writeHead', 'write', 'end', 'render'];

describe('the flush guard, installed once per app', () => {
  let running: RunningApp;
  const probes: Probe[] = [];

  beforeAll(async () => {
    running = await startApp(AppModule, {
      configure: (app) => {
        app.use((_request: Request, response: Response, done: NextFunction) => {
          response.on('finish', () =>
            probes.push({
              mode: response.getHeader('x-http2-preload') as string | undefined,
              prototype: Object.getPrototypeOf(response) as object,
              ownMethods: GUARDED_NAMES.filter((name) => Object.hasOwn(response, name)),
            }),
          );
          done();
        });
        app.use(compression({ threshold: 0 }));
        app.setBaseViewsDir(FIXTURE_VIEWS);
        app.setViewEngine('hbs');
        registerPreloadHelper(hbs);
      },
    });
  });
  afterAll(() => running.close());

  /** A gzip page request; the decoded body. */
  async function gzipPage(path: string): Promise<{ mode: unknown; status: number | undefined; page: string }> {
    const staged = stagedRequest(`${running.baseUrl}${path}`, {
      headers: { accept: 'text/html', 'accept-encoding': 'gzip' },
    });
    const head = await staged.head;
    const end = await staged.end;
    return {
      mode: head.headers['x-http2-preload'],
      status: head.statusCode,
      page: gunzipSync(end.bytes).toString('utf8'),
    };
  }

  it('leaves a flushed response the prototype of every other response, with compression underneath the guard', async () => {
    probes.length = 0;
    const pages = [];
    for (let i = 0; i < 4; i++) pages.push(await gzipPage('/page'));
    expect(pages.map((page) => page.mode)).toEqual(['late', 'early', 'early', 'early']);
    for (const { page } of pages) expect(page).toContain('<h1>Page</h1>');

    const [late, ...flushed] = probes;
    expect(late.mode).toBe('late');
    for (const probe of flushed) expect(probe.prototype).toBe(late.prototype);
    // The first flush of the app installs the guard, so compression wrapped that response's
    // methods before: they are guarded on the response itself. After it, none are.
    for (const probe of flushed.slice(1)) expect(probe.ownMethods).toEqual([]);
  });

  it('lets a method patched onto the prototype after the guard was installed reach every response, compressed and flushed ones too', async () => {
    await gzipPage('/page');
    // An agent patching the app's response prototype once the app runs: responses that
    // compression wrapped (methods of their own) must still reach the patched method.
    const express = running.app.getHttpAdapter().getInstance() as { response: { setHeader: Function } };
    const original = express.response.setHeader;
    const headersSeen: string[] = [];
    express.response.setHeader = function (this: unknown, name: string, ...rest: unknown[]) {
      headersSeen.push(name.toLowerCase());
      return original.call(this, name, ...rest);
    };
    try {
      const page = await gzipPage('/page');
      expect(page.mode).toBe('early');
      expect(page.page).toContain('<h1>Page</h1>');
      // The flushed headers were set through the patch; what Express set after the flush was kept aside by the guard above it.
      expect(headersSeen).toContain('link');
      expect(headersSeen).not.toContain('etag');
    } finally {
      express.response.setHeader = original;
    }
    headersSeen.length = 0;
    await gzipPage('/page');
    expect(headersSeen).toEqual([]);
  });

  it('ends a compressed flushed page that failed on the page that asks again, decodable, and the retry gets the real error', async () => {
    next.fail = false;
    await gzipPage('/throws');
    await gzipPage('/throws');
    next.fail = true;
    const failed = await gzipPage('/throws');
    expect(failed.mode).toBe('early');
    expect(failed.status).toBe(200);
    expect(isRecoveryPage(failed.page)).toBe(true);

    const retried = await followRecovery(
      `${running.baseUrl}/throws`,
      { statusCode: 200, headers: {}, body: failed.page, informational: [] },
      true,
    );
    expect(retried.statusCode).toBe(500);
    next.fail = false;
  });
});

describe('the flush guard on a response prototype that will not let a method go', () => {
  let running: RunningApp;

  beforeAll(async () => {
    running = await startApp(AppModule, {
      configure: (app) => {
        // A method defined non-configurable on the app's response prototype: the guard
        // cannot be installed there, and must still guard each flushed response.
        const express = app.getHttpAdapter().getInstance() as { response: object };
        Object.defineProperty(express.response, 'end', {
          value: ServerResponse.prototype.end,
          writable: true,
          configurable: false,
        });
        app.setBaseViewsDir(FIXTURE_VIEWS);
        app.setViewEngine('hbs');
        registerPreloadHelper(hbs);
      },
    });
  });
  afterAll(() => running.close());

  it('still flushes whole pages, and ends a failed one on the page that asks again; the retry gets the real error', async () => {
    next.fail = false;
    await navigate(`${running.baseUrl}/throws`);
    for (let i = 0; i < 2; i++) {
      const page = await navigate(`${running.baseUrl}/throws`);
      expect(page.headers['x-http2-preload']).toBe('early');
      expect(page.body).toContain('<h1>Throws</h1>');
    }
    next.fail = true;
    const failed = await navigate(`${running.baseUrl}/throws`);
    expect(failed.statusCode).toBe(200);
    expect(isRecoveryPage(failed.body)).toBe(true);
    const retried = await followRecovery(`${running.baseUrl}/throws`, failed, true);
    expect(retried.statusCode).toBe(500);
    next.fail = false;
  });
});
