import { Controller, Get, Module, Render } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import hbs from 'hbs';
import helmet from 'helmet';
import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { Http2PreloadModule, Preload, registerPreloadHelper, type Http2PreloadOptions } from '../src/index.js';
import { FIXTURE_VIEWS, PAGE_ASSETS, type RunningApp, startApp } from './support/app.js';
import { linkUrls, navigate, type HttpResult } from './support/http.js';
import { RecordingLogger } from './support/logger.js';

@Controller()
class PagesController {
  @Get('page')
  @Render('page')
  page() {
    return { title: 'Flushed' };
  }

  @Preload({ strategy: 'earlyHints' })
  @Get('page-103')
  @Render('page')
  pageWithEarlyHints() {
    return { title: '103' };
  }
}

/** A nonce per request in res.locals, and helmet's nonce-based CSP, as helmet's documentation sets them up. */
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

async function startWith(options: Http2PreloadOptions, logger = new RecordingLogger()): Promise<RunningApp> {
  @Module({ imports: [Http2PreloadModule.forRoot(options)], controllers: [PagesController] })
  class AppModule {}
  return startApp(AppModule, { configure: withNonceCsp, nest: { logger } });
}

/** The nonce of the response's CSP `script-src`. */
function cspNonceOf(headers: HttpResult['headers']): string {
  const policy = String(headers['content-security-policy']);
  const nonce = /script-src[^;]*'nonce-([^']+)'/.exec(policy)?.[1];
  if (!nonce) throw new Error(`no nonce in ${policy}`);
  return nonce;
}

/** The nonce parameter of every link in a Link value. */
function linkNonces(link: string | string[] | undefined): (string | undefined)[] {
  const value = Array.isArray(link) ? link.join(', ') : (link ?? '');
  return value.split(/,\s*(?=<)/).map((one) => /;\s*nonce="?([^";,]+)"?/.exec(one)?.[1]);
}

describe('CSP nonces (real helmet middleware)', () => {
  let running: RunningApp;
  const url = (path: string) => `${running.baseUrl}${path}`;
  afterEach(() => running.close());

  it("puts each request's own nonce on every link of its response (late)", async () => {
    running = await startWith({ presendCachedHeaders: false });
    const first = await navigate(url('/page'));
    const second = await navigate(url('/page'));

    for (const res of [first, second]) {
      expect(res.headers['x-http2-preload']).toBe('late');
      expect(linkUrls(res.headers.link)).toEqual(PAGE_ASSETS);
      expect(linkNonces(res.headers.link)).toEqual(PAGE_ASSETS.map(() => cspNonceOf(res.headers)));
    }
    expect(cspNonceOf(first.headers)).not.toBe(cspNonceOf(second.headers));
  });

  it('puts the request nonce, never the cached one, on flushed headers', async () => {
    running = await startWith({});
    const learning = await navigate(url('/page'));
    const early = await navigate(url('/page'));
    const later = await navigate(url('/page'));

    expect(early.headers['x-http2-preload']).toBe('early');
    for (const res of [early, later]) {
      expect(linkNonces(res.headers.link)).toEqual(PAGE_ASSETS.map(() => cspNonceOf(res.headers)));
    }
    const nonces = new Set([learning, early, later].map((res) => cspNonceOf(res.headers)));
    expect(nonces.size).toBe(3);
  });

  // Firefox uses a 103's script or style on a nonce-CSP page only with the nonce, and takes a
  // URL's first link; Chromium ignores an early-hint link with a nonce: so each script and
  // style goes twice in the 103, the nonce copy first. Fonts and images go once, plain.
  it("puts the request's nonce on the final response of a 103, and on a first copy of its script and style links", async () => {
    running = await startWith({});
    await navigate(url('/page-103'));
    const early = await navigate(url('/page-103'));
    const nonce = cspNonceOf(early.headers);

    expect(early.informational).toHaveLength(1);
    const [css, font, js, image] = PAGE_ASSETS;
    expect(linkUrls(early.informational[0].headers.link)).toEqual([css, css, font, js, js, image]);
    expect(linkNonces(early.informational[0].headers.link)).toEqual([
      nonce,
      undefined,
      undefined,
      nonce,
      undefined,
      undefined,
    ]);
    expect(linkNonces(early.headers.link)).toEqual(PAGE_ASSETS.map(() => nonce));
  });

  it('sends no nonce with nonce: false, and reads it wherever a reader says', async () => {
    running = await startWith({ nonce: false, presendCachedHeaders: false });
    const off = await navigate(url('/page'));
    expect(linkNonces(off.headers.link)).toEqual(PAGE_ASSETS.map(() => undefined));
    await running.close();

    running = await startWith({ nonce: (req) => req.header('x-test-nonce'), presendCachedHeaders: false });
    const custom = await navigate(url('/page'), { 'x-test-nonce': 'from-header' });
    expect(linkNonces(custom.headers.link)).toEqual(PAGE_ASSETS.map(() => 'from-header'));
  });

  it('sends links without a nonce, and warns once, when the reader gives an unusable value or throws', async () => {
    const logger = new RecordingLogger();
    running = await startWith({ nonce: (req) => req.header('x-test-nonce'), presendCachedHeaders: false }, logger);
    const quoted = await navigate(url('/page'), { 'x-test-nonce': 'a"b' });
    const spaced = await navigate(url('/page'), { 'x-test-nonce': 'a b' });

    for (const res of [quoted, spaced]) {
      expect(res.statusCode).toBe(200);
      expect(linkUrls(res.headers.link)).toEqual(PAGE_ASSETS);
      expect(linkNonces(res.headers.link)).toEqual(PAGE_ASSETS.map(() => undefined));
    }
    const warnings = logger.at('warn').filter((message) => message.includes('nonce'));
    expect(warnings).toEqual([expect.stringMatching(/no usable CSP nonce for GET \/page.*got "a\\"b"/)]);
    await running.close();

    const thrower = new RecordingLogger();
    running = await startWith(
      {
        nonce: () => {
          throw new Error('no nonce store');
        },
        presendCachedHeaders: false,
      },
      thrower,
    );
    const res = await navigate(url('/page'));
    expect(res.statusCode).toBe(200);
    expect(linkUrls(res.headers.link)).toEqual(PAGE_ASSETS);
    expect(thrower.at('warn')).toEqual([expect.stringMatching(/it threw no nonce store/)]);
  });
});
