import { Controller, Get, Render } from '@nestjs/common';
import { Preload, Shell } from 'nestjs-http2-preload';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Stands in for a database query: the time a browser could spend fetching assets. 300 ms;
 * `SLOW_PAGE_DELAY_MS` in the environment changes it (`npm run matrix` measures with 1500).
 */
export const SLOW_PAGE_DELAY_MS = Number(process.env.SLOW_PAGE_DELAY_MS ?? 300);

@Controller()
export class SlowController {
  /** The module's default strategy: from the second request on, a 200 with the links is flushed at once. */
  @Get('slow')
  @Render('slow')
  async slow() {
    await sleep(SLOW_PAGE_DELAY_MS);
    return { title: 'Slow page', waitedMs: SLOW_PAGE_DELAY_MS, strategy: 'flushed headers' };
  }

  /** The same page with a 103 Early Hints response instead, for proxies that relay it. */
  @Preload({ strategy: 'earlyHints' })
  @Get('slow-103')
  @Render('slow')
  async slowWithEarlyHints() {
    await sleep(SLOW_PAGE_DELAY_MS);
    return { title: 'Slow page, 103 Early Hints', waitedMs: SLOW_PAGE_DELAY_MS, strategy: '103 Early Hints' };
  }

  /**
   * The same page with its shell streamed: from the second request on, the layout's head
   * and header go out with the flushed headers, so the browser paints them during the wait.
   */
  @Shell({ title: 'Slow page, shell first' })
  @Get('shell')
  @Render('slow')
  async shell() {
    await sleep(SLOW_PAGE_DELAY_MS);
    return {
      title: 'Slow page, shell first',
      waitedMs: SLOW_PAGE_DELAY_MS,
      strategy: 'flushed headers with the page shell',
    };
  }
}
