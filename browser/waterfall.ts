/**
 * `npm run waterfall`: loads the sample's /slow page in Chromium through Caddy and a slow
 * link, with hints off, late (first visit) and early (second visit), and draws
 * docs/waterfall.svg from the pages' Resource Timing and paint timing.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { startSampleVariant, type RunningApp } from './support/apps.js';
import { startCaddy, type RunningCaddy } from './support/caddy.js';
import { launchChromium } from './support/chromium.js';
import { loadPage } from './support/page-load.js';
import { startRelay, type LinkShape, type RunningRelay } from './support/relay.js';
import { REPO_DIR } from './support/repo.js';
import { renderWaterfall } from './support/waterfall-svg.js';

const SHAPE: LinkShape = { rttMs: 100, bitsPerSecond: 1_500_000 };

let withHints: RunningApp | undefined;
let withoutHints: RunningApp | undefined;
let caddy: RunningCaddy | undefined;
const relays: RunningRelay[] = [];
let browser: Browser | undefined;
try {
  withHints = await startSampleVariant({});
  withoutHints = await startSampleVariant({ preloadHeaders: false });
  caddy = await startCaddy([withHints.port, withoutHints.port]);
  for (const origin of caddy.origins) relays.push(await startRelay(Number(new URL(origin).port), SHAPE));
  browser = await launchChromium(caddy.spki);
  const [hinted, plain] = relays.map((relay) => `https://127.0.0.1:${relay.port}/slow`);
  const off = await loadPage(browser, plain);
  const late = await loadPage(browser, hinted);
  const early = await loadPage(browser, hinted);
  if (late.mode !== 'late' || early.mode !== 'early')
    throw new Error(`Expected late then early, got ${late.mode}, ${early.mode}`);
  const svg = renderWaterfall(
    `Sample /slow (the handler waits 300 ms), Chromium ${browser.version()} via Caddy over HTTP/2, ${SHAPE.rttMs} ms RTT, ${SHAPE.bitsPerSecond / 1e6} Mbit/s`,
    [
      { title: 'off', subtitle: 'preloadHeaders: false', load: off },
      { title: 'late', subtitle: 'first visit: Link on the page', load: late },
      { title: 'early', subtitle: 'second visit: flushed 200 + Link', load: early },
    ],
  );
  mkdirSync(join(REPO_DIR, 'docs'), { recursive: true });
  writeFileSync(join(REPO_DIR, 'docs', 'waterfall.svg'), svg);
  const css = (load: typeof off) => load.resources.find((r) => r.path.includes('/css/'))!;
  for (const [name, load] of Object.entries({ off, late, early })) {
    console.log(
      `${name.padEnd(5)} HTML complete ${Math.round(load.navigation.responseEnd)} ms, stylesheet done ${Math.round(css(load).responseEnd)} ms, FCP ${Math.round(load.firstContentfulPaint ?? NaN)} ms`,
    );
  }
  console.log('wrote docs/waterfall.svg');
} finally {
  await browser?.close();
  for (const relay of relays) await relay.close();
  await caddy?.stop();
  await withHints?.close();
  await withoutHints?.close();
}
