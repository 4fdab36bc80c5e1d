import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { selfSignedCertificate, started, type RunningProxy } from './tls-proxy.js';

/**
 * Debian's h2o (2.2): TLS and HTTP/2 towards the client, `proxy.reverse.url` to the app,
 * nothing else set. Foreground, config and certificate in a temporary folder, loopback only.
 */
export async function startH2o(upstreamPorts: readonly number[]): Promise<RunningProxy> {
  const dir = mkdtempSync(join(tmpdir(), 'nestjs-http2-preload-h2o-'));
  chmodSync(dir, 0o755);
  const spki = selfSignedCertificate(dir);
  const ports: number[] = [];
  for (const _ of upstreamPorts) ports.push(await freePort());
  const config = [
    `error-log: ${join(dir, 'error.log')}`,
    'hosts:',
    ...upstreamPorts.flatMap((upstream, i) => [
      `  "127.0.0.1:${ports[i]}":`,
      `    listen:`,
      `      port: ${ports[i]}`,
      `      host: 127.0.0.1`,
      `      ssl:`,
      `        certificate-file: ${join(dir, 'cert.pem')}`,
      `        key-file: ${join(dir, 'key.pem')}`,
      `    paths:`,
      `      "/":`,
      `        proxy.reverse.url: http://127.0.0.1:${upstream}/`,
    ]),
    '',
  ];
  writeFileSync(join(dir, 'h2o.conf'), config.join('\n'));
  const child = spawn(existsSync('/usr/bin/h2o') ? '/usr/bin/h2o' : 'h2o', ['-c', join(dir, 'h2o.conf')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return started(child, dir, ports, spki, 'h2o');
}
