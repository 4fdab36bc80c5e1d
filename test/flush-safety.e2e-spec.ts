import {
  Controller,
  Get,
  Module,
  NotFoundException,
  Param,
  Render,
  Req,
  Res,
  UseFilters,
  type ArgumentsHost,
  type ExceptionFilter,
  Catch,
  HttpException,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import session from 'express-session';
import { createReadStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Http2PreloadModule, PreloadCollector } from '../src/index.js';
import { startApp, FIXTURE_VIEWS, type RunningApp } from './support/app.js';
import { Gate } from './support/gate.js';
import { navigate, rawExchange, stagedNavigation } from './support/http.js';
import { RecordingLogger } from './support/logger.js';
import { followRecovery, isRecoveryPage, refreshTarget } from './support/recovery.js';
import hbs from 'hbs';
import { registerPreloadHelper } from '../src/index.js';

const NOTES = fileURLToPath(new URL('./fixtures/files/notes.txt', import.meta.url));

/** What the handlers do on the next request. */
const next = {
  body: 'page' as 'page' | 'attachment' | 'events' | 'file' | 'javascript' | 'location' | 'cookie',
  gate: Gate.open(),
  /** The `Location` the handler sets as it is (res.redirect() would percent-encode it) for `location`. */
  location: '/',
};

/** The app's own HTML 404 page, as a site shows it. */
@Catch(HttpException)
class HtmlErrorFilter implements ExceptionFilter {
  catch(exception: HttpException, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    response.status(exception.getStatus()).render('not-found');
  }
}

@Controller()
@UseFilters(HtmlErrorFilter)
class UsersController {
  @Get('users/:id')
  @Render('page')
  user(@Param('id') id: string) {
    if (id !== '1') throw new NotFoundException(`No user ${id}`);
    return { title: `User ${id}` };
  }

  @Get('download')
  download(@Req() req: Request, @Res() res: Response) {
    PreloadCollector.of(req);
    switch (next.body) {
      case 'attachment':
        res.attachment('notes.txt').type('text/plain');
        createReadStream(NOTES).pipe(res);
        return;
      case 'events':
        res.setHeader('Content-Type', 'text/event-stream');
        res.write('data: <script>window.pwned=1</script>\n\n');
        return;
      case 'file':
        return res.sendFile(NOTES);
      case 'javascript':
        return res.redirect('javascript:alert(document.cookie)');
      case 'location':
        res.status(302).setHeader('Location', next.location);
        return res.end();
      case 'cookie':
        res.cookie('private', 'yes');
        return next.gate.opened.then(() => res.render('page', { title: 'Download' }));
      default:
        return res.render('page', { title: 'Download' });
    }
  }

  @Get('session')
  @Render('page')
  signIn(@Req() req: Request & { session: { user?: string } }) {
    req.session.user = 'ada';
    return { title: 'Signed in' };
  }
}

@Module({ imports: [Http2PreloadModule.forRoot()], controllers: [UsersController] })
class AppModule {}

describe('after a flush, the browser ends on what the app answers', () => {
  let running: RunningApp;
  let logger: RecordingLogger;
  const url = (path: string) => `${running.baseUrl}${path}`;

  beforeEach(async () => {
    logger = new RecordingLogger();
    next.body = 'page';
    next.gate = Gate.open();
    running = await startApp(AppModule, {
      nest: { logger },
      configure: (app) => {
        app.use(session({ secret: 'test', resave: false, saveUninitialized: false, cookie: { path: '/session' } }));
        app.setBaseViewsDir(FIXTURE_VIEWS);
        app.setViewEngine('hbs');
        registerPreloadHelper(hbs);
      },
    });
  });
  afterEach(() => {
    next.gate.open();
    return running.close();
  });

  it('a missing id after warm-up ends, one round trip later, on the app 404 page with status 404', async () => {
    expect((await navigate(url('/users/1'))).headers['x-http2-preload']).toBe('late');
    const flushed = await navigate(url('/users/999'));
    expect(flushed.headers['x-http2-preload']).toBe('early');
    expect(isRecoveryPage(flushed.body)).toBe(true);
    for (const scripting of [true, false]) {
      const retry = await followRecovery(url('/users/999'), flushed, scripting);
      expect(retry.statusCode).toBe(404);
      expect(retry.body).toContain('<h1>Not found</h1>');
      expect(retry.headers['x-http2-preload']).toBe('off');
    }
    expect(logger.at('warn')).toEqual([
      expect.stringContaining('GET /users/:id answered 404 (No user 999) after its headers had been flushed'),
    ]);
  });

  it('over HTTP/1.0 (nginx upstream default) the flushed response ends as a complete page that asks again, not a blank page', async () => {
    await navigate(url('/users/1'));
    const raw = await rawExchange(
      running.baseUrl,
      'GET /users/999 HTTP/1.0\r\nHost: 127.0.0.1\r\nAccept: text/html\r\n\r\n',
    );
    const [head, ...bodyParts] = raw.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(head).toMatch(/x-http2-preload: early/i);
    expect(head).not.toMatch(/transfer-encoding/i);
    const body = bodyParts.join('\r\n\r\n');
    expect(isRecoveryPage(body)).toBe(true);
    expect(body.trimEnd().endsWith('</html>')).toBe(true);
    const target = refreshTarget(body) as string;
    const retry = await rawExchange(
      running.baseUrl,
      `GET ${target} HTTP/1.0\r\nHost: 127.0.0.1\r\nAccept: text/html\r\n\r\n`,
    );
    expect(retry).toMatch(/^HTTP\/1\.1 404 Not Found/);
    expect(retry).toContain('<h1>Not found</h1>');
  });

  it.each([
    ['a piped text/plain attachment', 'attachment' as const],
    ['an event stream written with res.write()', 'events' as const],
    ['a file sent with res.sendFile()', 'file' as const],
  ])('never sends %s under the flushed text/html; the retry gets it as the app meant', async (_name, body) => {
    await navigate(url('/download'));
    next.body = body;
    const flushed = await stagedNavigation(url('/download')).end;
    expect(flushed.complete).toBe(true);
    expect(flushed.body).not.toContain('pwned');
    expect(isRecoveryPage(flushed.body)).toBe(true);
    if (body !== 'events') {
      const retry = await navigate(url('/download'), { cookie: 'http2-preload=late' });
      expect(retry.statusCode).toBe(200);
      expect(retry.headers['content-type']).toMatch(/^text\/plain/);
      expect(retry.body).toContain('plain text');
    }
  });

  it('never forwards to a javascript: URL: the retry gets the inert redirect', async () => {
    await navigate(url('/download'));
    next.body = 'javascript';
    const flushed = await navigate(url('/download'));
    expect(flushed.body).not.toContain('javascript:');
    expect(isRecoveryPage(flushed.body)).toBe(true);
    const retry = await navigate(url('/download'), { cookie: 'http2-preload=late' });
    expect(retry.statusCode).toBe(302);
    expect(retry.headers.location).toBe('javascript:alert(document.cookie)');
  });

  it.each([' "javascript:alert(document.cookie)', "\t'JavaScript:alert(1)'", 'java\tscript:alert(1)', '"vbscript:x"'])(
    'never forwards to %j, which a browser would read as a script URL: the retry gets the redirect itself',
    async (location) => {
      await navigate(url('/download'));
      next.body = 'location';
      next.location = location;
      const flushed = await navigate(url('/download'));
      expect(isRecoveryPage(flushed.body)).toBe(true);
      expect(flushed.body.toLowerCase()).not.toMatch(/script:|&#39;|&quot;/);
      const retry = await navigate(url('/download'), { cookie: 'http2-preload=late' });
      expect(retry.statusCode).toBe(302);
      expect(retry.headers.location).toBe(location.trim());
    },
  );

  it('forwards a Location as the browser reads it: trimmed, tabs and newlines gone', async () => {
    await navigate(url('/download'));
    next.body = 'location';
    next.location = ' /us\ters/1\t';
    const flushed = await navigate(url('/download'));
    expect(isRecoveryPage(flushed.body)).toBe(false);
    expect(refreshTarget(flushed.body)).toBe('/users/1');
    expect(flushed.body).toContain('<a href="/users/1">');
  });

  it('loses no cookie in a burst of concurrent flushed responses that set one', async () => {
    await navigate(url('/download'));
    next.body = 'cookie';
    next.gate = new Gate();
    const staged = Array.from({ length: 30 }, () => stagedNavigation(url('/download')));
    const heads = await Promise.all(staged.map((request) => request.head));
    expect(heads.every((head) => head.headers['x-http2-preload'] === 'early')).toBe(true);
    next.gate.open();
    const ends = await Promise.all(staged.map((request) => request.end));
    for (const end of ends) {
      expect(end.complete).toBe(true);
      expect(end.body).not.toContain('<h1>Download</h1>');
      expect(isRecoveryPage(end.body)).toBe(true);
    }
    const retry = await navigate(url('/download'), { cookie: 'http2-preload=late' });
    expect(retry.headers['set-cookie']).toEqual(['private=yes; Path=/']);
    // The burst stops the route once; its first failure was told before.
    const warnings = logger.at('warn').filter((line) => line.includes('set-cookie'));
    expect(warnings).toEqual([
      expect.stringContaining('It is still flushed'),
      expect.stringContaining('It is not flushed while that happens on a large share'),
    ]);
  });

  it('never flushes a route whose handler puts data in new sessions (saveUninitialized: false): their cookie would be lost', async () => {
    const responses = [];
    for (let i = 0; i < 4; i += 1) responses.push(await navigate(url('/session')));
    for (const res of responses) {
      expect(res.headers['x-http2-preload']).toBe('late');
      expect(res.headers['set-cookie']?.[0]).toMatch(/^connect\.sid=/);
    }
  });
});
