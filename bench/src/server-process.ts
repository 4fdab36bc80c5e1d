import { fork, type ChildProcess } from 'node:child_process';
import { pinServer } from './cpu-pinning.js';
import type { FloorLinks } from './floors.js';
import type { ChildMessage, ServerStats } from './ipc.js';
import type { VariantName } from './variants.js';

const CHILD_SCRIPT = new URL('./variant-app.js', import.meta.url);
const START_TIMEOUT_MS = 30_000;

/** A variant's server, running in a child process of its own. */
export interface ServerProcess {
  readonly variant: VariantName;
  /** `http://127.0.0.1:<port>` */
  readonly baseUrl: string;
  readonly pid: number;
  /** Memory figures and cache size, measured by the server itself. */
  stats(): Promise<ServerStats>;
  /** CPU time the server has used so far (µs): unlike requests/s, barely moved by other processes. */
  cpuMicros(): Promise<number>;
  stop(): Promise<void>;
}

/** Every child started and not yet stopped, so that an exit handler can still kill them. */
const running = new Set<ChildProcess>();

/** Kills whatever children are left; safe to call from an 'exit' handler (synchronous). */
export function killAllServers(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

function nextMessage<T extends ChildMessage['type']>(child: ChildProcess, type: T, timeoutMs: number) {
  return new Promise<Extract<ChildMessage, { type: T }>>((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`no "${type}" message within ${timeoutMs} ms`)), timeoutMs);
    const onMessage = (message: ChildMessage) => {
      if (message.type === type) done(undefined, message as Extract<ChildMessage, { type: T }>);
      else if (message.type === 'failed') done(new Error(message.error));
    };
    const onExit = (code: number | null, signal: string | null) =>
      done(new Error(`exited (${signal ?? code}) before "${type}"`));
    function done(error?: Error, message?: Extract<ChildMessage, { type: T }>) {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve(message!);
    }
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

/**
 * Forks `variant-app.js <variant>` and waits until it listens. `--expose-gc` lets it report
 * heap after a collection; extra node flags (such as --cpu-prof) come from BENCH_NODE_FLAGS.
 */
export async function startServer(variant: VariantName, floorLinks?: FloorLinks): Promise<ServerProcess> {
  const extraFlags = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);
  const args = floorLinks ? [variant, JSON.stringify(floorLinks)] : [variant];
  const child = fork(CHILD_SCRIPT, args, { execArgv: ['--expose-gc', ...extraFlags], stdio: 'inherit' });
  running.add(child);
  child.on('exit', () => running.delete(child));
  if (child.pid !== undefined) pinServer(child.pid);
  let port: number;
  try {
    ({ port } = await nextMessage(child, 'ready', START_TIMEOUT_MS));
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`Server "${variant}" did not start: ${(error as Error).message}`, { cause: error });
  }
  return {
    variant,
    baseUrl: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    async stats() {
      const reply = nextMessage(child, 'stats', 10_000);
      child.send({ type: 'stats' });
      return (await reply).stats;
    },
    async cpuMicros() {
      const reply = nextMessage(child, 'cpu', 10_000);
      child.send({ type: 'cpu' });
      return (await reply).micros;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        // SIGTERM lets a --cpu-prof child write its profile; SIGKILL if it hangs.
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}
