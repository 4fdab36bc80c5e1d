import { connect } from 'node:net';

/** One response as read off the wire, 1xx included. */
export interface WireResponse {
  readonly statusCode: number;
  /** Header names in lower case; a repeated header keeps every value, in order. */
  readonly headers: ReadonlyMap<string, readonly string[]>;
  readonly body: string;
}

/**
 * Writes every request in one go on a single loopback connection (HTTP/1.1 pipelining)
 * and returns all the server wrote until it closed the connection: the last request
 * should carry `Connection: close`.
 */
export function pipeline(baseUrl: string, requests: readonly string[]): Promise<Buffer> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    // Written, not ended: Node's server aborts requests whose client half-closes first.
    const socket = connect({ host: hostname, port: Number(port) }, () => socket.write(requests.join('')));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks)));
  });
}

const STATUS_LINE = /^HTTP\/1\.1 ([1-5]\d\d) [^\r\n]*\r\n/;
const HEADER_LINE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*([^\r\n]*?)[ \t]*\r\n/;
const CHUNK_SIZE_LINE = /^([0-9a-fA-F]+)\r\n/;

class WireError extends Error {}

/**
 * Parses a stream of HTTP/1.1 responses strictly, as a client that must stay in step
 * with the connection: status line, header lines, then a body framed by chunked
 * encoding or Content-Length (none for a 1xx, 204 or 304; read to the end of the
 * connection only as the very last thing). Throws at the first byte out of place, so a
 * 103 written inside a body, or a body's tail read as a status line, fails the test.
 */
export function parseResponses(wire: Buffer): WireResponse[] {
  const text = wire.toString('latin1');
  const responses: WireResponse[] = [];
  let at = 0;
  const fail = (problem: string): never => {
    throw new WireError(`${problem} at byte ${at}: ${JSON.stringify(text.slice(at, at + 80))}`);
  };
  while (at < text.length) {
    const status = STATUS_LINE.exec(text.slice(at, at + 200)) ?? fail('expected a status line');
    at += status[0].length;
    const statusCode = Number(status[1]);
    const headers = new Map<string, string[]>();
    for (;;) {
      if (text.startsWith('\r\n', at)) {
        at += 2;
        break;
      }
      const header = HEADER_LINE.exec(text.slice(at, text.indexOf('\r\n', at) + 2)) ?? fail('expected a header line');
      at += header[0].length;
      const name = header[1].toLowerCase();
      headers.set(name, [...(headers.get(name) ?? []), header[2]]);
    }
    const one = (name: string): string | undefined => {
      const values = headers.get(name);
      if (values !== undefined && values.length > 1) fail(`${name} more than once`);
      return values?.[0];
    };
    let body = '';
    const transferEncoding = one('transfer-encoding');
    const contentLength = one('content-length');
    if (statusCode < 200 || statusCode === 204 || statusCode === 304) {
      if (transferEncoding !== undefined || (contentLength !== undefined && contentLength !== '0')) {
        fail(`a ${statusCode} with a body`);
      }
    } else if (transferEncoding !== undefined) {
      if (transferEncoding.toLowerCase() !== 'chunked' || contentLength !== undefined) fail('unexpected framing');
      for (;;) {
        const size = CHUNK_SIZE_LINE.exec(text.slice(at, at + 20)) ?? fail('expected a chunk size');
        at += size[0].length;
        const length = parseInt(size[1], 16);
        if (length === 0) break;
        if (at + length + 2 > text.length) fail('truncated chunk');
        body += text.slice(at, at + length);
        at += length;
        if (!text.startsWith('\r\n', at)) fail('expected CRLF after a chunk');
        at += 2;
      }
      // No trailers are expected: the chunked body ends with an empty line.
      if (!text.startsWith('\r\n', at)) fail('expected the end of a chunked body');
      at += 2;
    } else if (contentLength !== undefined) {
      if (!/^\d+$/.test(contentLength)) fail('bad Content-Length');
      const length = Number(contentLength);
      if (at + length > text.length) fail('truncated body');
      body = text.slice(at, at + length);
      at += length;
    } else {
      body = text.slice(at);
      at = text.length;
    }
    responses.push({ statusCode, headers, body: Buffer.from(body, 'latin1').toString('utf8') });
  }
  return responses;
}

/** A GET as a browser's navigation sends it, for pipelining. */
export function rawNavigation(path: string, close = false): string {
  return (
    `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
    'Accept: text/html,application/xhtml+xml;q=0.9,*/*;q=0.8\r\n' +
    (close ? 'Connection: close\r\n' : '') +
    '\r\n'
  );
}

/**
 * Keep-alive without pipelining: sends each request on one connection only once the
 * previous response has fully arrived (judged by parsing what came so far), and
 * returns everything the server wrote. The last request should carry `Connection: close`.
 */
export function keepAliveExchange(baseUrl: string, requests: readonly string[]): Promise<Buffer> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    let sent = 0;
    const chunks: Buffer[] = [];
    const sendNext = () => socket.write(requests[sent++]);
    const socket = connect({ host: hostname, port: Number(port) }, sendNext);
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      if (sent >= requests.length) return;
      let finals: number;
      try {
        finals = parseResponses(Buffer.concat(chunks)).filter((response) => response.statusCode >= 200).length;
      } catch {
        return; // a response still on its way
      }
      if (finals === sent) sendNext();
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks)));
  });
}
