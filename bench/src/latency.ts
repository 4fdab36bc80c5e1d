import { Agent } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { timedGet, type TimedResponse } from '../../test/support/http.js';
import { SLOW_PAGE_MS } from './page.controllers.js';
import { NAVIGATION_HEADERS, SLOW_PATH } from './routes.js';
import type { ServerProcess } from './server-process.js';
import { median, percentile } from './stats.js';
import type { VariantName } from './variants.js';

export interface HintLatency {
  readonly variant: VariantName;
  readonly requests: number;
  readonly connections: number;
  /** Requests whose links became visible at all. */
  readonly withLinks: number;
  /** Where the links showed first (the most common answer). */
  readonly linksVia: string;
  /** Earliest links of all requests: for late modes, at least the handler's time. */
  readonly linksMinMs: number;
  readonly linksMedianMs: number;
  readonly linksP99Ms: number;
  readonly linksP999Ms: number;
  readonly linksMaxMs: number;
  readonly finalMedianMs: number;
  readonly finalP99Ms: number;
}

export interface LatencySettings {
  readonly requests: number;
  readonly connections: number;
}

/**
 * Times `/slow` (a handler that waits SLOW_PAGE_MS) over keep-alive connections, each
 * sending one request after another, so that each figure is the server's, not TCP
 * setup's. A thousand requests one at a time would take five minutes per variant, so
 * `connections` run side by side, their starts spread evenly over one handler time:
 * requests then arrive one every SLOW_PAGE_MS / connections ms and rarely meet, as they
 * would not on a quiet server either (the handler waits, it does not use the CPU).
 * Each connection's first request is a warm-up (it also fills the module's cache).
 */
export async function hintLatency(server: ServerProcess, settings: LatencySettings): Promise<HintLatency> {
  const url = `${server.baseUrl}${SLOW_PATH}`;
  const headers = { ...NAVIGATION_HEADERS };
  const timings: TimedResponse[] = [];
  let sent = 0;
  const connection = async (index: number): Promise<void> => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      await timedGet(url, headers, agent);
      await sleep((index * SLOW_PAGE_MS) / settings.connections);
      while (sent < settings.requests) {
        sent++;
        timings.push(await timedGet(url, headers, agent));
      }
    } finally {
      agent.destroy();
    }
  };
  await Promise.all(Array.from({ length: settings.connections }, (_, i) => connection(i)));
  const seen = timings.filter((t) => t.linksMs !== undefined);
  const links = seen.map((t) => t.linksMs!);
  const finals = timings.map((t) => t.finalMs);
  const via = new Map<string, number>();
  for (const t of seen) via.set(t.linksVia!, (via.get(t.linksVia!) ?? 0) + 1);
  return {
    variant: server.variant,
    requests: timings.length,
    connections: settings.connections,
    withLinks: seen.length,
    linksVia: [...via].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 'none',
    linksMinMs: links.length ? Math.min(...links) : Number.NaN,
    linksMedianMs: median(links),
    linksP99Ms: percentile(links, 99),
    linksP999Ms: percentile(links, 99.9),
    linksMaxMs: links.length ? Math.max(...links) : Number.NaN,
    finalMedianMs: median(finals),
    finalP99Ms: percentile(finals, 99),
  };
}
