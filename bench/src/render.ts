/** `node bench/dist/bench/src/render.js`: rewrites bench/RESULTS.md from bench/results.json, after editing bench/NOTES.md. */
import { readFileSync, writeFileSync } from 'node:fs';
import { benchPath } from './paths.js';
import { renderResults, type BenchResults } from './report.js';

// A results.json from before the floors and targets has none of those fields.
const results: BenchResults = {
  quick: false,
  selfCheck: {},
  targets: [],
  ...(JSON.parse(readFileSync(benchPath('results.json'), 'utf8')) as Partial<BenchResults>),
} as BenchResults;
writeFileSync(benchPath('RESULTS.md'), renderResults(results));
