import { fileURLToPath } from 'node:url';
import { navigate, stagedNavigation } from './support/http.js';
import { startAppProcess, type AppProcess } from './support/instance.js';

const FLUSH_APP = fileURLToPath(new URL('./fixtures/flush-app/app.mjs', import.meta.url));

/**
 * A SIGTERM (a deploy, a scale-down) while a flushed page is still being made: the
 * client already has a 200 and the whitespace that starts its body. With Nest's shutdown hooks the server stops
 * taking connections and lets the page finish; without them Node's default for the
 * signal ends the process at once, and the browser keeps the blank page it got.
 */
describe('a SIGTERM during a flushed page', () => {
  let child: AppProcess | undefined;
  afterEach(async () => {
    child?.tell('drained');
    child?.tell('open');
    await child?.stop();
    child = undefined;
  });

  /** Starts the app, warms /page, and holds a flushed request of it in its handler. */
  async function flushedAndHeld(env: Record<string, string>) {
    child = await startAppProcess({ script: FLUSH_APP, env });
    const url = `${child.baseUrl}/page`;
    expect((await navigate(url)).headers['x-http2-preload']).toBe('late');
    const staged = stagedNavigation(`${url}?hold=1`);
    const head = await staged.head;
    expect(head.statusCode).toBe(200);
    expect(head.headers['x-http2-preload']).toBe('early');
    // Whitespace the browser's HTML parser skips (a newline today).
    expect(await staged.firstChunk).toMatch(/^\s+$/);
    return { app: child, staged };
  }

  it.each(['express', 'fastify'])(
    'with enableShutdownHooks() on %s, the page completes, then the process exits',
    async (platform) => {
      const { app, staged } = await flushedAndHeld({ PLATFORM: platform, SHUTDOWN_HOOKS: '1' });
      app.signal('SIGTERM');
      await app.logged('server closing');
      expect(app.output()).toContain('shutting down');
      app.tell('open');
      const end = await staged.end;
      expect(end.complete).toBe(true);
      expect(end.body).toContain('<h1>Held page</h1>');
      expect(end.body.trimEnd().endsWith('</html>')).toBe(true);
      expect(await app.exited).toEqual({ code: null, signal: 'SIGTERM' });
    },
  );

  it('while the app drains before closing, new pages go late: a forced end would leave no blank page', async () => {
    child = await startAppProcess({ script: FLUSH_APP, env: { SHUTDOWN_HOOKS: '1', DRAIN: '1' } });
    const url = `${child.baseUrl}/page`;
    expect((await navigate(url)).headers['x-http2-preload']).toBe('late');
    expect((await navigate(url)).headers['x-http2-preload']).toBe('early');
    child.signal('SIGTERM');
    await child.logged('shutting down');
    const draining = await navigate(url);
    expect(draining.statusCode).toBe(200);
    expect(draining.headers['x-http2-preload']).toBe('late');
    expect(draining.body).toContain('<h1>Held page</h1>');
    child.tell('drained');
    expect(await child.exited).toEqual({ code: null, signal: 'SIGTERM' });
  });

  it('without the hooks, the process ends at once and the client keeps a cut 200 with a blank body', async () => {
    const { app, staged } = await flushedAndHeld({ PLATFORM: 'express' });
    app.signal('SIGTERM');
    expect(await app.exited).toEqual({ code: null, signal: 'SIGTERM' });
    const end = await staged.end;
    expect(end.complete).toBe(false);
    expect(end.body.trim()).toBe('');
    expect(app.output()).not.toContain('shutting down');
  });
});
