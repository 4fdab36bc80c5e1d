import { Controller, Get, Module, Req, Res, StreamableFile } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createReadStream, readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Http2PreloadModule, PreloadCollector } from '../src/index.js';
import { FIXTURE_VIEWS } from './support/app.js';
import { startFastifyApp } from './support/fastify-app.js';
import { Gate } from './support/gate.js';
import { navigate, stagedNavigation, type ResponseEnd } from './support/http.js';
import { RecordingLogger } from './support/logger.js';
import { isRecoveryPage, refreshTarget } from './support/recovery.js';

/** A user's upload: text that a browser would run as script if it arrived as a page of the site. */
const UPLOAD = fileURLToPath(new URL('./fixtures/files/upload.txt', import.meta.url));
const SCRIPT = '<script>alert(1)</script>';
const UPLOAD_TEXT = readFileSync(UPLOAD, 'utf8');

/** How the handler answers the next request: undefined renders the page. */
const next: { send?: (reply: FastifyReply) => void; file?: () => StreamableFile; gate: Gate } = { gate: Gate.open() };

const upload = () => createReadStream(UPLOAD);

/** What @fastify/view adds to the reply. */
type ViewReply = FastifyReply & { view(template: string, data: object): Promise<string> };

@Controller()
class UploadsController {
  @Get('upload')
  async upload(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    PreloadCollector.of(request);
    await next.gate.opened;
    if (next.send) next.send(reply);
    else await (reply as ViewReply).view('page', { title: 'Upload' });
  }

  /** The same upload through Nest's StreamableFile: the page itself is an HTML StreamableFile. */
  @Get('streamable')
  async streamable(@Req() request: FastifyRequest): Promise<StreamableFile> {
    PreloadCollector.of(request).add('/static/css/app.css');
    await next.gate.opened;
    if (next.file) return next.file();
    return new StreamableFile(Buffer.from('<!doctype html><title>Upload</title><h1>Upload</h1>'), {
      type: 'text/html; charset=utf-8',
    });
  }
}

@Module({ imports: [Http2PreloadModule.forRoot()], controllers: [UploadsController] })
class AppModule {}

/** Every way a Fastify reply can carry a body, with what the retry (late) gets: its Content-Type. */
const BODIES: readonly [name: string, send: (reply: FastifyReply) => void, retryType: RegExp | undefined][] = [
  ['a string (Fastify types it text/plain)', (reply) => void reply.send(UPLOAD_TEXT), /^text\/plain/],
  [
    'a Buffer (application/octet-stream)',
    (reply) => void reply.send(Buffer.from(UPLOAD_TEXT)),
    /^application\/octet-stream/,
  ],
  ['a Node stream of no type', (reply) => void reply.send(upload()), undefined],
  ['a typed Node stream', (reply) => void reply.type('text/plain').send(upload()), /^text\/plain/],
  [
    'an HTML stream sent as an attachment',
    (reply) =>
      void reply
        .type('text/html; charset=utf-8')
        .header('content-disposition', 'attachment; filename="upload.html"')
        .send(upload()),
    /^text\/html/,
  ],
  ['a web ReadableStream', (reply) => void reply.send(Readable.toWeb(upload())), undefined],
  [
    'an async iterator (Readable.from)',
    (reply) =>
      void reply.send(
        Readable.from(
          (async function* () {
            yield 'An uploaded note. ';
            yield SCRIPT;
          })(),
        ),
      ),
    undefined,
  ],
  [
    'a fetch Response',
    (reply) =>
      void reply.send(
        new Response(Readable.toWeb(upload()) as ReadableStream, { headers: { 'content-type': 'text/plain' } }),
      ),
    /^text\/plain/,
  ],
  [
    'writes on reply.raw',
    (reply) => {
      reply.raw.setHeader('content-type', 'text/plain');
      reply.raw.write(UPLOAD_TEXT);
      reply.raw.end();
    },
    /^text\/plain/,
  ],
  [
    'a hijacked reply writing reply.raw',
    (reply) => {
      reply.hijack();
      reply.raw.writeHead(200, { 'content-type': 'text/plain' });
      reply.raw.end(UPLOAD_TEXT);
    },
    /^text\/plain/,
  ],
  [
    "a hijacked reply of no type (the reply's own headers never go out)",
    (reply) => {
      reply.type('text/html; charset=utf-8').hijack();
      reply.raw.end(UPLOAD_TEXT);
    },
    undefined,
  ],
];

describe('on Fastify, a body after a flush that is not the promised page never goes out under it', () => {
  let app: NestFastifyApplication;
  let baseUrl: string;
  let logger: RecordingLogger;
  const url = (path: string) => `${baseUrl}${path}`;

  beforeEach(async () => {
    logger = new RecordingLogger();
    next.send = undefined;
    next.file = undefined;
    next.gate = Gate.open();
    ({ app, baseUrl } = await startFastifyApp(AppModule, { views: FIXTURE_VIEWS, logger }));
  });
  afterEach(() => {
    next.gate.open();
    return app.close();
  });

  /** Warms the route with one late page, then holds a flushed request until its headers arrived, then lets the handler answer. */
  async function flushedThen(path: string, answer: () => void): Promise<ResponseEnd> {
    expect((await navigate(url(path))).headers['x-http2-preload']).toBe('late');
    answer();
    next.gate = new Gate();
    const staged = stagedNavigation(url(path));
    const head = await staged.head;
    expect(head.statusCode).toBe(200);
    expect(head.headers['x-http2-preload']).toBe('early');
    expect(head.headers['content-type']).toBe('text/html; charset=utf-8');
    next.gate.open();
    return staged.end;
  }

  /**
   * The route learnt: one warning. One failure among its clean pages is a small share of
   * its requests, so it is still flushed (flush-backoff.ts); its pages come whole (the
   * first may go late when the retry's answer recorded no hints for the route).
   */
  async function expectLearnt(path: string, route: string): Promise<void> {
    expect(logger.at('warn').filter((line) => line.includes(route))).toEqual([
      expect.stringMatching(/after its headers had been flushed.*It is still flushed/),
    ]);
    const pages = [await navigate(url(path)), await navigate(url(path))];
    for (const page of pages) expect(isRecoveryPage(page.body)).toBe(false);
    expect(pages[1]!.headers['x-http2-preload']).toBe('early');
  }

  it.each(BODIES)('%s: the client gets the retry page, never the file', async (_name, send, retryType) => {
    const flushed = await flushedThen('/upload', () => (next.send = send));
    expect(flushed.complete).toBe(true);
    expect(flushed.body).not.toContain(SCRIPT);
    expect(isRecoveryPage(flushed.body)).toBe(true);

    // The retry gets the upload as the app sends it late.
    const retry = await navigate(url('/upload'), { cookie: 'http2-preload=late' });
    expect(retry.statusCode).toBe(200);
    expect(retry.body).toContain(SCRIPT);
    if (retryType) expect(retry.headers['content-type']).toMatch(retryType);
    else expect(retry.headers['content-type']).toBeUndefined();

    next.send = undefined;
    await expectLearnt('/upload', 'GET /upload');
  });

  it.each([
    ['of a file (application/octet-stream)', () => new StreamableFile(upload())],
    [
      'of a text attachment',
      () => new StreamableFile(upload(), { type: 'text/plain', disposition: 'attachment; filename="upload.txt"' }),
    ],
  ])("Nest's StreamableFile %s returned by the handler: the client gets the retry page", async (_name, file) => {
    const flushed = await flushedThen('/streamable', () => (next.file = file));
    expect(flushed.complete).toBe(true);
    expect(flushed.body).not.toContain(SCRIPT);
    expect(isRecoveryPage(flushed.body)).toBe(true);
    next.file = undefined;
    await expectLearnt('/streamable', 'GET /streamable');
  });

  it('a redirect ends on the page that forwards the browser there', async () => {
    const flushed = await flushedThen('/upload', () => (next.send = (reply) => void reply.redirect('/elsewhere', 303)));
    expect(flushed.complete).toBe(true);
    expect(isRecoveryPage(flushed.body)).toBe(false);
    expect(refreshTarget(flushed.body)).toBe('/elsewhere');
    next.send = undefined;
    await expectLearnt('/upload', 'GET /upload');
  });

  it('an HTML stream the app typed as the flushed page goes out, and the route keeps flushing', async () => {
    const html = '<!doctype html><title>Streamed</title><h1>Streamed</h1>';
    const flushed = await flushedThen(
      '/upload',
      () =>
        (next.send = (reply) => {
          PreloadCollector.of(reply.request).add('/static/css/app.css');
          void reply.type('text/html; charset=utf-8').send(Readable.from([html]));
        }),
    );
    expect(flushed.complete).toBe(true);
    expect(flushed.body.trimStart()).toBe(html);
    expect(logger.at('warn')).toEqual([]);
    expect((await navigate(url('/upload'))).headers['x-http2-preload']).toBe('early');
  });
});
