import { Controller, Get, Render } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';

/** Stands in for a database query: the time a browser could spend fetching assets. */
export const SLOW_PAGE_DELAY_MS = 300;

@Controller('slow')
export class SlowController {
  @Get()
  @Render('slow')
  async slow() {
    await sleep(SLOW_PAGE_DELAY_MS);
    return { title: 'Slow page', waitedMs: SLOW_PAGE_DELAY_MS };
  }
}
