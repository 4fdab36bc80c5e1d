import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { selfSignedCertificate, started, type RunningProxy } from './tls-proxy.js';

/** The same handle as the other proxies'. */
export type RunningNginx = RunningProxy;

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
  return started(child, dir, ports, spki, 'nginx');
}
