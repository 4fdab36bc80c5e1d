import { chromium, type Browser } from 'playwright-core';

/** Debian's package; nothing is downloaded. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * Headless Chromium that trusts Caddy's certificate by its key. `ignoreHTTPSErrors`
 * would not do: Chromium does not cache responses from a connection with certificate
 * errors, and an early-hinted file is reused only from the cache.
 */
export function launchChromium(spki: string): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    // Playwright gives each launch a fresh user-data dir and removes it on close.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--ignore-certificate-errors-spki-list=${spki}`,
    ],
  });
}
