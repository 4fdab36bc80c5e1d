import { navigate } from './support/http.js';
import { startAppProcess, type AppProcess } from './support/instance.js';
import { followRecovery, isRecoveryPage } from './support/recovery.js';

/**
 * Two processes of the same app, as behind a load balancer: a page fails after a flush
 * on one, and the browser's retry lands on the other, whose route still flushes (it has
 * not seen the failure). The retry must be answered late there, or the two would loop.
 */
describe('two app processes behind one address', () => {
  let first: AppProcess;
  let second: AppProcess;
  let starting: Promise<AppProcess>[] = [];
  beforeAll(async () => {
    starting = [startAppProcess(), startAppProcess()];
    [first, second] = await Promise.all(starting);
  });
  afterAll(async () => {
    // Each process that started, even one whose start outlived a timed-out beforeAll.
    const started = await Promise.allSettled(starting);
    await Promise.all(started.map((start) => (start.status === 'fulfilled' ? start.value.stop() : undefined)));
  });

  it('answers the retry late on the instance that has not seen the failure: no loop', async () => {
    for (const instance of [first, second]) {
      expect((await navigate(`${instance.baseUrl}/users/1`)).headers['x-http2-preload']).toBe('late');
      expect((await navigate(`${instance.baseUrl}/users/2`)).headers['x-http2-preload']).toBe('early');
    }
    const flushed = await navigate(`${first.baseUrl}/users/404`);
    expect(flushed.headers['x-http2-preload']).toBe('early');
    expect(isRecoveryPage(flushed.body)).toBe(true);
    await first.logged('GET /users/:id answered 404');

    for (const scripting of [true, false]) {
      const retry = await followRecovery(`${second.baseUrl}/users/404`, flushed, scripting);
      expect(retry.statusCode).toBe(404);
      expect(isRecoveryPage(retry.body)).toBe(false);
      expect(retry.body).toContain('Not Found');
    }
    // The second instance still flushes the route for everyone else.
    expect((await navigate(`${second.baseUrl}/users/2`)).headers['x-http2-preload']).toBe('early');
    expect(second.output()).not.toContain('answered 404');
  });
});
