import { existsSync, readFileSync } from 'node:fs';
import type { VariantCheck } from './checks.js';
import type { Environment } from './environment.js';
import type { HintLatency } from './latency.js';
import type { MemoryResult } from './memory.js';
import { SLOW_PAGE_MS } from './page.controllers.js';
import type { VariantThroughput } from './throughput.js';
import { MEMORY_CACHE_SIZE, variant, type VariantName } from './variants.js';

export interface BenchResults {
  readonly command: string;
  readonly settings: Readonly<Record<string, number>>;
  readonly environment: Environment;
  readonly startErrors: Readonly<Record<string, string>>;
  readonly checks: readonly VariantCheck[];
  readonly throughput: readonly VariantThroughput[];
  readonly latency: readonly HintLatency[];
  readonly memory: readonly MemoryResult[];
  readonly elapsedSec: number;
}

/** Hand-written findings, kept in their own file so that a new run keeps them. */
const NOTES = new URL('../NOTES.md', import.meta.url);

const MODULE_VARIANTS: readonly VariantName[] = ['late', 'early-flush', 'early-103', 'request-scoped'];
const MIB = 2 ** 20;
const RSS_GROWTH_TARGET_MIB = 20;
const HINT_P99_TARGET_MS = 2;

const fixed = (value: number | undefined, digits: number): string =>
  value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(digits);
const mib = (bytes: number | undefined): string => (bytes === undefined ? '–' : `${(bytes / MIB).toFixed(1)}`);
const verdict = (met: boolean | undefined): string => (met === undefined ? '' : met ? 'yes' : '**no**');
const row = (cells: readonly unknown[]): string => `| ${cells.map((cell) => String(cell).replaceAll('|', '\\|')).join(' | ')} |`;
const table = (head: readonly string[], rows: readonly (readonly unknown[])[]): string =>
  [row(head), row(head.map(() => '---')), ...rows.map(row)].join('\n');

function checksSection(results: BenchResults): string {
  const rows = results.checks.map((c) => [
    c.variant,
    variant(c.variant).description,
    c.error ? `error: ${c.error}` : c.pageStatus,
    c.pageMode ?? '–',
    c.pageLinks,
    c.page103s,
    c.pageBodyBytes,
    `${c.jsonStatus}, ${c.jsonLinks} links`,
  ]);
  for (const [name, error] of Object.entries(results.startErrors)) rows.push([name, '', `did not start: ${error}`, '', '', '', '', '']);
  return table(['Variant', 'What', 'Page status', '`x-http2-preload`', 'Links', '103s', 'Body bytes', 'JSON'], rows);
}

function throughputSection(results: BenchResults, route: 'html' | 'json'): string {
  const figures = results.throughput.filter((t) => t.route === route);
  const netjet = figures.find((t) => t.variant === 'netjet');
  const targetOf = (t: VariantThroughput): [string, boolean | undefined] => {
    if (!MODULE_VARIANTS.includes(t.variant)) return ['', undefined];
    if (route === 'json') return ['≥ 0.99', t.medianRatioToBare >= 0.99];
    // A request-scoped controller is the user's choice, shown for what Nest's request scope costs.
    if (t.variant === 'request-scoped') return ['(shown for its cost)', undefined];
    const beatsNetjet = netjet ? t.medianRatioToBare > netjet.medianRatioToBare : undefined;
    if (t.variant === 'early-flush' || t.variant === 'early-103') {
      return [`≥ 0.97; > netjet`, t.medianRatioToBare >= 0.97 && beatsNetjet !== false];
    }
    return ['> netjet', beatsNetjet];
  };
  return table(
    ['Variant', 'req/s', 'p99 ms', 'Ratio to bare (req/s)', 'Per round', 'Server CPU µs/response', 'Ratio to bare (CPU)', 'Target (req/s ratio)', 'Met'],
    figures.map((t) => {
      const [target, met] = targetOf(t);
      return [
        t.variant,
        fixed(t.medianRequestsPerSec, 0),
        fixed(t.medianP99Ms, 0),
        `**${fixed(t.medianRatioToBare, 2)}**`,
        t.rounds.map((r) => fixed(r.ratioToBare, 2)).join(' '),
        fixed(t.medianCpuMicrosPerResponse, 0),
        fixed(t.medianCpuRatioToBare, 2),
        target,
        verdict(met),
      ];
    }),
  );
}

function latencySection(results: BenchResults): string {
  return table(
    ['Variant', 'Links visible via', 'Links: median ms', 'Links: p99 ms', 'Links: min ms', 'Final: median ms', 'Final: p99 ms', 'With links', 'Target', 'Met'],
    results.latency.map((l) => {
      const early = l.variant === 'early-flush' || l.variant === 'early-103';
      const target = early ? `links p99 ≤ ${HINT_P99_TARGET_MS} ms` : `links ≥ ${SLOW_PAGE_MS} ms`;
      const met = early ? l.linksP99Ms <= HINT_P99_TARGET_MS : l.linksMinMs >= SLOW_PAGE_MS;
      return [
        l.variant,
        l.linksVia,
        fixed(l.linksMedianMs, 2),
        fixed(l.linksP99Ms, 2),
        fixed(l.linksMinMs, 2),
        fixed(l.finalMedianMs, 1),
        fixed(l.finalP99Ms, 1),
        `${l.withLinks}/${l.requests}`,
        target,
        verdict(l.withLinks === l.requests && met),
      ];
    }),
  );
}

function memorySection(results: BenchResults): string {
  return table(
    ['Variant', 'Responses (distinct paths)', 'Non-2xx / errors', 'req/s', 'Cache entries', 'RSS before → after, MiB', 'RSS after GC: before → after, MiB', 'Growth (after GC), MiB', 'Heap used after GC: before → after, MiB', 'Target', 'Met'],
    results.memory.map((m) => {
      const growth = (m.after.rssAfterGc ?? m.after.rss) - (m.before.rssAfterGc ?? m.before.rss);
      const hasCache = m.after.cacheEntries !== undefined;
      return [
        m.variant,
        `${m.responses} (${m.distinctPaths})`,
        `${m.non2xx} / ${m.errors}`,
        fixed(m.responses / m.seconds, 0),
        hasCache ? `${m.after.cacheEntries} (cacheSize ${MEMORY_CACHE_SIZE})` : '–',
        `${mib(m.before.rss)} → ${mib(m.after.rss)}`,
        `${mib(m.before.rssAfterGc)} → ${mib(m.after.rssAfterGc)}`,
        fixed(growth / MIB, 1),
        `${mib(m.before.heapUsedAfterGc)} → ${mib(m.after.heapUsedAfterGc)}`,
        hasCache ? `entries ≤ ${MEMORY_CACHE_SIZE}, growth ≤ ${RSS_GROWTH_TARGET_MIB} MiB` : 'reference',
        hasCache ? verdict(m.after.cacheEntries! <= MEMORY_CACHE_SIZE && growth / MIB <= RSS_GROWTH_TARGET_MIB) : '',
      ];
    }),
  );
}

export function renderResults(results: BenchResults): string {
  const { environment: env, settings } = results;
  const packages = Object.entries(env.packages).map(([name, version]) => `${name} ${version}`).join(', ');
  const notes = existsSync(NOTES) ? readFileSync(NOTES, 'utf8').trim() : '';
  return `# Benchmark results

Written by \`${results.command}\` (bench/src/run.ts); every figure below comes from that one run. The findings at the end are written by hand (bench/NOTES.md).

- Date: ${env.date}; the run took ${fixed(results.elapsedSec / 60, 1)} min
- Node ${env.node}; ${packages}
- CPU: ${env.cpuCount} × ${env.cpuModel}; 1-minute load average when the run started: ${fixed(env.loadAverageAtStart, 2)} (the machine is shared: other developers' tests run on it)
- Settings: ${Object.entries(settings).map(([key, value]) => `${key} ${value}`).join(', ')}
- Every server is a child process on 127.0.0.1 (an ephemeral port), the load generator (autocannon, programmatic) runs in the parent. Each variant serves the same Handlebars page (a layout and a page, 8 assets: 2 styles, a font, 3 scripts, 2 images; 20 list items), with \`view cache\` on as in production.

## What each variant answered

The second request of \`/page\` (the first one fills the module's cache), checked before measuring.

${checksSection(results)}

## Throughput

Every variant once per round and route, ${settings.durationSec} s each, ${settings.connections} connections, in an order that rotates each round; one warm-up round (${settings.warmupDurationSec} s each) is not counted. Figures are medians over ${settings.rounds} rounds; each ratio compares a variant with bare **of the same round**, and the median of those ratios is shown. Requests/s on a shared 2-core machine swing with what else runs, so the table also gives each server's own CPU time per response (\`process.cpuUsage()\` in the server process, before and after each run): the CPU ratio is the throughput ratio a CPU-bound server would show, and it moves far less from round to round.

### HTML route (\`GET /page\`, a navigation request)

${throughputSection(results, 'html')}

### JSON route (\`GET /api/status\`)

${throughputSection(results, 'json')}

## Hint latency

\`GET /slow\` (the handler waits ${SLOW_PAGE_MS} ms), ${settings.latencyRequests} requests per variant one after another on one keep-alive connection, after one warm-up request; a raw \`node:http\` client. "Links visible" is the 103's \`information\` event, or the response headers when they carry the \`Link\`; "final" is the end of the response body.

${latencySection(results)}

## Memory bound

${settings.memoryRequests} page requests, each to its own path (\`/m/<n>\`), ${settings.connections} connections, after a warm-up of ${settings.memoryWarmupRequests} requests to one path. Figures come from the server process itself; "after GC" is after \`global.gc()\` (the server runs with \`--expose-gc\`). bare runs the same requests as a reference for what Node, Express and Nest do on their own.

${memorySection(results)}
${notes ? `\n${notes}\n` : ''}`;
}
