/**
 * Run in a child process by memory.slow-spec.ts (transpiled, with --expose-gc and a
 * 256 MiB heap): an app whose route `/pages/:slug` preloads `img/<slug>.png`, attacked
 * with long slugs. Prints one JSON line with the heap after GC before and after.
 * argv: mode (`off`: the module not imported; `route`; `path`), request count, slug length.
 */
import 'reflect-metadata';
import { Controller, Get, Module, Param, Render, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import hbs from 'hbs';
import { Agent, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Http2PreloadModule, registerPreloadHelper } from '../../src/index.js';

const [mode, count, slugLength] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];

@Controller()
class PagesController {
  @Get('pages/:slug')
  @Render('slug')
  page(@Param('slug') slug: string) {
    return { image: `img/${slug}.png` };
  }

  @Get('many/:slug')
  @Render('many')
  many(@Param('slug') slug: string) {
    return { images: Array.from({ length: 16 }, (_, i) => `img/${i}/${slug}.png`) };
  }
}

const imports: DynamicModule[] = mode.startsWith('off')
  ? []
  : [Http2PreloadModule.forRoot({ cacheKey: mode === 'route' ? 'route' : 'path' })];
const base = mode.endsWith('many') ? '/many' : '/pages';

@Module({ imports, controllers: [PagesController] })
class AppModule {}

function heapAfterGc(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with --expose-gc');
  for (let i = 0; i < 6; i += 1) gc();
  return process.memoryUsage().heapUsed;
}

function get(agent: Agent, port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent, headers: { accept: 'text/html' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** A different slug of the given length for each request, as an attacker would send. */
function slug(i: number): string {
  const head = `${i}-`;
  return head + 'x'.repeat(slugLength - head.length);
}

async function run(): Promise<void> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule, { logger: false });
  app.setBaseViewsDir(fileURLToPath(new URL('./views', import.meta.url)));
  app.setViewEngine('hbs');
  app.set('view cache', true);
  registerPreloadHelper(hbs);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });

  // Warm up what every run has anyway (compiled template, parser pools, code).
  for (let i = 0; i < 20; i += 1) await get(agent, port, `${base}/warm-${i}`);
  const before = heapAfterGc();

  let next = 0;
  let failures = 0;
  const worker = async () => {
    while (next < count) {
      const status = await get(agent, port, `${base}/${slug(next++)}`);
      if (status !== 200) failures += 1;
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  agent.destroy();
  const after = heapAfterGc();
  process.stdout.write(`${JSON.stringify({ mode, before, after, failures })}\n`);
  // The parent stops this process by its PID once it has read the line.
}

run().catch((error: unknown) => {
  process.stdout.write(`${JSON.stringify({ error: String((error as Error)?.stack ?? error) })}\n`);
});
