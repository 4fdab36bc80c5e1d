/**
 * The one raw HTTP client of the repository: the e2e tests, the bench (bench/src) and the
 * browser tools import it, so that every tool sends a navigation the same way.
 */
import { request as httpRequest, type Agent, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import { performance } from 'node:perf_hooks';

export interface InformationalResponse {
  readonly statusCode: number;
  readonly headers: IncomingHttpHeaders;
}

export interface HttpResult {
  readonly statusCode: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** 1xx responses seen before the final one (a raw node:http client reports them; supertest does not). */
  readonly informational: InformationalResponse[];
}

export interface RequestOptions {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  /** A request body (a submitted form). */
  readonly body?: string;
}

/** A plain node:http request to a loopback URL, collecting the whole response. */
export function request(url: string, options: RequestOptions = {}): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const informational: InformationalResponse[] = [];
    const req = httpRequest(url, { method: options.method ?? 'GET', headers: options.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () =>
        resolve({
          statusCode: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          informational,
        }),
      );
    });
    req.on('information', (info) => informational.push({ statusCode: info.statusCode, headers: info.headers }));
    req.on('error', reject);
    req.end(options.body);
  });
}

/** What a browser sends with a page request (minus the Sec-Fetch headers, which some tests add). */
export const NAVIGATION_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  accept: 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.8',
});

/** A page navigation with the Sec-Fetch headers a browser adds: what the bench sends. */
export const BROWSER_NAVIGATION_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  ...NAVIGATION_HEADERS,
  'sec-fetch-mode': 'navigate',
  'sec-fetch-dest': 'document',
});

/** A page request as a browser sends it. */
export function navigate(url: string, headers: Record<string, string> = {}): Promise<HttpResult> {
  return request(url, { headers: { ...NAVIGATION_HEADERS, ...headers } });
}

/** The URLs of a Link header value, in order. */
export function linkUrls(link: string | string[] | undefined): string[] {
  const value = Array.isArray(link) ? link.join(', ') : (link ?? '');
  return [...value.matchAll(/<([^>]*)>/g)].map((match) => match[1]);
}

export interface ResponseHead {
  readonly statusCode: number;
  readonly headers: IncomingHttpHeaders;
}

export interface ResponseEnd {
  readonly body: string;
  /** The body as received, for a compressed one. */
  readonly bytes: Buffer;
  /** False when the connection closed before the response's final chunk. */
  readonly complete: boolean;
}

/** A request whose stages a test can await one by one. */
export interface StagedRequest {
  /** The first 1xx response. */
  readonly informational: Promise<InformationalResponse>;
  /** Status and headers of the final response, as soon as they arrive. */
  readonly head: Promise<ResponseHead>;
  /** The first chunk of the body. */
  readonly firstChunk: Promise<string>;
  /** Resolves once the body received so far satisfies the predicate (checked at each chunk). */
  until(predicate: (received: Buffer) => boolean): Promise<Buffer>;
  /** The body once the connection is done with it. */
  readonly end: Promise<ResponseEnd>;
}

/**
 * Starts a raw node:http request and reports each stage as it happens, so a test can
 * check what the client has seen while the server's handler is still held at a gate.
 */
export function stagedRequest(url: string, options: RequestOptions = {}): StagedRequest {
  let informational!: (info: InformationalResponse) => void;
  let head!: (head: ResponseHead) => void;
  let firstChunk!: (chunk: string) => void;
  let end!: (end: ResponseEnd) => void;
  let fail!: (error: Error) => void;
  const chunks: Buffer[] = [];
  const waiters: { predicate: (received: Buffer) => boolean; resolve: (received: Buffer) => void }[] = [];
  const check = () => {
    const received = Buffer.concat(chunks);
    for (const waiter of [...waiters]) {
      if (waiter.predicate(received)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(received);
      }
    }
  };
  const staged: StagedRequest = {
    informational: new Promise((resolve) => (informational = resolve)),
    head: new Promise((resolve) => (head = resolve)),
    firstChunk: new Promise((resolve) => (firstChunk = resolve)),
    end: new Promise((resolve, reject) => {
      end = resolve;
      fail = reject;
    }),
    until: (predicate) =>
      new Promise((resolve) => {
        waiters.push({ predicate, resolve });
        check();
      }),
  };
  const req = httpRequest(url, { method: options.method ?? 'GET', headers: options.headers, agent: false }, (res) => {
    head({ statusCode: res.statusCode ?? 0, headers: res.headers });
    res.on('data', (chunk: Buffer) => {
      if (chunks.length === 0) firstChunk(chunk.toString('utf8'));
      chunks.push(chunk);
      check();
    });
    // An aborted body also emits 'error'; 'close' with complete === false says it all.
    res.on('error', () => undefined);
    res.on('close', () => {
      const bytes = Buffer.concat(chunks);
      end({ body: bytes.toString('utf8'), bytes, complete: res.complete });
    });
  });
  req.on('information', (info) => informational({ statusCode: info.statusCode, headers: info.headers }));
  req.on('error', (error) => fail(error));
  req.end();
  return staged;
}

/** A page request as a browser sends it, staged. */
export function stagedNavigation(url: string, headers: Record<string, string> = {}): StagedRequest {
  return stagedRequest(url, { headers: { ...NAVIGATION_HEADERS, ...headers } });
}

/**
 * Sends a request as raw text over a loopback TCP connection and returns everything the
 * server wrote until it closed the connection: for what node:http cannot send, such as
 * an HTTP/1.0 request.
 */
export function rawExchange(baseUrl: string, requestText: string): Promise<string> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    // Written, not ended: Node's server aborts a request whose client half-closes first.
    // The request must make the server close the connection (HTTP/1.0, or Connection: close).
    const socket = connect({ host: hostname, port: Number(port) }, () => socket.write(requestText));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
  });
}

/** One response as a browser would see it unfold, with times from the moment the request was sent. */
export interface TimedResponse {
  readonly statusCode: number;
  readonly headers: IncomingHttpHeaders;
  /** Status codes of the 1xx responses before the final one. */
  readonly informational: readonly number[];
  /** The Link value that was visible first: the 103's, else the final response's. */
  readonly firstLink: string | undefined;
  /** When the first Link was visible, or undefined when none came. */
  readonly linksMs: number | undefined;
  /** Where that first Link came from. */
  readonly linksVia: '103' | 'response headers' | undefined;
  /** When the final response's headers arrived. */
  readonly headersMs: number;
  /** When the final response's body ended. */
  readonly finalMs: number;
  readonly body: string;
}

const linkOf = (headers: IncomingHttpHeaders): string | undefined => {
  const link = headers.link;
  return Array.isArray(link) ? link.join(', ') : link;
};

/**
 * A GET that times when the links became visible: node:http reports a 103 through its
 * 'information' event, and flushed headers through 'response' as soon as they arrive.
 * `agent` is a keep-alive agent to reuse one connection, or false for a new one.
 */
export function timedGet(url: string, headers: Record<string, string>, agent: Agent | false): Promise<TimedResponse> {
  return new Promise((resolve, reject) => {
    const informational: number[] = [];
    let firstLink: string | undefined;
    let linksMs: number | undefined;
    let linksVia: TimedResponse['linksVia'];
    const start = performance.now();
    const req = httpRequest(url, { headers, agent }, (res) => {
      const headersMs = performance.now() - start;
      const link = linkOf(res.headers);
      if (linksMs === undefined && link) {
        linksMs = headersMs;
        linksVia = 'response headers';
        firstLink = link;
      }
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () =>
        resolve({
          statusCode: res.statusCode ?? 0,
          headers: res.headers,
          informational,
          firstLink,
          linksMs,
          linksVia,
          headersMs,
          finalMs: performance.now() - start,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
    req.on('information', (info) => {
      const now = performance.now() - start;
      informational.push(info.statusCode);
      const link = linkOf(info.headers);
      if (linksMs === undefined && link) {
        linksMs = now;
        linksVia = '103';
        firstLink = link;
      }
    });
    req.on('error', reject);
    req.end();
  });
}

/** How many links a Link value holds. */
export function countLinks(link: string | string[] | undefined): number {
  return linkUrls(link).length;
}
