import { createSampleApp } from '../sample/src/app.js';
import { listenOnLoopback, type RunningApp } from './support/app.js';
import { linkUrls, navigate, request } from './support/http.js';
import { followRecovery, isRecoveryPage } from './support/recovery.js';

describe('the sample app', () => {
  let running: RunningApp;
  let baseUrl: string;
  beforeAll(async () => {
    running = await listenOnLoopback(await createSampleApp({ logger: false, abortOnError: false }));
    baseUrl = running.baseUrl;
  });
  afterAll(() => running.close());

  it('hints the stylesheet, the font, the script and the images of its home page', async () => {
    const res = await navigate(`${baseUrl}/`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-http2-preload']).toBe('late');
    expect(linkUrls(res.headers.link)).toEqual([
      '/static/css/app.css?v=1',
      '/static/fonts/inter-latin-400-normal.woff2',
      '/static/js/app.js?v=1',
      '/static/img/hero.svg?v=1',
      '/static/img/logo.svg?v=1',
    ]);
    expect(res.headers.link).toMatch(
      /<\/static\/img\/hero\.svg\?v=1>; rel=preload; as=image; fetchpriority=high; nonce=[0-9a-f]+; nopush/,
    );
  });

  it('serves every hinted asset, fresh-cacheable', async () => {
    const page = await navigate(`${baseUrl}/`);
    for (const url of linkUrls(page.headers.link)) {
      const asset = await request(`${baseUrl}${url}`);
      expect([url, asset.statusCode]).toEqual([url, 200]);
      expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    }
  });

  it('uses the font the CSS asks for', async () => {
    const css = await request(`${baseUrl}/static/css/app.css?v=1`);
    expect(css.body).toContain("url('/static/fonts/inter-latin-400-normal.woff2') format('woff2')");
  });

  it('flushes the hints of its slow page early from the second request on', async () => {
    const first = await navigate(`${baseUrl}/slow`);
    expect(first.statusCode).toBe(200);
    expect(first.headers['x-http2-preload']).toBe('late');
    expect(linkUrls(first.headers.link)).toContain('/static/css/app.css?v=1');

    const second = await navigate(`${baseUrl}/slow`);
    expect(second.informational).toEqual([]);
    expect(second.headers['x-http2-preload']).toBe('early');
    expect(linkUrls(second.headers.link)).toEqual(linkUrls(first.headers.link));
    expect(second.body).toContain('as flushed headers');
  });

  it('streams the shell of its /shell page first from the second request on: the whole layout, once', async () => {
    const first = await navigate(`${baseUrl}/shell`);
    expect(first.headers['x-http2-preload']).toBe('late');

    const second = await navigate(`${baseUrl}/shell`);
    expect(second.headers['x-http2-preload']).toBe('early');
    const nonce = /script-src 'nonce-([^']+)'/.exec(String(second.headers['content-security-policy']))?.[1];
    // The shell: the layout up to its <main>, with the stylesheet tag and this request's nonce.
    expect(second.body.trimStart().startsWith('<!doctype html>')).toBe(true);
    expect(second.body).toContain(`<link rel="stylesheet" href="/static/css/app.css?v&#x3D;1" nonce="${nonce}">`);
    expect(second.body.indexOf('<main>')).toBeLessThan(second.body.indexOf('with the page shell'));
    expect(second.body.split('<!doctype html>')).toHaveLength(2);
    expect(second.body.split('<footer>')).toHaveLength(2);
  });

  it('sends a 103 for its /slow-103 page from the second request on', async () => {
    const first = await navigate(`${baseUrl}/slow-103`);
    expect(first.informational).toEqual([]);

    const second = await navigate(`${baseUrl}/slow-103`);
    expect(second.informational.map((info) => info.statusCode)).toEqual([103]);
    // Its CSP has nonces: the stylesheet and script go twice, with the nonce (for Firefox) first.
    const [css, font, js, logo] = linkUrls(first.headers.link);
    expect(linkUrls(second.informational[0].headers.link)).toEqual([css, css, font, js, js, logo]);
    expect(second.headers['x-http2-preload']).toBe('early');
    expect(second.body).toContain('as 103 Early Hints');
  });

  it("puts each request's CSP nonce on its links and on its tags, as its nonce-based policy requires", async () => {
    const pages = [
      await navigate(`${baseUrl}/`),
      await navigate(`${baseUrl}/slow`),
      await navigate(`${baseUrl}/slow-103`),
    ];
    const nonces = pages.map((page) => {
      const policy = String(page.headers['content-security-policy']);
      const nonce = /script-src 'nonce-([^']+)'/.exec(policy)?.[1];
      expect(policy).toContain(`style-src 'nonce-${nonce}'`);
      const links = String(page.headers.link).split(/,\s*(?=<)/);
      expect(links.length).toBeGreaterThan(0);
      for (const link of links) expect(link).toContain(`; nonce=${nonce};`);
      // Handlebars escapes "=" as &#x3D;, which the browser reads back as "=".
      expect(page.body).toContain(`<script src="/static/js/app.js?v&#x3D;1" nonce="${nonce}" defer>`);
      expect(page.body).toContain(`<link rel="stylesheet" href="/static/css/app.css?v&#x3D;1" nonce="${nonce}">`);
      return nonce;
    });
    expect(new Set(nonces).size).toBe(pages.length);
  });

  it('sends no hints for its @NoPreload() controller', async () => {
    const res = await navigate(`${baseUrl}/plain`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-http2-preload']).toBe('off');
    expect(res.headers.link).toBeUndefined();
  });

  it('leaves its JSON route alone', async () => {
    const res = await request(`${baseUrl}/api/status`);
    expect(JSON.parse(res.body)).toEqual({ status: 'ok' });
    expect(res.headers.link).toBeUndefined();
    expect(res.headers['x-http2-preload']).toBeUndefined();
  });

  it('ends a missing product on its own 404 page after a flush, with a recovery script its CSP lets run', async () => {
    expect((await navigate(`${baseUrl}/products/1`)).headers['x-http2-preload']).toBe('late');
    const flushed = await navigate(`${baseUrl}/products/999`);
    expect(flushed.headers['x-http2-preload']).toBe('early');
    expect(isRecoveryPage(flushed.body)).toBe(true);
    const nonce = /script-src 'nonce-([^']+)'/.exec(String(flushed.headers['content-security-policy']))?.[1];
    expect(flushed.body).toContain(`<script nonce="${nonce}">`);
    const retry = await followRecovery(`${baseUrl}/products/999`, flushed, true);
    expect(retry.statusCode).toBe(404);
    expect(retry.body).toContain('<p id="error-message">There is no product 999.</p>');
  });

  it('answers an unchanged product with 304 at once, and a changed one early with its new ETag', async () => {
    const first = await navigate(`${baseUrl}/products/2`);
    expect(first.headers.etag).toBe('"product-2-v1"');
    const unchanged = await navigate(`${baseUrl}/products/2`, { 'if-none-match': '"product-2-v1"' });
    expect(unchanged.statusCode).toBe(304);
    const changed = await navigate(`${baseUrl}/products/1`, { 'if-none-match': '"product-1-v2"' });
    expect(changed.statusCode).toBe(200);
    expect(changed.headers.etag).toBe('"product-1-v3"');
  });
});
