import { Controller, Get, Module, NotFoundException, Param, Render } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import hbs from 'hbs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Browser as ChromiumBrowser } from 'playwright-core';
import type { Browser as FirefoxBrowser, Page as FirefoxPage } from 'puppeteer-core';
import { Http2PreloadModule, registerPreloadHelper, Shell } from 'nestjs-http2-preload';
import { ASSET_VERSION } from '../sample/src/asset-version.js';
import { HtmlExceptionFilter } from '../sample/src/html-exception.filter.js';
import { startCaddy, type RunningCaddy } from './support/caddy.js';
import { launchChromium } from './support/chromium.js';
import { launchFirefox } from './support/firefox.js';
import { startNginx, type RunningNginx } from './support/nginx.js';
import { REPO_DIR } from './support/repo.js';
import { launchWebKit, type WebKit } from './support/webkit.js';
import { ASSETS, CSS } from './support/visit-checks.js';

/** The handler waits here until the test has seen the browser paint the shell. */
class Gate {
  opened: Promise<void> = Promise.resolve();
  open: () => void = () => undefined;
  close(): void {
    this.opened = new Promise((resolve) => (this.open = resolve));
  }
}
const gate = new Gate();

@Controller()
class ShopController {
  // Two handlers, so that each browser's 404 test holds back only its own route.
  @Get('shop/:id')
  @Shell({ title: 'Shop' })
  @Render('slow')
  product(@Param('id') id: string) {
    return answer(id);
  }

  @Get('store/:id')
  @Shell({ title: 'Shop' })
  @Render('slow')
  item(@Param('id') id: string) {
    return answer(id);
  }

  @Get('market/:id')
  @Shell({ title: 'Shop' })
  @Render('slow')
  stall(@Param('id') id: string) {
    return answer(id);
  }

  @Get('booth/:id')
  @Shell({ title: 'Shop' })
  @Render('slow')
  booth(@Param('id') id: string) {
    return answer(id);
  }
}

async function answer(id: string) {
  await gate.opened;
  if (id === 'missing') throw new NotFoundException(`There is no product ${id}.`);
  return { title: 'Shop', waitedMs: 0, strategy: `the shell, for product ${id}` };
}

@Module({
  imports: [Http2PreloadModule.forRoot({ shell: { layout: join(REPO_DIR, 'sample', 'views', 'layout.hbs') } })],
  controllers: [ShopController],
})
class ShopModule {}

interface ShopApp {
  readonly port: number;
  readonly events: string[];
  /** `path status` of each finished response, in order: the status the app answered (after a flush, not the one on the wire). */
  readonly statuses: string[];
  close(): Promise<void>;
}

async function startShop(): Promise<ShopApp> {
  const app = await NestFactory.create<NestExpressApplication>(ShopModule, { logger: false });
  app.useGlobalFilters(new HtmlExceptionFilter());
  app.useStaticAssets(join(REPO_DIR, 'sample', 'public'), { prefix: '/static/', maxAge: '1y', immutable: true });
  app.setBaseViewsDir(join(REPO_DIR, 'sample', 'views'));
  app.setViewEngine('hbs');
  app.setLocal('assetVersion', ASSET_VERSION);
  registerPreloadHelper(hbs);
  const events: string[] = [];
  const statuses: string[] = [];
  app.getHttpServer().prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url;
    events.push(`request ${url}`);
    res.once('finish', () => {
      events.push(`finish ${url}`);
      statuses.push(`${url} ${res.statusCode}`);
    });
  });
  await app.listen(0, '127.0.0.1');
  return { port: (app.getHttpServer().address() as AddressInfo).port, events, statuses, close: () => app.close() };
}

/** Asks the page until it says yes; false after about `tries` / 10 s. A bound on waiting, not a measure of time. */
async function eventually(check: () => Promise<boolean>, tries = 150): Promise<boolean> {
  for (let i = 0; i < tries; i++) {
    if (await check().catch(() => false)) return true;
    await sleep(100);
  }
  return false;
}

/** In the page: whether it has painted, and whether the shell's stylesheet applies (the sample's CSS sets a font family). */
const PAINTED_WITH_STYLE = `(() => {
  const painted = performance.getEntriesByType('paint').some((entry) => entry.name === 'first-contentful-paint');
  const header = document.querySelector('header h1');
  const styled = header !== null && getComputedStyle(document.body).fontFamily.includes('Inter');
  return painted && styled && document.querySelector('main p') === null;
})()`;

let shop: ShopApp | undefined;
let caddy: RunningCaddy | undefined;
let nginx: RunningNginx | undefined;

beforeAll(async () => {
  shop = await startShop();
  caddy = await startCaddy([shop.port]);
  // nginx as installed: `proxy_pass` and nothing else (HTTP/1.0 upstream, buffering on).
  nginx = await startNginx([shop.port], { upstreamHttpVersion: '1.0' });
});

afterAll(async () => {
  gate.open();
  await caddy?.stop();
  await nginx?.stop();
  await shop?.close();
});

beforeEach(() => {
  gate.open();
  shop!.events.length = 0;
});

function requested(events: readonly string[]): string[] {
  return events.filter((event) => event.startsWith('request ')).map((event) => event.slice('request '.length));
}

describe('the page shell in Chromium (through Caddy, HTTP/2)', () => {
  let browser: ChromiumBrowser | undefined;
  beforeAll(async () => {
    browser = await launchChromium([caddy!.spki, nginx!.spki].join(','));
  });
  afterAll(() => browser?.close());

  test('paints the styled shell while the handler is still held, then the whole page, each file once', async () => {
    const origin = caddy!.origins[0];
    // A first visitor warms the route; a new one (empty cache) is measured.
    const warm = await browser!.newContext();
    await (await warm.newPage()).goto(`${origin}/shop/1`);
    await warm.close();
    const context = await browser!.newContext();
    try {
      const page = await context.newPage();
      shop!.events.length = 0;
      gate.close();
      const response = page.waitForResponse((r) => r.url() === `${origin}/shop/2`);
      const loaded = page.goto(`${origin}/shop/2`, { waitUntil: 'load' });
      expect((await (await response).allHeaders())['x-http2-preload']).toBe('early');
      const painted = await eventually(() => page.evaluate(PAINTED_WITH_STYLE) as Promise<boolean>);
      const beforeHandler = [...shop!.events];
      gate.open();
      await loaded;
      expect(painted).toBe(true);
      expect(beforeHandler).toContain(`request ${CSS}`);
      expect(beforeHandler).not.toContain('finish /shop/2');
      expect(await page.textContent('main')).toContain('the shell, for product 2');
      const files = requested(shop!.events).filter((path) => path.startsWith('/static/'));
      expect(files.filter((path, i) => files.indexOf(path) !== i)).toEqual([]);
      for (const asset of ASSETS) expect(files).toContain(asset);
    } finally {
      await context.close();
    }
  });

  test("through nginx's defaults (proxy_pass only), paints the shell while the handler is still held", async () => {
    const origin = nginx!.origins[0];
    const warm = await browser!.newContext();
    await (await warm.newPage()).goto(`${origin}/booth/1`);
    await warm.close();
    const context = await browser!.newContext();
    try {
      const page = await context.newPage();
      shop!.events.length = 0;
      gate.close();
      const loaded = page.goto(`${origin}/booth/2`, { waitUntil: 'load' });
      const painted = await eventually(
        () => page.evaluate(`location.pathname === '/booth/2' && ${PAINTED_WITH_STYLE}`) as Promise<boolean>,
      );
      const beforeHandler = [...shop!.events];
      gate.open();
      await loaded;
      expect(painted).toBe(true);
      expect(beforeHandler).toContain(`request ${CSS}`);
      expect(beforeHandler).not.toContain('finish /booth/2');
      expect(await page.textContent('main')).toContain('the shell, for product 2');
    } finally {
      gate.open();
      await context.close();
    }
  });

  test("a missing product after warm-up ends on the app's 404 page with status 404, at the same URL", async () => {
    const origin = caddy!.origins[0];
    const context = await browser!.newContext();
    try {
      const page = await context.newPage();
      await page.goto(`${origin}/shop/1`);
      const statuses: number[] = [];
      page.on('response', (r) => {
        if (r.request().resourceType() === 'document') statuses.push(r.status());
      });
      await page.goto(`${origin}/shop/missing`);
      await page.waitForSelector('#error-message');
      expect(await page.textContent('#error-message')).toBe('There is no product missing.');
      expect(statuses).toEqual([200, 404]);
      expect(page.url()).toBe(`${origin}/shop/missing`);
    } finally {
      await context.close();
    }
  });
});

describe('the page shell in Firefox (through Caddy, HTTP/2)', () => {
  let browser: FirefoxBrowser | undefined;
  beforeAll(async () => {
    browser = await launchFirefox();
  });
  afterAll(() => browser?.close());

  async function withPage(use: (page: FirefoxPage) => Promise<void>): Promise<void> {
    const context = await browser!.createBrowserContext();
    try {
      await use(await context.newPage());
    } finally {
      await context.close();
    }
  }

  test('paints the styled shell while the handler is still held, then the whole page', () =>
    withPage(async (page) => {
      const origin = caddy!.origins[0];
      // A first visitor warms the route; a new one (empty cache) is measured.
      await withPage((warm) => warm.goto(`${origin}/store/1`, { waitUntil: 'load' }).then(() => undefined));
      shop!.events.length = 0;
      gate.close();
      const loaded = page.goto(`${origin}/store/3`, { waitUntil: 'load' });
      // Puppeteer reports the new URL only once the load is over: ask the document where it is.
      const painted = await eventually(
        async () => (await page.evaluate(`location.pathname === '/store/3' && ${PAINTED_WITH_STYLE}`)) as boolean,
      );
      const beforeHandler = [...shop!.events];
      gate.open();
      const response = await loaded;
      expect(response?.headers()['x-http2-preload']).toBe('early');
      expect(painted).toBe(true);
      expect(beforeHandler).toContain(`request ${CSS}`);
      expect(await page.$eval('main', (main) => main.textContent)).toContain('the shell, for product 3');
    }));

  test("a missing product ends on the app's 404 page", () =>
    withPage(async (page) => {
      const origin = caddy!.origins[0];
      await page.goto(`${origin}/store/1`, { waitUntil: 'load' });
      const statuses: number[] = [];
      page.on('response', (response) => {
        if (response.url() === `${origin}/store/missing`) statuses.push(response.status());
      });
      await page.goto(`${origin}/store/missing`, { waitUntil: 'load' });
      await page.waitForSelector('#error-message');
      expect(await page.$eval('#error-message', (element) => element.textContent)).toBe('There is no product missing.');
      expect(page.url()).toBe(`${origin}/store/missing`);
      expect(statuses).toEqual([200, 404]);
    }));
});

describe('the page shell in WebKit (WebKitGTK, through Caddy, HTTP/2)', () => {
  let webkit: WebKit | undefined;
  beforeAll(async () => {
    webkit = await launchWebKit();
  }, 60_000);
  afterAll(() => webkit?.close());

  /** In the page, as PAINTED_WITH_STYLE: a function, since WebDriver runs what it is given as one. */
  function paintedWithStyle(): boolean {
    const painted = performance.getEntriesByType('paint').some((entry) => entry.name === 'first-contentful-paint');
    const header = document.querySelector('header h1');
    const styled = header !== null && getComputedStyle(document.body).fontFamily.includes('Inter');
    return location.pathname === '/market/3' && painted && styled && document.querySelector('main p') === null;
  }

  /**
   * WebKit paints a page that is still loading only once it is "visually non-empty": more
   * than 200 visible characters, or an inline <svg> over 32×32 px, which the sample's
   * header has (its <img> logo made WebKit paint in about 2 loads of 3: npm run webkit-paint).
   */
  test('paints the styled shell while the handler is still held, then the whole page', async () => {
    const origin = caddy!.origins[0];
    // A first visitor warms the route; a new one (a new session: empty cache) is measured.
    const warm = await webkit!.session();
    await warm.navigate(`${origin}/market/1`);
    await warm.close();
    shop!.events.length = 0;
    gate.close();
    const session = await webkit!.session({ pageLoadStrategy: 'none' });
    try {
      await session.navigate(`${origin}/market/3`);
      const painted = await eventually(() => session.run(paintedWithStyle));
      const beforeHandler = [...shop!.events];
      gate.open();
      const complete = await eventually(() =>
        session.run(() => document.readyState === 'complete' && document.querySelector('main p') !== null),
      );
      expect(painted).toBe(true);
      expect(beforeHandler).toContain(`request ${CSS}`);
      expect(beforeHandler).not.toContain('finish /market/3');
      expect(complete).toBe(true);
      expect(await session.run(() => document.querySelector('main')?.textContent ?? '')).toContain(
        'the shell, for product 3',
      );
      expect(await session.run(() => document.compatMode)).toBe('CSS1Compat');
    } finally {
      gate.open();
      await session.close();
    }
  });

  test("a missing product after warm-up ends on the app's 404 page, at the same URL", async () => {
    const origin = caddy!.origins[0];
    const session = await webkit!.session();
    try {
      await session.navigate(`${origin}/market/1`);
      await session.navigate(`${origin}/market/missing`);
      const ended = await eventually(() => session.run(() => document.querySelector('#error-message') !== null));
      expect(ended).toBe(true);
      expect(await session.run(() => document.querySelector('#error-message')?.textContent)).toBe(
        'There is no product missing.',
      );
      expect(await session.run(() => location.pathname)).toBe('/market/missing');
      // Asked twice, answered 404 both times: the flushed request (its 200 and shell had gone,
      // so it ended on the page that asks again) and the retry, which got the real 404. A late
      // 404 would have been the page itself, asked for once.
      expect(shop!.statuses.filter((entry) => entry.startsWith('/market/missing'))).toEqual([
        '/market/missing 404',
        '/market/missing 404',
      ]);
    } finally {
      await session.close();
    }
  });
});
