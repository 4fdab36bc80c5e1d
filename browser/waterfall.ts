/**
 * `npm run waterfall`: loads the sample's slow page in Chromium through Caddy and a slow
 * link with hints off (/slow), flushed (/slow, second visit) and flushed with its page shell
 * (/shell, second visit), and draws docs/waterfall.svg from the pages' Resource Timing and
 * paint timing. The handler waits `SLOW_PAGE_DELAY_MS` (npm run waterfall sets 1500).
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
import { SLOW_PAGE_DELAY_MS } from '../sample/src/slow.controller.js';
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
  const [hinted, plain] = relays.map((relay) => `https://127.0.0.1:${relay.port}`);
  const off = await loadPage(browser, `${plain}/slow`);
  // The first visit of each route teaches it its hints; the second is the one drawn.
  await loadPage(browser, `${hinted}/slow`);
  const flush = await loadPage(browser, `${hinted}/slow`);
  await loadPage(browser, `${hinted}/shell`);
  const shell = await loadPage(browser, `${hinted}/shell`);
  if (flush.mode !== 'early' || shell.mode !== 'early')
    throw new Error(`Expected early visits, got ${flush.mode}, ${shell.mode}`);
  const svg = renderWaterfall(
    `The sample's slow page (the handler waits ${SLOW_PAGE_DELAY_MS} ms), Chromium ${browser.version()} via Caddy over HTTP/2, ${SHAPE.rttMs} ms RTT, ${SHAPE.bitsPerSecond / 1e6} Mbit/s`,
    [
      { title: 'none', subtitle: 'preloadHeaders: false', load: off },
      { title: 'flush', subtitle: 'flushed 200 + Link (the default)', load: flush },
      { title: 'shell', subtitle: 'flushed 200 + Link + the page shell', load: shell },
    ],
  );
  mkdirSync(join(REPO_DIR, 'docs'), { recursive: true });
  writeFileSync(join(REPO_DIR, 'docs', 'waterfall.svg'), svg);
  const css = (load: typeof off) => load.resources.find((r) => r.path.includes('/css/'))!;
  for (const [name, load] of Object.entries({ off, flush, shell })) {
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
