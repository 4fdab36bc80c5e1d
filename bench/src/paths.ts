import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The bench folder, found by walking up: compiled code sits in bench/dist/bench/src/
 * (the output keeps the repository's layout, because the bench also compiles the shared
 * HTTP client in test/support/).
 */
export const BENCH_DIR = findBenchDir(dirname(fileURLToPath(import.meta.url)));

function findBenchDir(from: string): string {
  for (let dir = from; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'NOTES.md')) && existsSync(join(dir, 'views'))) return dir;
  }
  throw new Error(`No bench folder (with NOTES.md and views/) above ${from}`);
}

/** A file or folder in bench/. */
export const benchPath = (...parts: string[]): string => join(BENCH_DIR, ...parts);
