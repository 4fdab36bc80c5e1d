// @ts-check
import { relative } from 'node:path';

/**
 * A Jest reporter beside the default one: when no test file has finished for a few
 * seconds, it says which files are running, for how long, and how many of their tests
 * are done. Jest's default reporter prints a file only once all of it has run, so a long
 * file (or two at once) would leave a log without a line for a minute; in a terminal the
 * default reporter's live status already shows this, so the reporter prints only when
 * stderr is not one (CI, a pipe, a file).
 */

/** How long the log may stay quiet before the reporter prints a line. */
const QUIET_MS = 3_000;

export default class ProgressReporter {
  /** @type {Map<string, { started: number; done: number }>} */
  #running = new Map();
  #lastLine = Date.now();
  /** @type {NodeJS.Timeout | undefined} */
  #timer;
  #rootDir;
  #workers;

  /** @param {{ rootDir: string; maxWorkers: number }} globalConfig */
  constructor(globalConfig) {
    this.#rootDir = globalConfig.rootDir;
    this.#workers = globalConfig.maxWorkers;
  }

  /** @param {{ numTotalTestSuites: number }} results */
  onRunStart(results) {
    this.#lastLine = Date.now();
    if (process.stderr.isTTY) return;
    const files = results.numTotalTestSuites;
    process.stderr.write(`  … ${files} test ${files === 1 ? 'file' : 'files'}, up to ${this.#workers} at a time\n`);
    this.#timer = setInterval(() => this.#tick(), 500);
    this.#timer.unref();
  }

  /** @param {{ path: string }} test */
  onTestFileStart(test) {
    this.#running.set(test.path, { started: Date.now(), done: 0 });
  }

  /** @param {{ path: string }} test */
  onTestCaseResult(test) {
    const file = this.#running.get(test.path);
    if (file) file.done += 1;
  }

  /** @param {{ path: string }} test */
  onTestFileResult(test) {
    this.#running.delete(test.path);
    this.#lastLine = Date.now();
  }

  onRunComplete() {
    clearInterval(this.#timer);
  }

  #tick() {
    const now = Date.now();
    if (now - this.#lastLine < QUIET_MS || this.#running.size === 0) return;
    this.#lastLine = now;
    const files = [...this.#running].map(([path, { started, done }]) => {
      return `${relative(this.#rootDir, path)} (${Math.round((now - started) / 1000)} s, ${done} ${done === 1 ? 'test' : 'tests'} done)`;
    });
    process.stderr.write(`  … still running: ${files.join(', ')}\n`);
  }
}
