import {
  currentValidators,
  evaluatePreconditions,
  toEntityTag,
  type PreconditionHeaders,
  type Validators,
} from './conditional-request.js';

const modified = new Date('2026-11-20T10:00:00.500Z');
const both: Validators = { etag: '"v2"', lastModified: modified };
const get = (headers: Omit<PreconditionHeaders, 'method'>): PreconditionHeaders => ({ method: 'GET', ...headers });
const put = (headers: Omit<PreconditionHeaders, 'method'>): PreconditionHeaders => ({ method: 'PUT', ...headers });
const before = 'Thu, 19 Nov 2026 10:00:00 GMT';
const same = 'Fri, 20 Nov 2026 10:00:00 GMT';
const after = 'Sat, 21 Nov 2026 10:00:00 GMT';

describe('evaluatePreconditions (RFC 9110 §13.2.2)', () => {
  it('proceeds without precondition headers', () => {
    expect(evaluatePreconditions(get({}), both)).toBe('proceed');
    expect(evaluatePreconditions(put({}), {})).toBe('proceed');
  });

  it('If-None-Match: 304 for GET and HEAD, 412 for other methods, with weak comparison', () => {
    expect(evaluatePreconditions(get({ ifNoneMatch: '"v2"' }), both)).toBe('not-modified');
    expect(evaluatePreconditions({ method: 'HEAD', ifNoneMatch: 'W/"v2"' }, both)).toBe('not-modified');
    expect(evaluatePreconditions(get({ ifNoneMatch: '"v1", W/"v2"' }), both)).toBe('not-modified');
    expect(evaluatePreconditions(get({ ifNoneMatch: '"v1"' }), both)).toBe('proceed');
    expect(evaluatePreconditions(put({ ifNoneMatch: '"v2"' }), both)).toBe('precondition-failed');
    expect(evaluatePreconditions(put({ ifNoneMatch: '*' }), both)).toBe('precondition-failed');
    expect(evaluatePreconditions(put({ ifNoneMatch: '*' }), {})).toBe('proceed');
  });

  it('If-Match: strong comparison, 412 when it fails, also when there is no entity tag (as Django does)', () => {
    expect(evaluatePreconditions(put({ ifMatch: '"v2"' }), both)).toBe('proceed');
    expect(evaluatePreconditions(put({ ifMatch: '"v1"' }), both)).toBe('precondition-failed');
    expect(evaluatePreconditions(put({ ifMatch: 'W/"v2"' }), both)).toBe('precondition-failed');
    expect(evaluatePreconditions(put({ ifMatch: '"v2"' }), { etag: 'W/"v2"' })).toBe('precondition-failed');
    expect(evaluatePreconditions(put({ ifMatch: '*' }), both)).toBe('proceed');
    expect(evaluatePreconditions(put({ ifMatch: '*' }), { lastModified: modified })).toBe('precondition-failed');
    expect(evaluatePreconditions(get({ ifMatch: '"v1"' }), both)).toBe('precondition-failed');
  });

  it('If-Unmodified-Since: 412 when changed since, ignored when If-Match is present or no date is known', () => {
    expect(evaluatePreconditions(put({ ifUnmodifiedSince: before }), both)).toBe('precondition-failed');
    expect(evaluatePreconditions(put({ ifUnmodifiedSince: same }), both)).toBe('proceed');
    expect(evaluatePreconditions(put({ ifUnmodifiedSince: after }), both)).toBe('proceed');
    expect(evaluatePreconditions(put({ ifMatch: '"v2"', ifUnmodifiedSince: before }), both)).toBe('proceed');
    expect(evaluatePreconditions(put({ ifUnmodifiedSince: before }), { etag: '"v2"' })).toBe('proceed');
    expect(evaluatePreconditions(put({ ifUnmodifiedSince: 'yesterday-ish' }), both)).toBe('proceed');
  });

  it('If-Modified-Since: 304 for GET when not changed (to the second), ignored with If-None-Match or for other methods', () => {
    expect(evaluatePreconditions(get({ ifModifiedSince: same }), both)).toBe('not-modified');
    expect(evaluatePreconditions(get({ ifModifiedSince: after }), both)).toBe('not-modified');
    expect(evaluatePreconditions(get({ ifModifiedSince: before }), both)).toBe('proceed');
    expect(evaluatePreconditions(get({ ifNoneMatch: '"v1"', ifModifiedSince: after }), both)).toBe('proceed');
    expect(evaluatePreconditions(put({ ifModifiedSince: after }), both)).toBe('proceed');
    expect(evaluatePreconditions(get({ ifModifiedSince: 'not a date' }), both)).toBe('proceed');
    expect(evaluatePreconditions(get({ ifModifiedSince: after }), { etag: '"v2"' })).toBe('proceed');
  });

  // RFC 9110 §13.1.3, §13.1.4: a value that is not an HTTP-date is ignored, whatever Date.parse() makes of it.
  it.each(['2099-12-31', '3000', '12/31/2099', 'Tue, 31 Dec 2099'])(
    'ignores %j in If-Modified-Since and If-Unmodified-Since',
    (value) => {
      expect(evaluatePreconditions(get({ ifModifiedSince: value }), both)).toBe('proceed');
      expect(evaluatePreconditions(get({ ifUnmodifiedSince: '2001-01-01' }), both)).toBe('proceed');
      expect(evaluatePreconditions(put({ ifUnmodifiedSince: value.replace('2099', '2001') }), both)).toBe('proceed');
    },
  );

  it('reads the obsolete RFC 850 and asctime formats as RFC 9110 §5.6.7 requires', () => {
    expect(evaluatePreconditions(get({ ifModifiedSince: 'Friday, 20-Nov-26 10:00:00 GMT' }), both)).toBe(
      'not-modified',
    );
    expect(evaluatePreconditions(get({ ifModifiedSince: 'Fri Nov 20 10:00:00 2026' }), both)).toBe('not-modified');
    expect(evaluatePreconditions(put({ ifUnmodifiedSince: 'Thu Nov 19 10:00:00 2026' }), both)).toBe(
      'precondition-failed',
    );
  });

  it('checks If-Match before If-None-Match: a failed If-Match is a 412 even when If-None-Match would give 304', () => {
    expect(evaluatePreconditions(get({ ifMatch: '"v1"', ifNoneMatch: '"v2"' }), both)).toBe('precondition-failed');
  });
});

describe('toEntityTag', () => {
  it('keeps complete entity tags and quotes bare ones, as Django does', () => {
    expect(toEntityTag('"v1"')).toBe('"v1"');
    expect(toEntityTag('W/"v1"')).toBe('W/"v1"');
    expect(toEntityTag('v1')).toBe('"v1"');
  });

  it('refuses what no header may carry', () => {
    expect(() => toEntityTag('a b')).toThrow(TypeError);
    expect(() => toEntityTag('a"b')).toThrow(/cannot be an entity tag/);
    expect(() => toEntityTag('a\r\nSet-Cookie: x=1')).toThrow(TypeError);
  });
});

describe('currentValidators', () => {
  it('calls both functions with the request, awaiting either', async () => {
    const request = { id: 7 };
    const validators = await currentValidators(
      { etag: async (r: typeof request) => `article-${r.id}`, lastModified: () => modified },
      request,
    );
    expect(validators).toEqual({ etag: '"article-7"', lastModified: modified });
  });

  it('leaves out what a function has not (undefined or null)', async () => {
    expect(await currentValidators({ etag: () => null, lastModified: () => undefined }, {})).toEqual({});
  });

  it('rejects a wrong type, an invalid date, or a throwing function', async () => {
    await expect(currentValidators({ etag: () => 42 }, {})).rejects.toThrow(/must return a string/);
    await expect(currentValidators({ lastModified: () => new Date('nope') }, {})).rejects.toThrow(/valid Date/);
    await expect(
      currentValidators(
        {
          etag: () => {
            throw new Error('db down');
          },
        },
        {},
      ),
    ).rejects.toThrow('db down');
  });
});
