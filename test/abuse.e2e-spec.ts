import {
  Catch,
  Controller,
  Get,
  Injectable,
  Module,
  NotFoundException,
  Query,
  Render,
  Res,
  UseGuards,
  type ArgumentsHost,
  type CanActivate,
  type ExceptionFilter,
  type ExecutionContext,
} from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Response } from 'express';
import hbs from 'hbs';
import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { Http2PreloadModule, registerPreloadHelper, type PreloadStrategy } from '../src/index.js';
import { FIXTURE_VIEWS, PAGE_ASSETS, type RunningApp, startApp } from './support/app.js';
import { Gate } from './support/gate.js';
import { linkUrls, navigate } from './support/http.js';
import { RecordingLogger } from './support/logger.js';

const CACHE_SIZE = 100;

/** Renders every 404, routed or not, as an HTML page that uses the helper. */
@Catch(NotFoundException)
class NotFoundPage implements ExceptionFilter {
  catch(_error: NotFoundException, host: ArgumentsHost): void {
    host.switchToHttp().getResponse<Response>().status(404).render('not-found', { title: 'Not found' });
  }
}

@Controller()
class FloodController {
  @Get('pages/:slug')
  @Render('page')
  page() {
    return { title: 'A page' };
  }

  @Get('gone/:slug')
  gone(): never {
    throw new NotFoundException();
  }

  @Get('unsafe')
  @Render('unsafe')
  unsafe(@Query('path') path: string) {
    return { layout: false, path };
  }
}

// The 100,000-request flood of distinct paths is in abuse-flood.slow-spec.ts (`npm run test:slow`).
describe('abuse: 404 pages, unsafe asset paths', () => {
  let running: RunningApp;
  const logger = new RecordingLogger();

  beforeAll(async () => {
    @Module({
      imports: [Http2PreloadModule.forRoot({ cacheKey: 'path', cacheSize: CACHE_SIZE })],
      controllers: [FloodController],
      providers: [{ provide: APP_FILTER, useClass: NotFoundPage }],
    })
    class AppModule {}
    running = await startApp(AppModule, {
      nest: { logger },
      configure: (app) => {
        app.setBaseViewsDir(FIXTURE_VIEWS);
        app.setViewEngine('hbs');
        // As in production: without it, hbs reads and compiles each template on every render.
        app.set('view cache', true);
        registerPreloadHelper(hbs);
      },
    });
  });
  afterAll(() => running.close());

  it('gives a 404 page no hints, and never sends it hints early', async () => {
    const path = `/gone/${randomUUID()}`;
    for (let i = 0; i < 2; i += 1) {
      const res = await navigate(`${running.baseUrl}${path}`);
      expect(res.statusCode).toBe(404);
      expect(res.body).toContain('Not found');
      expect(res.headers.link).toBeUndefined();
      expect(res.headers['x-http2-preload']).toBe('off');
    }
  });

  it.each([
    ['javascript:alert(1)', 'javascript:alert(1)'],
    ['a header injection', '/static/app.css\r\nSet-Cookie: stolen=1'],
    ['a data: URL', 'data:text/css,body{}'],
  ])('renders a page whose template preloads %s, without that link, and warns', async (_, path) => {
    const res = await navigate(`${running.baseUrl}/unsafe?path=${encodeURIComponent(path)}`);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Rendered anyway');
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(res.headers.link).toBeUndefined();
    expect(res.headers['x-http2-preload']).toBe('off');
    expect(logger.at('warn')).toContainEqual(expect.stringContaining(`Not preloading ${JSON.stringify(path)}`));
  });

  it('encodes what it can make safe: spaces, quotes, angle brackets, commas, non-ASCII', async () => {
    const path = '/static/my "odd", <file>;é.css';
    const res = await navigate(`${running.baseUrl}/unsafe?path=${encodeURIComponent(path)}`);
    expect(res.statusCode).toBe(200);
    expect(linkUrls(res.headers.link)).toEqual(['/static/my%20%22odd%22,%20%3Cfile%3E;%C3%A9.css']);
  });
});

/** Where a request is, seen from the server; each test makes new ones. */
let stage = {
  arrived: new Gate(),
  disconnected: new Gate(),
  proceed: new Gate(),
  rendered: new Gate(),
  flushed: false,
};

/** Holds a request before the interceptor, so the test can drop the connection first. */
@Injectable()
class HoldGuard implements CanActivate {
  async canActivate(context: ExecutionContext): Promise<boolean> {
    const { arrived, disconnected, proceed } = stage;
    context
      .switchToHttp()
      .getResponse<Response>()
      .on('close', () => disconnected.open());
    arrived.open();
    await proceed.opened;
    return true;
  }
}

@Controller()
class HeldController {
  @UseGuards(HoldGuard)
  @Get('held')
  @Render('page')
  held(@Res({ passthrough: true }) res: Response) {
    stage.flushed = res.getHeader('link') !== undefined;
    return { title: 'Held' };
  }
}

/** hbs, with a signal once Express has sent what a render produced (it sends from the callback). */
function configureWithRenderSignal(app: NestExpressApplication): void {
  app.setBaseViewsDir(FIXTURE_VIEWS);
  const render = hbs.__express as (
    path: string,
    options: object,
    done: (error: unknown, html?: string) => void,
  ) => void;
  app.engine('hbs', (path: string, options: object, done: (error: unknown, html?: string) => void) =>
    render(path, options, (error, html) => {
      done(error, html);
      stage.rendered.open();
    }),
  );
  app.setViewEngine('hbs');
  registerPreloadHelper(hbs);
}

describe.each<PreloadStrategy>(['flushHeaders', 'earlyHints'])(
  'a client that disconnects before the early headers (strategy: %s)',
  (strategy) => {
    let running: RunningApp;
    const logger = new RecordingLogger();
    const failures: unknown[] = [];
    const recordFailure = (error: unknown) => failures.push(error);

    beforeAll(async () => {
      @Module({ imports: [Http2PreloadModule.forRoot({ strategy })], controllers: [HeldController] })
      class AppModule {}
      running = await startApp(AppModule, { configure: configureWithRenderSignal, nest: { logger } });
      process.on('unhandledRejection', recordFailure);
      process.on('uncaughtException', recordFailure);
    });
    afterAll(async () => {
      stage.proceed.open();
      process.off('unhandledRejection', recordFailure);
      process.off('uncaughtException', recordFailure);
      await running.close();
    });

    it('logs no error, throws nothing, and goes on serving', async () => {
      stage = {
        arrived: Gate.open(),
        disconnected: new Gate(),
        proceed: Gate.open(),
        rendered: new Gate(),
        flushed: false,
      };
      const warmUp = await navigate(`${running.baseUrl}/held`);
      expect(linkUrls(warmUp.headers.link)).toEqual(PAGE_ASSETS);

      stage = {
        arrived: new Gate(),
        disconnected: new Gate(),
        proceed: new Gate(),
        rendered: new Gate(),
        flushed: false,
      };
      const { hostname, port } = new URL(running.baseUrl);
      const socket = connect({ host: hostname, port: Number(port) }, () =>
        socket.write(`GET /held HTTP/1.1\r\nHost: ${hostname}:${port}\r\nAccept: text/html\r\n\r\n`),
      );
      const received: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => received.push(chunk));
      await stage.arrived.opened;
      socket.destroy();
      await stage.disconnected.opened;
      stage.proceed.open();
      // The early headers, the handler, the render and the final write all ran on a closed connection.
      await stage.rendered.opened;

      expect(Buffer.concat(received).length).toBe(0);
      // The flush path sets the Link header before the handler runs (a closed connection then
      // takes nothing); a 103 leaves no trace.
      expect(stage.flushed).toBe(strategy === 'flushHeaders');
      stage = {
        arrived: Gate.open(),
        disconnected: new Gate(),
        proceed: Gate.open(),
        rendered: new Gate(),
        flushed: false,
      };
      const after = await navigate(`${running.baseUrl}/held`);
      expect(after.statusCode).toBe(200);
      expect(after.headers['x-http2-preload']).toBe('early');
      expect(failures).toEqual([]);
      expect(logger.at('error')).toEqual([]);
      expect(logger.at('warn')).toEqual([]);
    });
  },
);
