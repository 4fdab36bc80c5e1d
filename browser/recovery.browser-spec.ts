import { Controller, Get, Module, NotFoundException, Param, Render, Req, Res } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Request, Response } from 'express';
import escapeHtml from 'escape-html';
import hbs from 'hbs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { Http2PreloadModule, PreloadCollector, registerPreloadHelper } from 'nestjs-http2-preload';
import { declarativeRefreshUrl } from '../src/flush/redirect-page.js';
import { ASSET_VERSION } from '../sample/src/asset-version.js';
import { startSampleApp, type RunningApp } from './support/apps.js';
import { startCaddy, type RunningCaddy } from './support/caddy.js';
import { launchChromium } from './support/chromium.js';
import { REPO_DIR } from './support/repo.js';

/** The next answer of /download: the page, or a text attachment whose script must never run as a page. */
const download = { attachment: false };

@Controller()
class DownloadController {
  @Get('download')
  download(@Req() req: Request, @Res() res: Response) {
    PreloadCollector.of(req);
    if (!download.attachment) return res.render('plain', { title: 'Download' });
    res.attachment('notes.txt').type('text/plain').send('<script>document.title = "pwned"</script> notes\n');
  }
}

/**
 * Pages whose path a link may fill with cookie attributes. Each its own route, since a
 * route that failed after a flush goes late for a while: `…/warm` renders (and warms the
 * route), any path with `page` in it is a 404 the handler finds after the flush.
 */
function hostilePage(rest: string | string[]) {
  if (String(rest).includes('page')) throw new NotFoundException('No such page');
  return { title: 'Warm' };
}

@Controller()
class HostilePathController {
  @Get('semicolon/*rest')
  @Render('plain')
  semicolon(@Param('rest') rest: string[]) {
    return hostilePage(rest);
  }

  @Get('domain/*rest')
  @Render('plain')
  domain(@Param('rest') rest: string[]) {
    return hostilePage(rest);
  }

  @Get('encoded/*rest')
  @Render('plain')
  encoded(@Param('rest') rest: string[]) {
    return hostilePage(rest);
  }
}

@Module({ imports: [Http2PreloadModule.forRoot()], controllers: [DownloadController, HostilePathController] })
class DownloadModule {}

async function startDownloadApp(): Promise<{ port: number; close(): Promise<void> }> {
  const app = await NestFactory.create<NestExpressApplication>(DownloadModule, { logger: false });
  app.useStaticAssets(join(REPO_DIR, 'sample', 'public'), { prefix: '/static/', maxAge: '1y', immutable: true });
  app.setBaseViewsDir(join(REPO_DIR, 'sample', 'views'));
  app.setViewEngine('hbs');
  app.setLocal('assetVersion', ASSET_VERSION);
  registerPreloadHelper(hbs);
  await app.listen(0, '127.0.0.1');
  return { port: (app.getHttpServer().address() as AddressInfo).port, close: () => app.close() };
}

let sample: RunningApp | undefined;
let downloads: { port: number; close(): Promise<void> } | undefined;
let caddy: RunningCaddy | undefined;
let browser: Browser | undefined;

beforeAll(async () => {
  sample = await startSampleApp();
  downloads = await startDownloadApp();
  caddy = await startCaddy([sample.port, downloads.port]);
  browser = await launchChromium(caddy.spki);
});

afterAll(async () => {
  await browser?.close();
  await caddy?.stop();
  await Promise.all([sample?.close(), downloads?.close()]);
});

/** Every document response of the tab's navigations, in order: [status, x-http2-preload]. */
function documentResponses(page: Page): [number, string | undefined][] {
  const seen: [number, string | undefined][] = [];
  page.on('response', (response) => {
    if (response.request().resourceType() === 'document' && response.frame() === page.mainFrame()) {
      seen.push([response.status(), response.headers()['x-http2-preload']]);
    }
  });
  return seen;
}

describe('a page that went wrong after its headers were flushed (Chromium through Caddy)', () => {
  test("a missing product after warm-up ends on the app's 404 page with status 404, at the same URL", async () => {
    const origin = caddy!.origins[0];
    const context = await browser!.newContext();
    try {
      const page = await context.newPage();
      const console: string[] = [];
      page.on('console', (message) => console.push(`${message.type()}: ${message.text()}`));
      await page.goto(`${origin}/products/1`);
      const seen = documentResponses(page);
      await page.goto(`${origin}/products/999`);
      await page.waitForSelector('#error-message');
      expect(await page.textContent('#error-message')).toBe('There is no product 999.');
      expect(seen).toEqual([
        [200, 'early'],
        [404, 'off'],
      ]);
      expect(page.url()).toBe(`${origin}/products/999`);
      // The recovery script ran under the sample's nonce-only CSP.
      expect(console.filter((line) => /Content Security Policy|Refused/.test(line))).toEqual([]);
    } finally {
      await context.close();
    }
  });

  test('an attachment answered after the flush never renders as a page: the retry downloads it', async () => {
    const origin = caddy!.origins[1];
    // A first visitor warms the route; a new one (no cached copy to revalidate) gets it flushed.
    const warm = await browser!.newContext();
    download.attachment = false;
    await (await warm.newPage()).goto(`${origin}/download`);
    await warm.close();
    const context = await browser!.newContext({ acceptDownloads: true });
    try {
      const page = await context.newPage();
      download.attachment = true;
      const seen = documentResponses(page);
      const downloaded = page.waitForEvent('download');
      await page.goto(`${origin}/download`).catch(() => undefined);
      const file = await downloaded;
      expect(file.suggestedFilename()).toBe('notes.txt');
      expect(seen[0]).toEqual([200, 'early']);
      expect(await page.title()).not.toBe('pwned');
    } finally {
      await context.close();
    }
  });
});

describe('the retry cookie on a page whose path holds cookie attributes (Chromium through Caddy)', () => {
  /** Visits `path` as a new visitor after a first one warmed its route: flushed, then a 404 found too late. */
  async function retriedVisit(path: string) {
    const origin = caddy!.origins[1];
    const route = path.split('/')[1];
    const warm = await browser!.newContext();
    await (await warm.newPage()).goto(`${origin}/${route}/warm`);
    await warm.close();
    const context = await browser!.newContext();
    const page = await context.newPage();
    const seen = documentResponses(page);
    await page.goto(`${origin}${path}`);
    await page.waitForFunction(() => document.body?.innerText.includes('No such page'));
    return { origin, route, context, page, seen };
  }

  /** The retry cookies Chromium holds, as it stored them. */
  async function retryCookies(context: import('playwright-core').BrowserContext) {
    return (await context.cookies()).filter((cookie) => cookie.name === 'http2-preload');
  }

  test.each(['/semicolon/page;path=/', '/domain/page;domain=127.0.0.1;path=/'])(
    'after %s, no other page gets the cookie: the page takes the marked URL instead',
    async (path) => {
      const { origin, route, context, page, seen } = await retriedVisit(path);
      try {
        expect(seen).toEqual([
          [200, 'early'],
          [404, undefined],
        ]);
        expect(page.url()).toBe(`${origin}${path}?http2-preload=late`);
        // The cookie the script could not use for the page itself was deleted again.
        expect(await retryCookies(context)).toEqual([]);
        for (const other of [`/${route}/other`, '/semicolon/warm']) {
          await page.goto(`${origin}${other}`);
          expect(await page.evaluate(() => document.cookie)).not.toContain('http2-preload');
        }
      } finally {
        await context.close();
      }
    },
  );

  test('after /encoded/page%3Bpath=/, the cookie holds that exact path, the reload keeps the URL, and no other page gets it', async () => {
    const path = '/encoded/page%3Bpath=/';
    const { origin, context, page, seen } = await retriedVisit(path);
    try {
      expect(seen).toEqual([
        [200, 'early'],
        [404, undefined],
      ]);
      expect(page.url()).toBe(`${origin}${path}`);
      expect((await retryCookies(context)).map((cookie) => cookie.path)).toEqual([path]);
      for (const other of ['/encoded/other', '/semicolon/warm']) {
        await page.goto(`${origin}${other}`);
        expect(await page.evaluate(() => document.cookie)).not.toContain('http2-preload');
      }
    } finally {
      await context.close();
    }
  });
});

describe('the forwarding page reads its refresh as Chromium does', () => {
  /** Refresh contents whose URL a naive reader gets wrong: quotes, whitespace, case, a missing `url=`. */
  const contents = [
    "0; url='/a'b",
    '0;URL = "/b',
    '0; /c',
    '0, urx=/d',
    '.5; url=/e',
    '0; url /f',
    '0  ; url=/g h',
    "0; url=  '  /i'",
    '0;\turl=\t"\t/j"',
    '0; Url=../k?x=1',
  ];

  test.each(contents)('%j', async (content) => {
    const start = 'http://refresh.test/dir/page';
    const context = await browser!.newContext();
    try {
      // Answered by the test itself, for every URL of that made-up origin: nothing leaves the machine.
      await context.route('http://refresh.test/**', (route) =>
        route.fulfill({
          contentType: 'text/html; charset=utf-8',
          body:
            route.request().url() === start
              ? `<!DOCTYPE html><meta http-equiv="refresh" content="${escapeHtml(content)}">`
              : '<!DOCTYPE html><p id="arrived">arrived</p>',
        }),
      );
      const page = await context.newPage();
      await page.goto(start);
      await page.waitForSelector('#arrived');
      expect(page.url()).toBe(new URL(declarativeRefreshUrl(content)!, start).href);
    } finally {
      await context.close();
    }
  });
});
