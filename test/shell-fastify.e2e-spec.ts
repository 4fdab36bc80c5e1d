import { Controller, Get, Module, NotFoundException, Param, Render } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { fileURLToPath } from 'node:url';
import { Http2PreloadModule, Shell } from '../src/index.js';
import { startFastifyApp } from './support/fastify-app.js';
import { Gate } from './support/gate.js';
import { navigate, stagedNavigation } from './support/http.js';
import { RecordingLogger } from './support/logger.js';
import { followRecovery, isRecoveryPage } from './support/recovery.js';

const VIEWS = fileURLToPath(new URL('./fixtures/shell-views', import.meta.url));

const next = { gate: Gate.open() };

@Controller()
class ShopController {
  @Get('products/:id')
  @Shell({ title: 'Product' })
  @Render('product.hbs')
  async product(@Param('id') id: string) {
    await next.gate.opened;
    if (id === 'missing') throw new NotFoundException(`No product ${id}`);
    return { title: `Product ${id}`, name: `Product ${id}`, footer: 'See you' };
  }
}

@Module({
  imports: [Http2PreloadModule.forRoot({ shell: { layout: `${VIEWS}/layout.hbs` } })],
  controllers: [ShopController],
})
class ShopModule {}

/** The shell on Fastify, with @fastify/view's layout as the NestJS MVC docs set it up. */
describe('the page shell on Fastify (@fastify/view + Handlebars)', () => {
  let app: NestFastifyApplication;
  let baseUrl: string;
  let logger: RecordingLogger;
  const url = (path: string) => `${baseUrl}${path}`;

  beforeEach(async () => {
    logger = new RecordingLogger();
    next.gate = Gate.open();
    ({ app, baseUrl } = await startFastifyApp(ShopModule, { views: VIEWS, logger }));
  });
  afterEach(() => {
    next.gate.open();
    return app.close();
  });

  it('sends the layout before its body while the handler is held, then the view and the rest, the layout once', async () => {
    expect((await navigate(url('/products/1'))).headers['x-http2-preload']).toBe('late');
    next.gate = new Gate();
    const staged = stagedNavigation(url('/products/2'));
    expect((await staged.head).headers['x-http2-preload']).toBe('early');
    const shell = (await staged.until((received) => received.includes('<main>'))).toString('utf8');
    expect(shell).toContain('<title>Product · Shop</title>');
    expect(shell).not.toContain('<h1>');
    next.gate.open();
    const end = await staged.end;
    expect(end.complete).toBe(true);
    expect(end.body.startsWith(shell)).toBe(true);
    expect(end.body).toContain('<h1>Product 2</h1>');
    expect(end.body).toContain('<footer>See you</footer>');
    expect(end.body.split('<!doctype html>')).toHaveLength(2);
    expect(end.body.split('<main>')).toHaveLength(2);
    expect(end.body).toContain('"Product 2 · Shop"');
    // Only the warning that this test layout is too plain for Safari to paint early (test/shell.e2e-spec.ts).
    expect(logger.at('warn').filter((message) => !message.includes('Safari (WebKit)'))).toEqual([]);
  });

  it('ends on the page that asks again after a 404, and the retry gets the real 404', async () => {
    await navigate(url('/products/1'));
    const staged = stagedNavigation(url('/products/missing'));
    expect((await staged.head).headers['x-http2-preload']).toBe('early');
    const end = await staged.end;
    expect(end.body).toContain('<header>');
    expect(isRecoveryPage(end.body)).toBe(true);
    const retry = await followRecovery(
      url('/products/missing'),
      { statusCode: 200, headers: {}, body: end.body, informational: [] },
      false,
    );
    expect(retry.statusCode).toBe(404);
  });
});
