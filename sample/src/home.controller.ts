import { Controller, Get, Render } from '@nestjs/common';
import { HeroService } from './hero.service.js';
import { SLOW_PAGE_DELAY_MS } from './slow.controller.js';

@Controller()
export class HomeController {
  // Injecting a request-scoped service makes this controller request-scoped too;
  // the other controllers stay singletons.
  constructor(private readonly hero: HeroService) {}

  @Get()
  @Render('index')
  home() {
    return { title: 'Home', heroUrl: this.hero.heroImageUrl(), slowMs: SLOW_PAGE_DELAY_MS };
  }
}
