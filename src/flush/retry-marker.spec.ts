import fc from 'fast-check';
import { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import {
  hasRetryCookie,
  hasRetryQuery,
  retryUrl,
  takeRetryMarker,
  takeRetryMarkerFirst,
  takeRetryMarkerFirstOn,
  withoutRetryCookie,
  withoutRetryMarker,
  type ArrivingRequest,
} from './retry-marker.js';

describe('retry marker', () => {
  it('is a cookie or a query parameter', () => {
    expect(hasRetryCookie('a=1; http2-preload=late')).toBe(true);
    expect(hasRetryCookie('http2-preload=late')).toBe(true);
    expect(hasRetryCookie('http2-preload=late ;b=2')).toBe(true);
    expect(hasRetryCookie('xhttp2-preload=late')).toBe(false);
    expect(hasRetryCookie('http2-preload=later')).toBe(false);
    expect(hasRetryCookie(undefined)).toBe(false);
    expect(hasRetryQuery('/users/9?x=1&http2-preload=late')).toBe(true);
    expect(hasRetryQuery('/users/9?http2-preload=late#top')).toBe(true);
    expect(hasRetryQuery('/users/9?http2-preload=later')).toBe(false);
    expect(hasRetryQuery('/users/http2-preload=late')).toBe(false);
  });

  it('is taken off the URL, leaving the rest as it was', () => {
    expect(withoutRetryMarker('/a?http2-preload=late')).toBe('/a');
    expect(withoutRetryMarker('/a?x=1&http2-preload=late&y=2')).toBe('/a?x=1&y=2');
    expect(withoutRetryMarker('/a?x=1')).toBe('/a?x=1');
  });

  it('is taken out of the Cookie header, leaving the other cookies', () => {
    expect(withoutRetryCookie('a=1; http2-preload=late; b=2')).toBe('a=1; b=2');
    expect(withoutRetryCookie('http2-preload=late')).toBeUndefined();
    expect(withoutRetryCookie('http2-preload=late;http2-preload=late')).toBeUndefined();
  });

  it('is added to the request URL without letting it name another host', () => {
    expect(retryUrl('/users/9')).toBe('/users/9?http2-preload=late');
    expect(retryUrl('/users/9?tab=2')).toBe('/users/9?tab=2&http2-preload=late');
    expect(retryUrl('//evil.example/x')).toBe('/.//evil.example/x?http2-preload=late');
    expect(retryUrl('/\\evil.example')).toBe('/%5Cevil.example?http2-preload=late');
    expect(new URL(retryUrl('//evil.example/x'), 'https://shop.example').host).toBe('shop.example');
    expect(withoutRetryMarker(retryUrl('/users/9?tab=2'))).toBe('/users/9?tab=2');
  });

  it('round-trips: any URL marked and unmarked is the URL again, and never keeps the mark', () => {
    const query = fc.array(fc.stringMatching(/^[a-z0-9=%-]{0,8}$/), { maxLength: 4 });
    fc.assert(
      fc.property(fc.stringMatching(/^\/([a-z0-9;,.%-][a-z0-9/;,.%-]{0,20})?$/), query, (path, pairs) => {
        const url = pairs.length > 0 ? `${path}?${pairs.join('&')}` : path;
        const marked = retryUrl(url);
        expect(hasRetryQuery(marked)).toBe(true);
        expect(withoutRetryMarker(marked)).toBe(url);
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('takeRetryMarker', () => {
  it('takes the mark off a request and remembers that it came marked', () => {
    const request: ArrivingRequest = { url: '/a?x=1&http2-preload=late', headers: { cookie: 'sid=1' } };
    expect(takeRetryMarker(request)).toBe(true);
    expect(request.url).toBe('/a?x=1');
    expect(request.headers.cookie).toBe('sid=1');
    // The interceptor asks again later: the URL no longer has it, the request is still a retry.
    expect(takeRetryMarker(request)).toBe(true);
  });

  it('takes the cookie out, and drops a Cookie header that held nothing else', () => {
    const request: ArrivingRequest = { url: '/a', headers: { cookie: 'http2-preload=late' } };
    expect(takeRetryMarker(request)).toBe(true);
    expect('cookie' in request.headers).toBe(false);
    const other: ArrivingRequest = { url: '/a', headers: { cookie: 'a=1; http2-preload=late' } };
    expect(takeRetryMarker(other)).toBe(true);
    expect(other.headers.cookie).toBe('a=1');
  });

  it('leaves an unmarked request as it is', () => {
    const headers = { cookie: 'xhttp2-preload=late', accept: 'text/html' };
    const request: ArrivingRequest = { url: '/a?http2-preload=later', headers };
    expect(takeRetryMarker(request)).toBe(false);
    expect(request).toEqual({ url: '/a?http2-preload=later', headers });
  });
});

describe('takeRetryMarkerFirst', () => {
  /** A server as far as listeners go: what the app's own listener sees, in order. */
  function server() {
    const emitter = new EventEmitter();
    const seen: string[] = [];
    emitter.on('request', (request: IncomingMessage) => seen.push(request.url!));
    return { emitter, seen };
  }

  it('runs before the app: the listener already there sees the URL without the mark', () => {
    const { emitter, seen } = server();
    const release = takeRetryMarkerFirst(emitter as never);
    emitter.emit('request', { url: '/a?http2-preload=late', headers: {} });
    expect(seen).toEqual(['/a']);
    release();
    emitter.emit('request', { url: '/b?http2-preload=late', headers: {} });
    expect(seen).toEqual(['/a', '/b?http2-preload=late']);
    expect(emitter.listenerCount('request')).toBe(1);
  });

  it('is installed on Express and Fastify servers only', () => {
    const { emitter } = server();
    const adapter = (type: string) => ({ getType: () => type, getHttpServer: () => emitter });
    expect(takeRetryMarkerFirstOn(adapter('koa'))).toBeUndefined();
    expect(takeRetryMarkerFirstOn(undefined)).toBeUndefined();
    expect(takeRetryMarkerFirstOn({ getType: () => 'express', getHttpServer: () => undefined })).toBeUndefined();
    const release = takeRetryMarkerFirstOn(adapter('fastify'));
    expect(emitter.listenerCount('request')).toBe(2);
    release!();
    expect(emitter.listenerCount('request')).toBe(1);
  });
});
