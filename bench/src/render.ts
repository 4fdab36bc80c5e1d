/** `node bench/dist/render.js`: rewrites bench/RESULTS.md from bench/results.json, after editing bench/NOTES.md. */
import { readFileSync, writeFileSync } from 'node:fs';
import { renderResults, type BenchResults } from './report.js';

// A results.json from before the floors and targets has none of those fields.
const results: BenchResults = {
  quick: false,
  selfCheck: {},
  targets: [],
  ...(JSON.parse(readFileSync(new URL('../results.json', import.meta.url), 'utf8')) as Partial<BenchResults>),
} as BenchResults;
writeFileSync(new URL('../RESULTS.md', import.meta.url), renderResults(results));
