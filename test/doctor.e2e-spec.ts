import { createServer, type Server, type Socket } from 'node:net';
import { createSampleApp } from '../sample/src/app.js';
import { listenOnLoopback, type RunningApp } from './support/app.js';
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

  test('https:// to a plain HTTP port is a TLS failure, said plainly (exit 2)', async () => {
    const { exitCode, diagnosis } = await doctorJson(running.baseUrl.replace('http:', 'https:') + '/slow');
    expect(exitCode).toBe(2);
    expect(diagnosis.verdict.summary).toMatch(/^TLS failed with 127\.0\.0\.1:\d+/);
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
