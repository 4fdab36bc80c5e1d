import { Controller, Get, Module, Render } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Http2PreloadModule } from '../src/index.js';
import { PAGE_ASSETS, startApp } from './support/app.js';
import { linkUrls, navigate } from './support/http.js';

@Controller()
class PageController {
  @Get()
  @Render('page')
  page() {
    return { title: 'Page' };
  }
}

describe('Http2PreloadModule imported more than once', () => {
  it('fails the bootstrap with a message that names the importers and says where to import it', async () => {
    @Module({ imports: [Http2PreloadModule.forRoot()] })
    class FeatureModule {}
    @Module({ imports: [Http2PreloadModule.forRoot(), FeatureModule], controllers: [PageController] })
    class AppModule {}

    await expect(NestFactory.create(AppModule, { logger: false, abortOnError: false })).rejects.toThrow(
      /Http2PreloadModule is imported 2 times, by AppModule, FeatureModule: every Link would be sent twice\. Import Http2PreloadModule\.forRoot\(\) \(or forRootAsync\(\)\) once, in the root module/,
    );
  });

  it('counts forRoot and forRootAsync together', async () => {
    @Module({ imports: [Http2PreloadModule.forRootAsync({ useFactory: () => ({}) })] })
    class FeatureModule {}
    @Module({ imports: [Http2PreloadModule.forRoot(), FeatureModule] })
    class AppModule {}

    await expect(NestFactory.create(AppModule, { logger: false, abortOnError: false })).rejects.toThrow(
      /imported 2 times, by AppModule, FeatureModule/,
    );
  });

  it('allows one import per app, with several apps in one process, each sending every link once', async () => {
    @Module({ imports: [Http2PreloadModule.forRoot()], controllers: [PageController] })
    class AppModule {}

    const first = await startApp(AppModule);
    const second = await startApp(AppModule);
    try {
      for (const running of [first, second]) {
        const response = await navigate(`${running.baseUrl}/`);
        expect(linkUrls(response.headers.link)).toEqual(PAGE_ASSETS);
      }
    } finally {
      await first.close();
      await second.close();
    }
  });
});
