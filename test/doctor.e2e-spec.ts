import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { createSampleApp } from '../sample/src/app.js';
import { listenOnLoopback, type RunningApp } from './support/app.js';
import type { Diagnosis } from '../src/doctor/analysis.js';
import { doctor, doctorJson, problems } from './support/doctor.js';

/**
 * The doctor against the sample served by Node directly (HTTP/1.1, no proxy), and against
 * what it cannot check. The proxied paths (Caddy, nginx) are in browser/doctor.browser-spec.ts.
 */
describe('doctor, the sample app directly over HTTP/1.1', () => {
  let running: RunningApp;
  beforeAll(async () => {
    running = await listenOnLoopback(await createSampleApp({ logger: false, abortOnError: false }));
  });
  afterAll(() => running.close());

  test('/slow: flushed headers arrive before the content, flushHeaders works (exit 0)', async () => {
    const { exitCode, diagnosis } = await doctorJson(`${running.baseUrl}/slow`);
    expect(diagnosis.verdict).toMatchObject({ status: 'ok', strategy: 'flushHeaders' });
    expect(exitCode).toBe(0);
    expect(diagnosis.transport).toBe('cleartext');
    const again = diagnosis.requests.find((r) => r.role === 'http1')!;
    expect(again).toMatchObject({ protocol: 'http/1.1', status: 200, mode: 'early', flushedNewline: true });
    // The four hinted files, each fetched, fresh-cacheable and used by the page.
    expect(diagnosis.assets.map((a) => [new URL(a.url).pathname, a.status, a.fresh, a.usedByPage])).toEqual([
      ['/static/css/app.css', 200, true, true],
      ['/static/fonts/inter-latin-400-normal.woff2', 200, true, true],
      ['/static/js/app.js', 200, true, true],
      ['/static/img/logo.svg', 200, true, true],
    ]);
    expect(problems(diagnosis)).toEqual([]);
  });

  test('/slow-103: browsers ignore a 103 over HTTP/1.1, so use flushHeaders (exit 1)', async () => {
    const { exitCode, diagnosis } = await doctorJson(`${running.baseUrl}/slow-103`);
    expect(diagnosis.requests.find((r) => r.role === 'http1')!.interim.map((i) => i.status)).toEqual([103]);
    expect(diagnosis.verdict).toMatchObject({ status: 'fix', strategy: 'flushHeaders' });
    expect(diagnosis.verdict.change).toMatch(/^use flushHeaders \(browsers ignore 103 over HTTP\/1\.1\)/);
    expect(exitCode).toBe(1);
  });

  test('the report for people ends with the verdict', async () => {
    const { exitCode, stdout } = await doctor(`${running.baseUrl}/slow`);
    expect(exitCode).toBe(0);
    expect(stdout).toMatch(/^nestjs-http2-preload doctor: http:\/\/127\.0\.0\.1:\d+\/slow\n/);
    expect(stdout).toMatch(/\nVerdict: OK \(flushHeaders\): flushHeaders works on this path/);
  });

  test('JSON and a page without hints cannot be checked (exit 2)', async () => {
    const json = await doctorJson(`${running.baseUrl}/api/status`);
    expect(json.exitCode).toBe(2);
    expect(json.diagnosis.verdict.summary).toMatch(/^Not an HTML page \(Content-Type: application\/json/);
    const plain = await doctorJson(`${running.baseUrl}/plain`);
    expect(plain.exitCode).toBe(2);
    expect(plain.diagnosis.verdict.summary).toMatch(/x-http2-preload: off/);
  });

  test('https:// to a plain HTTP port: this port speaks plain HTTP, use http:// (exit 2), not --insecure', async () => {
    const { exitCode, diagnosis } = await doctorJson(running.baseUrl.replace('http:', 'https:') + '/slow');
    expect(exitCode).toBe(2);
    const plain = running.baseUrl.replace(/[.:/]/g, '\\$&');
    expect(diagnosis.verdict.summary).toMatch(
      new RegExp(`^127\\.0\\.0\\.1:\\d+ does not speak TLS: .* This port speaks plain HTTP: use ${plain}/slow `),
    );
    expect(diagnosis.verdict.summary).not.toMatch(/--insecure/);
  });
});

describe('doctor, http:// to a TLS port', () => {
  let server: tls.Server;
  let dir: string;
  beforeAll(async () => {
    // A real TLS server, with a throwaway certificate from Debian's openssl.
    dir = mkdtempSync(join(tmpdir(), 'doctor-tls-'));
    const made = spawnSync('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ]);
    if (made.status !== 0) throw new Error(`openssl failed: ${made.stderr?.toString()}`);
    server = tls.createServer(
      { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) },
      (socket) => socket.end(),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  test('the server hangs up without answering: says that the port may speak TLS, use https:// (exit 2)', async () => {
    const { port } = server.address() as { port: number };
    const { exitCode, diagnosis } = await doctorJson(`http://127.0.0.1:${port}/page`);
    expect(exitCode).toBe(2);
    expect(diagnosis.verdict.summary).toBe(
      `127.0.0.1:${port} closed the connection without answering (ECONNRESET). If this port speaks TLS, use https://127.0.0.1:${port}/page.`,
    );
  });
});

describe('doctor, hosts it cannot check', () => {
  let silent: Server;
  const sockets = new Set<Socket>();
  beforeAll(async () => {
    // Accepts connections and never answers, like a hung upstream.
    silent = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  });

  test('a host that never answers: a timeout, not a stack trace (exit 2)', async () => {
    const { port } = silent.address() as { port: number };
    const { exitCode, diagnosis } = await doctorJson(`http://127.0.0.1:${port}/`, '--timeout', '300');
    expect(exitCode).toBe(2);
    expect(diagnosis.verdict.summary).toMatch(/^No answer from 127\.0\.0\.1:\d+: no answer within 300 ms/);
  });

  test('a port nothing listens on: unreachable (exit 2)', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as { port: number };
    await new Promise((resolve) => closed.close(resolve));
    const { exitCode, diagnosis } = await doctorJson(`http://127.0.0.1:${port}/`);
    expect(exitCode).toBe(2);
    expect(diagnosis.verdict.summary).toMatch(/^Cannot reach 127\.0\.0\.1:\d+: .*ECONNREFUSED/);
  });
});

/**
 * A server built to hurt the person running the doctor: C1 controls in its headers (Node's
 * HTTP/1.1 client takes a byte 0x9B as U+009B, the 8-bit CSI many terminals obey), an ESC
 * sequence in its page, and a page and a stylesheet shaped to make a backtracking scanner
 * run for minutes. The doctor must finish, and show every control as an escape.
 */
describe('doctor, a hostile server', () => {
  let server: http.Server;
  let base: string;
  /** Anything a terminal could act on; the report's own newlines aside. */
  const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      if (req.url === '/redirect') {
        res.writeHead(302, { location: '/next\u009b2J' }).end();
      } else if (req.url === '/text') {
        res.writeHead(200, { 'content-type': 'text/plain\u009b2J' }).end('hello');
      } else if (req.url === '/page') {
        res.writeHead(200, {
          'content-type': 'text/html',
          'x-http2-preload': 'early\u009b31m',
          link: '</hostile.css>; rel=preload; as=style, </x.js>; rel=preload; as=script\u009b2J',
        });
        res.end('<img src="/\u001b[2J.png">' + '<a'.repeat(150_000));
      } else if (req.url === '/hostile.css') {
        res.writeHead(200, { 'content-type': 'text/css', expires: 'never\u009b2J' }).end('url('.repeat(100_000));
      } else {
        res.writeHead(200, { 'content-type': 'text/javascript', 'cache-control': 'max-age=60' }).end('');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  test('a Location and a Content-Type with C1 controls are shown escaped (exit 2)', async () => {
    const redirect = await doctor(`${base}/redirect`);
    expect(redirect.exitCode).toBe(2);
    expect(redirect.stdout).toContain('(Location: /next\\x9b2J)');
    expect(redirect.stdout).not.toMatch(CONTROL);
    const text = await doctor(`${base}/text`);
    expect(text.stdout).toContain('(Content-Type: text/plain\\x9b2J)');
    expect(text.stdout).not.toMatch(CONTROL);
  });

  test('a page of 300 KB of `<a` hinting a 400 KB stylesheet of `url(`: it finishes, controls escaped', async () => {
    const { exitCode, stdout } = await doctor(`${base}/page`);
    expect(exitCode).toBe(1);
    expect(stdout).toContain('x-http2-preload: early\\x9b31m');
    expect(stdout).toContain('(script\\x9b2j)');
    expect(stdout).toContain('Expires: never\\x9b2J');
    expect(stdout).not.toMatch(CONTROL);
  });

  test('--json escapes C1 controls too, and reads back as what the server sent', async () => {
    const run = await doctor('--json', `${base}/page`);
    expect(run.stdout).not.toMatch(CONTROL);
    expect(run.stdout).toContain('"mode": "early\\u009b31m"');
    const diagnosis = JSON.parse(run.stdout) as Diagnosis;
    expect(diagnosis.requests.map((r) => r.mode)).toEqual(['early\u009b31m', 'early\u009b31m']);
  });
});
