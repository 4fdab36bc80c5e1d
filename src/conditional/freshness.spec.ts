import fc from 'fast-check';
import { isFresh, type FreshnessFacts } from './freshness.js';

const modified = 'Fri, 20 Nov 2026 10:00:00 GMT';
const facts = (more: Partial<FreshnessFacts>): FreshnessFacts => ({
  method: 'GET',
  statusCode: 200,
  cacheControl: undefined,
  ifNoneMatch: undefined,
  ifModifiedSince: undefined,
  etag: 'W/"2a-abc"',
  lastModified: modified,
  ...more,
});

describe('isFresh: Express’s req.fresh with RFC 9110’s comparisons', () => {
  it('matches If-None-Match weakly against the ETag the response carries', () => {
    expect(isFresh(facts({ ifNoneMatch: 'W/"2a-abc"' }))).toBe(true);
    expect(isFresh(facts({ ifNoneMatch: '"2a-abc"' }))).toBe(true);
    expect(isFresh(facts({ ifNoneMatch: '"other", W/"2a-abc"' }))).toBe(true);
    expect(isFresh(facts({ ifNoneMatch: '"other"', ifModifiedSince: modified }))).toBe(false);
  });

  it('honours If-Modified-Since only as an HTTP-date, unlike the fresh package', () => {
    expect(isFresh(facts({ ifModifiedSince: modified }))).toBe(true);
    expect(isFresh(facts({ ifModifiedSince: 'Friday, 20-Nov-26 10:00:00 GMT' }))).toBe(true);
    for (const value of ['2099-12-31', '3000', '12/31/2099', 'Tue, 31 Dec 2099']) {
      expect(isFresh(facts({ ifModifiedSince: value }))).toBe(false);
    }
    expect(isFresh(facts({ ifModifiedSince: modified, lastModified: '2026-11-20' }))).toBe(false);
  });

  it('does not read If-None-Match: * as a match on a response without an ETag', () => {
    expect(isFresh(facts({ ifNoneMatch: '*', etag: undefined }))).toBe(false);
    expect(isFresh(facts({ ifNoneMatch: '*' }))).toBe(true);
  });

  it('keeps what Express decides besides: GET and HEAD, 2xx or 304, never with Cache-Control: no-cache', () => {
    expect(isFresh(facts({ method: 'HEAD', ifNoneMatch: 'W/"2a-abc"' }))).toBe(true);
    expect(isFresh(facts({ method: 'POST', ifNoneMatch: 'W/"2a-abc"' }))).toBe(false);
    expect(isFresh(facts({ statusCode: 404, ifNoneMatch: 'W/"2a-abc"' }))).toBe(false);
    expect(isFresh(facts({ statusCode: 304, ifNoneMatch: 'W/"2a-abc"' }))).toBe(true);
    expect(isFresh(facts({ cacheControl: 'no-cache', ifNoneMatch: 'W/"2a-abc"' }))).toBe(false);
    expect(isFresh(facts({ cacheControl: 'max-age=0', ifNoneMatch: 'W/"2a-abc"' }))).toBe(true);
  });

  it('is never fresh without a revalidation header, whatever the response carries', () => {
    fc.assert(
      fc.property(fc.option(fc.string()), fc.option(fc.string()), (etag, lastModified) =>
        expect(isFresh(facts({ etag, lastModified }))).toBe(false),
      ),
    );
  });
});
