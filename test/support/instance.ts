import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const INSTANCE_APP = fileURLToPath(new URL('../fixtures/instance/app.mjs', import.meta.url));

export interface AppProcess {
  readonly baseUrl: string;
  /** Everything the process logged (Nest writes warnings to stdout, errors to stderr). */
  readonly output: () => string;
  /** Resolves once the process has logged this text (its pipe may deliver it after the response). */
  logged(text: string): Promise<void>;
  stop(): Promise<void>;
}

/** Starts the fixture app in a process of its own (it runs on the built package, `npm run build`) and waits for its port. */
export async function startAppProcess(): Promise<AppProcess> {
  const child: ChildProcess = spawn(process.execPath, [INSTANCE_APP], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const waiting: { text: string; resolve: () => void }[] = [];
  const append = (chunk: Buffer) => {
    output += chunk.toString();
    for (const waiter of [...waiting]) {
      if (output.includes(waiter.text)) {
        waiting.splice(waiting.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  };
  child.stderr?.on('data', append);
  child.stdout?.on('data', append);
  const port = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', () => {
      const line = /^(\d+)\n/m.exec(output);
      if (line) resolve(line[1]);
    });
    child.once('exit', (code) => reject(new Error(`instance exited (${code}) before listening: ${output}`)));
  });
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    output: () => output,
    logged: (text) =>
      output.includes(text) ? Promise.resolve() : new Promise((resolve) => waiting.push({ text, resolve })),
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      process.kill(child.pid as number, 'SIGTERM');
      await exited;
    },
  };
}
