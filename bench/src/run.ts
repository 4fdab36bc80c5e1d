/**
 * `npm run bench`: starts every variant as a child process, checks what each answers,
 * then measures throughput (alternating rounds), hint latency and the memory bound,
 * judges the targets, and writes bench/RESULTS.md and bench/results.json.
 *
 * `BENCH_QUICK=1 npm run bench` (or `npm run bench -- --quick`) runs one short round per
 * variant, to see that everything starts, answers right and reports: its figures mean
 * nothing, so it writes bench/dist/RESULTS.quick.md and results.quick.json instead.
 * Settings can also be changed one by one with BENCH_ROUNDS, BENCH_DURATION,
 * BENCH_LATENCY_REQUESTS, BENCH_MEMORY_REQUESTS.
 */
import { writeFileSync } from 'node:fs';
import { checkVariant, selfCheck, type VariantCheck } from './checks.js';
import { environment } from './environment.js';
import type { FloorLinks } from './floors.js';
import { hintLatency } from './latency.js';
import { memoryBound } from './memory.js';
import { benchPath } from './paths.js';
import { renderResults, type BenchResults } from './report.js';
import { HTML_ROUTE, JSON_ROUTE } from './routes.js';
import { killAllServers, startServer, type ServerProcess } from './server-process.js';
import { judgeTargets } from './targets.js';
import { throughputRounds } from './throughput.js';
import { MEMORY_VARIANT, modeOfFloor, variant, VARIANTS, type VariantName } from './variants.js';

const QUICK = process.argv.includes('--quick') || ['1', 'true'].includes(process.env.BENCH_QUICK ?? '');

const numberFromEnv = (name: string, fallback: number): number => {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
};

const SETTINGS = {
  rounds: numberFromEnv('BENCH_ROUNDS', QUICK ? 1 : 5),
  durationSec: numberFromEnv('BENCH_DURATION', QUICK ? 1 : 3),
  warmupDurationSec: QUICK ? 0 : 2,
  connections: 10,
  latencyRequests: numberFromEnv('BENCH_LATENCY_REQUESTS', QUICK ? 40 : 1_000),
  latencyConnections: QUICK ? 5 : 20,
  memoryRequests: numberFromEnv('BENCH_MEMORY_REQUESTS', QUICK ? 2_000 : 100_000),
  memoryWarmupRequests: QUICK ? 200 : 2_000,
};

/** The modes whose hint latency the issue asks for, with the early floors as the wire's own latency. */
const LATENCY_VARIANTS: readonly VariantName[] = [
  'late',
  'floor-flush',
  'early-flush',
  'floor-103',
  'early-103',
  'netjet',
];
/** bare runs the same 100,000 paths as a reference: what Node, Express and Nest grow by themselves. */
const MEMORY_VARIANTS: readonly VariantName[] = [MEMORY_VARIANT, 'bare'];

// In bench/dist/ (git-ignored) for a quick run, so that it never replaces a real run's results.
const RESULTS_MD = benchPath(...(QUICK ? ['dist', 'RESULTS.quick.md'] : ['RESULTS.md']));
const RESULTS_JSON = benchPath(...(QUICK ? ['dist', 'results.quick.json'] : ['results.json']));

const started = Date.now();
const log = (line: string) => console.log(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(3)}s] ${line}`);

/** Starts the variants; one that cannot start is reported, not fatal. */
async function startAll(
  names: readonly VariantName[],
  startErrors: Record<string, string>,
  floorLinks: (name: VariantName) => FloorLinks | undefined = () => undefined,
): Promise<ServerProcess[]> {
  const servers: ServerProcess[] = [];
  for (const name of names) {
    try {
      servers.push(await startServer(name, floorLinks(name)));
    } catch (error) {
      startErrors[name] = (error as Error).message;
      log(`${name} did not start: ${(error as Error).message}`);
    }
  }
  return servers;
}

async function checkAll(servers: readonly ServerProcess[]): Promise<VariantCheck[]> {
  const checks = [];
  for (const server of servers) checks.push(await checkVariant(server));
  return checks;
}

/**
 * What a floor sends: the exact values its module mode sent in the check, so both put the
 * same bytes on the wire whatever the module's link format is now (floors.ts has a default).
 */
function floorLinksFrom(checks: readonly VariantCheck[]): (name: VariantName) => FloorLinks | undefined {
  return (name) => {
    const mode = modeOfFloor(name);
    const check = checks.find((c) => c.variant === mode);
    if (!check?.pageLink) return undefined;
    return { link: check.pageLink, earlyLink: check.page103Link ?? check.pageLink };
  };
}

async function main(): Promise<boolean> {
  const env = environment();
  const startErrors: Record<string, string> = {};
  log(
    `Node ${env.node}, ${env.cpuCount} × ${env.cpuModel}, load ${env.loadAverageAtStart.toFixed(2)}${QUICK ? ' (quick run)' : ''}`,
  );

  // The module's modes first: the floors are started with the links those sent.
  const modules = await startAll(
    VARIANTS.filter((name) => !variant(name).floor),
    startErrors,
  );
  const moduleChecks = await checkAll(modules);
  const floors = await startAll(
    VARIANTS.filter((name) => variant(name).floor),
    startErrors,
    floorLinksFrom(moduleChecks),
  );
  const servers = VARIANTS.flatMap((name) => [...modules, ...floors].filter((s) => s.variant === name));
  let results: Omit<BenchResults, 'memory' | 'elapsedSec' | 'targets'>;
  try {
    const floorChecks = await checkAll(floors);
    const checks = VARIANTS.flatMap((name) => [...moduleChecks, ...floorChecks].filter((c) => c.variant === name));
    const wrong = selfCheck(checks);
    for (const c of checks) {
      const problems = wrong.get(c.variant) ?? [];
      log(
        `check ${c.variant}: page ${c.pageStatus} ${c.pageMode ?? '-'} ${c.pageLinks} links, ${c.page103s}×103, ` +
          `${c.pageBodyBytes} B; json ${c.jsonStatus}: ${problems.length ? `WRONG: ${problems.join('; ')}` : 'ok'}`,
      );
    }
    const throughput = await throughputRounds(servers, [HTML_ROUTE, JSON_ROUTE], { ...SETTINGS, log });
    const latency = [];
    for (const name of LATENCY_VARIANTS) {
      const server = servers.find((s) => s.variant === name);
      if (!server) continue;
      const figures = await hintLatency(server, {
        requests: SETTINGS.latencyRequests,
        connections: SETTINGS.latencyConnections,
      });
      log(
        `latency ${name}: links p50 ${figures.linksMedianMs.toFixed(2)}, p99 ${figures.linksP99Ms.toFixed(2)}, ` +
          `p99.9 ${figures.linksP999Ms.toFixed(2)} ms (${figures.requests} requests)`,
      );
      latency.push(figures);
    }
    results = {
      command: QUICK ? 'BENCH_QUICK=1 npm run bench' : 'npm run bench',
      quick: QUICK,
      settings: SETTINGS,
      environment: env,
      startErrors,
      checks,
      selfCheck: Object.fromEntries(wrong),
      throughput,
      latency,
    };
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
      const rssMiB = (stats: { rssAfterGc?: number }) => ((stats.rssAfterGc ?? Number.NaN) / 2 ** 20).toFixed(1);
      log(
        `memory ${name}: ${figures.seconds.toFixed(0)} s, cache ${figures.after.cacheEntries ?? '-'}, RSS ${rssMiB(figures.before)} → ${rssMiB(figures.after)} MiB`,
      );
      memory.push(figures);
    } finally {
      await server.stop();
    }
  }

  const targets = judgeTargets(results.throughput, results.latency);
  const full: BenchResults = { ...results, targets, memory, elapsedSec: (Date.now() - started) / 1000 };
  writeFileSync(RESULTS_JSON, `${JSON.stringify(full, null, 2)}\n`);
  writeFileSync(RESULTS_MD, renderResults(full));

  // The summary the issue asks for, on the console too.
  const width = Math.max(...targets.map((t) => t.name.length));
  console.log(`\nTargets${QUICK ? ' (quick run: figures mean nothing)' : ''}:`);
  for (const t of targets) {
    console.log(
      `  ${t.met ? 'met    ' : 'NOT MET'}  ${t.name.padEnd(width)}  ${t.value.padEnd(16)} ${t.rule}; ${t.detail}`,
    );
  }
  const failed = [
    ...Object.entries(full.selfCheck)
      .filter(([, w]) => w.length > 0)
      .map(([name]) => name),
    ...Object.keys(startErrors),
  ];
  console.log(`Self-check: ${failed.length === 0 ? 'passed' : `FAILED for ${failed.join(', ')}`}`);
  log(`done in ${full.elapsedSec.toFixed(0)} s: ${RESULTS_MD}, ${RESULTS_JSON}`);
  return failed.length === 0;
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
  // A failed self-check fails the command: its figures would compare servers that do different work.
  if (!(await main())) process.exitCode = 1;
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  killAllServers();
}
