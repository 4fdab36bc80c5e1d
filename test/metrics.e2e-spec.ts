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
import { metrics } from '@opentelemetry/api';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import type { Response } from 'express';
import { Http2PreloadModule, NoPreload, Preload, PreloadMetrics, type PreloadMetricsSnapshot } from '../src/index.js';
import { startApp, type RunningApp } from './support/app.js';
import { navigate, request } from './support/http.js';
import { followRecovery, isRecoveryPage } from './support/recovery.js';

@Catch(HttpException)
class HtmlErrorFilter implements ExceptionFilter {
  catch(exception: HttpException, host: ArgumentsHost): void {
    host.switchToHttp().getResponse<Response>().status(exception.getStatus()).render('not-found');
  }
}

@Controller()
@UseFilters(HtmlErrorFilter)
class PagesController {
  @Get('products/:id')
  @Render('page')
  product(@Param('id') id: string) {
    if (!/^\d+$/.test(id)) throw new NotFoundException(`No product ${id}`);
    return { title: `Product ${id}` };
  }

  @Preload({ strategy: 'earlyHints' })
  @Get('hinted')
  @Render('page')
  hinted() {
    return { title: 'Hinted' };
  }

  @NoPreload()
  @Get('plain')
  @Render('page')
  plain() {
    return { title: 'Plain' };
  }

  @Get('api/data')
  data() {
    return { ok: true };
  }
}

@Module({ imports: [Http2PreloadModule.forRoot()], controllers: [PagesController] })
class AppModule {}

/** Collects on demand: what a Prometheus scrape or a periodic exporter would read. */
class OnDemandReader extends MetricReader {
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** Browses the routes as a test of what the counts must say: a known mix, counted by hand. */
async function browse(baseUrl: string): Promise<void> {
  const url = (path: string) => `${baseUrl}${path}`;
  await navigate(url('/products/1')); // late, not learnt
  for (let i = 2; i <= 4; i += 1) await navigate(url(`/products/${i}`)); // 3 early by flush
  const missing = await navigate(url('/products/nope')); // early by flush, ends on the retry page
  expect(isRecoveryPage(missing.body)).toBe(true);
  await followRecovery(url('/products/nope'), missing, true); // off (404 page), reason retry
  await navigate(url('/products/5'), { range: 'bytes=0-10' }); // late, reason conditional (a range)
  await navigate(url('/hinted')); // late, not learnt
  await navigate(url('/hinted')); // early by 103
  await navigate(url('/plain')); // off, opted out
  await request(url('/api/data'), { headers: { accept: 'application/json' } }); // not a navigation
  await request(url('/api/data'), { headers: { accept: 'application/json' } }); // not a navigation (a data route)
}

const EXPECTED: PreloadMetricsSnapshot = {
  navigations: { 'early-flush': 4, 'early-103': 1, late: 3, off: 2 },
  notEarly: {
    'not-navigation': 2,
    'opted-out': 1,
    'not-learnt': 2,
    retry: 1,
    conditional: 1,
    'sets-headers': 0,
    session: 0,
    backoff: 0,
    'http-1.0': 0,
  },
  retryPages: { status: 1, redirect: 0, 'not-html': 0, headers: 0, session: 0, empty: 0, failed: 0 },
  routesHeldBack: 0,
};

describe('the counts (PreloadMetrics)', () => {
  let running: RunningApp | undefined;
  afterEach(async () => {
    await running?.close();
    running = undefined;
    metrics.disable();
  });

  it('counts navigations by mode, why requests were not early and retry pages by cause, in a snapshot', async () => {
    running = await startApp(AppModule);
    await browse(running.baseUrl);
    expect(running.app.get(PreloadMetrics).snapshot()).toEqual(EXPECTED);
  });

  it('reports the same numbers through the OpenTelemetry metrics API when the app has an SDK', async () => {
    const reader = new OnDemandReader();
    metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
    running = await startApp(AppModule);
    await browse(running.baseUrl);
    const { resourceMetrics, errors } = await reader.collect();
    expect(errors).toEqual([]);
    const points = new Map<string, number>();
    for (const scope of resourceMetrics.scopeMetrics) {
      for (const metric of scope.metrics) {
        for (const point of metric.dataPoints) {
          const label = Object.values(point.attributes).join(',');
          points.set(`${metric.descriptor.name}{${label}}`, point.value as number);
        }
      }
    }
    const snapshot = running.app.get(PreloadMetrics).snapshot();
    for (const [mode, value] of Object.entries(snapshot.navigations))
      expect(points.get(`http2_preload.navigations{${mode}}`)).toBe(value);
    for (const [reason, value] of Object.entries(snapshot.notEarly))
      expect(points.get(`http2_preload.not_early{${reason}}`)).toBe(value);
    for (const [cause, value] of Object.entries(snapshot.retryPages))
      expect(points.get(`http2_preload.retry_pages{${cause}}`)).toBe(value);
    expect(points.get('http2_preload.routes_held_back{}')).toBe(0);
    expect(snapshot).toEqual(EXPECTED);
  });

  it('counts a route held back while it is, and lets it go when it flushes again', async () => {
    running = await startApp(AppModule);
    const url = (path: string) => `${running!.baseUrl}${path}`;
    const counts = running.app.get(PreloadMetrics);
    await navigate(url('/products/1'));
    for (let i = 0; i < 5; i += 1) await navigate(url(`/products/x${i}`));
    expect(counts.snapshot().routesHeldBack).toBe(1);
    expect(counts.snapshot().retryPages.status).toBe(5);
    for (let i = 0; i < 20 && counts.snapshot().routesHeldBack > 0; i += 1) await navigate(url(`/products/${i}`));
    expect(counts.snapshot().routesHeldBack).toBe(0);
    expect(counts.snapshot().notEarly.backoff).toBeGreaterThan(0);
  });
});
