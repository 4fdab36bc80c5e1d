import { Controller, Get, Render } from '@nestjs/common';
import { PreloadCollector } from 'nestjs-http2-preload';
import { setTimeout as sleep } from 'node:timers/promises';

/** The hint-latency page's handler time, standing in for a database query. */
export const SLOW_PAGE_MS = 300;

/** What every variant renders: a page of some size, so rendering costs what a real one does. */
const PAGE = Object.freeze({
  title: 'Catalogue',
  intro: 'Twenty items, a layout with two stylesheets, a font, three scripts and two images.',
  items: Array.from({ length: 20 }, (_, i) => ({
    id: i + 1,
    name: `Item ${i + 1}`,
    description: `A short description of item ${i + 1}, long enough to look like real copy on a real page.`,
  })),
});

/** The page of the throughput section, in a singleton controller. */
@Controller()
export class PageController {
  @Get('page')
  @Render('page')
  page() {
    return PAGE;
  }
}

/**
 * The same page from a controller that injects `PreloadCollector`: Nest then builds the
 * controller for every request, which is the cost this variant shows. It records the
 * hero image the template records too, so the Link header stays the same.
 */
@Controller()
export class ScopedPageController {
  constructor(private readonly preload: PreloadCollector) {}

  @Get('page')
  @Render('page')
  page() {
    this.preload.add('/static/img/hero.webp');
    return PAGE;
  }
}

/** The hint-latency page and the memory section's many paths. */
@Controller()
export class OtherPagesController {
  @Get('slow')
  @Render('page')
  async slow() {
    await sleep(SLOW_PAGE_MS);
    return PAGE;
  }

  /** Under `cacheKey: 'path'` every id is a cache key of its own. */
  @Get('m/:id')
  @Render('page')
  manyPaths() {
    return PAGE;
  }
}

/** The small JSON route, which the module must leave alone at no cost. */
@Controller('api')
export class StatusController {
  @Get('status')
  status() {
    return { status: 'ok', items: 20 };
  }
}
