import { cacheControl, freshness } from './freshness.js';

describe('freshness', () => {
  test('a long max-age is fresh', () => {
    expect(freshness({ 'cache-control': 'public, max-age=31536000, immutable', etag: 'W/"1"' })).toEqual({
      fresh: true,
      reason: 'max-age=31536000',
      validators: true,
    });
  });

  test("NestJS's useStaticAssets default (max-age=0 with validators) is not", () => {
    expect(freshness({ 'cache-control': 'public, max-age=0', etag: 'W/"1"', 'last-modified': 'x' })).toEqual({
      fresh: false,
      reason: 'max-age=0',
      validators: true,
    });
  });

  test('no-store and no-cache are not, whatever else they say', () => {
    expect(freshness({ 'cache-control': 'max-age=600, no-store' })).toMatchObject({
      fresh: false,
      reason: 'Cache-Control: no-store',
      validators: false,
    });
    expect(freshness({ 'cache-control': 'no-cache, max-age=600' })).toMatchObject({
      fresh: false,
      reason: 'Cache-Control: no-cache',
    });
  });

  test('Expires counts against Date', () => {
    const date = 'Mon, 23 Nov 2026 10:00:00 GMT';
    expect(freshness({ date, expires: 'Mon, 23 Nov 2026 11:00:00 GMT' }).fresh).toBe(true);
    expect(freshness({ date, expires: '0' }).fresh).toBe(false);
  });

  test('without any caching header, Last-Modified gives heuristic freshness; nothing at all is not cacheable', () => {
    expect(freshness({ 'last-modified': 'Mon, 23 Nov 2026 10:00:00 GMT' })).toMatchObject({
      fresh: true,
      validators: true,
    });
    expect(freshness({})).toEqual({
      fresh: false,
      reason: 'no Cache-Control, Expires or Last-Modified',
      validators: false,
    });
  });
});

test('cacheControl reads directives case-insensitively, with quoted values', () => {
  expect(cacheControl('Public, MAX-AGE="60", no-transform')).toEqual({
    public: '',
    'max-age': '60',
    'no-transform': '',
  });
});
