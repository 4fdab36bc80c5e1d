import type { Browser } from 'playwright-core';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ResourceEntry {
  /** Path and query, without the origin. */
  readonly path: string;
  readonly initiatorType: string;
  readonly startTime: number;
  readonly responseStart: number;
  readonly responseEnd: number;
  readonly transferSize: number;
}

export interface PageLoad {
  readonly status: number;
  /** The x-http2-preload header of the page. */
  readonly mode: string | undefined;
  /** The page's Link header, as the browser received it. */
  readonly link: string | undefined;
  /** The navigation's Resource Timing, ms since it started. */
  readonly navigation: {
    readonly requestStart: number;
    /** Chromium: the first byte of the first response, a 103 included. */
    readonly responseStart: number;
    /** 0 without a 103. */
    readonly firstInterimResponseStart: number;
    /** The final response's headers (Chromium 115+). */
    readonly finalResponseHeadersStart: number;
    readonly responseEnd: number;
    /** The end of the page's load event: every asset the page needs has arrived. */
    readonly loadEventEnd: number;
  };
  readonly resources: ResourceEntry[];
  readonly firstContentfulPaint: number | undefined;
  /** Cumulative layout shift by the load event; undefined where the browser does not report it (Firefox, WebKit). */
  readonly layoutShift?: number;
  /** `CSS1Compat` in standards mode, `BackCompat` in quirks mode (whitespace before the doctype must keep the first). */
  readonly compatMode: string;
  readonly rendered: { readonly stylesheet: boolean; readonly script: boolean; readonly font: boolean };
  /** Console messages and page errors, as `type: text`. */
  readonly console: string[];
}

export interface LoadOptions {
  /**
   * How long to stay on the page after its load event. Chromium warns about an unused
   * preload (and about one in Early Hints) about 3 s after it; 0 for pictures only.
   */
  readonly settleMs?: number;
  /**
   * A same-origin URL to open first in the same tab. Chromium sometimes ignores a 103
   * that arrives while the new site's renderer process is still starting; a visitor who
   * comes from another page of the site has it running already.
   */
  readonly from?: string;
  /** Called after `from` was loaded, before the page itself. */
  readonly beforeLoad?: () => void;
}

/** Loads a page in a fresh browser context (empty cache, new connections), as a new visitor would. */
export async function loadPage(browser: Browser, url: string, options: LoadOptions = {}): Promise<PageLoad> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const console: string[] = [];
    page.on('console', (message) => {
      // The browser asks for /favicon.ico on its own; the sample has none.
      if (message.location().url.endsWith('/favicon.ico')) return;
      console.push(`${message.type()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => console.push(`pageerror: ${error.message}`));
    if (options.from) await page.goto(options.from);
    options.beforeLoad?.();
    const response = await page.goto(url, { waitUntil: 'load' });
    if (!response) throw new Error(`No response for ${url}`);
    const timings = await page.evaluate(readPage);
    await sleep(options.settleMs ?? 0);
    const headers = await response.allHeaders();
    return {
      status: response.status(),
      mode: headers['x-http2-preload'],
      link: headers['link'],
      ...timings,
      console,
    };
  } finally {
    await context.close();
  }
}

/** Runs in the page (Chromium, Firefox and WebKit). */
export async function readPage() {
  await document.fonts.ready;
  const firstContentfulPaint = await new Promise<number | undefined>((resolve) => {
    const timer = setTimeout(() => resolve(undefined), 5000);
    new PerformanceObserver((list) => {
      const entry = list.getEntriesByName('first-contentful-paint')[0];
      if (entry) {
        clearTimeout(timer);
        resolve(entry.startTime);
      }
    }).observe({ type: 'paint', buffered: true });
  });
  // Cumulative layout shift, where the browser reports shifts (Chromium); undefined elsewhere.
  // Layout shifts reach only an observer (with its buffered entries), not the timeline.
  const layoutShift = PerformanceObserver.supportedEntryTypes?.includes('layout-shift')
    ? await new Promise<number>((resolve) => {
        let sum = 0;
        const add = (entries: PerformanceEntry[]) => {
          for (const entry of entries as (PerformanceEntry & { value: number; hadRecentInput: boolean })[])
            if (!entry.hadRecentInput) sum += entry.value;
        };
        const observer = new PerformanceObserver((list) => add(list.getEntries()));
        observer.observe({ type: 'layout-shift', buffered: true });
        setTimeout(() => {
          add(observer.takeRecords());
          observer.disconnect();
          resolve(sum);
        }, 50);
      })
    : undefined;
  const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming & {
    firstInterimResponseStart?: number;
    finalResponseHeadersStart?: number;
  };
  const resources = (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).map((entry) => ({
    path: entry.name.slice(location.origin.length),
    initiatorType: entry.initiatorType,
    startTime: entry.startTime,
    responseStart: entry.responseStart,
    responseEnd: entry.responseEnd,
    transferSize: entry.transferSize,
  }));
  const sheet = [...document.styleSheets].find((s) => s.href?.includes('/css/'));
  return {
    navigation: {
      requestStart: nav.requestStart,
      responseStart: nav.responseStart,
      firstInterimResponseStart: nav.firstInterimResponseStart ?? 0,
      finalResponseHeadersStart: nav.finalResponseHeadersStart ?? nav.responseStart,
      responseEnd: nav.responseEnd,
      loadEventEnd: nav.loadEventEnd,
    },
    resources,
    firstContentfulPaint,
    layoutShift,
    compatMode: document.compatMode,
    rendered: {
      // Firefox quotes the family name ("Inter"), Chromium does not.
      stylesheet:
        !!sheet &&
        sheet.cssRules.length > 0 &&
        getComputedStyle(document.body).fontFamily.replace(/["']/g, '').startsWith('Inter'),
      script: document.documentElement.dataset.script === 'ran',
      font: [...document.fonts].some(
        (face) => face.family.replace(/["']/g, '') === 'Inter' && face.status === 'loaded',
      ),
    },
  };
}
