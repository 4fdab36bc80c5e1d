import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './free-port.js';

export interface RunningCaddy {
  /** `https://127.0.0.1:<port>`, one per upstream, in order. */
  readonly origins: string[];
  /** base64 SHA-256 of the leaf certificate's SubjectPublicKeyInfo, for `--ignore-certificate-errors-spki-list`. */
  readonly spki: string;
  /** Caddy's local root CA certificate (PEM file), for clients told to trust it. */
  readonly rootCertificate: string;
  stop(): Promise<void>;
}

/**
 * Caddy as users deploy it: TLS (its own local CA) and HTTP/2 towards the browser,
 * `reverse_proxy` to the Nest app, relaying 103 responses. One site per upstream port.
 * All its state lives in a temporary folder; it binds 127.0.0.1 only and has no admin API.
 */
export async function startCaddy(upstreamPorts: readonly number[]): Promise<RunningCaddy> {
  const dir = mkdtempSync(join(tmpdir(), 'nestjs-http2-preload-caddy-'));
  const ports: number[] = [];
  for (const _ of upstreamPorts) ports.push(await freePort());
  const sites = upstreamPorts.map(
    (upstream, i) => `https://127.0.0.1:${ports[i]} {
	bind 127.0.0.1
	tls internal
	reverse_proxy 127.0.0.1:${upstream}
}
`,
  );
  // http_port: Caddy listens on it even without redirects; keep it off port 80.
  // protocols h1 h2: no HTTP/3 listener (Chromium runs with --disable-quic anyway).
  writeFileSync(
    join(dir, 'Caddyfile'),
    `{
	admin off
	auto_https disable_redirects
	skip_install_trust
	http_port ${await freePort()}
	storage file_system ${join(dir, 'data')}
	servers {
		protocols h1 h2
	}
}
${sites.join('\n')}`,
  );
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: dir,
    XDG_DATA_HOME: join(dir, 'xdg-data'),
    XDG_CONFIG_HOME: join(dir, 'xdg-config'),
  };
  const child = spawn('caddy', ['run', '--config', join(dir, 'Caddyfile'), '--adapter', 'caddyfile'], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => (log = (log + chunk.toString()).slice(-4000)));
  const stop = async () => {
    await stopProcess(child);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const spki = await leafSpki(ports[0], child, () => log);
    const rootCertificate = join(dir, 'data', 'pki', 'authorities', 'local', 'root.crt');
    return { origins: ports.map((port) => `https://127.0.0.1:${port}`), spki, rootCertificate, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Waits until Caddy answers TLS on the port, and hashes the public key of the certificate it shows. */
async function leafSpki(port: number, child: ChildProcess, log: () => string): Promise<string> {
  for (let attempt = 0; attempt < 100; attempt++) {
    if (child.exitCode !== null) throw new Error(`caddy exited (${child.exitCode}):\n${log()}`);
    try {
      return await new Promise<string>((resolve, reject) => {
        const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ALPNProtocols: ['h2'] }, () => {
          const { raw } = socket.getPeerCertificate();
          socket.end();
          const der = new X509Certificate(raw).publicKey.export({ type: 'spki', format: 'der' });
          resolve(createHash('sha256').update(der).digest('base64'));
        });
        socket.on('error', reject);
      });
    } catch {
      await sleep(100);
    }
  }
  throw new Error(`caddy did not answer TLS on 127.0.0.1:${port}:\n${log()}`);
}

/** SIGTERM, then SIGKILL if it is still there after 5 s; resolves once it has exited. */
export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}
