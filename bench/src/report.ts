import type { VariantCheck } from './checks.js';
import type { Environment } from './environment.js';
import type { HintLatency } from './latency.js';
import type { MemoryResult } from './memory.js';
import type { VariantThroughput } from './throughput.js';

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

export function renderResults(results: BenchResults): string {
  return JSON.stringify(results, null, 2);
}
