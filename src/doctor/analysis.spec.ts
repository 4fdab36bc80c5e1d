import { diagnose } from './analysis.js';
import type { AssetFetch, Exchange, Observations } from './observation.js';

/** What the sample's /slow page looks like, as the doctor reads it. */
const PAGE = `\n<!doctype html><html><head>
<link rel="stylesheet" href="/static/css/app.css?v&#x3D;1">
<script src="/static/js/app.js?v=1" defer></script>
</head><body><img src="/static/img/logo.svg"></body></html>`;
const CSS_BODY = '@font-face { font-family: Inter; src: url(../fonts/inter.woff2) format("woff2") }';
const LINK =
  '</static/css/app.css?v=1>; rel=preload; as=style; nopush, </static/fonts/inter.woff2>; rel=preload; as=font; crossorigin=anonymous; nopush, </static/js/app.js?v=1>; rel=preload; as=script; nopush';
const ORIGIN = 'https://app.test';
const LONG_CACHE = { 'cache-control': 'public, max-age=31536000, immutable', etag: 'W/"1"' };

function exchange(over: Partial<Exchange> = {}): Exchange {
  return {
    protocol: 'h2',
    interim: [],
    status: 200,
    headers: { 'content-type': 'text/html; charset=utf-8', link: LINK, 'x-http2-preload': 'early' },
    headerBytes: 900,
    headersAtMs: 5,
    firstChunkBlank: true,
    contentAtMs: 305,
    endAtMs: 306,
    body: PAGE,
    ...over,
  };
}

function assets(headers: Record<string, string> = LONG_CACHE): AssetFetch[] {
  return [
    {
      url: `${ORIGIN}/static/css/app.css?v=1`,
      status: 200,
      headers: { ...headers, 'content-type': 'text/css' },
      body: CSS_BODY,
    },
    { url: `${ORIGIN}/static/fonts/inter.woff2`, status: 200, headers },
    { url: `${ORIGIN}/static/js/app.js?v=1`, status: 200, headers },
  ];
}

function observations(over: Partial<Observations> = {}): Observations {
  const page = exchange();
  return {
    url: `${ORIGIN}/slow`,
    transport: 'tls-h2',
    warm: exchange({
      headers: { ...page.headers, 'x-http2-preload': 'late' },
      body: PAGE.trimStart(),
      firstChunkBlank: false,
    }),
    h2: page,
    http1: exchange({ protocol: 'http/1.1' }),
    assets: assets(),
    ...over,
  };
}

const HINTS_103 =
  '</static/css/app.css?v=1>; rel=preload; as=style, </static/fonts/inter.woff2>; rel=preload; as=font; crossorigin=anonymous, </static/js/app.js?v=1>; rel=preload; as=script';

/** A route with @Preload({ strategy: 'earlyHints' }), its 103 relayed: no flushed newline. */
function with103(over: Partial<Exchange> = {}): Exchange {
  return exchange({
    interim: [{ status: 103, atMs: 3, link: HINTS_103 }],
    headersAtMs: 304,
    firstChunkBlank: false,
    contentAtMs: 305,
    body: PAGE.trimStart(),
    ...over,
  });
}

describe('diagnose: the strategy on this path', () => {
  test('flushed headers that arrive before the content: ok, flushHeaders', () => {
    const { verdict, findings } = diagnose(observations());
    expect(verdict).toMatchObject({ status: 'ok', exitCode: 0, strategy: 'flushHeaders' });
    expect(findings.map((f) => f.code)).toContain('flushed-headers-pass');
  });

  test('early, but the headers came with the content (a buffering proxy): fix, with the nginx setting when nginx answered', () => {
    const buffered = exchange({
      headersAtMs: 310,
      firstChunkBlank: false,
      contentAtMs: 310,
      endAtMs: 311,
      headers: { ...exchange().headers, server: 'nginx/1.22.1' },
    });
    const { verdict } = diagnose(observations({ h2: buffered }));
    expect(verdict).toMatchObject({ status: 'fix', exitCode: 1, strategy: 'flushHeaders' });
    expect(verdict.change).toMatch(/^your proxy buffers flushed headers: add `proxy_http_version 1\.1;`/);
  });

  test('a 103 then an HTTP/2 protocol error: the proxy breaks 103, use flushHeaders', () => {
    const broken = exchange({
      interim: [{ status: 103, atMs: 310, link: HINTS_103 }],
      status: undefined,
      headers: {},
      headersAtMs: undefined,
      contentAtMs: undefined,
      endAtMs: undefined,
      body: '',
      failure: {
        kind: 'protocol',
        code: 'ERR_HTTP2_STREAM_ERROR',
        message: 'Stream closed with error code NGHTTP2_PROTOCOL_ERROR',
      },
    });
    const { verdict, findings } = diagnose(observations({ h2: broken, assets: [] }));
    expect(verdict).toMatchObject({ status: 'fix', exitCode: 1, strategy: 'flushHeaders' });
    expect(verdict.change).toMatch(/^use flushHeaders \(your proxy breaks 103 Early Hints\)/);
    expect(findings.map((f) => f.code)).toEqual(['early-hints-break-page']);
  });

  test('a 103 then a malformed response over HTTP/1.1 only: the proxy mishandles 103', () => {
    const broken = with103({
      protocol: 'http/1.1',
      status: undefined,
      headers: {},
      body: '',
      failure: { kind: 'protocol', code: 'HPE_INVALID_CONSTANT', message: 'Parse Error' },
    });
    const { verdict } = diagnose(observations({ transport: 'cleartext', h2: undefined, http1: broken }));
    expect(verdict.change).toMatch(/^use flushHeaders \(your proxy breaks 103 Early Hints\)/);
  });

  test('HTTP/2 fails where HTTP/1.1 works: something to fix, not "cannot check"', () => {
    const failed = exchange({
      status: undefined,
      headers: {},
      body: '',
      failure: {
        kind: 'protocol',
        code: 'ERR_HTTP2_STREAM_ERROR',
        message: 'Stream closed with error code NGHTTP2_INTERNAL_ERROR',
      },
    });
    const { verdict, findings } = diagnose(observations({ h2: failed }));
    expect(findings.map((f) => f.code)).toEqual(['h2-fails']);
    expect(verdict).toMatchObject({ status: 'fix', exitCode: 1 });
  });

  test('a relayed 103 over HTTP/2 with fresh-cacheable files: ok, earlyHints', () => {
    const { verdict } = diagnose(observations({ h2: with103(), http1: with103({ protocol: 'http/1.1' }) }));
    expect(verdict).toMatchObject({ status: 'ok', exitCode: 0, strategy: 'earlyHints' });
  });

  const nonceCsp = {
    ...exchange().headers,
    'content-security-policy': "default-src 'self'; script-src 'nonce-abc'; style-src 'nonce-abc'",
  };
  const css = '</static/css/app.css?v=1>; rel=preload; as=style';
  const js = '</static/js/app.js?v=1>; rel=preload; as=script';

  test('a relayed 103 without nonces on a page whose CSP wants them: Firefox does not use it, send the nonce copies', () => {
    const { verdict, findings } = diagnose(observations({ h2: with103({ headers: nonceCsp }) }));
    expect(findings.find((f) => f.code === 'early-hints-csp-nonce')?.message).toMatch(
      /on style and script, and the 103's first link for each carries none \(\/static\/css\/app\.css\?v=1, \/static\/js\/app\.js\?v=1\)/,
    );
    expect(verdict).toMatchObject({ status: 'fix', strategy: 'earlyHints' });
    expect(verdict.change).toMatch(/^send each of those links twice in the 103, first with `; nonce=`/);
  });

  test('each script and style twice, the nonce copy first (what the module sends): ok for both browsers', () => {
    const link = [`${css}; nonce=abc`, css, `${js}; nonce=abc`, js].join(', ');
    const h2 = with103({ headers: nonceCsp, interim: [{ status: 103, atMs: 3, link }] });
    const { verdict, findings } = diagnose(observations({ h2 }));
    expect(findings.filter((f) => f.severity === 'error' || f.severity === 'warn')).toEqual([]);
    expect(verdict).toMatchObject({ status: 'ok', strategy: 'earlyHints' });
  });

  test('the plain link first and the nonce copy after it: Firefox takes the first, still a fix', () => {
    const link = [css, `${css}; nonce=abc`].join(', ');
    const h2 = with103({ headers: nonceCsp, interim: [{ status: 103, atMs: 3, link }] });
    const { findings } = diagnose(observations({ h2 }));
    expect(findings.map((f) => f.code)).toContain('early-hints-csp-nonce');
  });

  test('only links with a nonce: Chromium ignores them', () => {
    const link = [`${css}; nonce=abc`, `${js}; nonce=abc`].join(', ');
    const h2 = with103({ headers: nonceCsp, interim: [{ status: 103, atMs: 3, link }] });
    const { verdict, findings } = diagnose(observations({ h2 }));
    expect(findings.map((f) => f.code)).not.toContain('early-hints-csp-nonce');
    expect(findings.find((f) => f.code === 'early-hints-nonce-only')?.message).toMatch(
      /^The 103's links for \/static\/css\/app\.css\?v=1, \/static\/js\/app\.js\?v=1 all carry a nonce/,
    );
    expect(verdict.status).toBe('fix');
  });

  test('a relayed 103 whose files are max-age=0: serve the folder with max-age', () => {
    const { verdict, assets: reports } = diagnose(
      observations({ h2: with103(), assets: assets({ 'cache-control': 'public, max-age=0', etag: 'W/"1"' }) }),
    );
    expect(verdict).toMatchObject({ status: 'fix', strategy: 'earlyHints' });
    expect(verdict.change).toMatch(/^serve \/static\/ with max-age/);
    expect(reports.every((a) => a.fresh === false && a.freshness === 'max-age=0')).toBe(true);
  });

  test('max-age=0 files with flushed headers: still ok, noted for a future 103', () => {
    const { verdict, findings } = diagnose(observations({ assets: assets({ 'cache-control': 'public, max-age=0' }) }));
    expect(verdict.status).toBe('ok');
    expect(findings.find((f) => f.code === 'hints-not-cacheable')?.severity).toBe('info');
  });

  test('a 103 over plain HTTP/1.1: browsers ignore it, use flushHeaders', () => {
    const { verdict } = diagnose(
      observations({
        transport: 'cleartext',
        h2: undefined,
        http1: with103({ protocol: 'http/1.1' }),
        url: 'http://app.test/slow',
      }),
    );
    expect(verdict).toMatchObject({ status: 'fix', strategy: 'flushHeaders' });
    expect(verdict.change).toMatch(/^use flushHeaders \(browsers ignore 103 over HTTP\/1\.1\)/);
  });

  test('early without a 103 and without the flushed newline: the proxy dropped the 103', () => {
    const dropped = exchange({ firstChunkBlank: false, body: PAGE.trimStart(), headersAtMs: 304 });
    expect(diagnose(observations({ h2: dropped })).verdict.change).toMatch(
      /^use flushHeaders \(your proxy drops 103\)/,
    );
  });

  test('still late on the second request: hints never go early', () => {
    const late = exchange({
      headers: { ...exchange().headers, 'x-http2-preload': 'late' },
      firstChunkBlank: false,
      body: PAGE.trimStart(),
    });
    const { verdict } = diagnose(observations({ h2: late }));
    expect(verdict).toMatchObject({ status: 'fix', exitCode: 1 });
    expect(verdict.change).toMatch(/proxy_http_version 1\.1/);
  });
});

describe('diagnose: what cannot be checked gives exit status 2 and a plain message', () => {
  test('unreachable, TLS and timeout failures', () => {
    const tls = diagnose({
      url: `${ORIGIN}/`,
      assets: [],
      failure: { kind: 'tls', code: 'DEPTH_ZERO_SELF_SIGNED_CERT', message: 'self-signed certificate' },
    });
    expect(tls.verdict).toMatchObject({ status: 'unchecked', exitCode: 2 });
    expect(tls.verdict.summary).toMatch(/--insecure/);
    const refused = diagnose({
      url: `${ORIGIN}/`,
      assets: [],
      failure: { kind: 'unreachable', code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' },
    });
    expect(refused.verdict.summary).toMatch(/^Cannot reach app\.test/);
    const slow = diagnose({
      url: `${ORIGIN}/`,
      assets: [],
      failure: { kind: 'timeout', code: 'ETIMEDOUT', message: 'no answer within 100 ms' },
    });
    expect(slow.verdict.summary).toMatch(/--timeout/);
  });

  test('JSON, a 404 and a page without hints', () => {
    const json = exchange({ headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(diagnose(observations({ h2: json })).verdict.summary).toMatch(
      /^Not an HTML page \(Content-Type: application\/json\)/,
    );
    expect(diagnose(observations({ h2: exchange({ status: 404 }) })).verdict).toMatchObject({ exitCode: 2 });
    const bare = exchange({ headers: { 'content-type': 'text/html' } });
    expect(diagnose(observations({ h2: bare })).verdict).toMatchObject({ status: 'unchecked', exitCode: 2 });
  });

  test('a redirect names where it goes', () => {
    const moved = exchange({ status: 301, headers: { location: 'https://app.test/slow/' } });
    expect(diagnose(observations({ h2: moved })).verdict.summary).toBe(
      'The page answered 301, not 2xx (Location: https://app.test/slow/): give the URL it redirects to.',
    );
  });

  test('a page that broke off after its headers is something to fix', () => {
    const cut = exchange({
      endAtMs: undefined,
      failure: { kind: 'unreachable', code: 'ECONNRESET', message: 'the response ended before it was complete' },
    });
    const { verdict, findings } = diagnose(observations({ h2: cut }));
    expect(findings[0].code).toBe('page-incomplete');
    expect(verdict).toMatchObject({ status: 'fix', exitCode: 1 });
  });

  test('a 502 from the proxy is something to fix, with the header-size hint', () => {
    const { verdict } = diagnose(
      observations({ h2: exchange({ status: 502, headers: { 'content-type': 'text/html' } }) }),
    );
    expect(verdict).toMatchObject({ status: 'fix', exitCode: 1 });
    expect(verdict.change).toMatch(/maxHeaderBytes/);
  });
});

describe('diagnose: the hinted files', () => {
  function codes(obs: Observations): string[] {
    return diagnose(obs)
      .findings.filter((f) => f.severity === 'warn' || f.severity === 'error')
      .map((f) => f.code);
  }

  test('the sample as it is has nothing to fix (the font is used by the stylesheet)', () => {
    expect(codes(observations())).toEqual([]);
  });

  test('a preload the page never uses', () => {
    const link = `${LINK}, </static/img/unused.png>; rel=preload; as=image`;
    const page = exchange({ headers: { ...exchange().headers, link } });
    const extra = { url: `${ORIGIN}/static/img/unused.png`, status: 200, headers: LONG_CACHE };
    expect(codes(observations({ h2: page, assets: [...assets(), extra] }))).toEqual(['hint-unused']);
  });

  test('a font hint without crossorigin, and a script hint with one where the tag has none', () => {
    const link =
      '</static/css/app.css?v=1>; rel=preload; as=style, </static/fonts/inter.woff2>; rel=preload; as=font, </static/js/app.js?v=1>; rel=preload; as=script; crossorigin';
    expect(codes(observations({ h2: exchange({ headers: { ...exchange().headers, link } }) }))).toEqual([
      'font-without-crossorigin',
      'crossorigin-mismatch',
    ]);
  });

  test('a hint that redirects, and one that is missing', () => {
    const moved = assets();
    moved[2] = { url: `${ORIGIN}/static/js/app.js?v=1`, status: 301, headers: { location: '/static/js/app.2.js' } };
    moved[1] = { url: `${ORIGIN}/static/fonts/inter.woff2`, status: 404, headers: {} };
    const diagnosis = diagnose(observations({ assets: moved }));
    expect(diagnosis.findings.filter((f) => f.severity !== 'ok' && f.severity !== 'info').map((f) => f.code)).toEqual([
      'hint-missing',
      'hint-redirects',
    ]);
    // The most serious one is the change to make.
    expect(diagnosis.verdict.change).toMatch(/inter\.woff2/);
  });

  test('no hinted file found: the advice names staticPrefix, where the helper points the hints', () => {
    const missing = assets().map((asset) => ({ ...asset, status: 404, headers: {}, body: undefined }));
    const diagnosis = diagnose(observations({ assets: missing }));
    expect(diagnosis.findings.filter((f) => f.code === 'hint-missing').length).toBeGreaterThan(1);
    expect(diagnosis.verdict.change).toMatch(/set staticPrefix .* to the prefix the app serves its files under/);
  });

  test("response headers past nginx's 4 KiB buffer", () => {
    expect(codes(observations({ h2: exchange({ headerBytes: 5000 }) }))).toEqual(['headers-too-large']);
  });
});

describe('diagnose: hostile bodies', () => {
  // Not timed: before the scanners were linear, each of these ran for minutes (hours at 2 MB).
  test('a 2 MB page of `<a` without `>` and a hinted 400 KB stylesheet of `url(`: a diagnosis, not a hang', () => {
    const page = exchange({ body: '\n' + '<a'.repeat(1024 * 1024) });
    const sheet = { ...assets()[0], body: 'url('.repeat(100_000) };
    const { verdict, findings } = diagnose(observations({ h2: page, assets: [sheet, ...assets().slice(1)] }));
    expect(verdict.status).toBe('fix');
    // The page's own tags are gone in the noise: every hint is reported unused, nothing crashed.
    expect(findings.filter((f) => f.code === 'hint-unused')).toHaveLength(3);
  });

  test('a page of 100,000 tags loading the same file', () => {
    const body = PAGE + '<script src="/static/js/app.js?v=1"></script>'.repeat(100_000);
    expect(diagnose(observations({ h2: exchange({ body }) })).verdict.status).toBe('ok');
  });
});

describe('diagnose: behind nginx', () => {
  const nginxHeaders = { ...exchange().headers, server: 'nginx/1.22.1' };
  const buffered = (headers: Record<string, string>) =>
    exchange({ headersAtMs: 310, firstChunkBlank: false, contentAtMs: 310, endAtMs: 311, headers });

  test('flushed headers held with the page, X-Accel-Buffering: no seen: the HTTP/1.0 head, not the module; proxy_http_version 1.1', () => {
    const { verdict } = diagnose(
      observations({ h2: buffered({ ...nginxHeaders, 'x-accel-buffering': 'no' }), http1: undefined }),
    );
    expect(verdict.summary).toMatch(/the app sent X-Accel-Buffering: no, so nginx did not buffer the page/);
    expect(verdict.summary).toMatch(/Not the module's doing/);
    expect(verdict.change).toMatch(/^your proxy buffers flushed headers: add `proxy_http_version 1\.1;`/);
    expect(verdict.change).not.toMatch(/proxy_buffering off/);
  });

  test('flushed headers held with the page, no X-Accel-Buffering seen (nginx hides it): proxy_http_version 1.1, and why', () => {
    const { verdict } = diagnose(observations({ h2: buffered(nginxHeaders), http1: undefined }));
    expect(verdict.change).toMatch(/^your proxy buffers flushed headers: add `proxy_http_version 1\.1;`/);
    expect(verdict.change).toMatch(/send `X-Accel-Buffering: no` on flushed responses/);
    expect(verdict.change).toMatch(/`proxy_http_version 1\.1;` works either way/);
  });

  test('another proxy holding them gets the general advice', () => {
    const { verdict } = diagnose(observations({ h2: buffered({ ...exchange().headers, server: 'cdn' }) }));
    expect(verdict.change).toMatch(/^your proxy buffers flushed headers: make it stream responses/);
  });

  test('a 103 that broke the page: names the nginx (from the warm-up, since the broken one has no headers) and WebKit', () => {
    const broken = exchange({
      interim: [{ status: 103, atMs: 310, link: HINTS_103 }],
      status: undefined,
      headers: {},
      body: '',
      failure: { kind: 'protocol', code: 'ERR_HTTP2_STREAM_ERROR', message: 'NGHTTP2_PROTOCOL_ERROR' },
    });
    const warm = exchange({ headers: { ...nginxHeaders, 'x-http2-preload': 'late' } });
    const { verdict } = diagnose(observations({ warm, h2: broken, assets: [] }));
    expect(verdict.summary).toMatch(
      /This is nginx 1\.22\.1 \(before 1\.29\), which does this.*WebKit \(Safari\) even hangs about 80 s/,
    );
    expect(verdict.change).toMatch(/^use flushHeaders \(your proxy breaks 103 Early Hints\)/);
  });

  test('a 103 that arrived whole, on a page served by nginx before 1.29: a warning for every path through it', () => {
    const relayed = with103({ headers: { ...exchange().headers, server: 'nginx/1.24.0' } });
    const { verdict, findings } = diagnose(observations({ h2: relayed, http1: undefined }));
    expect(findings.find((f) => f.code === 'early-hints-old-nginx')?.message).toMatch(
      /names nginx 1\.24\.0 as its server: nginx before 1\.29 takes a 103 .*\(WebKit, Safari's engine, hangs about 80 s\)/,
    );
    expect(verdict).toMatchObject({ status: 'fix', strategy: 'earlyHints' });
    const current = with103({ headers: { ...exchange().headers, server: 'nginx/1.29.1' } });
    expect(diagnose(observations({ h2: current, http1: undefined })).verdict.status).toBe('ok');
  });

  test('still late behind nginx 1.22: the verdict warns not to move a 103 route to HTTP/1.1 alone', () => {
    const late = exchange({
      headers: { ...nginxHeaders, 'x-http2-preload': 'late' },
      firstChunkBlank: false,
      body: PAGE.trimStart(),
    });
    const { verdict } = diagnose(observations({ h2: late, http1: undefined }));
    expect(verdict.summary).toMatch(/Behind nginx 1\.22\.1, do not answer that with proxy_http_version 1\.1 alone/);
    expect(verdict.change).toMatch(/^let hints go early: use flushHeaders/);
  });

  test('a dropped 103 behind OpenResty 1.21 (nginx inside): says nginx cannot relay it before 1.29', () => {
    const dropped = exchange({
      firstChunkBlank: false,
      body: PAGE.trimStart(),
      headersAtMs: 304,
      headers: { ...exchange().headers, server: 'openresty/1.21.4.1' },
    });
    const { verdict } = diagnose(observations({ h2: dropped, http1: undefined }));
    expect(verdict.summary).toMatch(/the proxy is openresty 1\.21\.4: before 1\.29 nginx cannot relay a 103/);
    expect(verdict.change).toMatch(/^use flushHeaders \(your proxy drops 103\)/);
  });
});

describe('diagnose: the wrong scheme for the port', () => {
  test('https:// to a plain HTTP port: use http:// on the same port, not --insecure', () => {
    const wrong = diagnose({
      url: 'https://app.test:3000/slow',
      assets: [],
      failure: {
        kind: 'tls',
        code: 'ERR_SSL_WRONG_VERSION_NUMBER',
        message: '80EC8E5D:error:0A00010B:SSL routines:ssl3_get_record:wrong version number',
      },
    });
    expect(wrong.verdict.summary).toBe(
      'app.test:3000 does not speak TLS: it answered the TLS handshake with something else, usually plain HTTP. This port speaks plain HTTP: use http://app.test:3000/slow (or the port where TLS is served).',
    );
    // The default port stays the port that was asked.
    const noPort = diagnose({
      url: 'https://app.test/',
      assets: [],
      failure: { kind: 'tls', code: 'EPROTO', message: 'wrong version number' },
    });
    expect(noPort.verdict.summary).toMatch(/use http:\/\/app\.test:443\//);
  });

  test("http:// to nginx's TLS port: its 400 says so, use https://", () => {
    const body = '<html><head><title>400 The plain HTTP request was sent to HTTPS port</title></head></html>';
    const { verdict } = diagnose(
      observations({
        url: 'http://app.test:8443/slow',
        transport: 'cleartext',
        h2: undefined,
        http1: exchange({ protocol: 'http/1.1', status: 400, headers: { 'content-type': 'text/html' }, body }),
      }),
    );
    expect(verdict).toMatchObject({ status: 'unchecked', exitCode: 2 });
    expect(verdict.summary).toMatch(/^This port speaks TLS: .* Use https:\/\/app\.test:8443\/slow\.$/);
  });
});

test('diagnose reads a renamed debug header', () => {
  const renamed = exchange({ headers: { 'content-type': 'text/html', link: LINK, 'x-preload-debug': 'early' } });
  const { verdict, requests, debugHeader } = diagnose(observations({ h2: renamed, http1: undefined }), {
    debugHeader: 'X-Preload-Debug',
  });
  expect(debugHeader).toBe('x-preload-debug');
  expect(requests.find((r) => r.role === 'h2')?.mode).toBe('early');
  expect(verdict).toMatchObject({ status: 'ok', strategy: 'flushHeaders' });
  expect(verdict.summary).toMatch(/\(x-preload-debug: early, over h2\)/);
});
