import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { pinning, type Pinning } from './cpu-pinning.js';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The installed version of a package, read from its package.json. */
function versionOf(name: string): string {
  try {
    const path = require.resolve(`${name}/package.json`);
    return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
  } catch {
    // Packages whose exports hide package.json: find it next to the entry point.
    const entry = require.resolve(name);
    const root = entry.slice(0, entry.lastIndexOf(`/node_modules/${name}/`) + `/node_modules/${name}/`.length);
    return (JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { version: string }).version;
  }
}

export interface Environment {
  readonly date: string;
  readonly node: string;
  readonly packages: Readonly<Record<string, string>>;
  readonly cpuModel: string;
  readonly cpuCount: number;
  /** 1-minute load average when the run started: how busy the shared machine was. */
  readonly loadAverageAtStart: number;
  /** Which cores the load generator and the servers ran on (cpu-pinning.ts); undefined: not pinned. */
  readonly pinning?: Pinning;
}

export function environment(): Environment {
  const cores = cpus();
  return {
    date: new Date().toISOString(),
    node: process.version,
    packages: Object.fromEntries(
      ['@nestjs/core', '@nestjs/platform-express', 'express', 'hbs', 'autocannon', 'netjet'].map((name) => [
        name,
        versionOf(name),
      ]),
    ),
    cpuModel: cores[0]?.model.trim() ?? 'unknown',
    cpuCount: cores.length,
    loadAverageAtStart: loadavg()[0],
    pinning: pinning(),
  };
}
