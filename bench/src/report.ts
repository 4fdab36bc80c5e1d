import { existsSync, readFileSync } from 'node:fs';
import type { VariantCheck } from './checks.js';
import type { Environment } from './environment.js';
import type { HintLatency } from './latency.js';
import type { MemoryResult } from './memory.js';
import { benchPath } from './paths.js';
import { SLOW_PAGE_MS } from './page.controllers.js';
import { median } from './stats.js';
import { cpuRatios, HINT_P99_OVER_FLOOR_MS, type Target } from './targets.js';
import type { VariantThroughput } from './throughput.js';
import {
  FLOOR_OF,
  INTERCEPTOR_FLOOR_OF,
  MEMORY_CACHE_SIZE,
  variant,
  type FlooredMode,
  type VariantName,
} from './variants.js';

export interface BenchResults {
  readonly command: string;
  readonly settings: Readonly<Record<string, number>>;
  readonly environment: Environment;
  readonly startErrors: Readonly<Record<string, string>>;
  /** One short round per variant, to see that everything runs: its figures mean nothing. */
  readonly quick: boolean;
  readonly checks: readonly VariantCheck[];
  /** The self-check: what each variant answered wrong (an empty list when all was right). */
  readonly selfCheck: Readonly<Record<string, readonly string[]>>;
  readonly targets: readonly Target[];
  readonly throughput: readonly VariantThroughput[];
  readonly latency: readonly HintLatency[];
  readonly memory: readonly MemoryResult[];
  readonly elapsedSec: number;
}

/** Hand-written findings, kept in their own file so that a new run keeps them. */
const NOTES = benchPath('NOTES.md');

const MIB = 2 ** 20;
const RSS_GROWTH_TARGET_MIB = 20;

const fixed = (value: number | undefined, digits: number): string =>
  value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(digits);
const mib = (bytes: number | undefined): string => (bytes === undefined ? '–' : `${(bytes / MIB).toFixed(1)}`);
const verdict = (met: boolean | undefined): string => (met === undefined ? '' : met ? 'yes' : '**no**');
const row = (cells: readonly unknown[]): string =>
  `| ${cells.map((cell) => String(cell).replaceAll('|', '\\|')).join(' | ')} |`;
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
    (results.selfCheck[c.variant] ?? []).length === 0 ? 'yes' : `**no**: ${results.selfCheck[c.variant].join('; ')}`,
  ]);
  for (const [name, error] of Object.entries(results.startErrors))
    rows.push([name, '', `did not start: ${error}`, '', '', '', '', '', '**no**']);
  return table(
    ['Variant', 'What', 'Page status', '`x-http2-preload`', 'Links', '103s', 'Body bytes', 'JSON', 'Self-check'],
    rows,
  );
}

function throughputSection(results: BenchResults, route: 'html' | 'json'): string {
  const figures = results.throughput.filter((t) => t.route === route);
  // A module mode's CPU against its floor (HTML) or against noop-interceptor (JSON), median of same-round ratios.
  const referenceOf = (name: VariantName): VariantName | undefined =>
    !Object.hasOwn(FLOOR_OF, name) ? undefined : route === 'html' ? FLOOR_OF[name as FlooredMode] : 'noop-interceptor';
  return table(
    [
      'Variant',
      'Server CPU µs/response',
      'CPU vs reference',
      'req/s',
      'p99 ms',
      'Ratio to bare (req/s)',
      'Ratio to bare (CPU)',
      'Per round (CPU µs)',
    ],
    figures.map((t) => {
      const reference = referenceOf(t.variant);
      const ratio = reference ? median(cpuRatios(results.throughput, t.variant, reference, route)) : undefined;
      return [
        variant(t.variant).floor ? `*${t.variant}*` : t.variant,
        `**${fixed(t.medianCpuMicrosPerResponse, 0)}**`,
        reference ? `${fixed(ratio, 2)} × ${reference}` : '',
        fixed(t.medianRequestsPerSec, 0),
        fixed(t.medianP99Ms, 0),
        fixed(t.medianRatioToBare, 2),
        fixed(t.medianCpuRatioToBare, 2),
        t.rounds.map((r) => fixed(r.cpuMicrosPerResponse, 0)).join(' '),
      ];
    }),
  );
}

/** Each mode against its floor done from an interceptor, and that floor against the middleware one: what any interceptor costs. */
function interceptorFloorsSection(results: BenchResults): string {
  const cpuOf = (name: VariantName) =>
    results.throughput.find((t) => t.variant === name && t.route === 'html')?.medianCpuMicrosPerResponse;
  const rows = (Object.entries(INTERCEPTOR_FLOOR_OF) as [FlooredMode, VariantName][])
    .filter(([mode, floor]) => cpuOf(mode) !== undefined && cpuOf(floor) !== undefined)
    .map(([mode, floor]) => [
      mode,
      `*${floor}*`,
      `**${fixed(cpuOf(floor), 0)}**`,
      `${fixed(median(cpuRatios(results.throughput, mode, floor, 'html')), 2)} ×`,
      `${fixed(median(cpuRatios(results.throughput, floor, FLOOR_OF[mode], 'html')), 2)} × ${FLOOR_OF[mode]}`,
    ]);
  return table(
    ['Mode', 'Floor in an interceptor', 'Its CPU µs/response', 'Mode vs it', 'It vs the middleware floor'],
    rows,
  );
}

function targetsSection(results: BenchResults): string {
  return table(
    ['Target', 'Rule', 'This run', 'Detail', 'Met'],
    results.targets.map((t) => [t.name, t.rule, t.value, t.detail, verdict(t.met)]),
  );
}

function latencySection(results: BenchResults): string {
  return table(
    [
      'Variant',
      'Links visible via',
      'Links p50 ms',
      'Links p99 ms',
      'Links p99.9 ms',
      'Links min / max ms',
      'Final p50 ms',
      'Final p99 ms',
      'With links',
    ],
    results.latency.map((l) => [
      variant(l.variant).floor ? `*${l.variant}*` : l.variant,
      l.linksVia,
      fixed(l.linksMedianMs, 2),
      fixed(l.linksP99Ms, 2),
      fixed(l.linksP999Ms, 2),
      `${fixed(l.linksMinMs, 2)} / ${fixed(l.linksMaxMs, 2)}`,
      fixed(l.finalMedianMs, 1),
      fixed(l.finalP99Ms, 1),
      `${l.withLinks}/${l.requests}`,
    ]),
  );
}

function memorySection(results: BenchResults): string {
  return table(
    [
      'Variant',
      'Responses (distinct paths)',
      'Non-2xx / errors',
      'req/s',
      'Cache entries',
      'RSS before → after, MiB',
      'RSS after GC: before → after, MiB',
      'Growth (after GC), MiB',
      'Heap used after GC: before → after, MiB',
      'Target',
      'Met',
    ],
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
  const packages = Object.entries(env.packages)
    .map(([name, version]) => `${name} ${version}`)
    .join(', ');
  const notes = existsSync(NOTES) ? readFileSync(NOTES, 'utf8').trim() : '';
  const failed =
    Object.entries(results.selfCheck).filter(([, wrong]) => wrong.length > 0).length +
    Object.keys(results.startErrors).length;
  const met = results.targets.filter((t) => t.met).length;
  return `# Benchmark results
${results.quick ? '\n**Quick run (`BENCH_QUICK=1`): one short round per variant, to see that everything runs. Its figures mean nothing.**\n' : ''}
Written by \`${results.command}\` (bench/src/run.ts); every figure below comes from that one run. The findings at the end are written by hand (bench/NOTES.md).

- Date: ${env.date}; the run took ${fixed(results.elapsedSec / 60, 1)} min
- Node ${env.node}; ${packages}
- CPU: ${env.cpuCount} × ${env.cpuModel}; 1-minute load average when the run started: ${fixed(env.loadAverageAtStart, 2)}; ${env.pinning ? `load generator pinned to CPU ${env.pinning.loadGenerator}, servers to CPU ${env.pinning.servers}` : 'not pinned to CPUs'}
- Settings: ${Object.entries(settings)
    .map(([key, value]) => `${key} ${value}`)
    .join(', ')}
- Every server is a child process on 127.0.0.1 (an ephemeral port), the load generator (autocannon, programmatic) runs in the parent. Each variant serves the same Handlebars page (a layout and a page, 8 assets: 2 styles, a font, 3 scripts, 2 images; 20 list items), with \`view cache\` on as in production.
- The *floors* (in italics) are the bare app plus a hand-written Express middleware doing one mode's wire work with precomputed links, and nothing else (bench/src/floors.ts): the gap between a module mode and its floor is the module's own cost. The \`-interceptor\` floors do the same work from a global Nest interceptor instead (a hand-written Nest equivalent); they are measured for comparison, and no target judges them.
- The \`-nonce\` variants run the sample's Content-Security-Policy (helmet, a fresh nonce per request in \`res.locals.cspNonce\`), which the page's stylesheets and scripts carry, and every link: the module reads it through its \`nonce\` option's default; the floor works it into precomputed link text. They are judged against each other only (on the HTML route), as noop-interceptor and netjet pay for no CSP.

## Targets

Self-check: ${failed === 0 ? 'passed (every variant answered as it should)' : `**failed** for ${failed} variant(s), see below`}. Targets met: ${met} of ${results.targets.length}. CPU ratios are server CPU time per response of the two variants in the same round, median over ${settings.rounds} round(s).

${targetsSection(results)}

## What each variant answered

The second request of \`/page\` (the first one fills the module's cache), checked before measuring. A floor must answer exactly as its module mode (debug header, both Link values, 103s, the body byte for byte); the others as bare does, plus their links.

${checksSection(results)}

## Throughput

Every variant once per round and route, ${settings.durationSec} s each, ${settings.connections} connections, in an order that rotates each round${settings.warmupDurationSec > 0 ? `; one warm-up round (${settings.warmupDurationSec} s each) is not counted` : ''}. Figures are medians over ${settings.rounds} round(s). The figure that counts is the server's own CPU time per response (\`process.cpuUsage()\` in the server process, before and after each run): requests/s on a shared machine swing with what else runs, CPU per response far less. "CPU vs reference" is the median of same-round ratios, against the mode's floor (HTML) or noop-interceptor (JSON).

### HTML route (\`GET /page\`, a navigation request)

${throughputSection(results, 'html')}

Not a target: the floors with their wire work in a global interceptor (\`-interceptor\`), where a hand-written Nest equivalent of the module would do it. The first ratio is what the module costs over a hand-written interceptor; the second is what an interceptor costs over middleware in front of the router (Nest's interceptor pipeline, and the early write leaving later after the request arrived). Medians of same-round ratios.

${interceptorFloorsSection(results)}

### JSON route (\`GET /api/status\`)

The floors only act on the pages, so they are not run here; nor are the \`-nonce\` variants, whose CSP middleware no reference here has.

${throughputSection(results, 'json')}

## Hint latency

\`GET /slow\` (the handler waits ${SLOW_PAGE_MS} ms), ${settings.latencyRequests} requests per variant over ${settings.latencyConnections} keep-alive connections, each sending one request after the other, their starts spread evenly over ${SLOW_PAGE_MS} ms; a raw \`node:http\` client. "Links visible" is the 103's \`information\` event, or the response headers when they carry the \`Link\`; "final" is the end of the response body. Target for the early modes: links p99 no more than ${HINT_P99_OVER_FLOOR_MS} ms over their floor's p99 in the same run.

${latencySection(results)}

## Memory bound

${settings.memoryRequests} page requests, each to its own path (\`/m/<n>\`), ${settings.connections} connections, after a warm-up of ${settings.memoryWarmupRequests} requests to one path. Figures come from the server process itself; "after GC" is after \`global.gc()\` (the server runs with \`--expose-gc\`). bare runs the same requests as a reference for what Node, Express and Nest do on their own.

${memorySection(results)}
${notes ? `\n${notes}\n` : ''}`;
}
