import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { selfSignedCertificate, started, type RunningProxy } from './tls-proxy.js';

export interface ApacheOptions {
  /** `H2EarlyHints on`: without it, mod_http2 does not pass a 103 on to HTTP/2 clients (HTTP/1.1 clients get it). */
  readonly earlyHints: boolean;
}

const MODULES = '/usr/lib/apache2/modules';

/**
 * Debian's Apache (2.4, event MPM): mod_ssl and mod_http2 (`Protocols h2 http/1.1`) towards
 * the client, mod_proxy_http to the app. Foreground, everything in a temporary folder,
 * loopback only.
 */
export async function startApache(upstreamPorts: readonly number[], options: ApacheOptions): Promise<RunningProxy> {
  const dir = mkdtempSync(join(tmpdir(), 'nestjs-http2-preload-apache-'));
  chmodSync(dir, 0o755);
  const spki = selfSignedCertificate(dir);
  const ports: number[] = [];
  for (const _ of upstreamPorts) ports.push(await freePort());
  const hosts = upstreamPorts.map(
    (upstream, i) => `Listen 127.0.0.1:${ports[i]}
<VirtualHost 127.0.0.1:${ports[i]}>
  SSLEngine on
  SSLCertificateFile ${join(dir, 'cert.pem')}
  SSLCertificateKeyFile ${join(dir, 'key.pem')}
  Protocols h2 http/1.1
  ${options.earlyHints ? 'H2EarlyHints on' : '# H2EarlyHints: off, the default'}
  ProxyPass / http://127.0.0.1:${upstream}/
  ProxyPassReverse / http://127.0.0.1:${upstream}/
</VirtualHost>
`,
  );
  const modules = ['mpm_event', 'authz_core', 'socache_shmcb', 'ssl', 'http2', 'proxy', 'proxy_http'];
  writeFileSync(
    join(dir, 'httpd.conf'),
    `ServerRoot ${dir}
DefaultRuntimeDir ${dir}
PidFile ${join(dir, 'httpd.pid')}
ErrorLog ${join(dir, 'error.log')}
LogLevel error
Mutex file:${dir} default
${modules.map((m) => `LoadModule ${m}_module ${MODULES}/mod_${m}.so`).join('\n')}
${process.getuid?.() === 0 ? 'User nobody\nGroup nogroup' : ''}
ServerName 127.0.0.1
SSLSessionCache shmcb:${join(dir, 'ssl_scache')}(512000)
${hosts.join('')}`,
  );
  const child = spawn(
    existsSync('/usr/sbin/apache2') ? '/usr/sbin/apache2' : 'apache2',
    ['-f', join(dir, 'httpd.conf'), '-DFOREGROUND'],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  return started(child, dir, ports, spki, 'apache2');
}
