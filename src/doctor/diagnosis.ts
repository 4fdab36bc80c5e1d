import type { Failure, Transport } from './observation.js';

/**
 * What the doctor concluded, as plain data: what `--json` prints (the README shows its
 * shape) and what report.format.ts writes for people.
 */

export type Severity = 'ok' | 'info' | 'warn' | 'error';

/** One thing the doctor noticed. `code` is stable (for `--json` readers); the message is for people. */
export interface Finding {
  readonly code: string;
  readonly severity: Severity;
  readonly message: string;
  /** The change that would fix it. */
  readonly fix?: string;
}

export type Strategy = 'flushHeaders' | 'earlyHints';

export interface Verdict {
  /** `ok`: hints go early and nothing is wasted; `fix`: something to change; `unchecked`: the page could not be checked. */
  readonly status: 'ok' | 'fix' | 'unchecked';
  /** 0, 1 or 2, for `ok`, `fix` and `unchecked`. */
  readonly exitCode: 0 | 1 | 2;
  /** The strategy that works on this path, when the doctor could tell. */
  readonly strategy?: Strategy;
  /** One sentence: what the doctor concluded. */
  readonly summary: string;
  /** The one change to make, when there is one. */
  readonly change?: string;
}

/** A request of the page, as reported. Times are milliseconds since the request was sent. */
export interface RequestReport {
  readonly role: 'warm' | 'h2' | 'http1';
  readonly protocol: string;
  readonly status?: number;
  /** The debug header (`x-http2-preload` unless `--debug-header` names another). */
  readonly mode?: string;
  readonly interim: { readonly status: number; readonly atMs: number; readonly links: string[] }[];
  readonly headersAtMs?: number;
  /** The preloads of the final response's `Link` header. */
  readonly links: string[];
  /** When the browser first had preload hints: a 103 with links, or the final headers with theirs. */
  readonly hintsAtMs?: number;
  readonly contentAtMs?: number;
  readonly endAtMs?: number;
  /**
   * How long before the page's content the browser had the hints (from `hintsAtMs`; from
   * the final headers when there were none): the time it could spend fetching them.
   */
  readonly headStartMs?: number;
  /** The body began with the module's flushed newline, alone. */
  readonly flushedNewline: boolean;
  readonly linkBytes: number;
  readonly headerBytes: number;
  readonly failure?: Failure;
}

export interface AssetReport {
  readonly url: string;
  readonly as?: string;
  readonly status?: number;
  readonly cacheControl?: string;
  readonly fresh?: boolean;
  readonly freshness?: string;
  readonly usedByPage: boolean;
  readonly failure?: Failure;
}

export interface Diagnosis {
  readonly url: string;
  /** The debug header the doctor read (`x-http2-preload` unless `--debug-header` named another). */
  readonly debugHeader: string;
  readonly transport?: Transport;
  readonly verdict: Verdict;
  readonly findings: Finding[];
  readonly requests: RequestReport[];
  readonly assets: AssetReport[];
}
