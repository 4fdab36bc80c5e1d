import autocannon from 'autocannon';
import { skipInformationalResponses, type InformationalCounter } from './informational.js';
import { median } from './stats.js';
import type { BenchRoute } from './routes.js';
import type { ServerProcess } from './server-process.js';
import { variant, type VariantName } from './variants.js';

export interface LoadSettings {
  readonly durationSec: number;
  readonly connections: number;
}

/** One autocannon run against one variant and route. */
export interface LoadSample {
  readonly requestsPerSec: number;
  readonly p99Ms: number;
  readonly responses: number;
  /** Server CPU time (user + system) per response, in µs, measured by the server process. */
  readonly cpuMicrosPerResponse: number;
  /** Responses that were not 2xx, errors and timeouts: all should be 0. */
  readonly non2xx: number;
  readonly errors: number;
  /** 1xx responses seen (and not counted as responses): the 103s of early-103. */
  readonly informational: number;
}

/** Drives one server for a while, with autocannon in this process and the server in its own. */
export async function load(server: ServerProcess, route: BenchRoute, settings: LoadSettings): Promise<LoadSample> {
  const informational: InformationalCounter = { count: 0 };
  const cpuBefore = await server.cpuMicros();
  const result = await autocannon({
    url: `${server.baseUrl}${route.path}`,
    headers: { ...route.headers },
    connections: settings.connections,
    duration: settings.durationSec,
    setupClient: skipInformationalResponses(informational),
  });
  const cpuMicros = (await server.cpuMicros()) - cpuBefore;
  return {
    cpuMicrosPerResponse: cpuMicros / result.requests.total,
    requestsPerSec: result.requests.total / result.duration,
    p99Ms: result.latency.p99,
    responses: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    informational: informational.count,
  };
}

export interface RoundSample extends LoadSample {
  readonly round: number;
  /** requests/s divided by bare's in the same round */
  readonly ratioToBare: number;
  /** bare's CPU time per response divided by this variant's, same round: the throughput ratio a CPU-bound server would show. */
  readonly cpuRatioToBare: number;
}

export interface VariantThroughput {
  readonly variant: VariantName;
  readonly route: BenchRoute['name'];
  readonly medianRequestsPerSec: number;
  readonly medianP99Ms: number;
  readonly medianRatioToBare: number;
  readonly medianCpuMicrosPerResponse: number;
  readonly medianCpuRatioToBare: number;
  readonly rounds: readonly RoundSample[];
}

export interface RoundsSettings extends LoadSettings {
  readonly rounds: number;
  readonly warmupDurationSec: number;
  readonly log: (line: string) => void;
}

/** The floors only do anything on the pages, so they are measured on the HTML route only. */
const serversFor = (servers: readonly ServerProcess[], route: BenchRoute): readonly ServerProcess[] =>
  servers.filter((server) => route.name === 'html' || !variant(server.variant).htmlOnly);

/**
 * Alternating rounds: every variant once per round and route, in an order that rotates
 * from round to round (so no variant always runs first, or right after the heaviest),
 * after one warm-up round whose figures are dropped. Each ratio compares a variant with
 * bare from the same round: both ran within seconds of each other on the same machine,
 * which cancels most of what other processes on a shared machine do to the figures.
 */
export async function throughputRounds(
  servers: readonly ServerProcess[],
  routes: readonly BenchRoute[],
  settings: RoundsSettings,
): Promise<VariantThroughput[]> {
  const samples = new Map<string, RoundSample[]>();
  // A warm-up of 0 s (the quick mode) skips the warm-up round.
  for (let round = settings.warmupDurationSec > 0 ? 0 : 1; round <= settings.rounds; round++) {
    const warmup = round === 0;
    const durationSec = warmup ? settings.warmupDurationSec : settings.durationSec;
    for (const route of routes) {
      const measured = serversFor(servers, route);
      const order = measured.map((_, i) => measured[(i + round) % measured.length]);
      const inRound = new Map<VariantName, LoadSample>();
      for (const server of order) {
        const sample = await load(server, route, { ...settings, durationSec });
        inRound.set(server.variant, sample);
        settings.log(
          `${warmup ? 'warm-up' : `round ${round}/${settings.rounds}`} ${route.name} ${server.variant}: ` +
            `${sample.requestsPerSec.toFixed(0)} req/s, p99 ${sample.p99Ms} ms, ${sample.cpuMicrosPerResponse.toFixed(0)} µs CPU/response` +
            (sample.non2xx + sample.errors > 0 ? `, ${sample.non2xx} non-2xx, ${sample.errors} errors` : ''),
        );
      }
      if (warmup) continue;
      const bare = inRound.get('bare');
      for (const [variant, sample] of inRound) {
        const key = `${variant} ${route.name}`;
        const ratios = {
          ratioToBare: sample.requestsPerSec / (bare?.requestsPerSec ?? Number.NaN),
          cpuRatioToBare: (bare?.cpuMicrosPerResponse ?? Number.NaN) / sample.cpuMicrosPerResponse,
        };
        samples.set(key, [...(samples.get(key) ?? []), { ...sample, round, ...ratios }]);
      }
    }
  }
  return routes.flatMap((route) =>
    serversFor(servers, route).map(({ variant }) => {
      const rounds = samples.get(`${variant} ${route.name}`) ?? [];
      return {
        variant,
        route: route.name,
        medianRequestsPerSec: median(rounds.map((r) => r.requestsPerSec)),
        medianP99Ms: median(rounds.map((r) => r.p99Ms)),
        medianRatioToBare: median(rounds.map((r) => r.ratioToBare)),
        medianCpuMicrosPerResponse: median(rounds.map((r) => r.cpuMicrosPerResponse)),
        medianCpuRatioToBare: median(rounds.map((r) => r.cpuRatioToBare)),
        rounds,
      };
    }),
  );
}
