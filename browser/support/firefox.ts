import puppeteer, { type Browser } from 'puppeteer-core';
import { setTimeout as sleep } from 'node:timers/promises';
import { readPage, type LoadOptions, type PageLoad } from './page-load.js';

/** Debian's package; nothing is downloaded. */
export const FIREFOX_PATH = '/usr/bin/firefox-esr';

/**
 * Headless Firefox ESR driven over WebDriver BiDi. It accepts Caddy's local-CA certificate
 * (acceptInsecureCerts): unlike Chromium with certificate errors, Firefox still caches
 * such responses, so early-hinted files can be reused (the tests check each file is
 * fetched once). Puppeteer gives it a fresh profile and removes it on close.
 */
export function launchFirefox(): Promise<Browser> {
  return puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX_PATH,
    headless: true,
    defaultViewport: null,
    acceptInsecureCerts: true,
    extraPrefsFirefox: {
      // Nothing in the background that would reach the network or add requests.
      'network.http.http3.enable': false,
      'browser.safebrowsing.malware.enabled': false,
      'browser.safebrowsing.phishing.enabled': false,
    },
  });
}

/** Loads a page in a fresh browser context (empty cache, new connections), as a new visitor would. */
export async function loadPageInFirefox(browser: Browser, url: string, options: LoadOptions = {}): Promise<PageLoad> {
  const context = await browser.createBrowserContext();
  try {
    const page = await context.newPage();
    const console: string[] = [];
    page.on('console', (message) => {
      if (message.location().url?.endsWith('/favicon.ico')) return;
      console.push(`${message.type()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => console.push(`pageerror: ${(error as Error).message}`));
    if (options.from) await page.goto(options.from);
    options.beforeLoad?.();
    const response = await page.goto(url, { waitUntil: 'load' });
    if (!response) throw new Error(`No response for ${url}`);
    const timings = await page.evaluate(readPage);
    await sleep(options.settleMs ?? 0);
    const headers = response.headers();
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
