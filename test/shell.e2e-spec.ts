import {
  Controller,
  Get,
  Module,
  NotFoundException,
  Param,
  Render,
  Res,
  type MiddlewareConsumer,
  type NestModule,
} from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import compression from 'compression';
import { create as createExpressHandlebars } from 'express-handlebars';
import Handlebars from 'handlebars';
import hbs from 'hbs';
import { constants as zlibConstants, gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { FLUSHED_FIRST_CHUNK } from '../src/flush/flushed-response.js';
import { Http2PreloadModule, registerPreloadHelper, Shell } from '../src/index.js';
import { type RunningApp, startApp } from './support/app.js';
import { Gate } from './support/gate.js';
import { navigate, rawExchange, stagedNavigation, stagedRequest } from './support/http.js';
import { RecordingLogger } from './support/logger.js';
import { followRecovery, isRecoveryPage } from './support/recovery.js';

const VIEWS = fileURLToPath(new URL('./fixtures/shell-views', import.meta.url));
const LAYOUT = `${VIEWS}/layout.hbs`;

/** What the handlers do on the next request; each test sets what it needs. */
const next = { gate: Gate.open(), missing: false, redirect: false, raw: false };

@Controller()
class ShopController {
  @Get('products/:id')
  @Shell({ title: 'Product' })
  @Render('product')
  async product(@Param('id') id: string) {
    await next.gate.opened;
    if (next.missing) throw new NotFoundException(`No product ${id}`);
    return { title: `Product ${id}`, name: `Product ${id}`, footer: 'See you' };
  }

  @Get('moved')
  @Shell({ title: 'Moved' })
  moved(@Res() res: Response) {
    if (next.redirect) return res.redirect('/products/1');
    if (next.raw) return res.send('<!doctype html><p>a page of its own</p>');
    return res.render('product', { title: 'Moved', name: 'Still here' });
  }

  @Get('plain')
  @Render('product')
  plain() {
    return { title: 'Plain', name: 'No shell' };
  }
}

/** Middleware that sets what the layout reads before the handler: the user, the nonce. */
function locals(req: Request, res: Response, done: NextFunction): void {
  res.locals.user = req.headers['x-user'];
  res.locals.cspNonce = 'bm9uY2Ux';
  done();
}

@Module({
  imports: [Http2PreloadModule.forRoot({ shell: { layout: LAYOUT } })],
  controllers: [ShopController],
})
class ShopModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(locals).forRoutes('*');
  }
}

function configure(app: NestExpressApplication): void {
  app.setBaseViewsDir(VIEWS);
  app.setViewEngine('hbs');
  registerPreloadHelper(hbs);
}

describe('the page shell (option shell, @Shell())', () => {
  let running: RunningApp;
  let logger: RecordingLogger;
  const url = (path: string) => `${running.baseUrl}${path}`;

  beforeEach(async () => {
    logger = new RecordingLogger();
    running = await startApp(ShopModule, { configure, nest: { logger } });
    Object.assign(next, { gate: Gate.open(), missing: false, redirect: false, raw: false });
  });
  afterEach(() => {
    next.gate.open();
    return running.close();
  });

  it('sends the layout before its body with the flushed headers, while the handler is held, then the rest', async () => {
    const late = await navigate(url('/products/1'), { 'x-user': 'ada' });
    expect(late.headers['x-http2-preload']).toBe('late');

    next.gate = new Gate();
    const staged = stagedNavigation(url('/products/2'), { 'x-user': 'ada' });
    expect((await staged.head).headers['x-http2-preload']).toBe('early');
    // The shell is on the wire before the handler answers: the gate is still closed.
    const shell = (await staged.until((received) => received.includes('<main>'))).toString('utf8');
    expect(shell).toContain('<title>Product · Shop</title>');
    expect(shell).toContain('<link rel="stylesheet" href="/static/css/app.css" nonce="bm9uY2Ux">');
    expect(shell).toContain('Signed in as ada');
    expect(shell).not.toContain('<h1>');
    // Padded to the 512 bytes WebKit waits for before it parses anything.
    expect(Buffer.byteLength(shell)).toBeGreaterThanOrEqual(512);

    next.gate.open();
    const end = await staged.end;
    expect(end.complete).toBe(true);
    expect(end.body.startsWith(shell)).toBe(true);
    expect(end.body).toContain('<h1>Product 2</h1>');
    expect(end.body).toContain('<footer>See you</footer>');
    expect(end.body.trimEnd().endsWith('</html>')).toBe(true);
    // The layout appears once: the view was rendered without it after the shell.
    expect(end.body.split('<!doctype html>')).toHaveLength(2);
    // The title came from the handler's data, which the shell could not know: a script sets it.
    expect(end.body).toContain('nonce="bm9uY2Ux">');
    expect(end.body).toContain('"Product 2 · Shop"');
  });

  it('warns once that Safari will not paint a shell with too little to show, and still sends it', async () => {
    await navigate(url('/products/1'));
    for (const id of ['2', '3']) {
      const page = await navigate(url(`/products/${id}`));
      expect(page.headers['x-http2-preload']).toBe('early');
      expect(page.body).toContain('Anonymous');
    }
    const safari = logger.at('warn').filter((message) => message.includes('Safari (WebKit) will not paint it'));
    expect(safari).toHaveLength(1);
    expect(safari[0]).toContain(LAYOUT);
  });

  it('ends on the page that asks again after a 404, and the retry gets the real 404', async () => {
    await navigate(url('/products/1'));
    next.missing = true;
    const staged = stagedNavigation(url('/products/9'));
    expect((await staged.head).headers['x-http2-preload']).toBe('early');
    const end = await staged.end;
    expect(end.complete).toBe(true);
    expect(end.body).toContain('<header>');
    expect(isRecoveryPage(end.body)).toBe(true);
    expect(end.body).toContain('<meta name="robots" content="noindex">');
    const retry = await followRecovery(
      url('/products/9'),
      { statusCode: 200, headers: {}, body: end.body, informational: [] },
      false,
    );
    expect(retry.statusCode).toBe(404);
    expect(logger.at('warn').join('\n')).toMatch(/answered 404/);
  });

  it('forwards a redirect and asks again for a page that did not come through the layout', async () => {
    await navigate(url('/moved'));
    next.redirect = true;
    const forwarded = await navigate(url('/moved'));
    expect(forwarded.headers['x-http2-preload']).toBe('early');
    expect(forwarded.body).toContain('<meta http-equiv="refresh" content="0; url=/products/1">');

    // After the failure the route backs off; let it learn again before the next surprise.
    next.redirect = false;
    for (let i = 0; i < 8 && (await navigate(url('/moved'))).headers['x-http2-preload'] !== 'early'; i++);
    next.raw = true;
    const own = await navigate(url('/moved'));
    expect(own.headers['x-http2-preload']).toBe('early');
    expect(isRecoveryPage(own.body)).toBe(true);
    expect(own.body).not.toContain('a page of its own');
  });

  it('leaves routes without @Shell() as plain flushes', async () => {
    await navigate(url('/plain'));
    const early = await navigate(url('/plain'));
    expect(early.headers['x-http2-preload']).toBe('early');
    expect(early.body.startsWith(`${FLUSHED_FIRST_CHUNK}<!doctype html>`)).toBe(true);
  });

  it('sends no shell to a HEAD, and over HTTP/1.0 the shell and the page arrive whole', async () => {
    await navigate(url('/products/1'));
    const head = await rawExchange(
      running.baseUrl,
      'HEAD /products/1 HTTP/1.1\r\nHost: x\r\nAccept: text/html\r\nConnection: close\r\n\r\n',
    );
    expect(head).not.toContain('<header>');
    const old = await rawExchange(running.baseUrl, 'GET /products/3 HTTP/1.0\r\nHost: x\r\nAccept: text/html\r\n\r\n');
    expect(old).toMatch(/^HTTP\/1\.1 200/);
    expect(old.toLowerCase()).toContain('x-http2-preload: early');
    expect(old).toContain('Anonymous');
    expect(old).toContain('<h1>Product 3</h1>');
    expect(old.trimEnd().endsWith('</html>')).toBe(true);
  });
});

describe('the page shell behind compression middleware', () => {
  let running: RunningApp;
  beforeAll(async () => {
    running = await startApp(ShopModule, {
      configure: (app) => {
        app.use(compression({ threshold: 0 }));
        configure(app);
      },
    });
  });
  afterAll(() => {
    next.gate.open();
    return running.close();
  });

  it('gets the shell through the compressor while the handler waits, and a complete gzip page after', async () => {
    const url = `${running.baseUrl}/products/1`;
    await navigate(url, { 'accept-encoding': 'gzip' });
    next.gate = new Gate();
    const staged = stagedRequest(url, { headers: { accept: 'text/html', 'accept-encoding': 'gzip' } });
    expect((await staged.head).headers['content-encoding']).toBe('gzip');
    const shell = await staged.until((received) =>
      gunzipSync(received, { finishFlush: zlibConstants.Z_SYNC_FLUSH }).toString().includes('<main>'),
    );
    expect(gunzipSync(shell, { finishFlush: zlibConstants.Z_SYNC_FLUSH }).toString()).not.toContain('<h1>');
    next.gate.open();
    const end = await staged.end;
    expect(end.complete).toBe(true);
    const page = gunzipSync(end.bytes).toString('utf8');
    expect(page).toContain('<h1>Product 1</h1>');
    expect(page.split('<!doctype html>')).toHaveLength(2);
  });
});

describe('the page shell with express-handlebars and its layouts folder', () => {
  let running: RunningApp;
  beforeAll(async () => {
    @Module({
      imports: [Http2PreloadModule.forRoot({ shell: { layout: `${VIEWS}/layouts/main.hbs` } })],
      controllers: [ShopController],
    })
    class ExpressHandlebarsModule {}
    running = await startApp(ExpressHandlebarsModule, {
      configure: (app) => {
        const handlebars = Handlebars.create();
        registerPreloadHelper(handlebars);
        const engine = createExpressHandlebars({ handlebars, extname: '.hbs', layoutsDir: `${VIEWS}/layouts` });
        app.engine('hbs', engine.engine);
        app.setBaseViewsDir(VIEWS);
        app.setViewEngine('hbs');
      },
    });
  });
  afterAll(() => {
    next.gate.open();
    return running.close();
  });

  it('sends its default layout before the body, then the view once, within that layout', async () => {
    const url = `${running.baseUrl}/products/1`;
    const late = await navigate(url);
    expect(late.headers['x-http2-preload']).toBe('late');
    next.gate = new Gate();
    const staged = stagedNavigation(url);
    const shell = (await staged.until((received) => received.includes('<main>'))).toString('utf8');
    expect(shell).toContain('<title>Product · Shop</title>');
    expect(shell).not.toContain('<h1>');
    next.gate.open();
    const end = await staged.end;
    expect(end.body.startsWith(shell)).toBe(true);
    expect(end.body).toContain('<h1>Product 1</h1>');
    expect(end.body.split('<!doctype html>')).toHaveLength(2);
    expect(end.body.split('<footer>')).toHaveLength(2);
  });
});

describe('the shell option at bootstrap', () => {
  it.each([
    ['a relative path', 'views/layout.hbs', /"shell\.layout" must be an absolute path/],
    ['a file that is not there', `${VIEWS}/missing.hbs`, /"shell\.layout" names a file that cannot be read/],
    ['a layout without {{{body}}}', `${VIEWS}/product.hbs`, /has no \{\{\{body\}\}\}/],
  ])('refuses %s, naming the option', async (_name, layout, message) => {
    @Module({ imports: [Http2PreloadModule.forRoot({ shell: { layout } })], controllers: [ShopController] })
    class BrokenModule {}
    await expect(startApp(BrokenModule, { configure })).rejects.toThrow(message);
  });
});
