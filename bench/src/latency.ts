import { Agent } from 'node:http';
import { timedGet, type TimedResponse } from './http-client.js';
import { NAVIGATION_HEADERS, SLOW_PATH } from './routes.js';
import type { ServerProcess } from './server-process.js';
import { median, percentile } from './stats.js';
import type { VariantName } from './variants.js';

export interface HintLatency {
  readonly variant: VariantName;
  readonly requests: number;
  /** Requests whose links became visible at all. */
  readonly withLinks: number;
  /** Where the links showed first (the most common answer). */
  readonly linksVia: string;
  /** Earliest links of all requests: for late modes, at least the handler's time. */
  readonly linksMinMs: number;
  readonly linksMedianMs: number;
  readonly linksP99Ms: number;
  readonly finalMedianMs: number;
  readonly finalP99Ms: number;
}

/**
 * Times `/slow` (a handler that waits SLOW_PAGE_MS) one request after another on one
 * keep-alive connection, so that each figure is the server's, not TCP setup's or the
 * other requests'. The first request is a warm-up that fills the module's cache.
 */
export async function hintLatency(server: ServerProcess, requests: number): Promise<HintLatency> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const url = `${server.baseUrl}${SLOW_PATH}`;
  const headers = { ...NAVIGATION_HEADERS };
  try {
    await timedGet(url, headers, agent);
    const timings: TimedResponse[] = [];
    for (let i = 0; i < requests; i++) timings.push(await timedGet(url, headers, agent));
    const seen = timings.filter((t) => t.linksMs !== undefined);
    const links = seen.map((t) => t.linksMs!);
    const finals = timings.map((t) => t.finalMs);
    const via = new Map<string, number>();
    for (const t of seen) via.set(t.linksVia!, (via.get(t.linksVia!) ?? 0) + 1);
    return {
      variant: server.variant,
      requests,
      withLinks: seen.length,
      linksVia: [...via].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 'none',
      linksMinMs: Math.min(...links),
      linksMedianMs: median(links),
      linksP99Ms: percentile(links, 99),
      finalMedianMs: median(finals),
      finalP99Ms: percentile(finals, 99),
    };
  } finally {
    agent.destroy();
  }
}
