import autocannon from 'autocannon';
import type { ServerStats } from './ipc.js';
import { HTML_ROUTE, manyPathsPath } from './routes.js';
import type { ServerProcess } from './server-process.js';
import type { VariantName } from './variants.js';

export interface MemoryResult {
  readonly variant: VariantName;
  /** Distinct paths the generator produced (a few beyond `responses`: requests in flight at the end). */
  readonly distinctPaths: number;
  readonly responses: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly seconds: number;
  readonly before: ServerStats;
  readonly after: ServerStats;
}

export interface MemorySettings {
  readonly requests: number;
  readonly warmupRequests: number;
  readonly connections: number;
}

/**
 * Sends `requests` page requests, each to a path of its own, so that under
 * `cacheKey: 'path'` each one is a new cache key. The figures before are taken after a
 * warm-up on one path (so that lazily compiled code and pools are already there) and
 * both come from the server process itself.
 */
export async function memoryBound(server: ServerProcess, settings: MemorySettings): Promise<MemoryResult> {
  await autocannon({
    url: `${server.baseUrl}${HTML_ROUTE.path}`,
    headers: { ...HTML_ROUTE.headers },
    connections: settings.connections,
    amount: settings.warmupRequests,
  });
  const before = await server.stats();
  let nextId = 0;
  const started = Date.now();
  const result = await autocannon({
    url: server.baseUrl,
    headers: { ...HTML_ROUTE.headers },
    connections: settings.connections,
    amount: settings.requests,
    requests: [{ method: 'GET', setupRequest: (request) => ({ ...request, path: manyPathsPath(nextId++) }) }],
  });
  const seconds = (Date.now() - started) / 1000;
  const after = await server.stats();
  return {
    variant: server.variant,
    distinctPaths: nextId,
    responses: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    seconds,
    before,
    after,
  };
}
