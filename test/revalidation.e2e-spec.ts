import { Controller, Get, Module, Render } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import hbs from 'hbs';
import helmet from 'helmet';
import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { Http2PreloadModule, LastModified, Preload, registerPreloadHelper } from '../src/index.js';
import { FIXTURE_VIEWS, PAGE_ASSETS, startApp, type RunningApp } from './support/app.js';
import { Gate } from './support/gate.js';
import { BROWSER_NAVIGATION_HEADERS, linkUrls, navigate, stagedNavigation } from './support/http.js';
import { RecordingLogger } from './support/logger.js';
import { isRecoveryPage } from './support/recovery.js';

/** Returning visitors: a browser revalidates a cached page with the ETag Express gave it. */

let gate = Gate.open();
const ran = { nonce: 0 };
let version = 1;

@Controller()
class PagesController {
  /** A page with the request's CSP nonce in it: its body, and so Express's ETag, differ every time. */
  @Get('nonce')
  @Render('nonce-page')
  async nonce() {
    ran.nonce += 1;
    await gate.opened;
    return { title: 'Nonce' };
  }

  /** The same with @LastModified(): the module owns Last-Modified, Express adds the ETag. */
  @Get('nonce-modified')
  @Render('nonce-page')
  @LastModified(() => new Date('2026-11-20T10:00:00Z'))
  nonceModified() {
    return { title: 'Nonce, modified' };
  }

  @Preload({ strategy: 'earlyHints' })
  @Get('nonce-103')
  @Render('nonce-page')
  nonce103() {
    return { title: 'Nonce 103' };
  }

  /** The same body every time: a revalidation of it matches. */
  @Get('stable')
  @Render('page')
  stable() {
    return { title: 'Stable' };
  }

  @Get('versioned')
  @Render('page')
  versioned() {
    return { title: `Version ${version}` };
  }
}

/** A nonce per request and helmet's nonce-based CSP, as helmet's documentation sets them up (the sample's setup). */
function withNonceCsp(app: NestExpressApplication): void {
  app.use((_req: Request, res: Response, next: NextFunction) => {
    res.locals.cspNonce = randomBytes(16).toString('base64');
    next();
  });
  const nonceSource = (_req: unknown, res: ServerResponse) => `'nonce-${(res as Response).locals.cspNonce}'`;
  app.use(
    helmet({
      contentSecurityPolicy: { directives: { scriptSrc: ["'self'", nonceSource], styleSrc: ["'self'", nonceSource] } },
    }),
  );
  app.setBaseViewsDir(FIXTURE_VIEWS);
  app.setViewEngine('hbs');
  registerPreloadHelper(hbs);
}

@Module({ imports: [Http2PreloadModule.forRoot()], controllers: [PagesController] })
class AppModule {}

function cspNonceOf(headers: Record<string, unknown>): string {
  const nonce = /script-src[^;]*'nonce-([^']+)'/.exec(String(headers['content-security-policy']))?.[1];
  if (!nonce) throw new Error('no nonce in the policy');
  return nonce;
}

describe('revalidations of pages whose validators never repeat (real helmet nonce CSP)', () => {
  let running: RunningApp;
  let logger: RecordingLogger;
  const url = (path: string) => `${running.baseUrl}${path}`;
  const visit = (path: string, headers: Record<string, string> = {}) =>
    navigate(url(path), { ...BROWSER_NAVIGATION_HEADERS, ...headers });

  beforeEach(async () => {
    gate = Gate.open();
    ran.nonce = 0;
    version = 1;
    logger = new RecordingLogger();
    running = await startApp(AppModule, { configure: withNonceCsp, nest: { logger } });
  });
  afterEach(() => {
    gate.open();
    return running.close();
  });

  it('sends the revalidation of a nonce page early, with the ETag the browser got: it never matches', async () => {
    const first = await visit('/nonce');
    expect(first.headers['x-http2-preload']).toBe('late');
    const etag = String(first.headers.etag);
    expect(etag).toMatch(/^W\/"/);
    expect((await visit('/nonce')).headers['x-http2-preload']).toBe('early');

    gate = new Gate();
    const staged = stagedNavigation(url('/nonce'), { ...BROWSER_NAVIGATION_HEADERS, 'if-none-match': etag });
    const head = await staged.head;
    expect(head.statusCode).toBe(200);
    expect(head.headers['x-http2-preload']).toBe('early');
    expect(linkUrls(head.headers.link)).toEqual(PAGE_ASSETS);
    // The handler is held at the gate: the hints came before its answer.
    expect(ran.nonce).toBe(3);
    gate.open();
    const end = await staged.end;
    expect(end.complete).toBe(true);
    expect(isRecoveryPage(end.body)).toBe(false);
    expect(end.body).toContain('<h1>Nonce</h1>');
    // Its own nonce (Handlebars escapes base64's '=').
    expect(end.body.replace(/&#x3D;/g, '=')).toContain(`nonce="${cspNonceOf(head.headers)}"`);

    // And so on, for every returning visitor, with plain navigations still flushed.
    expect((await visit('/nonce', { 'if-none-match': etag })).headers['x-http2-preload']).toBe('early');
    expect((await visit('/nonce')).headers['x-http2-preload']).toBe('early');
    expect(logger.at('warn')).toEqual([]);
  });

  it("sends a @LastModified() nonce page's revalidation early: its If-None-Match is compared with Express's ETag, which never repeats", async () => {
    const first = await visit('/nonce-modified');
    await visit('/nonce-modified');
    const headers = {
      'if-none-match': String(first.headers.etag),
      'if-modified-since': String(first.headers['last-modified']),
    };
    for (let i = 0; i < 2; i += 1) {
      const revalidated = await visit('/nonce-modified', headers);
      expect(revalidated.statusCode).toBe(200);
      expect(revalidated.headers['x-http2-preload']).toBe('early');
      expect(isRecoveryPage(revalidated.body)).toBe(false);
      expect(revalidated.body).toContain('<h1>Nonce, modified</h1>');
    }
    expect(logger.at('warn')).toEqual([]);
  });

  it('sends a 103 to such a revalidation on an earlyHints route, and the page after it', async () => {
    const first = await visit('/nonce-103');
    expect((await visit('/nonce-103')).informational).toHaveLength(1);
    const revalidated = await visit('/nonce-103', { 'if-none-match': String(first.headers.etag) });
    expect(revalidated.informational.map((info) => info.statusCode)).toEqual([103]);
    expect(revalidated.statusCode).toBe(200);
    expect(revalidated.headers['x-http2-preload']).toBe('early');
  });

  it('keeps the revalidation of a stable page late, where it gets its 304: its ETag repeated', async () => {
    const first = await visit('/stable');
    const etag = String(first.headers.etag);
    expect((await visit('/stable')).headers['x-http2-preload']).toBe('early');

    const revalidated = await visit('/stable', { 'if-none-match': etag });
    expect(revalidated.statusCode).toBe(304);
    expect(revalidated.body).toBe('');
    expect(revalidated.headers.link).toBeUndefined();
    expect(revalidated.headers['x-http2-preload']).toBeUndefined();
    expect((await visit('/stable')).headers['x-http2-preload']).toBe('early');
    expect(logger.at('warn')).toEqual([]);
  });

  it('never sends a Range request early', async () => {
    const first = await visit('/nonce');
    await visit('/nonce');
    const etag = String(first.headers.etag);
    expect((await visit('/nonce', { 'if-none-match': etag })).headers['x-http2-preload']).toBe('early');
    const ranges: Record<string, string>[] = [{ range: 'bytes=0-10' }, { range: 'bytes=0-10', 'if-none-match': etag }];
    for (const headers of ranges) {
      const ranged = await visit('/nonce', headers);
      expect(ranged.headers['x-http2-preload']).toBe('late');
      expect(isRecoveryPage(ranged.body)).toBe(false);
    }
  });

  it('ends a revalidation that matches after all on the page that asks again, and the route learns', async () => {
    const old = await visit('/versioned');
    const etag = String(old.headers.etag);
    version = 2;
    expect((await visit('/versioned')).headers['x-http2-preload']).toBe('early');

    // Back to the first version: the browser's copy matches, which nothing had shown could happen.
    version = 1;
    const surprise = await visit('/versioned', { 'if-none-match': etag });
    expect(surprise.statusCode).toBe(200);
    expect(surprise.headers['x-http2-preload']).toBe('early');
    expect(isRecoveryPage(surprise.body)).toBe(true);
    // The script's retry (its cookie, the same URL, the same cache) gets the 304, late.
    const retry = await visit('/versioned', { 'if-none-match': etag, cookie: 'http2-preload=late' });
    expect(retry.statusCode).toBe(304);
    expect(logger.at('warn')).toEqual([
      expect.stringMatching(
        /^GET \/versioned answered 304 after its headers had been flushed: a revalidation matched.*late from now on\.$/,
      ),
    ]);

    // The route now answers its revalidations late, and keeps flushing its plain navigations.
    const again = await visit('/versioned', { 'if-none-match': etag });
    expect(again.statusCode).toBe(304);
    expect((await visit('/versioned')).headers['x-http2-preload']).toBe('early');
    expect(logger.at('warn')).toHaveLength(1);
  });
});
