/**
 * What the TLS reverse proxies of the browser suite share (nginx, HAProxy, Apache, h2o):
 * a throwaway certificate, waiting for the proxy to answer TLS, and its handle.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { setTimeout as sleep } from 'node:timers/promises';
import { stopProcess } from './caddy.js';

export interface RunningProxy {
  /** `https://127.0.0.1:<port>`, one per upstream, in order. */
  readonly origins: string[];
  /** base64 SHA-256 of the certificate's public key, for Chromium's `--ignore-certificate-errors-spki-list`. */
  readonly spki: string;
  stop(): Promise<void>;
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

/** The handle of a proxy just spawned, once it answers TLS; stops it (and removes its folder) if it never does. */
export async function started(
  child: ReturnType<typeof spawn>,
  dir: string,
  ports: number[],
  spki: string,
  name: string,
): Promise<RunningProxy> {
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => (log = (log + chunk.toString()).slice(-4000)));
  const stop = async () => {
    await stopProcess(child);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await untilTls(ports[0], () =>
      child.exitCode !== null ? `${name} exited (${child.exitCode}):\n${log}` : undefined,
    );
    return { origins: ports.map((port) => `https://127.0.0.1:${port}`), spki, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
