import type { Browser } from 'playwright-core';
import { startSampleApp, startSampleVariant, type RunningApp } from './support/apps.js';
import { startCaddy, type RunningCaddy } from './support/caddy.js';
import { launchChromium } from './support/chromium.js';
import { loadPage } from './support/page-load.js';
import {
  CSS,
  expectEachAssetOnce,
  expectQuietConsole,
  expectRendered,
  requestedBeforePageFinished,
  resource,
  type Visit,
} from './support/visit-checks.js';

let sample: RunningApp | undefined;
let withoutNopush: RunningApp | undefined;
let headersOff: RunningApp | undefined;
let caddy: RunningCaddy | undefined;
let browser: Browser | undefined;

beforeAll(async () => {
  sample = await startSampleApp();
  withoutNopush = await startSampleVariant({ serverPush: true });
  headersOff = await startSampleVariant({ preloadHeaders: false });
  caddy = await startCaddy([sample.port, withoutNopush.port, headersOff.port]);
  browser = await launchChromium(caddy.spki);
});

// Jest runs this even when beforeAll failed half-way: stop whatever was started.
afterAll(async () => {
  await browser?.close();
  await caddy?.stop();
  await Promise.all([sample?.close(), withoutNopush?.close(), headersOff?.close()]);
});

function origin(app: RunningApp | undefined): string {
  const apps = [sample, withoutNopush, headersOff];
  return caddy!.origins[apps.indexOf(app)];
}

/** A visit by a new visitor (fresh context: empty cache), waiting for Chromium's late warnings. */
async function visit(
  app: RunningApp | undefined,
  path: string,
  options: { fromSameSite?: boolean } = {},
): Promise<Visit> {
  app!.events.length = 0;
  const load = await loadPage(browser!, origin(app) + path, {
    settleMs: 3500,
    // A JSON URL: warms the site's renderer without caching any of the page's files (the
    // sample's 404 page, say, is a full page with its stylesheet and script).
    from: options.fromSameSite ? `${origin(app)}/api/status` : undefined,
    beforeLoad: () => (app!.events.length = 0),
  });
  const result = { ...load, events: [...app!.events] };
  if (process.env.BROWSER_DEBUG) console.log(path, JSON.stringify(result, null, 1));
  return result;
}

describe('flushed headers, the default strategy (/slow)', () => {
  let late: Visit;
  let early: Visit;
  beforeAll(async () => {
    late = await visit(sample, '/slow');
    early = await visit(sample, '/slow');
  });

  test('the first visit renders, with the hints on its own response (late)', () => {
    expect(late.mode).toBe('late');
    expectRendered(late);
    expectEachAssetOnce(late);
    expectQuietConsole(late);
  });

  // The flushed 200 *is* the response start (Resource Timing's responseStart), so the
  // stylesheet starts after it, but arrives long before the rest of the HTML.
  test('the second visit is early: the stylesheet arrives before the HTML is complete', () => {
    expect(early.mode).toBe('early');
    expect(early.events.indexOf(`finish ${CSS}`)).toBeLessThan(early.events.indexOf('finish /slow'));
    expect(resource(early, CSS).responseEnd).toBeLessThan(early.navigation.responseEnd);
    expectRendered(early);
    expectEachAssetOnce(early);
    expectQuietConsole(early);
  });
});

/**
 * Chromium's Resource Timing reports an early-hinted file when the page takes it from the
 * cache (after the final response), with initiatorType "early-hints" and transferSize 0;
 * the network fetch itself is seen at the app, before the page was sent.
 */
function expectStylesheetFromEarlyHints(early: Visit): void {
  expect(early.mode).toBe('early');
  expect(early.navigation.firstInterimResponseStart).toBeGreaterThan(0);
  expect(resource(early, CSS).initiatorType).toBe('early-hints');
  expect(resource(early, CSS).transferSize).toBe(0);
  expect(early.events.indexOf(`finish ${CSS}`)).toBeLessThan(early.events.indexOf('finish /slow-103'));
  expectRendered(early);
  expectEachAssetOnce(early);
  expectQuietConsole(early);
}

/**
 * Chromium now and then ignores a 103 that arrived (about 1 load in 6 here, renderer
 * start-up on a busy machine, it seems; CI once saw three in a row), so the early visit gets
 * up to five tries, each a new visitor. Every try must still render and download each file once.
 */
async function earlyHintedVisit(app: RunningApp | undefined): Promise<Visit> {
  let load!: Visit;
  for (let attempt = 0; attempt < 5; attempt++) {
    load = await visit(app, '/slow-103', { fromSameSite: true });
    expectRendered(load);
    expectEachAssetOnce(load);
    if (resource(load, CSS).initiatorType === 'early-hints') break;
  }
  return load;
}

describe('103 Early Hints (/slow-103, @Preload({ strategy: "earlyHints" }))', () => {
  test('the second visit gets its files from the 103, while the handler still waits (serverPush: true)', async () => {
    await visit(withoutNopush, '/slow-103');
    expectStylesheetFromEarlyHints(await earlyHintedVisit(withoutNopush));
  });

  // Chromium drops every link of a 103 that has a parameter it does not know (`nopush`
  // did that, and so does `nonce`): with the sample's CSP, each script and style goes
  // twice, the copy with the nonce (for Firefox) first, and Chromium uses the plain one.
  test('the sample as it is (serverPush: false, CSP nonces): the same holds', async () => {
    await visit(sample, '/slow-103');
    expectStylesheetFromEarlyHints(await earlyHintedVisit(sample));
  });
});

describe('without hints', () => {
  test('@NoPreload() (/plain): no Link, the assets come from the HTML, the page renders', async () => {
    for (const load of [await visit(sample, '/plain'), await visit(sample, '/plain')]) {
      expect(load.mode).toBe('off');
      expect(load.link).toBeUndefined();
      expect(requestedBeforePageFinished(load, CSS, '/plain')).toBe(false);
      expect(resource(load, CSS).initiatorType).toBe('link');
      expectRendered(load);
      expectEachAssetOnce(load);
      expectQuietConsole(load);
    }
  });

  test('preloadHeaders: false (/slow): no Link, no debug header, the page renders', async () => {
    for (const load of [await visit(headersOff, '/slow'), await visit(headersOff, '/slow')]) {
      expect(load.mode).toBeUndefined();
      expect(load.link).toBeUndefined();
      expect(requestedBeforePageFinished(load, CSS, '/slow')).toBe(false);
      expectRendered(load);
      expectEachAssetOnce(load);
      expectQuietConsole(load);
    }
  });
});
