import type { Browser } from 'puppeteer-core';
import { startSampleApp, startSampleVariant, type RunningApp } from './support/apps.js';
import { startCaddy, type RunningCaddy } from './support/caddy.js';
import { launchFirefox, loadPageInFirefox } from './support/firefox.js';
import {
  CSS,
  expectEachAssetOnce,
  expectQuietConsole,
  expectRendered,
  finishedBeforePage,
  resource,
  SCRIPT,
  type Visit,
} from './support/visit-checks.js';

/**
 * The flushed-headers and 103 visits of preload.browser-spec.ts, in Debian's Firefox ESR
 * (WebDriver BiDi through puppeteer-core) through Caddy over HTTP/2. Ordering is proven at
 * the app: it had sent the stylesheet before it finished sending the page.
 */
let sample: RunningApp | undefined;
let withoutCsp: RunningApp | undefined;
let caddy: RunningCaddy | undefined;
let browser: Browser | undefined;

beforeAll(async () => {
  sample = await startSampleApp();
  // The sample's pages without its nonce-based Content-Security-Policy: 103 links without a nonce.
  withoutCsp = await startSampleVariant({});
  caddy = await startCaddy([sample.port, withoutCsp.port]);
  browser = await launchFirefox();
});

// Jest runs this even when beforeAll failed half-way: stop whatever was started.
afterAll(async () => {
  await browser?.close();
  await caddy?.stop();
  await Promise.all([sample?.close(), withoutCsp?.close()]);
});

/** A new visitor (fresh context: empty cache), staying 3.5 s for late console warnings. */
async function visit(app: RunningApp | undefined, path: string): Promise<Visit> {
  const origin = caddy!.origins[[sample, withoutCsp].indexOf(app)];
  app!.events.length = 0;
  const load = await loadPageInFirefox(browser!, origin + path, { settleMs: 3500 });
  const result = { ...load, events: [...app!.events] };
  if (process.env.BROWSER_DEBUG) console.log(path, JSON.stringify(result, null, 1));
  return result;
}

describe('Firefox: flushed headers, the default strategy (/slow, the sample with its CSP)', () => {
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

  test('the second visit is early: the app sent the stylesheet and script before it finished the page', () => {
    expect(early.mode).toBe('early');
    expect(finishedBeforePage(early, CSS, '/slow')).toBe(true);
    expect(finishedBeforePage(early, SCRIPT, '/slow')).toBe(true);
    expectRendered(early);
    expectEachAssetOnce(early);
    expectQuietConsole(early);
  });
});

describe('Firefox: 103 Early Hints (/slow-103)', () => {
  test('without a CSP: the second visit takes its stylesheet and script from the 103, each fetched once, while the handler still waits', async () => {
    await visit(withoutCsp, '/slow-103');
    const early = await visit(withoutCsp, '/slow-103');
    expect(early.mode).toBe('early');
    expect(early.navigation.firstInterimResponseStart).toBeGreaterThan(0);
    expect(resource(early, CSS).initiatorType).toBe('early-hints');
    expect(resource(early, SCRIPT).initiatorType).toBe('early-hints');
    expect(finishedBeforePage(early, CSS, '/slow-103')).toBe(true);
    expectRendered(early);
    expectEachAssetOnce(early);
    expectQuietConsole(early);
  });

  // The sample's nonce-based CSP: Firefox uses a 103's script and style only when their
  // link carries the nonce; the module sends a copy with it first (Chromium's plain link
  // comes after it). Before, Firefox fetched both files again, late.
  test('the sample as it is (nonce-based CSP): the same holds, with a quiet console', async () => {
    await visit(sample, '/slow-103');
    const early = await visit(sample, '/slow-103');
    expect(early.mode).toBe('early');
    expect(early.navigation.firstInterimResponseStart).toBeGreaterThan(0);
    expect(resource(early, CSS).initiatorType).toBe('early-hints');
    expect(resource(early, SCRIPT).initiatorType).toBe('early-hints');
    expect(finishedBeforePage(early, CSS, '/slow-103')).toBe(true);
    expect(finishedBeforePage(early, SCRIPT, '/slow-103')).toBe(true);
    expectRendered(early);
    expectEachAssetOnce(early);
    expectQuietConsole(early);
  });
});
