import { Controller, Get, Module, Render } from '@nestjs/common';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { FLUSHED_FIRST_CHUNK } from '../src/flush/flushed-response.js';
import { Http2PreloadModule } from '../src/index.js';
import { PAGE_ASSETS, type RunningApp, startApp } from './support/app.js';
import { Gate } from './support/gate.js';
import { linkUrls, navigate, stagedNavigation } from './support/http.js';

/**
 * Flushed headers through Debian's nginx (1.22) as installed: a configuration that says
 * `proxy_pass` and nothing else about proxying, so nginx speaks HTTP/1.0 to the app and
 * buffers its responses. Without `X-Accel-Buffering: no` on the flushed 200, nginx would
 * hold it until the page was complete; with it, the client sees the status, the links and
 * the padding while the handler still waits at its gate.
 */
const NGINX = existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : 'nginx';

let gate = Gate.open();

@Controller()
class PagesController {
  @Get('slow')
  @Render('page')
  async slow() {
    await gate.opened;
    return { title: 'Slow' };
  }
}

@Module({ imports: [Http2PreloadModule.forRoot()], controllers: [PagesController] })
class AppModule {}

interface RunningNginx {
  readonly baseUrl: string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** nginx in the foreground from a temporary prefix, in front of `upstream`; stopped by its PID. */
async function startNginx(upstream: string): Promise<RunningNginx> {
  const dir = mkdtempSync(join(tmpdir(), 'nestjs-http2-preload-nginx-e2e-'));
  // Workers run as an unprivileged user when nginx starts as root; they read the prefix.
  chmodSync(dir, 0o755);
  const port = await freePort();
  writeFileSync(
    join(dir, 'nginx.conf'),
    `worker_processes 1;
error_log ${join(dir, 'error.log')};
events {}
http {
  access_log off;
  client_body_temp_path ${join(dir, 'client_body')};
  proxy_temp_path ${join(dir, 'proxy')};
  fastcgi_temp_path ${join(dir, 'fastcgi')};
  uwsgi_temp_path ${join(dir, 'uwsgi')};
  scgi_temp_path ${join(dir, 'scgi')};
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass ${upstream};
    }
  }
}
`,
  );
  const child = spawn(
    NGINX,
    [
      '-p',
      dir,
      '-e',
      join(dir, 'error.log'),
      '-c',
      join(dir, 'nginx.conf'),
      '-g',
      `daemon off; pid ${join(dir, 'nginx.pid')};`,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const stop = async () => {
    await stopProcess(child);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await untilListening(port, () =>
      child.exitCode !== null
        ? `nginx exited (${child.exitCode}): ${log}${existsSync(join(dir, 'error.log')) ? readFileSync(join(dir, 'error.log'), 'utf8') : ''}`
        : undefined,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { baseUrl: `http://127.0.0.1:${port}`, stop };
}

async function untilListening(port: number, exited: () => string | undefined): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const why = exited();
    if (why) throw new Error(why);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port }, () => {
        socket.end();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    await sleep(50);
  }
  throw new Error(`nginx did not listen on 127.0.0.1:${port}`);
}

/** SIGTERM to nginx's master (it stops its workers), SIGKILL after 5 s. */
async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** Rejects after `limitMs`: a response nginx holds back fails the test instead of hanging it. */
function within<T>(promise: Promise<T>, limitMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not arrive within ${limitMs} ms`)), limitMs);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

describe('flushed headers through nginx 1.22 with its defaults (proxy_pass only: HTTP/1.0 upstream, buffering on)', () => {
  let app: RunningApp;
  let nginx: RunningNginx;
  beforeAll(async () => {
    app = await startApp(AppModule);
    nginx = await startNginx(app.baseUrl);
  });
  // A failed test must not leave the handler waiting at its gate, or closing would hang.
  afterAll(async () => {
    gate.open();
    await nginx?.stop();
    await app?.close();
  });

  it('the client sees the flushed 200, its Link and the padding while the handler still waits', async () => {
    gate = Gate.open();
    const warm = await navigate(`${nginx.baseUrl}/slow`);
    expect(warm.headers['x-http2-preload']).toBe('late');

    gate = new Gate();
    const staged = stagedNavigation(`${nginx.baseUrl}/slow`);
    const head = await within(staged.head, 10_000, 'The flushed headers');
    expect(head.statusCode).toBe(200);
    expect(head.headers['x-http2-preload']).toBe('early');
    expect(linkUrls(head.headers.link)).toEqual(PAGE_ASSETS);
    // nginx reads X-Accel-* headers itself and does not pass them on.
    expect(head.headers['x-accel-buffering']).toBeUndefined();
    await within(
      staged.until((received) => received.toString() === FLUSHED_FIRST_CHUNK),
      10_000,
      'The padding',
    );

    gate.open();
    const end = await staged.end;
    expect(end.complete).toBe(true);
    expect(end.body.startsWith(`${FLUSHED_FIRST_CHUNK}<!doctype html>`)).toBe(true);
    expect(end.body).toContain('<h1>Slow</h1>');
  }, 30_000);
});
