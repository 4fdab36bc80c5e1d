import type { Request } from 'express';
import { cacheKeyFor } from './cache-key.js';

function request(method: string, url: string, routePath?: string): Request {
  return {
    method,
    originalUrl: url,
    url,
    route: routePath === undefined ? undefined : { path: routePath },
  } as unknown as Request;
}

describe('cacheKeyFor', () => {
  describe("with 'route'", () => {
    it('keys by method and the route pattern, so /users/1 and /users/2 share a key', () => {
      const first = cacheKeyFor(request('GET', '/users/1?tab=posts', '/users/:id'), 'route', undefined);
      const second = cacheKeyFor(request('GET', '/users/2', '/users/:id'), 'route', undefined);
      expect(first).toBe('GET /users/:id');
      expect(second).toBe(first);
    });

    it('falls back to the path without its query when the request has no route', () => {
      expect(cacheKeyFor(request('GET', '/files/a.txt?download=1'), 'route', undefined)).toBe('GET /files/a.txt');
    });
  });

  describe("with 'path'", () => {
    it('keys by the path without its query, even when there is a route', () => {
      expect(cacheKeyFor(request('GET', '/users/1?tab=posts', '/users/:id'), 'path', undefined)).toBe('GET /users/1');
      expect(cacheKeyFor(request('GET', '/users/2', '/users/:id'), 'path', undefined)).toBe('GET /users/2');
    });
  });

  it('gives HEAD the same key as GET, but not POST', () => {
    const get = cacheKeyFor(request('GET', '/users/1', '/users/:id'), 'route', undefined);
    expect(cacheKeyFor(request('HEAD', '/users/1', '/users/:id'), 'route', undefined)).toBe(get);
    expect(cacheKeyFor(request('POST', '/users/1', '/users/:id'), 'route', undefined)).not.toBe(get);
  });

  it('prefixes the version, so two versions of the same route never share a key', () => {
    const v1 = cacheKeyFor(request('GET', '/users/1', '/users/:id'), 'route', 'v1');
    const v2 = cacheKeyFor(request('GET', '/users/1', '/users/:id'), 'route', 'v2');
    expect(v1).toBe('v1 GET /users/:id');
    expect(v2).not.toBe(v1);
  });

  describe('with a custom function', () => {
    it('uses the string it returns, given the request, with the version joined in front', () => {
      const keyOf = (req: Request) => `tenant-a ${req.originalUrl}`;
      expect(cacheKeyFor(request('GET', '/home'), keyOf, undefined)).toBe('tenant-a /home');
      expect(cacheKeyFor(request('GET', '/home'), keyOf, 'v3')).toBe('v3 tenant-a /home');
    });

    it('throws a TypeError naming the problem when it returns an empty string or a non-string', () => {
      expect(() => cacheKeyFor(request('GET', '/'), () => '', undefined)).toThrow(
        new TypeError('the cacheKey function must return a non-empty string, got ""'),
      );
      const returnsNumber = (() => 42) as unknown as (req: Request) => string;
      expect(() => cacheKeyFor(request('GET', '/'), returnsNumber, undefined)).toThrow(TypeError);
      expect(() => cacheKeyFor(request('GET', '/'), returnsNumber, undefined)).toThrow(/non-empty string, got 42/);
    });

    it('lets an error thrown by the function propagate unchanged', () => {
      const failure = new Error('no tenant');
      expect(() =>
        cacheKeyFor(
          request('GET', '/'),
          () => {
            throw failure;
          },
          undefined,
        ),
      ).toThrow(failure);
    });
  });
});
