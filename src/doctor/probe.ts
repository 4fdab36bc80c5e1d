import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import { isIP } from 'node:net';
import type { Readable } from 'node:stream';
import tls from 'node:tls';
import zlib from 'node:zlib';
import { scanHtml } from './html-scan.js';
import { preloadLinks } from './link-parse.js';
import type {
  AssetFetch,
  Exchange,
  Failure,
  FailureKind,
  Interim,
  Observations,
  Protocol,
  Transport,
} from './observation.js';

export interface ProbeOptions {
  /** Longest wait for one request, its body included. */
  readonly timeoutMs: number;
  /** Accept any certificate (a local CA, self-signed). */
  readonly insecure: boolean;
  /** Extra CA certificates (PEM) to trust. */
  readonly ca?: string;
  /** At most this many files are fetched (hinted files first, then the page's stylesheets). */
  readonly maxAssets?: number;
}

/** What a browser sends for a navigation, so the module treats the doctor as one (it checks Accept and Sec-Fetch-Mode). */
const NAVIGATION_HEADERS = {
  accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
  'accept-encoding': 'gzip, deflate, br',
  'accept-language': 'en',
  'sec-fetch-dest': 'document',
  'sec-fetch-mode': 'navigate',
  'sec-fetch-site': 'none',
  'sec-fetch-user': '?1',
  'upgrade-insecure-requests': '1',
  'user-agent': 'Mozilla/5.0 (compatible; nestjs-http2-preload-doctor)',
};

/** Enough of a page to find its tags; the rest only counts for timing. */
const BODY_LIMIT = 2 * 1024 * 1024;
const STYLESHEET_LIMIT = 512 * 1024;

/**
 * Visits the page as a browser would and records what came back and when: a warm-up
 * request, then the page over HTTP/2 (when TLS offers it) and over HTTP/1.1, then each
 * hinted file and each stylesheet of the page. Never throws: failures are observations.
 */
export async function observe(pageUrl: string, options: ProbeOptions): Promise<Observations> {
  const url = new URL(pageUrl);
  let transport: Transport = 'cleartext';
  if (url.protocol === 'https:') {
    const alpn = await negotiate(url, options);
    if (typeof alpn !== 'string') return { url: url.href, failure: alpn, assets: [] };
    transport = alpn === 'h2' ? 'tls-h2' : 'tls-http1';
  }
  const overH2 = transport === 'tls-h2';
  const visit = (protocol: Protocol) =>
    protocol === 'h2'
      ? h2Exchange(url, NAVIGATION_HEADERS, options, BODY_LIMIT)
      : http1Exchange(url, NAVIGATION_HEADERS, options, BODY_LIMIT);

  const warm = await visit(overH2 ? 'h2' : 'http/1.1');
  if (warm.failure && warm.status === undefined && warm.interim.length === 0) {
    return { url: url.href, transport, failure: warm.failure, warm, assets: [] };
  }
  const h2 = overH2 ? await visit('h2') : undefined;
  const http1 = await visit('http/1.1');
  const primary = h2 ?? http1;
  const assets = await fetchAssets(url, primary, overH2, options);
  return { url: url.href, transport, warm, h2, http1, assets };
}

/** TLS handshake offering h2 and http/1.1: the protocol ALPN chose, or why it failed. */
function negotiate(url: URL, options: ProbeOptions): Promise<string | Failure> {
  return new Promise((resolve) => {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const socket = tls.connect({
      host,
      port: Number(url.port || 443),
      servername: isIP(host) ? undefined : host,
      ALPNProtocols: ['h2', 'http/1.1'],
      rejectUnauthorized: !options.insecure,
      ca: caList(options),
    });
    const timer = setTimeout(
      () => socket.destroy(timeoutError(options.timeoutMs, 'for the TLS handshake')),
      options.timeoutMs,
    );
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      const protocol = socket.alpnProtocol || 'http/1.1';
      socket.end();
      resolve(protocol);
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(classify(error));
    });
  });
}

function caList(options: ProbeOptions): string[] | undefined {
  return options.ca ? [...tls.rootCertificates, options.ca] : undefined;
}

function timeoutError(ms: number, what: string): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(`no answer within ${ms} ms ${what}`);
  error.code = 'ETIMEDOUT';
  return error;
}

const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ERR_TLS|ERR_SSL|EPROTO|HOSTNAME|ALTNAME/;
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'ECONNRESET',
]);

export function classify(error: NodeJS.ErrnoException): Failure {
  const code = error.code;
  let kind: FailureKind = 'other';
  if (code === 'ETIMEDOUT') kind = 'timeout';
  else if (code && TLS_CODES.test(code)) kind = 'tls';
  else if (code && UNREACHABLE_CODES.has(code)) kind = 'unreachable';
  else if (code && (/^ERR_HTTP2|^HPE_/.test(code) || code === 'ERR_INVALID_HTTP_RESPONSE')) kind = 'protocol';
  return { kind, code, message: error.message };
}

/** Accumulates one exchange; `finish` may be called more than once, the first call wins. */
class Recorder {
  readonly start = performance.now();
  readonly interim: Interim[] = [];
  status?: number;
  headers: Record<string, string> = {};
  headerBytes = 0;
  headersAtMs?: number;
  firstChunkBlank?: boolean;
  contentAtMs?: number;
  endAtMs?: number;
  body = '';
  failure?: Failure;
  private done = false;

  constructor(
    private readonly protocol: Protocol,
    private readonly limit: number,
    private readonly resolve: (exchange: Exchange) => void,
  ) {}

  now(): number {
    return performance.now() - this.start;
  }

  /** Reads the (decoded) body as it arrives, noting when the first non-whitespace byte came. */
  readBody(raw: Readable, contentEncoding: string | undefined, onDone: () => void): void {
    const decoded = decode(raw, contentEncoding);
    decoded.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      if (this.firstChunkBlank === undefined) this.firstChunkBlank = text.trim() === '';
      if (this.contentAtMs === undefined && /\S/.test(text)) this.contentAtMs = this.now();
      if (this.body.length < this.limit) this.body += text.slice(0, this.limit - this.body.length);
    });
    decoded.on('end', () => {
      this.endAtMs = this.now();
      onDone();
    });
    decoded.on('error', (error: NodeJS.ErrnoException) => this.finish(error));
  }

  finish(error?: NodeJS.ErrnoException): void {
    if (this.done) return;
    this.done = true;
    if (error) this.failure = classify(error);
    this.resolve({
      protocol: this.protocol,
      interim: this.interim,
      status: this.status,
      headers: this.headers,
      headerBytes: this.headerBytes,
      headersAtMs: this.headersAtMs,
      firstChunkBlank: this.firstChunkBlank,
      contentAtMs: this.contentAtMs,
      endAtMs: this.endAtMs,
      body: this.body,
      failure: this.failure,
    });
  }
}

function decode(raw: Readable, contentEncoding: string | undefined): Readable {
  // Sync flush: emit what has arrived, so the first decoded bytes are timed when they come.
  const flush = { flush: zlib.constants.Z_SYNC_FLUSH, finishFlush: zlib.constants.Z_SYNC_FLUSH };
  switch ((contentEncoding ?? '').trim().toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
      return raw.pipe(zlib.createGunzip(flush));
    case 'deflate':
      return raw.pipe(zlib.createInflate(flush));
    case 'br':
      return raw.pipe(zlib.createBrotliDecompress({ flush: zlib.constants.BROTLI_OPERATION_FLUSH }));
    default:
      return raw;
  }
}

function joinHeaders(headers: Record<string, string | string[] | number | undefined>): Record<string, string> {
  const joined: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith(':') || value === undefined) continue;
    joined[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return joined;
}

function headerBytes(headers: Record<string, string | string[] | number | undefined>): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith(':') || value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) bytes += Buffer.byteLength(`${name}: ${one}\r\n`);
  }
  return bytes;
}

function http1Exchange(
  url: URL,
  headers: Record<string, string>,
  options: ProbeOptions,
  limit: number,
): Promise<Exchange> {
  return new Promise((resolve) => {
    const recorder = new Recorder('http/1.1', limit, resolve);
    const client = url.protocol === 'https:' ? https : http;
    const req = client.request(url, {
      method: 'GET',
      headers,
      agent: false,
      rejectUnauthorized: !options.insecure,
      ca: caList(options),
      // No ALPN: the server then speaks HTTP/1.1, as to any client that does not offer h2.
    });
    const timer = setTimeout(
      () => req.destroy(timeoutError(options.timeoutMs, `for ${url.pathname}`)),
      options.timeoutMs,
    );
    req.on('information', (info) => {
      recorder.interim.push({ status: info.statusCode, atMs: recorder.now(), link: joinHeaders(info.headers).link });
    });
    req.on('response', (res) => {
      recorder.headersAtMs = recorder.now();
      recorder.status = res.statusCode;
      recorder.headers = joinHeaders(res.headers);
      const raw: Record<string, string[]> = {};
      for (let i = 0; i < res.rawHeaders.length; i += 2) (raw[res.rawHeaders[i]] ??= []).push(res.rawHeaders[i + 1]);
      recorder.headerBytes = headerBytes(raw);
      res.on('error', (error) => recorder.finish(error));
      // An incomplete body (the connection closed early) ends with 'aborted', not 'end'.
      res.on('aborted', () =>
        recorder.finish(Object.assign(new Error('the response ended before it was complete'), { code: 'ECONNRESET' })),
      );
      recorder.readBody(res, res.headers['content-encoding'], () => {
        clearTimeout(timer);
        recorder.finish();
      });
    });
    req.on('error', (error) => {
      clearTimeout(timer);
      recorder.finish(error);
    });
    req.end();
  });
}

function h2Exchange(
  url: URL,
  headers: Record<string, string>,
  options: ProbeOptions,
  limit: number,
  session?: http2.ClientHttp2Session,
): Promise<Exchange> {
  return new Promise((resolve) => {
    const own = !session;
    const client = session ?? http2.connect(url.origin, { rejectUnauthorized: !options.insecure, ca: caList(options) });
    const settle = (exchange: Exchange) => {
      clearTimeout(timer);
      if (own) client.close();
      resolve(exchange);
    };
    const recorder = new Recorder('h2', limit, settle);
    if (own) client.on('error', (error) => recorder.finish(error));
    const stream = client.request(
      { ':method': 'GET', ':path': url.pathname + url.search, ...headers },
      { endStream: true },
    );
    const timer = setTimeout(() => {
      stream.close(http2.constants.NGHTTP2_CANCEL);
      recorder.finish(timeoutError(options.timeoutMs, `for ${url.pathname}`));
    }, options.timeoutMs);
    stream.on('headers', (h) => {
      const status = Number(h[':status']);
      if (status >= 100 && status < 200)
        recorder.interim.push({ status, atMs: recorder.now(), link: joinHeaders(h).link });
    });
    stream.on('response', (h) => {
      recorder.headersAtMs = recorder.now();
      recorder.status = Number(h[':status']);
      recorder.headers = joinHeaders(h);
      recorder.headerBytes = headerBytes(h);
      recorder.readBody(stream, recorder.headers['content-encoding'], () => recorder.finish());
    });
    stream.on('error', (error) => recorder.finish(error));
    stream.on('close', () => {
      // A reset without an 'error' (NGHTTP2_CANCEL, say), before the body was complete.
      if (stream.rstCode && recorder.endAtMs === undefined) {
        recorder.finish(
          Object.assign(new Error(`stream reset with code ${stream.rstCode}`), { code: 'ERR_HTTP2_STREAM_ERROR' }),
        );
      } else if (recorder.status === undefined) {
        recorder.finish(
          Object.assign(new Error('the stream closed without a response'), { code: 'ERR_HTTP2_STREAM_ERROR' }),
        );
      }
    });
  });
}

/** What the browser sends for a file of each `as`, so the server answers as it would to the page. */
function assetHeaders(as: string | undefined, pageUrl: URL, cors: boolean): Record<string, string> {
  const accept: Record<string, string> = {
    style: 'text/css,*/*;q=0.1',
    image: 'image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8',
  };
  const headers: Record<string, string> = {
    accept: accept[as ?? ''] ?? '*/*',
    'accept-encoding': 'gzip, deflate, br',
    'sec-fetch-dest': as && ['style', 'script', 'image', 'font'].includes(as) ? as : 'empty',
    'sec-fetch-mode': cors ? 'cors' : 'no-cors',
    'sec-fetch-site': 'same-origin',
    referer: pageUrl.href,
    'user-agent': NAVIGATION_HEADERS['user-agent'],
  };
  if (cors) headers.origin = pageUrl.origin;
  return headers;
}

async function fetchAssets(
  pageUrl: URL,
  page: Exchange,
  overH2: boolean,
  options: ProbeOptions,
): Promise<AssetFetch[]> {
  const wanted = new Map<string, { as?: string; cors: boolean }>();
  const links = [
    ...page.interim.filter((i) => i.status === 103).flatMap((i) => preloadLinks(i.link)),
    ...preloadLinks(page.headers['link']),
  ];
  for (const link of links) {
    const url = resolveUrl(link.target, pageUrl);
    if (url && !wanted.has(url))
      wanted.set(url, {
        as: link.params.as?.toLowerCase(),
        cors: link.params.crossorigin !== undefined || link.params.as === 'font',
      });
  }
  if (page.status !== undefined && page.status < 300) {
    for (const href of scanHtml(page.body).stylesheets) {
      const url = resolveUrl(href, pageUrl);
      if (url && !wanted.has(url)) wanted.set(url, { as: 'style', cors: false });
    }
  }
  const list = [...wanted].slice(0, options.maxAssets ?? 24);
  let session: http2.ClientHttp2Session | undefined;
  try {
    const fetches: AssetFetch[] = [];
    for (const [href, { as, cors }] of list) {
      const url = new URL(href);
      const headers = assetHeaders(as, pageUrl, cors);
      const limit = as === 'style' ? STYLESHEET_LIMIT : 0;
      let exchange: Exchange;
      if (overH2 && url.origin === pageUrl.origin) {
        if (!session || session.destroyed || session.closed) {
          session = http2.connect(pageUrl.origin, { rejectUnauthorized: !options.insecure, ca: caList(options) });
          session.on('error', () => undefined);
        }
        exchange = await h2Exchange(url, headers, options, limit, session);
      } else {
        exchange = await http1Exchange(url, headers, options, limit);
      }
      fetches.push({
        url: href,
        status: exchange.status,
        headers: exchange.headers,
        body: limit > 0 && /css/i.test(exchange.headers['content-type'] ?? 'text/css') ? exchange.body : undefined,
        failure: exchange.status === undefined ? exchange.failure : undefined,
      });
    }
    return fetches;
  } finally {
    session?.close();
  }
}

function resolveUrl(ref: string, base: URL): string | undefined {
  try {
    const url = new URL(ref, base);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    url.hash = '';
    return url.href;
  } catch {
    return undefined;
  }
}
