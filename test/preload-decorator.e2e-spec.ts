import { Controller, Get, Module, Render } from '@nestjs/common';
import { FLUSHED_FIRST_CHUNK } from '../src/flush/flushed-response.js';
import { Http2PreloadModule, NoPreload, Preload } from '../src/index.js';
import { PAGE_ASSETS, type RunningApp, startApp } from './support/app.js';
import { Gate } from './support/gate.js';
import { linkUrls, navigate, stagedNavigation } from './support/http.js';

let gate = Gate.open();

@Preload(['/static/css/critical.css'])
@Controller('declared')
class DeclaredController {
  @Preload([{ url: '/static/fonts/display.woff2', fetchpriority: 'high' }])
  @Get()
  @Render('page')
  async page() {
    await gate.opened;
    return { title: 'Declared' };
  }

  @Get('bare')
  @Render('bare')
  bare() {
    return { layout: false };
  }
}

@Controller('strategies')
class StrategiesController {
  @Preload({ strategy: 'earlyHints' })
  @Get('hints')
  @Render('page')
  hints() {
    return { title: '103' };
  }

  @Preload({ strategy: 'late' })
  @Get('late')
  @Render('page')
  late() {
    return { title: 'Late' };
  }

  @NoPreload()
  @Preload(['/static/css/critical.css'])
  @Get('off')
  @Render('page')
  off() {
    return { title: 'Off' };
  }
}

@Module({ imports: [Http2PreloadModule.forRoot()], controllers: [DeclaredController, StrategiesController] })
class AppModule {}

describe('@Preload()', () => {
  let running: RunningApp;
  const url = (path: string) => `${running.baseUrl}${path}`;

  beforeEach(async () => {
    gate = Gate.open();
    running = await startApp(AppModule);
  });
  // A failed test must not leave a handler waiting at its gate, or closing would hang.
  afterEach(() => {
    gate.open();
    return running.close();
  });

  it("sends a route's declared hints early on its very first request", async () => {
    gate = new Gate();
    const staged = stagedNavigation(url('/declared'));
    const head = await staged.head;
    expect(head.headers['x-http2-preload']).toBe('early');
    // The controller's hints, then the handler's, ordered style, font, …
    expect(linkUrls(head.headers.link)).toEqual(['/static/css/critical.css', '/static/fonts/display.woff2']);
    expect(head.headers.link).toContain(
      '</static/fonts/display.woff2>; rel=preload; as=font; crossorigin=anonymous; fetchpriority=high',
    );
    gate.open();
    expect((await staged.end).complete).toBe(true);

    // The page's own assets were learnt on the way, next to the declared ones.
    const second = await navigate(url('/declared'));
    expect(linkUrls(second.headers.link)).toEqual([
      '/static/css/critical.css',
      '/static/css/app.css',
      '/static/fonts/display.woff2',
      '/static/fonts/body.woff2',
      '/static/js/app.js',
      '/static/img/hero.png',
    ]);
  });

  it("applies a controller's hints to each of its routes", async () => {
    const res = await navigate(url('/declared/bare'));
    expect(res.headers['x-http2-preload']).toBe('early');
    expect(linkUrls(res.headers.link)).toEqual(['/static/css/critical.css']);
    expect(res.body).toBe(`${FLUSHED_FIRST_CHUNK}<p>No assets here.</p>\n`);
  });

  it("gives a route the 103 strategy while the module's default stays flushed headers", async () => {
    await navigate(url('/strategies/hints'));
    const res = await navigate(url('/strategies/hints'));
    expect(res.informational).toHaveLength(1);
    expect(linkUrls(res.informational[0].headers.link)).toEqual(PAGE_ASSETS);
    expect(res.headers['x-http2-preload']).toBe('early');
    expect(res.headers['content-length']).toBeDefined();
  });

  it("keeps a route with strategy 'late' late", async () => {
    for (let i = 0; i < 3; i += 1) {
      const res = await navigate(url('/strategies/late'));
      expect(res.informational).toEqual([]);
      expect(res.headers['x-http2-preload']).toBe('late');
      expect(linkUrls(res.headers.link)).toEqual(PAGE_ASSETS);
    }
  });

  it('lets @NoPreload() win over declared hints', async () => {
    for (let i = 0; i < 2; i += 1) {
      const res = await navigate(url('/strategies/off'));
      expect(res.headers['x-http2-preload']).toBe('off');
      expect(res.headers.link).toBeUndefined();
    }
  });
});
