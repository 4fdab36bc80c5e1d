import { setTimeout as sleep } from 'node:timers/promises';
import { startSampleApp, startSampleVariant, type RunningApp } from './support/apps.js';
import { startCaddy, type RunningCaddy } from './support/caddy.js';
import { startNginx, type RunningNginx } from './support/nginx.js';
import { ASSETS, CSS } from './support/visit-checks.js';
import { launchWebKit, loadPageInWebKit, type WebKit, type WebKitLoad } from './support/webkit.js';

/**
 * WebKitGTK, Safari's engine (Debian's webkit2gtk-driver under Xvfb), on the flushed route.
 * WebKit acts on a flushed response's `Link` header only once 512 bytes of its body have
 * arrived (it sniffs the first bytes of a document before it starts on it), which is why the
 * flushed first chunk is 512 bytes of whitespace. Proven with a gate: the `/gated` handler
 * waits until the app has seen WebKit ask for the stylesheet, so the request can only have
 * come from the flushed headers; if it never comes, the wait runs out and the test fails.
 */
let app: RunningApp | undefined;
let compressed: RunningApp | undefined;
let sample: RunningApp | undefined;
let caddy: RunningCaddy | undefined;
let nginx: RunningNginx | undefined;
let webkit: WebKit | undefined;

beforeAll(async () => {
  app = await startSampleVariant({});
  compressed = await startSampleVariant({}, { compression: true });
  sample = await startSampleApp();
  caddy = await startCaddy([app.port]);
  // nginx as installed: `proxy_pass` and nothing else (HTTP/1.0 upstream, buffering on).
  nginx = await startNginx([app.port], { upstreamHttpVersion: '1.0' });
  webkit = await launchWebKit();
}, 60_000);

// Jest runs this even when beforeAll failed half-way: stop whatever was started.
afterAll(async () => {
  await webkit?.close();
  await caddy?.stop();
  await nginx?.stop();
  await Promise.all([app?.close(), compressed?.close(), sample?.close()]);
});

interface WebKitVisit extends WebKitLoad {
  readonly events: string[];
}

/** How long the flushed route's handler waits, at most, for WebKit to ask for the stylesheet. */
const STYLESHEET_REQUEST_LIMIT_MS = 20_000;

/**
 * A new visitor loads `/gated`. With `gated`, the handler waits until the app has seen the
 * stylesheet's request (bounded), and only then answers.
 */
async function visit(app: RunningApp, origin: string, gated: boolean): Promise<WebKitVisit> {
  app.events.length = 0;
  const release = gated ? app.holdGated() : undefined;
  try {
    const load = await loadPageInWebKit(webkit!, `${origin}/gated`, {
      whileLoading: release && (() => app.until(`request ${CSS}`, STYLESHEET_REQUEST_LIMIT_MS).finally(release)),
    });
    const result = { ...load, events: [...app.events] };
    if (process.env.BROWSER_DEBUG) console.log(origin, JSON.stringify(result, null, 1));
    return result;
  } finally {
    release?.();
  }
}

/** Rendered as meant, in standards mode (whitespace before the doctype does not change that). */
function expectRenderedInStandardsMode(load: WebKitVisit): void {
  expect(load.compatMode).toBe('CSS1Compat');
  expect(load.rendered).toEqual({ stylesheet: true, script: true, font: true });
}

/** Each asset reached the app once, the page itself once. */
function expectEachAssetOnce(load: WebKitVisit): void {
  const requested = load.events.filter((e) => e.startsWith('request ')).map((e) => e.slice('request '.length));
  expect(requested.filter((path, i) => requested.indexOf(path) !== i)).toEqual([]);
  for (const asset of ASSETS) expect(requested).toContain(asset);
  expect(requested).toContain('/gated');
}

const paths: [string, () => [RunningApp, string]][] = [
  ['directly over HTTP/1.1', () => [app!, `http://127.0.0.1:${app!.port}`]],
  // The padding goes gzipped (a few bytes); WebKit counts the bytes it has decoded.
  ['directly over HTTP/1.1, behind compression()', () => [compressed!, `http://127.0.0.1:${compressed!.port}`]],
  ['through Caddy (TLS, HTTP/2)', () => [app!, caddy!.origins[0]]],
  ['through nginx 1.22 with its defaults (TLS, HTTP/2, `proxy_pass` only)', () => [app!, nginx!.origins[0]]],
];

describe.each(paths)('WebKit, flushed headers (the default strategy), %s', (_name, path) => {
  test('the first visit (late) renders, each asset once', async () => {
    const late = await visit(...path(), false);
    expectRenderedInStandardsMode(late);
    expectEachAssetOnce(late);
  });

  test('a later visit asks for the stylesheet while the handler still waits; the page renders, each asset once', async () => {
    const early = await visit(...path(), true);
    // The gate opened only after this request, so the page's HTML cannot have asked for it.
    expect(early.events.indexOf(`request ${CSS}`)).toBeLessThan(early.events.indexOf('finish /gated'));
    expectRenderedInStandardsMode(early);
    expectEachAssetOnce(early);
  });
});

describe('WebKit, a page that went wrong after its headers were flushed (the sample, directly)', () => {
  test("a missing product after warm-up ends on the app's 404 page, at the same URL, by asking once more", async () => {
    const origin = `http://127.0.0.1:${sample!.port}`;
    const session = await webkit!.session();
    try {
      await session.navigate(`${origin}/products/1`);
      sample!.events.length = 0;
      await session.navigate(`${origin}/products/999`);
      // The recovery page's script asks again at once; WebDriver's navigation may return on
      // either page, so read until the app's 404 page is there (a bounded number of reads).
      let page: { message: string | null; href: string; compatMode: string } | undefined;
      for (let read = 0; read < 50 && !page?.message; read++) {
        if (read > 0) await sleep(200);
        page = await session
          .run(() => ({
            message: document.getElementById('error-message')?.textContent ?? null,
            href: location.href,
            compatMode: document.compatMode,
          }))
          .catch(() => undefined);
      }
      expect(page?.message).toBe('There is no product 999.');
      expect(page?.href).toBe(`${origin}/products/999`);
      expect(page?.compatMode).toBe('CSS1Compat');
      expect(sample!.requests('/products/999')).toBe(2);
    } finally {
      await session.close();
    }
  });
});
