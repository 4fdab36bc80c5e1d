import {
  Catch,
  Controller,
  Get,
  HttpException,
  Module,
  NotFoundException,
  Param,
  Render,
  UseFilters,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import type { Response } from 'express';
import { Http2PreloadModule } from '../src/index.js';
import { startApp, type RunningApp } from './support/app.js';
import { navigate } from './support/http.js';
import { RecordingLogger } from './support/logger.js';
import { followRecovery, isRecoveryPage } from './support/recovery.js';

/** The app's own HTML 404 page. */
@Catch(HttpException)
class HtmlErrorFilter implements ExceptionFilter {
  catch(exception: HttpException, host: ArgumentsHost): void {
    host.switchToHttp().getResponse<Response>().status(exception.getStatus()).render('not-found');
  }
}

@Controller()
@UseFilters(HtmlErrorFilter)
class ProductsController {
  @Get('products/:id')
  @Render('page')
  product(@Param('id') id: string) {
    if (!/^\d+$/.test(id)) throw new NotFoundException(`No product ${id}`);
    return { title: `Product ${id}` };
  }
}

@Module({ imports: [Http2PreloadModule.forRoot()], controllers: [ProductsController] })
class AppModule {}

describe('back-off by evidence', () => {
  let running: RunningApp;
  let logger: RecordingLogger;
  const url = (path: string) => `${running.baseUrl}${path}`;

  beforeEach(async () => {
    logger = new RecordingLogger();
    running = await startApp(AppModule, { nest: { logger } });
  });
  afterEach(() => running.close());

  /** A navigation as a browser makes it: the page that asks again is followed. */
  async function browse(path: string) {
    const first = await navigate(url(path));
    const final = isRecoveryPage(first.body) ? await followRecovery(url(path), first, true) : first;
    return { mode: first.headers['x-http2-preload'], recovered: isRecoveryPage(first.body), final };
  }

  it('keeps a route flushing when one request in eleven asks for an unknown id', async () => {
    await browse('/products/0');
    const good: string[] = [];
    for (let round = 0; round < 3; round += 1) {
      for (let i = 1; i <= 11; i += 1) {
        if (i === 6) {
          const missing = await browse('/products/nope');
          expect(missing.final.statusCode).toBe(404);
          expect(missing.final.body).toContain('<h1>Not found</h1>');
          continue;
        }
        const page = await browse(`/products/${round * 11 + i}`);
        expect(page.final.statusCode).toBe(200);
        good.push(page.mode as string);
      }
    }
    // Each round: 10 good navigations, of which at least 9 early.
    for (let round = 0; round < 3; round += 1)
      expect(good.slice(round * 10, round * 10 + 10).filter((mode) => mode === 'early').length).toBeGreaterThanOrEqual(
        9,
      );
    expect(logger.at('warn').filter((line) => line.includes('It is not flushed while'))).toEqual([]);
    expect(logger.at('warn')).toEqual([expect.stringContaining('It is still flushed')]);
  });

  it('stops flushing a route that always answers 404, after its fifth failure, and keeps it late', async () => {
    await browse('/products/1');
    const recovered: boolean[] = [];
    for (let i = 0; i < 30; i += 1) {
      const result = await browse(`/products/x${i}`);
      expect(result.final.statusCode).toBe(404);
      recovered.push(result.recovered);
    }
    expect(recovered.filter(Boolean)).toHaveLength(5);
    expect(recovered.slice(0, 5)).toEqual([true, true, true, true, true]);
    expect(logger.at('warn').filter((line) => line.includes('It is not flushed while'))).toHaveLength(1);
  });
});
