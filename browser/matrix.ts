/**
 * `npm run matrix`: the deployment table, measured. Loads the sample's /slow page with hints
 * off, late, flushed, as a 103 (/slow-103) and flushed with its page shell (/shell) in Chromium, Firefox and WebKit (WebKitGTK,
 * Safari's engine), directly and through Caddy, nginx (upstream HTTP/1.1 and its default 1.0),
 * HAProxy, Apache and h2o, each on a shaped link, and writes the median first contentful paint
 * of each cell to docs/matrix.md. WebKit's early cells also say in how many loads the
 * stylesheet was requested before the page's body could have arrived (WebKit is the browser
 * that may not act on early hints).
 * The handler waits `SLOW_PAGE_DELAY_MS` (the sample's 300 ms unless the environment says
 * otherwise; `npm run matrix` sets 1500, a slow page, where the page shell shows what it takes back).
 * `MATRIX_RUNS` sets the loads per cell; `MATRIX_PATHS` (words of the path names) and
 * `MATRIX_BROWSERS` (chromium,firefox,webkit) measure a part, for a quick look; commit only a
 * full run's table.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser as ChromiumBrowser } from 'playwright-core';
import type { Browser as FirefoxBrowser } from 'puppeteer-core';
import { startApache } from './support/apache.js';
import { startSampleVariant, type RunningApp } from './support/apps.js';
import { startCaddy } from './support/caddy.js';
import { launchChromium } from './support/chromium.js';
import { launchFirefox, loadPageInFirefox } from './support/firefox.js';
import { startH2o } from './support/h2o.js';
import { startHaproxy } from './support/haproxy.js';
import { startNginx } from './support/nginx.js';
import { loadPage, type PageLoad } from './support/page-load.js';
import { startRelay, type LinkShape, type RunningRelay } from './support/relay.js';
import { REPO_DIR } from './support/repo.js';
import { SLOW_PAGE_DELAY_MS } from '../sample/src/slow.controller.js';
import { launchWebKit, loadPageInWebKit, type WebKit } from './support/webkit.js';

const SHAPE: LinkShape = { rttMs: 100, bitsPerSecond: 1_500_000 };
const RUNS = Number(process.env.MATRIX_RUNS ?? 3);
const ONLY_PATHS = (process.env.MATRIX_PATHS ?? '').split(',').filter(Boolean);
const ONLY_BROWSERS = (process.env.MATRIX_BROWSERS ?? '').split(',').filter(Boolean);
const MODES = ['off', 'late', 'flushed', '103', 'shell'] as const;
type Mode = (typeof MODES)[number];
const BROWSERS = ['chromium', 'firefox', 'webkit'] as const;
type BrowserName = (typeof BROWSERS)[number];
const BROWSER_TITLES: Record<BrowserName, string> = { chromium: 'Chromium', firefox: 'Firefox', webkit: 'WebKit' };

interface Path {
  readonly name: string;
  /** Origin per app: [hints off, always late, hints]. */
  readonly origins: string[];
}

const stops: (() => Promise<void>)[] = [];
const relays: RunningRelay[] = [];
let chromium: ChromiumBrowser | undefined;
let firefox: FirefoxBrowser | undefined;
let webkit: WebKit | undefined;

/** What a cell needs of a load; WebDriver cannot read WebKit's response headers, hence the optional ones. */
type Load = Pick<PageLoad, 'firstContentfulPaint' | 'navigation' | 'resources' | 'layoutShift'> &
  Partial<Pick<PageLoad, 'status' | 'mode'>>;

/**
 * How long a WebKit load may take before it counts as failed: a load here takes a few
 * seconds; WebKitGTK now and then never finishes one (once 153 s on the plain flushed page,
 * directly), which must cost one bounded wait, not the run. A 103 through nginx 1.22 gets
 * long enough to end on WebKit's error page (about 80 s), which says why.
 */
const WEBKIT_LOAD_MS = 30_000;
const WEBKIT_103_LOAD_MS = 120_000;

/** One load, or why the page failed (nginx before 1.29 with a 103; a load that never ended). */
async function load(browser: BrowserName, url: string): Promise<Load | string> {
  const started = performance.now();
  try {
    if (browser === 'chromium') return await loadPage(chromium!, url);
    if (browser === 'firefox') return await loadPageInFirefox(firefox!, url);
    const pageLoadMs = url.endsWith('/slow-103') ? WEBKIT_103_LOAD_MS : WEBKIT_LOAD_MS;
    return await loadPageInWebKit(webkit!, url, { pageLoadMs });
  } catch (error) {
    const message = (error as Error).message;
    const seconds = Math.round((performance.now() - started) / 1000);
    const timedOut = /timeout|aborted|fetch failed/i.test(message);
    // A MiniBrowser stuck on a load may hold the driver too: the next load gets a new one.
    if (browser === 'webkit' && timedOut) await restartWebKit();
    const reason =
      /ERR_[A-Z0-9_]+|NS_ERROR_[A-Z0-9_]+|WebKit's error page: .*/.exec(message)?.[0] ??
      // WebDriver's page load timeout, or ours when the driver does not keep it.
      (timedOut ? NEVER_LOADED : message.split('\n')[0]);
    return `${reason} (after ${seconds} s)`;
  }
}

const NEVER_LOADED = 'the page never loaded';

async function restartWebKit(): Promise<void> {
  await webkit?.close();
  webkit = await launchWebKit();
}

/**
 * The stylesheet was requested before the page's body could have arrived: the handler waits
 * SLOW_PAGE_DELAY_MS after the request reached it, so no byte of its page comes sooner after
 * the browser sent the request. Only the hints can have asked for it that early.
 */
function stylesheetBeforeBody(load: Load): boolean {
  const css = load.resources.find((entry) => entry.path.includes('/css/'));
  return css !== undefined && css.startTime < load.navigation.requestStart + SLOW_PAGE_DELAY_MS;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** What a cell measured: its text in the table, and the medians the shell's targets compare. */
interface Cell {
  readonly text: string;
  /** Median first contentful paint, ms; undefined when no load painted. */
  readonly paint: number | undefined;
  /** Median time to the end of the load event, ms. */
  readonly loaded: number | undefined;
  /** Assets fetched more than once in one load, as `path ×n`. */
  readonly twice: readonly string[];
}

/** When the page and everything it needs had arrived; the last response where a browser leaves loadEventEnd at 0. */
function loadedAt(load: Load): number {
  if (load.navigation.loadEventEnd > 0) return load.navigation.loadEventEnd;
  return Math.max(load.navigation.responseEnd, ...load.resources.map((entry) => entry.responseEnd));
}

/** Assets one load fetched more than once (a preload its use did not match downloads twice). */
function fetchedTwice(load: Load): string[] {
  const counts = new Map<string, number>();
  for (const entry of load.resources) counts.set(entry.path, (counts.get(entry.path) ?? 0) + 1);
  return [...counts].filter(([, count]) => count > 1).map(([path, count]) => `${path} ×${count}`);
}

async function cell(browser: BrowserName, path: Path, mode: Mode): Promise<Cell> {
  const app = mode === 'off' ? 0 : mode === 'late' ? 1 : 2;
  const url = `${path.origins[app]}${mode === '103' ? '/slow-103' : mode === 'shell' ? '/shell' : '/slow'}`;
  // The route's first request fills the hint cache; the measured ones are early.
  if (mode === 'flushed' || mode === '103' || mode === 'shell') await load(browser, url);
  const paints: number[] = [];
  const loads: number[] = [];
  const shifts: number[] = [];
  const twice = new Set<string>();
  const notes = new Set<string>();
  const early: boolean[] = [];
  for (let run = 0; run < RUNS; run++) {
    const result = await load(browser, url);
    if (typeof result === 'string') {
      notes.add(`fails: ${result}`);
      // A path that fails with an error fails each time (a 103 through nginx 1.22): do not
      // wait it out again. A load that never ended is one load: the others still count.
      if (!result.startsWith(NEVER_LOADED)) break;
      continue;
    }
    if (result.status !== undefined && result.status !== 200) notes.add(`status ${result.status}`);
    if (result.firstContentfulPaint !== undefined) paints.push(result.firstContentfulPaint);
    else notes.add('a load reported no first paint');
    loads.push(loadedAt(result));
    for (const asset of fetchedTwice(result)) twice.add(asset);
    // WebKit's page says null (no layout-shift entries): only a number is a measure.
    if (typeof result.layoutShift === 'number') shifts.push(result.layoutShift);
    if (result.mode !== undefined && mode !== 'off' && result.mode !== (mode === 'late' ? 'late' : 'early'))
      notes.add(`x-http2-preload: ${result.mode}`);
    if (browser === 'webkit' && mode !== 'off' && mode !== 'late') early.push(stylesheetBeforeBody(result));
  }
  if (early.length > 0) notes.add(`stylesheet before the body: ${early.filter(Boolean).length}/${early.length}`);
  // The page shell paints before the page: whatever moves when the page arrives shows here.
  if (shifts.length > 0) notes.add(`CLS ${median(shifts).toFixed(3)}`);
  if (twice.size > 0) notes.add(`fetched twice: ${[...twice].join(', ')}`);
  const paint = paints.length > 0 ? median(paints) : undefined;
  const fcp = paint !== undefined ? `${(paint / 1000).toFixed(2)} s` : '–';
  return {
    text: [fcp, ...notes].join(', '),
    paint,
    loaded: loads.length > 0 ? median(loads) : undefined,
    twice: [...twice],
  };
}

/** The page shell's targets (issue 23): first paint ≤ 0.40 × no hints and ≤ 0.65 × the plain flush, loaded no later than the flush, each asset once. */
const SHELL_VS_NONE = 0.4;
const SHELL_VS_FLUSH = 0.65;

/** One row of the shell's targets for a path and browser, from its cells by mode. */
function shellRow(pathName: string, browser: BrowserName, cells: Readonly<Record<Mode, Cell>>): string {
  const { off, flushed, shell } = cells;
  const ratio = (a: number | undefined, b: number | undefined): number | undefined =>
    a !== undefined && b !== undefined && b > 0 ? a / b : undefined;
  const vsNone = ratio(shell.paint, off.paint);
  const vsFlush = ratio(shell.paint, flushed.paint);
  const loadRatio = ratio(shell.loaded, flushed.loaded);
  const show = (value: number | undefined, limit: number): string =>
    value === undefined ? '–' : `${value.toFixed(2)} × ${value <= limit ? '(met)' : '(**not met**)'}`;
  const seconds = (ms: number | undefined): string => (ms === undefined ? '–' : `${(ms / 1000).toFixed(2)} s`);
  // "No worse": within a tenth of a second or 5 %, what two medians of three loads on this link differ by anyway.
  const loadMet =
    shell.loaded !== undefined &&
    flushed.loaded !== undefined &&
    shell.loaded <= Math.max(flushed.loaded * 1.05, flushed.loaded + 100);
  const loadText =
    loadRatio === undefined
      ? '–'
      : `${seconds(shell.loaded)} against ${seconds(flushed.loaded)} ${loadMet ? '(met)' : '(**not met**)'}`;
  const once = shell.twice.length === 0 ? 'yes' : `**no**: ${shell.twice.join(', ')}`;
  return `| ${pathName} | ${BROWSER_TITLES[browser]} | ${show(vsNone, SHELL_VS_NONE)} | ${show(vsFlush, SHELL_VS_FLUSH)} | ${loadText} | ${once} |`;
}

try {
  // The sample's pages without its CSP: Firefox ignores a 103's nonce-less links on a page
  // with a nonce-based CSP (see the README), which is not what this table compares.
  const apps: RunningApp[] = [
    await startSampleVariant({ preloadHeaders: false }),
    await startSampleVariant({ presendCachedHeaders: false }),
    await startSampleVariant({}),
  ];
  stops.push(async () => void (await Promise.all(apps.map((app) => app.close()))));
  const ports = apps.map((app) => app.port);
  const caddy = await startCaddy(ports);
  stops.push(caddy.stop);
  const nginx11 = await startNginx(ports, { upstreamHttpVersion: '1.1' });
  stops.push(nginx11.stop);
  const nginx10 = await startNginx(ports, { upstreamHttpVersion: '1.0' });
  stops.push(nginx10.stop);
  const haproxy = await startHaproxy(ports);
  stops.push(haproxy.stop);
  const apache = await startApache(ports, { earlyHints: true });
  stops.push(apache.stop);
  const h2o = await startH2o(ports);
  stops.push(h2o.stop);
  const direct = ports.map((port) => `http://127.0.0.1:${port}`);
  const unshaped: Path[] = [
    { name: 'Node direct, HTTP/1.1', origins: direct },
    { name: 'Caddy 2.6, HTTP/2', origins: caddy.origins },
    { name: 'nginx 1.22, HTTP/2, `proxy_http_version 1.1`', origins: nginx11.origins },
    { name: 'nginx 1.22, HTTP/2, its defaults (upstream HTTP/1.0)', origins: nginx10.origins },
    { name: 'HAProxy 2.6, HTTP/2', origins: haproxy.origins },
    { name: 'Apache 2.4, HTTP/2, `H2EarlyHints on`', origins: apache.origins },
    { name: 'h2o 2.2, HTTP/2', origins: h2o.origins },
  ];
  // Every path through its own shaped relay, so the browser sees the slow link, 103 included.
  const paths: Path[] = [];
  for (const path of unshaped) {
    const origins: string[] = [];
    for (const origin of path.origins) {
      const url = new URL(origin);
      const relay = await startRelay(Number(url.port), SHAPE);
      relays.push(relay);
      url.port = String(relay.port);
      origins.push(url.origin);
    }
    paths.push({ name: path.name, origins });
  }
  chromium = await launchChromium(
    [caddy.spki, nginx11.spki, nginx10.spki, haproxy.spki, apache.spki, h2o.spki].join(','),
  );
  firefox = await launchFirefox();
  webkit = await launchWebKit();
  const versions = { chromium: chromium.version(), firefox: await firefox.version(), webkit: webkit.version };

  const rows: string[] = [];
  const shellRows: string[] = [];
  for (const path of paths) {
    for (const browser of BROWSERS) {
      if (ONLY_PATHS.length > 0 && !ONLY_PATHS.some((word) => path.name.includes(word))) continue;
      if (ONLY_BROWSERS.length > 0 && !ONLY_BROWSERS.includes(browser)) continue;
      const cells = {} as Record<Mode, Cell>;
      for (const mode of MODES) {
        cells[mode] = await cell(browser, path, mode);
        console.error(`${path.name} · ${browser} · ${mode}: ${cells[mode].text}`);
      }
      rows.push(`| ${path.name} | ${BROWSER_TITLES[browser]} | ${MODES.map((mode) => cells[mode].text).join(' | ')} |`);
      shellRows.push(shellRow(path.name, browser, cells));
    }
  }
  const table = [
    `First contentful paint of the sample's /slow page (its handler waits ${SLOW_PAGE_DELAY_MS} ms), median of ${RUNS} loads, each by a new visitor, on a ${SHAPE.rttMs} ms, ${SHAPE.bitsPerSecond / 1e6} Mbit/s link (a shaping relay in front of each path). Chromium ${versions.chromium}, ${versions.firefox}, WebKitGTK ${versions.webkit} (WebDriver cannot read its response headers; its early cells say in how many loads the stylesheet was requested before the page's body could have arrived); written by \`npm run matrix\`.`,
    '',
    '| Path to the browser | Browser | No hints | `late` | `flushHeaders` | `earlyHints` (103) | `flushHeaders` with the page shell (/shell) |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    '## The page shell against its targets',
    '',
    `The shell's first contentful paint over the same row's no-hints and plain-flush cells (targets: ≤ ${SHELL_VS_NONE.toFixed(2)} × and ≤ ${SHELL_VS_FLUSH.toFixed(2)} ×); its load event's end against the flush's (no worse: within 5 % or 0.1 s); and whether any asset was fetched twice in one of its loads (Resource Timing). Same run as the table above.`,
    '',
    '| Path to the browser | Browser | Shell ÷ no hints | Shell ÷ flush | Loaded (shell, flush) | Each asset once |',
    '| --- | --- | --- | --- | --- | --- |',
    ...shellRows,
    '',
  ].join('\n');
  mkdirSync(join(REPO_DIR, 'docs'), { recursive: true });
  writeFileSync(join(REPO_DIR, 'docs', 'matrix.md'), `# Deployment matrix\n\n${table}`);
  console.log(table);
  console.log('wrote docs/matrix.md');
} finally {
  await chromium?.close();
  await firefox?.close();
  await webkit?.close();
  for (const relay of relays) await relay.close();
  for (const stop of stops.reverse()) await stop();
}
