/**
 * `npm run bench:profile -- <variant> [html|json] [seconds]`: drives one variant under
 * `node --cpu-prof` and prints where its time went (self time by function and by
 * package), to find what a missed throughput target is made of. Profiles are written to
 * bench/profiles/ (git-ignored) and open in Chrome DevTools' Performance panel.
 */
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { benchPath } from './paths.js';
import { HTML_ROUTE, JSON_ROUTE } from './routes.js';
import { killAllServers, startServer } from './server-process.js';
import { load } from './throughput.js';
import { variant } from './variants.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const PROFILES = benchPath('profiles') + '/';

/** Where a function lives, shortened: a package name, `ours: file` for dist/, or the file. */
function placeOf(url: string): string {
  const pkg = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\//);
  if (pkg) return pkg[1];
  if (url.includes('/bench/dist/')) return `bench: ${url.slice(url.lastIndexOf('/') + 1)}`;
  if (url.includes('/dist/')) return `ours: ${url.slice(url.lastIndexOf('/') + 1)}`;
  if (url.startsWith('node:')) return 'node internals';
  return url === '' ? '(native / gc / idle)' : url;
}

/** Total time (self + callees) of each of our functions, counted once per stack even when recursive. */
function inclusiveOfOurs(profile: CpuProfile, selfMicros: Map<number, number>): Map<string, number> {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const totals = new Map<string, number>();
  const walk = (id: number, open: Set<string>): number => {
    const node = byId.get(id)!;
    const { functionName, url, lineNumber } = node.callFrame;
    const ours = url.includes('/dist/') && !url.includes('/bench/dist/') && !url.includes('/node_modules/');
    const key = `${functionName || '(anonymous)'}  ${placeOf(url)}:${lineNumber + 1}`;
    const counted = ours && !open.has(key);
    if (counted) open.add(key);
    let micros = selfMicros.get(id) ?? 0;
    for (const child of node.children ?? []) micros += walk(child, open);
    if (counted) {
      open.delete(key);
      totals.set(key, (totals.get(key) ?? 0) + micros);
    }
    return micros;
  };
  walk(profile.nodes[0].id, new Set());
  return totals;
}

function summarize(profile: CpuProfile): void {
  const selfMicros = new Map<number, number>();
  profile.samples.forEach((id, i) => selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const byFunction = new Map<string, number>();
  const byPlace = new Map<string, number>();
  let total = 0;
  for (const node of profile.nodes) {
    const micros = selfMicros.get(node.id) ?? 0;
    if (node.callFrame.functionName === '(idle)') continue;
    total += micros;
    const { functionName, url, lineNumber } = node.callFrame;
    const fn = `${functionName || '(anonymous)'}  ${placeOf(url)}${url ? `:${lineNumber + 1}` : ''}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + micros);
    byPlace.set(placeOf(url), (byPlace.get(placeOf(url)) ?? 0) + micros);
  }
  const print = (title: string, map: Map<string, number>, count: number) => {
    console.log(`\n${title} (busy time ${(total / 1000).toFixed(0)} ms)`);
    for (const [name, micros] of [...map].sort((a, b) => b[1] - a[1]).slice(0, count)) {
      console.log(`${((100 * micros) / total).toFixed(1).padStart(5)}%  ${name}`);
    }
  };
  print('Self time by package / file', byPlace, 20);
  print('Self time by function', byFunction, 30);
  print('Total time (self + callees) of our functions', inclusiveOfOurs(profile, selfMicros), 15);
}

const [name = 'early-flush', routeName = 'html', seconds = '10'] = process.argv.slice(2);
const route = routeName === 'json' ? JSON_ROUTE : HTML_ROUTE;
variant(name); // fails early on a misspelt name
mkdirSync(PROFILES, { recursive: true });
const before = new Set(readdirSync(PROFILES));
process.env.BENCH_NODE_FLAGS = `--cpu-prof --cpu-prof-dir=${PROFILES}`;
const server = await startServer(variant(name).name);
try {
  // One short run so the cache is warm and the code optimized, then the profiled one.
  const warm = await load(server, route, { durationSec: 2, connections: 10 });
  const sample = await load(server, route, { durationSec: Number(seconds), connections: 10 });
  console.log(
    `${name} ${route.name}: ${sample.requestsPerSec.toFixed(0)} req/s (with the profiler on); ${warm.responses + sample.responses} responses profiled in all`,
  );
} finally {
  await server.stop();
  killAllServers();
}
const written = readdirSync(PROFILES).filter((file) => file.endsWith('.cpuprofile') && !before.has(file));
if (written.length === 0) throw new Error(`No profile written to ${PROFILES}`);
console.log(`Profile: ${PROFILES}${written[0]}`);
summarize(JSON.parse(readFileSync(`${PROFILES}${written[0]}`, 'utf8')) as CpuProfile);
