import { spawn, spawnSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { setTimeout as sleep } from 'node:timers/promises';
import { stopProcess } from './caddy.js';
import { freePort } from './free-port.js';

export interface RunningNginx {
  /** `https://127.0.0.1:<port>`, one per upstream, in order. */
  readonly origins: string[];
  /** base64 SHA-256 of the certificate's public key, for Chromium's `--ignore-certificate-errors-spki-list`. */
  readonly spki: string;
  stop(): Promise<void>;
}

export interface NginxOptions {
  /**
   * `proxy_http_version` towards the app. nginx's default is 1.0: then Node sends no 103,
   * answers without chunked encoding, and nginx holds flushed headers until the page is complete.
   */
  readonly upstreamHttpVersion: '1.0' | '1.1';
}

/**
 * Debian's nginx (1.22) as users deploy it: TLS with a self-signed certificate and HTTP/2
 * towards the client, `proxy_pass` to the app, nothing else changed from its defaults.
 * Runs in the foreground from a temporary prefix (config, logs, pid, temp files), loopback only.
 */
export async function startNginx(upstreamPorts: readonly number[], options: NginxOptions): Promise<RunningNginx> {
  const dir = mkdtempSync(join(tmpdir(), 'nestjs-http2-preload-nginx-'));
  // Workers run as an unprivileged user when nginx starts as root; they read the prefix.
  chmodSync(dir, 0o755);
  const spki = selfSignedCertificate(dir);
  const ports: number[] = [];
  for (const _ of upstreamPorts) ports.push(await freePort());
  const servers = upstreamPorts.map(
    (upstream, i) => `  server {
    listen 127.0.0.1:${ports[i]} ssl http2;
    ssl_certificate ${join(dir, 'cert.pem')};
    ssl_certificate_key ${join(dir, 'key.pem')};
    location / {
      proxy_pass http://127.0.0.1:${upstream};
      ${options.upstreamHttpVersion === '1.1' ? 'proxy_http_version 1.1;' : '# proxy_http_version: the default, 1.0'}
    }
  }
`,
  );
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
${servers.join('')}}
`,
  );
  const child = spawn(
    // Debian puts it in /usr/sbin, which is not on every PATH.
    existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : 'nginx',
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
  child.stderr?.on('data', (chunk: Buffer) => (log = (log + chunk.toString()).slice(-4000)));
  const stop = async () => {
    await stopProcess(child);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await untilTls(ports[0], () => (child.exitCode !== null ? `nginx exited (${child.exitCode}):\n${log}` : undefined));
    return { origins: ports.map((port) => `https://127.0.0.1:${port}`), spki, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** A throwaway certificate for 127.0.0.1 (cert.pem, key.pem in `dir`), made with Debian's openssl; returns its SPKI hash. */
export function selfSignedCertificate(dir: string): string {
  const result = spawnSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ],
    { encoding: 'utf8' },
  );
  if (result.status !== 0) throw new Error(`openssl failed: ${result.error?.message ?? result.stderr}`);
  const der = new X509Certificate(readFileSync(join(dir, 'cert.pem'))).publicKey.export({
    type: 'spki',
    format: 'der',
  });
  return createHash('sha256').update(der).digest('base64');
}

/** Waits until something answers TLS on the port. */
export async function untilTls(port: number, exited: () => string | undefined): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const why = exited();
    if (why) throw new Error(why);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
        socket.end();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (ok) return;
    await sleep(100);
  }
  throw new Error(`nothing answered TLS on 127.0.0.1:${port}`);
}
