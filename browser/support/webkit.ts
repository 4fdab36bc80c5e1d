import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './free-port.js';
import { readPage, type PageLoad } from './page-load.js';

/** Debian's webkit2gtk-driver: WebKitGTK's W3C WebDriver, which starts its MiniBrowser. */
export const WEBKIT_DRIVER = 'WebKitWebDriver';

/**
 * WebKitGTK (Safari's engine) driven by plain W3C WebDriver calls: `WebKitWebDriver` under
 * `xvfb-run -a` (MiniBrowser needs an X display). Every visit is a new session, that is a
 * new MiniBrowser in automation mode, whose network session is ephemeral: empty cache, new
 * connections, as a new visitor. `acceptInsecureCerts` lets it take the proxies' test
 * certificates.
 */
export interface WebKit {
  /** WebKitGTK's version, as the session reports it. */
  readonly version: string;
  /** Opens a session (a fresh MiniBrowser); end it with `close()`. */
  session(options?: SessionOptions): Promise<WebKitSession>;
  /** Stops the driver, its browsers and the X server, by the process group the test started. */
  close(): Promise<void>;
}

export interface SessionOptions {
  /** How long a navigation may take before it fails (WebDriver's page load timeout). */
  readonly pageLoadMs?: number;
  /**
   * WebDriver's page load strategy: `normal` (navigate() returns once the page has loaded)
   * or `none` (it returns once the navigation has started, so the page can be asked about
   * while it is still loading).
   * @default 'normal'
   */
  readonly pageLoadStrategy?: 'normal' | 'none';
}

export interface WebKitSession {
  /**
   * Navigates and resolves when the page has loaded (WebDriver's "normal" page load
   * strategy), or rejects with WebDriver's error (a page that never loads, a network error).
   */
  navigate(url: string): Promise<void>;
  /** Runs a function in the page and returns its (JSON) result; an async function is awaited. */
  run<T>(fn: () => T | Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** What a WebKit load gives: the page's own view (no response headers: WebDriver cannot read them). */
export type WebKitLoad = Omit<PageLoad, 'status' | 'mode' | 'link' | 'console'>;

export async function launchWebKit(): Promise<WebKit> {
  const port = await freePort();
  // detached: its own process group (xvfb-run, Xvfb, the driver, each MiniBrowser and its
  // WebKit processes), so that close() stops all of it and nothing else.
  const child = spawn('xvfb-run', ['-a', WEBKIT_DRIVER, `--port=${port}`, '--host=local'], {
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => (log = (log + chunk.toString()).slice(-4000)));
  const base = `http://127.0.0.1:${port}`;
  const close = () => stopGroup(child);
  try {
    await untilReady(base, child, () => log);
    const probe = await openSession(base, {});
    const version = probe.version;
    await probe.close();
    return { version, session: async (options = {}) => (await openSession(base, options)).session, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Loads a page in a new session (a new visitor), then reads it as readPage() does for Chromium and Firefox. */
export async function loadPageInWebKit(
  webkit: WebKit,
  url: string,
  options: SessionOptions & { whileLoading?: () => Promise<void> } = {},
): Promise<WebKitLoad> {
  const session = await webkit.session(options);
  try {
    const loaded = session.navigate(url);
    // The caller's gate: held until it returns, while the page is still loading.
    if (options.whileLoading) {
      const waited = options.whileLoading();
      // A navigation that fails first must not leave the caller's wait unobserved.
      await Promise.race([waited, loaded.then(() => waited)]);
    }
    await loaded;
    // A network or protocol failure ends on WebKit's own error page (about:blank, its text
    // says why, no navigation entry): a failed load, not a page to read.
    const error = await session.run(() =>
      performance.getEntriesByType('navigation').length === 0 ? (document.body?.innerText.trim() ?? '') : null,
    );
    if (typeof error === 'string') throw new Error(`WebKit's error page: ${error}`);
    return await session.run(readPage);
  } finally {
    await session.close();
  }
}

interface OpenedSession {
  readonly version: string;
  readonly session: WebKitSession;
  close(): Promise<void>;
}

async function openSession(base: string, options: SessionOptions): Promise<OpenedSession> {
  const created = (await command(base, 'POST', '/session', {
    capabilities: {
      alwaysMatch: {
        acceptInsecureCerts: true,
        pageLoadStrategy: options.pageLoadStrategy ?? 'normal',
        'webkitgtk:browserOptions': { args: ['--automation'] },
      },
    },
  })) as { sessionId: string; capabilities: { browserVersion: string } };
  const path = `/session/${created.sessionId}`;
  const close = async () => void (await command(base, 'DELETE', path, undefined, SESSION_CLOSE_MS));
  const pageLoadMs = options.pageLoadMs ?? 45_000;
  // A page that never loads fails the visit, not the suite's timeout.
  await command(base, 'POST', `${path}/timeouts`, { pageLoad: pageLoadMs, script: SCRIPT_MS });
  const session: WebKitSession = {
    // The driver does not always keep its own page load timeout (a 103 directly over
    // HTTP/1.1 held the command until Node's fetch gave up, after 300 s): bound it here too.
    navigate: async (url) => void (await command(base, 'POST', `${path}/url`, { url }, pageLoadMs + 10_000)),
    run: async <T>(fn: () => T | Promise<T>) =>
      await command(
        base,
        'POST',
        `${path}/execute/async`,
        {
          script: `const done = arguments[arguments.length - 1];
Promise.resolve().then(${fn.toString()}).then((value) => done({ value }), (error) => done({ error: String(error) }));`,
          args: [],
        },
        SCRIPT_MS + 10_000,
      ).then((result) => {
        const { value, error } = (result ?? {}) as { value?: T; error?: string };
        if (error !== undefined) throw new Error(`In the page: ${error}`);
        return value as T;
      }),
    close,
  };
  return { version: created.capabilities.browserVersion, session, close };
}

/** WebDriver's script timeout: a function run in the page that has not answered by then fails. */
const SCRIPT_MS = 15_000;
/** A session's end: its MiniBrowser closes in well under a second; one that does not is stopped with the driver. */
const SESSION_CLOSE_MS = 15_000;
/** Any other command, a new session (a MiniBrowser starting) the slowest of them. */
const COMMAND_MS = 60_000;

/**
 * One WebDriver command; WebDriver's errors come back as `{ value: { error, message } }`.
 * Every command is bounded (`limitMs`): a stuck MiniBrowser can hold the driver's answer
 * until Node's fetch gives up (300 s), and a caller must see a failure it can report, not a hang.
 */
async function command(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  limitMs = COMMAND_MS,
): Promise<unknown> {
  const response = await fetch(base + path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(limitMs),
  });
  const { value } = (await response.json()) as { value: unknown };
  if (!response.ok) {
    const { error, message } = value as { error: string; message: string };
    throw new Error(`WebDriver ${method} ${path}: ${error}: ${message}`);
  }
  return value;
}

async function untilReady(base: string, child: ChildProcess, log: () => string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (child.exitCode !== null) throw new Error(`${WEBKIT_DRIVER} exited (${child.exitCode}):\n${log()}`);
    try {
      const { ready } = (await command(base, 'GET', '/status', undefined, 2000)) as { ready: boolean };
      if (ready) return;
    } catch {
      // Not listening yet.
    }
    await sleep(100);
  }
  throw new Error(`${WEBKIT_DRIVER} did not answer on ${base}:\n${log()}`);
}

/** SIGTERM to the group the child leads, SIGKILL after 5 s; resolves once the child has exited. */
async function stopGroup(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, name);
    } catch {
      // The group is gone already.
    }
  };
  signal('SIGTERM');
  const timer = setTimeout(() => signal('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
  // What outlived xvfb-run in its group (a MiniBrowser that ignored SIGTERM).
  signal('SIGKILL');
}
