import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { cp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { FORMATTED_MAX_BYTES } from '../src/link/index.js';
import { HINT_CACHE_MAX_BYTES } from '../src/preload.cache.js';
import { PLAIN_HINT_CACHE_MAX_BYTES } from '../src/preload-hint.js';
import { ROUTE_PLAIN_HINTS_MAX_BYTES } from '../src/route-plain-hints.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MIB = 1024 * 1024;

/** The attack of issue 13: 1,500 requests, each with its own 15 KB slug, on a route that preloads `img/<slug>.png`. */
const REQUESTS = 1500;
const SLUG_LENGTH = 15_000;
/** How far above the module-off run the heap may end: a few MiB, against +200 to +490 MiB before. */
const ALLOWED_GROWTH = 4 * MIB;

interface ProbeResult {
  readonly mode: string;
  readonly before: number;
  readonly after: number;
  readonly failures: number;
}

/**
 * Transpiles the library and the probe app into a folder under node_modules/.cache (so
 * that their imports resolve to the project's packages) for a plain `node` to run:
 * the probe must run in its own process, with --expose-gc and a small heap.
 */
async function buildProbe(into: string): Promise<string> {
  const compilerOptions: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    experimentalDecorators: true,
    emitDecoratorMetadata: true,
    esModuleInterop: true,
  };
  const transpile = async (from: string, to: string) => {
    const source = await readFile(from, 'utf8');
    await writeFile(to, ts.transpileModule(source, { compilerOptions, fileName: from }).outputText);
  };
  await mkdir(`${into}/src`, { recursive: true });
  await writeFile(`${into}/package.json`, '{"type":"module"}\n');
  // src/ has folders by concern (flush/, link/, ...): keep them, imports name them.
  for (const file of await readdir(`${ROOT}src`, { recursive: true })) {
    if (file.endsWith('.ts') && !file.endsWith('.spec.ts')) {
      await mkdir(dirname(`${into}/src/${file}`), { recursive: true });
      await transpile(`${ROOT}src/${file}`, `${into}/src/${file.replace(/\.ts$/, '.js')}`);
    }
  }
  // The same layout as the sources, so the probe's imports and views are found alike.
  await mkdir(`${into}/test/memory`, { recursive: true });
  await transpile(`${ROOT}test/memory/long-url-attack.probe.ts`, `${into}/test/memory/probe.js`);
  await cp(`${ROOT}test/memory/views`, `${into}/test/memory/views`, { recursive: true });
  return `${into}/test/memory/probe.js`;
}

/** Runs the probe in a child process and stops it, by its PID, once it has reported. */
async function runProbe(
  probe: string,
  mode: 'off' | 'route' | 'path' | 'many' | 'off-many',
  slugLength = SLUG_LENGTH,
): Promise<ProbeResult> {
  const { NODE_OPTIONS: _jestOptions, ...env } = process.env;
  const child = spawn(
    process.execPath,
    ['--expose-gc', '--max-old-space-size=256', probe, mode, String(REQUESTS), String(slugLength)],
    { env, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const exited = once(child, 'exit');
  try {
    const lines = createInterface({ input: child.stdout });
    for await (const line of lines) {
      const result = JSON.parse(line) as ProbeResult | { error: string };
      if ('error' in result) throw new Error(`the ${mode} probe failed: ${result.error}`);
      return result;
    }
    throw new Error(`the ${mode} probe exited without a result (out of memory?)`);
  } finally {
    if (child.exitCode === null && child.pid !== undefined) process.kill(child.pid);
    await exited;
  }
}

describe('memory under the long-URL attack (a child process with a 256 MiB heap)', () => {
  const buildDir = `${ROOT}node_modules/.cache/nestjs-http2-preload-memory-${process.pid}`;
  let probe: string;

  beforeAll(async () => {
    probe = await buildProbe(buildDir);
  });
  afterAll(() => rm(buildDir, { recursive: true, force: true }));

  it(`keeps the heap after ${REQUESTS.toLocaleString('en')} requests with ${SLUG_LENGTH.toLocaleString('en')}-character slugs within a few MiB of the module-off run`, async () => {
    // One after the other: each measures its own heap, and the machine is shared.
    const off = await runProbe(probe, 'off');
    const route = await runProbe(probe, 'route');
    const path = await runProbe(probe, 'path');
    const growth = (result: ProbeResult) => result.after - result.before;
    const report = [off, route, path].map(
      (r) => `${r.mode}: ${(r.before / MIB).toFixed(1)} → ${(r.after / MIB).toFixed(1)} MiB`,
    );
    // Printed for the record (the numbers in the README come from here).
    process.stdout.write(`heap after GC: ${report.join('; ')}\n`);
    for (const result of [off, route, path]) expect(result.failures).toBe(0);
    expect(growth(route)).toBeLessThan(growth(off) + ALLOWED_GROWTH);
    expect(growth(path)).toBeLessThan(growth(off) + ALLOWED_GROWTH);
  }, 300_000);

  it('keeps the heap bounded, in bytes, with the longest URLs the module accepts', async () => {
    // 1,900-character slugs: URLs and keys under the limits, so every page is cached
    // under 'path' until the hint cache's byte bound forgets the oldest.
    const off = await runProbe(probe, 'off', 1900);
    const path = await runProbe(probe, 'path', 1900);
    const growth = (result: ProbeResult) => result.after - result.before;
    process.stdout.write(
      `heap after GC, 1,900-character slugs: off +${(growth(off) / MIB).toFixed(1)} MiB, path +${(growth(path) / MIB).toFixed(1)} MiB\n`,
    );
    expect(path.failures).toBe(0);
    // Within the caches' documented byte bounds (upper estimates, so the heap stays below);
    // the probe's one route keeps its own plain hints beside them.
    expect(growth(path)).toBeLessThan(
      growth(off) + HINT_CACHE_MAX_BYTES + PLAIN_HINT_CACHE_MAX_BYTES + ROUTE_PLAIN_HINTS_MAX_BYTES,
    );
  }, 300_000);

  it('keeps the heap bounded when every page records its own 16 long URLs, first', async () => {
    // Each page's list of hints is new, so each is formatted and kept once: the formatted
    // lists must count the hints they keep alive, not only their text.
    const off = await runProbe(probe, 'off-many', 1900);
    const many = await runProbe(probe, 'many', 1900);
    const growth = (result: ProbeResult) => result.after - result.before;
    process.stdout.write(
      `heap after GC, 16 hints of 1,900 characters a page: off +${(growth(off) / MIB).toFixed(1)} MiB, module +${(growth(many) / MIB).toFixed(1)} MiB\n`,
    );
    expect(many.failures).toBe(0);
    expect(growth(many)).toBeLessThan(
      growth(off) +
        HINT_CACHE_MAX_BYTES +
        PLAIN_HINT_CACHE_MAX_BYTES +
        FORMATTED_MAX_BYTES +
        ROUTE_PLAIN_HINTS_MAX_BYTES,
    );
  }, 300_000);
});
