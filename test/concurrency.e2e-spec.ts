import { Controller, Get, Module, Query, Render } from '@nestjs/common';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Http2PreloadModule } from '../src/index.js';
import { startApp, type RunningApp } from './support/app.js';
import { linkUrls, navigate } from './support/http.js';

@Controller('asset')
class AssetController {
  @Get()
  @Render('asset')
  async page(@Query('id') id: string) {
    // Yield so that requests interleave inside the server.
    await nextTurn();
    return { layout: false, assets: [`img/${id}.png`, `js/${id}.js`] };
  }
}

// Every id uses other assets under one route: early hints would be the previous page's, so
// this checks what late links are made of, request by request.
@Module({ imports: [Http2PreloadModule.forRoot({ presendCachedHeaders: false })], controllers: [AssetController] })
class AppModule {}

describe('isolation under concurrency', () => {
  let running: RunningApp;
  beforeAll(async () => {
    running = await startApp(AppModule);
  });
  afterAll(() => running.close());

  it('gives each of 200 concurrent responses exactly its own assets', async () => {
    const ids = Array.from({ length: 200 }, (_, i) => `r${i}-${Math.random().toString(36).slice(2, 8)}`);
    const responses = await Promise.all(ids.map((id) => navigate(`${running.baseUrl}/asset?id=${id}`)));
    responses.forEach((res, i) => {
      expect(res.statusCode).toBe(200);
      expect(res.headers['x-http2-preload']).toBe('late');
      expect(linkUrls(res.headers.link)).toEqual([`/static/js/${ids[i]}.js`, `/static/img/${ids[i]}.png`]);
    });
  });
});
