import { Controller, Get, Injectable, Module, Render } from '@nestjs/common';
import { ContextIdFactory } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { Http2PreloadModule, PreloadCollector } from '../src/index.js';

// What a user's unit test does: resolve a request-scoped provider with no HTTP request at all.
@Injectable()
class HeroService {
  constructor(readonly preload: PreloadCollector) {}

  heroUrl(): string {
    this.preload.add('/static/img/hero.webp', { fetchpriority: 'high' });
    return '/static/img/hero.webp';
  }
}

@Controller()
class AppController {
  constructor(readonly hero: HeroService) {}

  @Get()
  @Render('page')
  page() {
    return { hero: this.hero.heroUrl() };
  }
}

@Module({
  imports: [Http2PreloadModule.forRoot()],
  controllers: [AppController],
  providers: [HeroService],
})
class AppModule {}

describe('request-scoped providers outside a request', () => {
  it('moduleRef.resolve() of a controller whose service injects PreloadCollector gets a working, detached collector', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    try {
      const controller = await moduleRef.resolve(AppController);
      expect(controller.page()).toEqual({ hero: '/static/img/hero.webp' });
      expect(controller.hero.preload).toBeInstanceOf(PreloadCollector);
      expect(controller.hero.preload.entries()).toEqual([
        { url: '/static/img/hero.webp', as: 'image', fetchpriority: 'high' },
      ]);
    } finally {
      await moduleRef.close();
    }
  });

  it('gives each resolution context its own collector, and one per context', async () => {
    const moduleRef = await Test.createTestingModule({
      providers: [HeroService],
      imports: [Http2PreloadModule.forRoot()],
    }).compile();
    try {
      const contextId = ContextIdFactory.create();
      const first = await moduleRef.resolve(HeroService, contextId);
      const again = await moduleRef.resolve(PreloadCollector, contextId);
      const other = await moduleRef.resolve(HeroService);
      expect(again).toBe(first.preload);
      expect(other.preload).not.toBe(first.preload);
      first.heroUrl();
      expect(other.preload.size).toBe(0);
    } finally {
      await moduleRef.close();
    }
  });

  it('lets a test provide its own collector in place of the module', async () => {
    const collector = new PreloadCollector();
    const moduleRef = await Test.createTestingModule({
      providers: [HeroService, { provide: PreloadCollector, useValue: collector }],
    }).compile();
    try {
      moduleRef.get(HeroService).heroUrl();
      expect(collector.entries().map((hint) => hint.url)).toEqual(['/static/img/hero.webp']);
    } finally {
      await moduleRef.close();
    }
  });
});
