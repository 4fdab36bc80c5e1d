/**
 * `npm run bench`: starts every variant as a child process, checks what each answers,
 * then measures throughput (alternating rounds), hint latency and the memory bound,
 * and writes bench/RESULTS.md and bench/results.json. Settings can be shrunk for a
 * quick try with BENCH_ROUNDS, BENCH_DURATION, BENCH_LATENCY_REQUESTS, BENCH_MEMORY_REQUESTS.
 */
import { writeFileSync } from 'node:fs';
import { checkVariant } from './checks.js';
import { environment } from './environment.js';
import { hintLatency } from './latency.js';
import { memoryBound } from './memory.js';
import { renderResults, type BenchResults } from './report.js';
import { HTML_ROUTE, JSON_ROUTE } from './routes.js';
import { killAllServers, startServer, type ServerProcess } from './server-process.js';
import { throughputRounds } from './throughput.js';
import { MEMORY_VARIANT, VARIANTS, type VariantName } from './variants.js';

const numberFromEnv = (name: string, fallback: number): number => {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
};

const SETTINGS = {
  rounds: numberFromEnv('BENCH_ROUNDS', 4),
  durationSec: numberFromEnv('BENCH_DURATION', 3),
  warmupDurationSec: 2,
  connections: 10,
  latencyRequests: numberFromEnv('BENCH_LATENCY_REQUESTS', 60),
  memoryRequests: numberFromEnv('BENCH_MEMORY_REQUESTS', 100_000),
  memoryWarmupRequests: 2_000,
};

/** The modes whose hint latency the issue asks for. */
const LATENCY_VARIANTS: readonly VariantName[] = ['late', 'early-103', 'early-flush', 'netjet'];
/** bare runs the same 100,000 paths as a reference: what Node, Express and Nest grow by themselves. */
const MEMORY_VARIANTS: readonly VariantName[] = [MEMORY_VARIANT, 'bare'];

const RESULTS_MD = new URL('../RESULTS.md', import.meta.url);
const RESULTS_JSON = new URL('../results.json', import.meta.url);

const started = Date.now();
const log = (line: string) => console.log(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(3)}s] ${line}`);

/** Starts the variants; one that cannot start is reported, not fatal. */
async function startAll(names: readonly VariantName[], startErrors: Record<string, string>): Promise<ServerProcess[]> {
  const servers: ServerProcess[] = [];
  for (const name of names) {
    try {
      servers.push(await startServer(name));
    } catch (error) {
      startErrors[name] = (error as Error).message;
      log(`${name} did not start: ${(error as Error).message}`);
    }
  }
  return servers;
}

async function main(): Promise<void> {
  const env = environment();
  const startErrors: Record<string, string> = {};
  log(`Node ${env.node}, ${env.cpuCount} × ${env.cpuModel}, load ${env.loadAverageAtStart.toFixed(2)}`);

  const servers = await startAll(VARIANTS, startErrors);
  let results: Omit<BenchResults, 'memory' | 'elapsedSec'>;
  try {
    const checks = [];
    for (const server of servers) checks.push(await checkVariant(server));
    for (const c of checks) {
      log(`check ${c.variant}: ${c.error ?? `page ${c.pageStatus} ${c.pageMode ?? '-'} ${c.pageLinks} links, ${c.page103s}×103; json ${c.jsonStatus}`}`);
    }
    const throughput = await throughputRounds(servers, [HTML_ROUTE, JSON_ROUTE], { ...SETTINGS, log });
    const latency = [];
    for (const name of LATENCY_VARIANTS) {
      const server = servers.find((s) => s.variant === name);
      if (!server) continue;
      const figures = await hintLatency(server, SETTINGS.latencyRequests);
      log(`latency ${name}: links p99 ${figures.linksP99Ms.toFixed(2)} ms, final p99 ${figures.finalP99Ms.toFixed(1)} ms`);
      latency.push(figures);
    }
    results = { command: 'npm run bench', settings: SETTINGS, environment: env, startErrors, checks, throughput, latency };
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
  }

  const memory = [];
  for (const name of MEMORY_VARIANTS) {
    const [server] = await startAll([name], startErrors);
    if (!server) continue;
    try {
      log(`memory ${name}: ${SETTINGS.memoryRequests} distinct paths…`);
      const figures = await memoryBound(server, {
        requests: SETTINGS.memoryRequests,
        warmupRequests: SETTINGS.memoryWarmupRequests,
        connections: SETTINGS.connections,
      });
      log(`memory ${name}: ${figures.seconds.toFixed(0)} s, cache ${figures.after.cacheEntries ?? '-'}, RSS ${(figures.before.rssAfterGc! / 2 ** 20).toFixed(1)} → ${(figures.after.rssAfterGc! / 2 ** 20).toFixed(1)} MiB`);
      memory.push(figures);
    } finally {
      await server.stop();
    }
  }

  const full: BenchResults = { ...results, memory, elapsedSec: (Date.now() - started) / 1000 };
  writeFileSync(RESULTS_JSON, `${JSON.stringify(full, null, 2)}\n`);
  writeFileSync(RESULTS_MD, renderResults(full));
  log(`done in ${full.elapsedSec.toFixed(0)} s: bench/RESULTS.md, bench/results.json`);
}

// Children must not outlive the run, however it ends.
process.on('exit', killAllServers);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    killAllServers();
    process.exit(130);
  });
}

try {
  await main();
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  killAllServers();
}
