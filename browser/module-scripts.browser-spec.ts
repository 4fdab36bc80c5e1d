import 'reflect-metadata';
import { Controller, Get, Module, Render } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import hbs from 'hbs';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Http2PreloadModule, Preload, registerPreloadHelper } from 'nestjs-http2-preload';
import type { Browser } from 'playwright-core';
import { startCaddy, type RunningCaddy } from './support/caddy.js';
import { launchChromium } from './support/chromium.js';
import { REPO_DIR } from './support/repo.js';

const FIXTURES = join(REPO_DIR, 'browser', 'fixtures', 'modules');

@Controller()
class ModulePagesController {
  @Get('module-page')
  @Render('module-page')
  modulePage() {
    return {};
  }

  @Preload({ strategy: 'earlyHints' })
  @Get('module-page-103')
  @Render('module-page-103')
  modulePage103() {
    return {};
  }

  @Get('classic-preload')
  @Render('classic-preload')
  classicPreload() {
    return {};
  }
}

@Module({ imports: [Http2PreloadModule.forRoot()], controllers: [ModulePagesController] })
class ModulePagesModule {}

let app: NestExpressApplication | undefined;
let caddy: RunningCaddy | undefined;
let browser: Browser | undefined;
/** Every request path the app received. */
const requested: string[] = [];

beforeAll(async () => {
  app = await NestFactory.create<NestExpressApplication>(ModulePagesModule, { logger: false });
  // Express's default: max-age=0, so a second download would reach the app as a revalidation.
  app.useStaticAssets(join(FIXTURES, 'public'), { prefix: '/static/' });
  // A 103's preload is reused only from the cache: the same files, fresh-cacheable (under the static
  // prefix: only hints there are shared across requests, and so sent early).
  app.useStaticAssets(join(FIXTURES, 'public'), { prefix: '/static/cached/', maxAge: '1y', immutable: true });
  app.setBaseViewsDir(join(FIXTURES, 'views'));
  app.setViewEngine('hbs');
  registerPreloadHelper(hbs);
  app.getHttpServer().prependListener('request', (req: IncomingMessage) => requested.push(req.url ?? ''));
  await app.listen(0, '127.0.0.1');
  caddy = await startCaddy([(app.getHttpServer().address() as AddressInfo).port]);
  browser = await launchChromium(caddy.spki);
});

afterAll(async () => {
  await browser?.close();
  await caddy?.stop();
  await app?.close();
});

interface ModuleVisit {
  readonly mode: string | undefined;
  readonly link: string | undefined;
  readonly ran: string | undefined;
  /** How many times the app was asked for the script during the visit. */
  readonly scriptRequests: number;
  readonly console: string[];
}

/**
 * A new visitor (fresh context, empty cache) opens the page; stays for Chromium's
 * unused-preload warning. `from`: a same-site URL opened first, as a visitor coming from
 * another page of the site (Chromium may ignore a 103 while a new site's renderer starts).
 */
async function visit(path: string, script: string, from?: string): Promise<ModuleVisit & { initiator?: string }> {
  const context = await browser!.newContext();
  try {
    const page = await context.newPage();
    const console: string[] = [];
    page.on('console', (message) => console.push(`${message.type()}: ${message.text()}`));
    if (from) await page.goto(caddy!.origins[0] + from);
    requested.length = 0;
    const response = await page.goto(caddy!.origins[0] + path, { waitUntil: 'load' });
    await page.waitForFunction(() => document.documentElement.dataset.ready !== undefined);
    await sleep(3500);
    const ran = await page.evaluate(() => document.documentElement.dataset.ready);
    const initiator = await page.evaluate(
      (name) =>
        performance
          .getEntriesByType('resource')
          .find((entry) => entry.name.endsWith(name))
          ?.toJSON().initiatorType as string | undefined,
      script,
    );
    const headers = (await response?.allHeaders()) ?? {};
    return {
      mode: headers['x-http2-preload'],
      link: headers.link,
      ran,
      scriptRequests: requested.filter((url) => url === script).length,
      console,
      initiator,
    };
  } finally {
    await context.close();
  }
}

describe('a module script and its modulepreload in Chromium (through Caddy, HTTP/2)', () => {
  it('is downloaded once, when the link comes late and when it comes early', async () => {
    const late = await visit('/module-page', '/static/js/app.mjs');
    expect(late.mode).toBe('late');
    expect(late.link).toBe('</static/js/app.mjs>; rel=modulepreload; nopush');
    expect(late.ran).toBe('app');
    expect(late.scriptRequests).toBe(1);
    expect(late.console.filter((line) => /preload|credentials mode/i.test(line))).toEqual([]);

    const early = await visit('/module-page', '/static/js/app.mjs');
    expect(early.mode).toBe('early');
    expect(early.ran).toBe('app');
    expect(early.scriptRequests).toBe(1);
    expect(early.console.filter((line) => /preload|credentials mode/i.test(line))).toEqual([]);
  });

  it('is downloaded once when its modulepreload comes in a 103', async () => {
    const late = await visit('/module-page-103', '/static/cached/js/early.mjs');
    expect(late.mode).toBe('late');
    // Chromium now and then ignores a 103 that arrived (see preload.browser-spec.ts): up to
    // three tries, each a new visitor, and every try must still download the module once.
    let early!: Awaited<ReturnType<typeof visit>>;
    for (let attempt = 0; attempt < 3; attempt++) {
      early = await visit('/module-page-103', '/static/cached/js/early.mjs', '/static/cached/js/app.mjs');
      if (process.env.BROWSER_DEBUG) console.log(JSON.stringify(early, null, 1));
      expect(early.mode).toBe('early');
      expect(early.ran).toBe('early');
      expect(early.scriptRequests).toBe(1);
      if (early.initiator === 'early-hints') break;
    }
    expect(early.initiator).toBe('early-hints');
    expect(early.console.filter((line) => /preload|credentials mode/i.test(line))).toEqual([]);
  });

  it('is downloaded twice when preloaded as a classic script, which is why .mjs files get modulepreload', async () => {
    const control = await visit('/classic-preload', '/static/js/control.mjs');
    expect(control.link).toBe('</static/js/control.mjs>; rel=preload; as=script; nopush');
    expect(control.ran).toBe('control');
    expect(control.scriptRequests).toBe(2);
  });
});
