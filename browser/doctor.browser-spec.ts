import { doctorJson, problems } from '../test/support/doctor.js';
import { startSampleApp, startSampleVariant, type RunningApp } from './support/apps.js';
import { startCaddy, type RunningCaddy } from './support/caddy.js';
import { startApache } from './support/apache.js';
import { startH2o } from './support/h2o.js';
import { startHaproxy } from './support/haproxy.js';
import { startNginx, type RunningNginx } from './support/nginx.js';
import type { RunningProxy } from './support/tls-proxy.js';

/**
 * `nestjs-http2-preload doctor` against real paths to the sample: Caddy (TLS, HTTP/2,
 * relays 103), Debian's nginx 1.22 with `proxy_http_version 1.1` (breaks 103, passes
 * flushed headers) and with its defaults (HTTP/1.0, buffering: passes flushed headers
 * thanks to `X-Accel-Buffering: no`, holds them until the page is complete without it),
 * Debian's HAProxy 2.6 and Apache 2.4 (with and without `H2EarlyHints on`), and
 * Debian's h2o 2.2, and a variant whose static files are `max-age=0`. Each must get the verdict
 * that matches what Chromium does there (see the README's deployment table).
 */
let sample: RunningApp | undefined;
/** The sample again, behind nginx with HTTP/1.1 only: its /slow-103 must be cold there (see that test). */
let sampleBehindNginx11: RunningApp | undefined;
let staleAssets: RunningApp | undefined;
let withoutCsp: RunningApp | undefined;
let bufferingAllowed: RunningApp | undefined;
let caddy: RunningCaddy | undefined;
let nginx11: RunningNginx | undefined;
let nginx10: RunningNginx | undefined;
let haproxy: RunningProxy | undefined;
let apache: RunningProxy | undefined;
let apacheDefaults: RunningProxy | undefined;
let h2o: RunningProxy | undefined;

beforeAll(async () => {
  sample = await startSampleApp();
  sampleBehindNginx11 = await startSampleApp();
  staleAssets = await startSampleVariant({}, { staticDefaults: true });
  // The sample's pages without its nonce-based Content-Security-Policy.
  withoutCsp = await startSampleVariant({});
  // Flushed responses without X-Accel-Buffering: no, which nginx's defaults hold back.
  bufferingAllowed = await startSampleVariant({ disableProxyBuffering: false });
  caddy = await startCaddy([sample.port, staleAssets.port, withoutCsp.port]);
  nginx11 = await startNginx([sampleBehindNginx11.port], { upstreamHttpVersion: '1.1' });
  nginx10 = await startNginx([sample.port, bufferingAllowed.port], { upstreamHttpVersion: '1.0' });
  haproxy = await startHaproxy([sample.port, withoutCsp.port]);
  apache = await startApache([sample.port, withoutCsp.port], { earlyHints: true });
  apacheDefaults = await startApache([withoutCsp.port], { earlyHints: false });
  h2o = await startH2o([sample.port, withoutCsp.port]);
});

afterAll(async () => {
  await Promise.all([
    caddy?.stop(),
    nginx11?.stop(),
    nginx10?.stop(),
    haproxy?.stop(),
    apache?.stop(),
    apacheDefaults?.stop(),
    h2o?.stop(),
  ]);
  await Promise.all([
    sample?.close(),
    sampleBehindNginx11?.close(),
    staleAssets?.close(),
    withoutCsp?.close(),
    bufferingAllowed?.close(),
  ]);
});

const again = (diagnosis: Awaited<ReturnType<typeof doctorJson>>['diagnosis']) =>
  diagnosis.requests.find((r) => r.role === 'h2')!;

describe('behind Caddy (TLS, HTTP/2, 103 relayed)', () => {
  test('/slow: the flushed 200 and its Link arrive before the content over HTTP/2: flushHeaders works', async () => {
    const { exitCode, diagnosis } = await doctorJson(`${caddy!.origins[0]}/slow`, '--insecure');
    expect(diagnosis.transport).toBe('tls-h2');
    expect(again(diagnosis)).toMatchObject({ protocol: 'h2', status: 200, mode: 'early', flushedNewline: true });
    expect(diagnosis.verdict).toMatchObject({ status: 'ok', strategy: 'flushHeaders' });
    expect(problems(diagnosis)).toEqual([]);
    expect(exitCode).toBe(0);
  });

  test('/slow-103 without a CSP: the 103 reaches the client over HTTP/2 and the files are fresh-cacheable: earlyHints works', async () => {
    const { exitCode, diagnosis } = await doctorJson(`${caddy!.origins[2]}/slow-103`, '--insecure');
    const h2 = again(diagnosis);
    expect(h2.interim.map((i) => i.status)).toEqual([103]);
    expect(h2.interim[0].links).toContain('/static/css/app.css?v=1');
    expect(h2.mode).toBe('early');
    expect(problems(diagnosis)).toEqual([]);
    expect(diagnosis.verdict).toMatchObject({ status: 'ok', strategy: 'earlyHints' });
    expect(exitCode).toBe(0);
  });

  // Firefox uses a 103's script and style only with the page's nonce, Chromium only
  // without one: the module sends each twice, the nonce copy first, and the doctor accepts that.
  test('/slow-103 of the sample, with its nonce-based CSP: each script and style twice, the nonce copy first: earlyHints works', async () => {
    const { exitCode, diagnosis } = await doctorJson(`${caddy!.origins[0]}/slow-103`, '--insecure');
    const h2 = again(diagnosis);
    expect(h2.interim.map((i) => i.status)).toEqual([103]);
    expect(h2.interim[0].links).toContain('/static/css/app.css?v=1');
    expect(problems(diagnosis)).toEqual([]);
    expect(diagnosis.verdict).toMatchObject({ status: 'ok', strategy: 'earlyHints' });
    expect(exitCode).toBe(0);
  });

  test("Caddy's local CA given with --ca is trusted; without it or --insecure, a TLS message and exit 2", async () => {
    const trusted = await doctorJson(`${caddy!.origins[0]}/slow`, '--ca', caddy!.rootCertificate);
    expect(trusted.exitCode).toBe(0);
    const untrusted = await doctorJson(`${caddy!.origins[0]}/slow`);
    expect(untrusted.exitCode).toBe(2);
    expect(untrusted.diagnosis.verdict.summary).toMatch(/^TLS failed with 127\.0\.0\.1:\d+: .*--insecure/);
  });
});

describe('behind Caddy, static files served with max-age=0 (useStaticAssets defaults)', () => {
  test('/slow-103: the 103 is relayed but wasted: serve /static/ with max-age', async () => {
    const { exitCode, diagnosis } = await doctorJson(`${caddy!.origins[1]}/slow-103`, '--insecure');
    expect(again(diagnosis).interim.map((i) => i.status)).toEqual([103]);
    expect(diagnosis.assets.every((a) => a.fresh === false && a.freshness === 'max-age=0')).toBe(true);
    expect(diagnosis.verdict).toMatchObject({ status: 'fix', strategy: 'earlyHints' });
    expect(diagnosis.verdict.change).toMatch(/^serve \/static\/ with max-age/);
    expect(exitCode).toBe(1);
  });

  test('/slow: flushed headers still work with uncacheable files (noted, not a fault)', async () => {
    const { exitCode, diagnosis } = await doctorJson(`${caddy!.origins[1]}/slow`, '--insecure');
    expect(diagnosis.verdict).toMatchObject({ status: 'ok', strategy: 'flushHeaders' });
    expect(diagnosis.findings.find((f) => f.code === 'hints-not-cacheable')?.severity).toBe('info');
    expect(exitCode).toBe(0);
  });
});

describe("behind Debian's nginx 1.22 with proxy_http_version 1.1", () => {
  test('/slow-103: a 103, then an HTTP/2 protocol error: use flushHeaders (your proxy breaks 103)', async () => {
    const { exitCode, diagnosis } = await doctorJson(`${nginx11!.origins[0]}/slow-103`, '--insecure');
    const h2 = again(diagnosis);
    expect(h2.interim.map((i) => i.status)).toEqual([103]);
    expect(h2.status).toBeUndefined();
    expect(h2.failure).toMatchObject({ kind: 'protocol' });
    expect(diagnosis.verdict).toMatchObject({ status: 'fix', strategy: 'flushHeaders' });
    expect(diagnosis.verdict.change).toMatch(/^use flushHeaders \(your proxy breaks 103 Early Hints\)/);
    // The broken response has no headers; the warm-up's Server header names the nginx. That
    // needs the route cold: an app of its own, which no other proxy's test has warmed.
    expect(diagnosis.verdict.summary).toMatch(/This is nginx 1\.\d+\.\d+ \(before 1\.29\), which does this/);
    expect(exitCode).toBe(1);
  });

  test('/slow: the flushed headers pass (the whitespace first body chunk): flushHeaders works', async () => {
    const { exitCode, diagnosis } = await doctorJson(`${nginx11!.origins[0]}/slow`, '--insecure');
    expect(again(diagnosis)).toMatchObject({ status: 200, mode: 'early', flushedNewline: true });
    expect(diagnosis.verdict).toMatchObject({ status: 'ok', strategy: 'flushHeaders' });
    expect(exitCode).toBe(0);
  });
});

describe("behind Debian's nginx 1.22 with its defaults (proxy_http_version 1.0, proxy_buffering on)", () => {
  test('/slow: the flushed response says X-Accel-Buffering: no, so the flushed headers pass: flushHeaders works', async () => {
    const { exitCode, diagnosis } = await doctorJson(`${nginx10!.origins[0]}/slow`, '--insecure');
    expect(again(diagnosis)).toMatchObject({ status: 200, mode: 'early', flushedNewline: true });
    expect(diagnosis.verdict).toMatchObject({ status: 'ok', strategy: 'flushHeaders' });
    expect(problems(diagnosis)).toEqual([]);
    expect(exitCode).toBe(0);
  });

  test('/slow with disableProxyBuffering: false: early says the header, but the headers come with the whole page: your proxy buffers flushed headers', async () => {
    const { exitCode, diagnosis } = await doctorJson(`${nginx10!.origins[1]}/slow`, '--insecure');
    expect(again(diagnosis)).toMatchObject({ status: 200, mode: 'early', flushedNewline: false });
    expect(problems(diagnosis)).toEqual(['flushed-headers-buffered']);
    expect(diagnosis.verdict.change).toMatch(/^your proxy buffers flushed headers: add `proxy_http_version 1\.1;`/);
    expect(exitCode).toBe(1);
  });

  test('/slow-103: Node sends no 103 to HTTP/1.0, so the route stays late: hints never go early', async () => {
    const { exitCode, diagnosis } = await doctorJson(`${nginx10!.origins[0]}/slow-103`, '--insecure');
    expect(again(diagnosis)).toMatchObject({ status: 200, mode: 'late', interim: [] });
    expect(problems(diagnosis)).toEqual(['never-early']);
    expect(diagnosis.verdict.summary).toMatch(
      /Behind nginx 1\.\d+\.\d+, do not answer that with proxy_http_version 1\.1 alone/,
    );
    expect(diagnosis.verdict.change).toMatch(
      /use flushHeaders, and make the proxy speak HTTP\/1\.1 to the app \(nginx: `proxy_http_version 1\.1;`\)/,
    );
    expect(exitCode).toBe(1);
  });
});

describe("behind Debian's HAProxy 2.6 (TLS, HTTP/2, no special setting)", () => {
  test('/slow: flushed headers pass; /slow-103 without a CSP: the 103 is relayed; both work', async () => {
    const flushed = await doctorJson(`${haproxy!.origins[0]}/slow`, '--insecure');
    expect(flushed.diagnosis.verdict).toMatchObject({ status: 'ok', strategy: 'flushHeaders' });
    const hinted = await doctorJson(`${haproxy!.origins[1]}/slow-103`, '--insecure');
    expect(again(hinted.diagnosis).interim.map((i) => i.status)).toEqual([103]);
    expect(hinted.diagnosis.verdict).toMatchObject({ status: 'ok', strategy: 'earlyHints' });
    expect([flushed.exitCode, hinted.exitCode]).toEqual([0, 0]);
  });
});

describe("behind Debian's Apache 2.4 (mod_http2, mod_proxy_http)", () => {
  test('with H2EarlyHints on: flushed headers pass and the 103 is relayed', async () => {
    const flushed = await doctorJson(`${apache!.origins[0]}/slow`, '--insecure');
    expect(flushed.diagnosis.verdict).toMatchObject({ status: 'ok', strategy: 'flushHeaders' });
    const hinted = await doctorJson(`${apache!.origins[1]}/slow-103`, '--insecure');
    expect(hinted.diagnosis.verdict).toMatchObject({ status: 'ok', strategy: 'earlyHints' });
    expect([flushed.exitCode, hinted.exitCode]).toEqual([0, 0]);
  });

  test('with its defaults: no 103 reaches an HTTP/2 client: use flushHeaders (your proxy drops 103), or H2EarlyHints on', async () => {
    const { exitCode, diagnosis } = await doctorJson(`${apacheDefaults!.origins[0]}/slow-103`, '--insecure');
    expect(again(diagnosis)).toMatchObject({ status: 200, mode: 'early', interim: [] });
    expect(problems(diagnosis)).toEqual(['early-hints-dropped']);
    expect(diagnosis.verdict.change).toMatch(
      /^use flushHeaders \(your proxy drops 103\), or let Apache relay it over HTTP\/2 with `H2EarlyHints on`/,
    );
    expect(exitCode).toBe(1);
  });
});

describe("behind Debian's h2o 2.2 (TLS, HTTP/2, proxy.reverse.url)", () => {
  test('/slow: flushed headers pass; /slow-103: no 103 reaches the client: use flushHeaders (your proxy drops 103)', async () => {
    const flushed = await doctorJson(`${h2o!.origins[0]}/slow`, '--insecure');
    expect(flushed.diagnosis.verdict).toMatchObject({ status: 'ok', strategy: 'flushHeaders' });
    const hinted = await doctorJson(`${h2o!.origins[1]}/slow-103`, '--insecure');
    expect(again(hinted.diagnosis)).toMatchObject({ status: 200, mode: 'early', interim: [] });
    expect(problems(hinted.diagnosis)).toEqual(['early-hints-dropped']);
    expect(hinted.diagnosis.verdict.change).toMatch(/^use flushHeaders \(your proxy drops 103\)/);
    expect([flushed.exitCode, hinted.exitCode]).toEqual([0, 1]);
  });
});
