import { Controller, Get, Injectable, Module, Render, type ModuleMetadata } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Http2PreloadModule } from '../src/index.js';
import { startApp } from './support/app.js';
import { linkUrls, navigate } from './support/http.js';

@Controller()
class PageController {
  @Get()
  @Render('page')
  page() {
    return { title: 'Page' };
  }
}

async function bootstrap(imports: ModuleMetadata['imports']): Promise<void> {
  @Module({ imports, controllers: [PageController] })
  class AppModule {}
  const app = await NestFactory.create(AppModule, { logger: false, abortOnError: false });
  await app.close();
}

describe('option validation at bootstrap', () => {
  it.each([
    [{ preloadHeaders: 'yes' }, /option "preloadHeaders" must be true or false, got "yes"/],
    [{ presendCachedHeaders: 1 }, /option "presendCachedHeaders" must be true or false, got 1/],
    [{ serverPush: null }, /option "serverPush" must be true or false, got null/],
    [{ staticPrefix: '' }, /option "staticPrefix" must be a path from the site's root/],
    [{ staticPrefix: '/static/\n' }, /option "staticPrefix" must be a path from the site's root/],
    [{ staticPrefix: 'static' }, /option "staticPrefix" must be .*, got "static"\. Use '\/static\/'\./],
    [{ debugHeader: true }, /option "debugHeader" must be a header name .*, or false to send none, got true/],
    [{ debugHeader: 'x bad header' }, /option "debugHeader" must be a header name/],
    [{ strategy: '103' }, /option "strategy" must be 'flushHeaders' or 'earlyHints', got "103"/],
    [{ cacheKey: 'url' }, /option "cacheKey" must be 'route', 'path' or a function/],
    [{ cacheSize: -1 }, /option "cacheSize" must be a positive integer, got -1/],
    [{ version: 42 }, /option "version" must be a string, got 42/],
    [{ maxHeaderBytes: 1.5 }, /option "maxHeaderBytes" must be a positive integer, got 1.5/],
    [
      { preloadHeader: true },
      /unknown option "preloadHeader"\. Accepted options: preloadHeaders, presendCachedHeaders, serverPush, staticPrefix, debugHeader/,
    ],
  ])('forRoot(%j) fails with a message naming the option', async (options, message) => {
    await expect(bootstrap([Http2PreloadModule.forRoot(options as never)])).rejects.toThrow(message);
  });

  it('forRootAsync validates what the factory returns', async () => {
    await expect(
      bootstrap([Http2PreloadModule.forRootAsync({ useFactory: async () => ({ serverPush: 'no' }) as never })]),
    ).rejects.toThrow(/option "serverPush" must be true or false, got "no"/);
  });

  it('refuses options that are not an object', async () => {
    await expect(bootstrap([Http2PreloadModule.forRootAsync({ useFactory: () => 'on' as never })])).rejects.toThrow(
      /options must be an object, got "on"/,
    );
  });

  it('accepts valid options', async () => {
    await expect(
      bootstrap([Http2PreloadModule.forRoot({ serverPush: true, staticPrefix: '/assets/', debugHeader: false })]),
    ).resolves.toBeUndefined();
  });
});

@Injectable()
class SettingsService {
  readonly staticPrefix = '/from-config/';
}

@Module({ providers: [SettingsService], exports: [SettingsService] })
class SettingsModule {}

describe('forRootAsync', () => {
  it('takes options from an injected provider and applies them', async () => {
    @Module({
      imports: [
        Http2PreloadModule.forRootAsync({
          imports: [SettingsModule],
          inject: [SettingsService],
          useFactory: (settings: SettingsService) => ({ staticPrefix: settings.staticPrefix, serverPush: true }),
        }),
      ],
      controllers: [PageController],
    })
    class AsyncAppModule {}

    const running = await startApp(AsyncAppModule);
    try {
      const res = await navigate(`${running.baseUrl}/`);
      expect(res.headers['x-http2-preload']).toBe('late');
      expect(linkUrls(res.headers.link)[0]).toBe('/from-config/css/app.css');
      expect(res.headers.link).not.toContain('nopush');
    } finally {
      await running.close();
    }
  });
});
