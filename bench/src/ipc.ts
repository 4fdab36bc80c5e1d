/** Messages between the orchestrator and a server child, over the fork() IPC channel. */

/** What the server reports about itself, measured inside its own process. */
export interface ServerStats {
  /** RSS as it is, before any GC. */
  readonly rss: number;
  /** RSS and heap just after `global.gc()`, when the child runs with --expose-gc. */
  readonly rssAfterGc?: number;
  readonly heapUsedAfterGc?: number;
  /** Keys in the module's hint cache; undefined for apps without the module. */
  readonly cacheEntries?: number;
}

export type ChildMessage =
  | { type: 'ready'; port: number }
  | { type: 'stats'; stats: ServerStats }
  /** CPU time (user + system) the server process has used so far, in microseconds. */
  | { type: 'cpu'; micros: number }
  | { type: 'failed'; error: string };

export type ParentMessage = { type: 'stats' } | { type: 'cpu' };
