/** `node bench/dist/render.js`: rewrites bench/RESULTS.md from bench/results.json, after editing bench/NOTES.md. */
import { readFileSync, writeFileSync } from 'node:fs';
import { renderResults, type BenchResults } from './report.js';

const results = JSON.parse(readFileSync(new URL('../results.json', import.meta.url), 'utf8')) as BenchResults;
writeFileSync(new URL('../RESULTS.md', import.meta.url), renderResults(results));
