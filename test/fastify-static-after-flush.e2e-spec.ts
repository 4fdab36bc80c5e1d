import { fileURLToPath } from 'node:url';
import { navigate, stagedNavigation } from './support/http.js';
import { startAppProcess, type AppProcess } from './support/instance.js';
import { isRecoveryPage } from './support/recovery.js';

const FLUSH_APP = fileURLToPath(new URL('./fixtures/flush-app/app.mjs', import.meta.url));
const SCRIPT = '<script>alert(1)</script>';

/**
 * @fastify/static's `reply.download()` and `reply.sendFile()` after a flush, in an app of
 * its own (test/fixtures/flush-app): @fastify/static requires an ES module, which Jest's
 * require() refuses. The other ways a Fastify reply carries a body: fastify-after-flush.e2e-spec.ts.
 */
describe("on Fastify, @fastify/static's files after a flush", () => {
  let app: AppProcess;
  beforeEach(async () => {
    app = await startAppProcess({ script: FLUSH_APP, env: { PLATFORM: 'fastify' } });
  });
  afterEach(async () => {
    app.tell('open');
    await app.stop();
  });

  it.each(['download', 'sendFile'])(
    'reply.%s() of an uploaded text file: the client gets the retry page, never the file',
    async (send) => {
      const url = `${app.baseUrl}/upload`;
      expect((await navigate(url)).headers['x-http2-preload']).toBe('late');
      const staged = stagedNavigation(`${url}?send=${send}&hold=1`);
      const head = await staged.head;
      expect(head.statusCode).toBe(200);
      expect(head.headers['x-http2-preload']).toBe('early');
      app.tell('open');
      const flushed = await staged.end;
      expect(flushed.complete).toBe(true);
      expect(flushed.body).not.toContain(SCRIPT);
      expect(isRecoveryPage(flushed.body)).toBe(true);

      const retry = await navigate(`${url}?send=${send}`, { cookie: 'http2-preload=late' });
      expect(retry.statusCode).toBe(200);
      expect(retry.headers['content-type']).toMatch(/^text\/plain/);
      expect(retry.body).toContain(SCRIPT);

      await app.logged('GET /upload');
      expect(app.output().match(/after its headers had been flushed/g)).toHaveLength(1);
      // One failure among clean pages is a small share of the route's requests: it still flushes (flush-backoff.ts).
      expect(app.output()).toContain('It is still flushed');
      const next = await navigate(url);
      expect(next.headers['x-http2-preload']).toBe('early');
      expect(isRecoveryPage(next.body)).toBe(false);
    },
  );
});
