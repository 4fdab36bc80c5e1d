/**
 * On a machine with two or more cores, the load generator (this process) runs on the
 * first core and every server on the others (Linux `taskset`). Sharing one core with the
 * load generator is what made a server's CPU per response swing by a third between
 * rounds; apart, each server's figure is its own work. `BENCH_PIN=0` turns it off; where
 * `taskset` is missing or fails, nothing is pinned and the report says so.
 */
import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

export interface Pinning {
  readonly loadGenerator: string;
  readonly servers: string;
}

let decided: Pinning | undefined | null = null;

function taskset(cpus: string, pid: number): boolean {
  try {
    // -a: every thread of the process (V8's and libuv's too), not only the main one.
    execFileSync('taskset', ['-a', '-p', '-c', cpus, String(pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Pins this process once, on first use; undefined when nothing is pinned. */
export function pinning(): Pinning | undefined {
  if (decided !== null) return decided;
  const cores = availableParallelism();
  const wanted = process.env.BENCH_PIN !== '0' && process.platform === 'linux' && cores >= 2;
  const servers = cores === 2 ? '1' : `1-${cores - 1}`;
  decided = wanted && taskset('0', process.pid) ? { loadGenerator: '0', servers } : undefined;
  return decided;
}

/** Moves a server's process onto the servers' cores, when pinning is on. */
export function pinServer(pid: number): void {
  const pinned = pinning();
  if (pinned) taskset(pinned.servers, pid);
}
