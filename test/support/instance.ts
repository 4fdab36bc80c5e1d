import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const INSTANCE_APP = fileURLToPath(new URL('../fixtures/instance/app.mjs', import.meta.url));
/** Under `npm run test:nest11`, makes a child's `@nestjs/*` and rxjs imports resolve to Nest 11 too. */
const NEST_MAJOR_HOOK = new URL('../fixtures/nest-major/register.mjs', import.meta.url).href;

export interface AppProcessOptions {
  /** The app to run (default: the instance fixture). */
  readonly script?: string;
  /** Added to the process's environment. */
  readonly env?: Readonly<Record<string, string>>;
}

export interface AppProcess {
  readonly baseUrl: string;
  /** Everything the process logged (Nest writes warnings to stdout, errors to stderr). */
  readonly output: () => string;
  /** Resolves once the process has logged this text (its pipe may deliver it after the response). */
  logged(text: string): Promise<void>;
  /** Writes one line to the process's stdin. */
  tell(line: string): void;
  /** Sends a signal to the process (by its PID). */
  signal(signal: NodeJS.Signals): void;
  /** How the process ended. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(): Promise<void>;
}

/** Starts the fixture app in a process of its own (it runs on the built package, `npm run build`) and waits for its port. */
export async function startAppProcess(options: AppProcessOptions = {}): Promise<AppProcess> {
  const child: ChildProcess = spawn(process.execPath, ['--import', NEST_MAJOR_HOOK, options.script ?? INSTANCE_APP], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, ...options.env },
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
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
    tell: (line) => void child.stdin?.write(`${line}\n`),
    signal: (signal) => process.kill(child.pid as number, signal),
    exited,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      process.kill(child.pid as number, 'SIGTERM');
      await exited;
    },
  };
}
