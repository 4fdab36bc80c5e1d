import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { selfSignedCertificate, started, type RunningProxy } from './tls-proxy.js';

/**
 * Debian's HAProxy (2.6): TLS and HTTP/2 towards the client (`alpn h2,http/1.1`), HTTP/1.1
 * to the app, nothing else set. It relays a 103 and passes flushed headers as they come.
 * Foreground (`-db`), config and certificate in a temporary folder, loopback only.
 */
export async function startHaproxy(upstreamPorts: readonly number[]): Promise<RunningProxy> {
  const dir = mkdtempSync(join(tmpdir(), 'nestjs-http2-preload-haproxy-'));
  chmodSync(dir, 0o755);
  const spki = selfSignedCertificate(dir);
  writeFileSync(
    join(dir, 'combined.pem'),
    readFileSync(join(dir, 'cert.pem'), 'utf8') + readFileSync(join(dir, 'key.pem'), 'utf8'),
  );
  const ports: number[] = [];
  for (const _ of upstreamPorts) ports.push(await freePort());
  const sites = upstreamPorts.map(
    (upstream, i) => `frontend site${i}
  bind 127.0.0.1:${ports[i]} ssl crt ${join(dir, 'combined.pem')} alpn h2,http/1.1
  default_backend app${i}
backend app${i}
  server app 127.0.0.1:${upstream}
`,
  );
  writeFileSync(
    join(dir, 'haproxy.cfg'),
    `global
  log stderr format raw local0 warning
defaults
  mode http
  log global
  timeout connect 5s
  timeout client 60s
  timeout server 60s
${sites.join('')}`,
  );
  const child = spawn(
    existsSync('/usr/sbin/haproxy') ? '/usr/sbin/haproxy' : 'haproxy',
    ['-f', join(dir, 'haproxy.cfg'), '-db'],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  return started(child, dir, ports, spki, 'haproxy');
}
