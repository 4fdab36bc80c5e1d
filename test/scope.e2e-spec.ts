import { Controller, Get, Injectable, Module, Render } from '@nestjs/common';
import { Http2PreloadModule, PreloadCollector } from '../src/index.js';
import { startApp, type RunningApp } from './support/app.js';
import { linkUrls, navigate } from './support/http.js';

let plainControllerInstances = 0;
const collectorsSeenByServices: PreloadCollector[] = [];

@Controller('plain')
class PlainController {
  constructor() {
    plainControllerInstances += 1;
  }

  @Get()
  @Render('page')
  page() {
    return { title: 'Plain' };
  }
}

@Injectable()
class BannerService {
  constructor(readonly preload: PreloadCollector) {}

  banner(): string {
    collectorsSeenByServices.push(this.preload);
    this.preload.add('/static/img/banner.webp');
    return '/static/img/banner.webp';
  }
}

@Controller('banner')
class BannerController {
  constructor(private readonly banners: BannerService) {}

  @Get()
  @Render('page')
  page() {
    return { title: 'Banner', banner: this.banners.banner() };
  }
}

@Module({
  // Late on every request, so that each one goes through the header-time hook.
  imports: [Http2PreloadModule.forRoot({ presendCachedHeaders: false })],
  controllers: [PlainController, BannerController],
  providers: [BannerService],
})
class AppModule {}

describe('scopes', () => {
  let running: RunningApp;
  beforeAll(async () => {
    running = await startApp(AppModule);
  });
  afterAll(() => running.close());

  it('keeps a controller that does not inject the collector a singleton', async () => {
    const before = plainControllerInstances;
    for (let i = 0; i < 5; i += 1) {
      const res = await navigate(`${running.baseUrl}/plain`);
      expect(res.headers['x-http2-preload']).toBe('late');
    }
    expect(before).toBe(1);
    expect(plainControllerInstances).toBe(1);
  });

  it('gives each request one collector, shared by the service, the helper and the interceptor', async () => {
    collectorsSeenByServices.length = 0;
    const first = await navigate(`${running.baseUrl}/banner`);
    const second = await navigate(`${running.baseUrl}/banner`);

    expect(collectorsSeenByServices).toHaveLength(2);
    const [firstCollector, secondCollector] = collectorsSeenByServices;
    expect(firstCollector).not.toBe(secondCollector);
    // The instance the service held also received what the templates' helper recorded
    // (hbs renders the page, then its layout)…
    expect(firstCollector.entries().map((hint) => hint.url)).toEqual([
      '/static/img/banner.webp',
      '/static/img/hero.png',
      '/static/fonts/body.woff2',
      '/static/css/app.css',
      '/static/js/app.js',
    ]);
    // …and it is what the interceptor turned into the response's Link header.
    for (const res of [first, second]) {
      expect(linkUrls(res.headers.link).sort()).toEqual(
        firstCollector
          .entries()
          .map((hint) => hint.url)
          .sort(),
      );
    }
  });
});
