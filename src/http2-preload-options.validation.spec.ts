import { resolveOptions } from './http2-preload-options.validation.js';

describe('resolveOptions', () => {
  it('fills in every default', () => {
    expect(resolveOptions({})).toEqual({
      preloadHeaders: true,
      presendCachedHeaders: true,
      serverPush: false,
      staticPrefix: '/static/',
      debugHeader: 'x-http2-preload',
    });
    expect(resolveOptions(undefined)).toEqual(resolveOptions({}));
  });

  it('keeps valid values and treats undefined as unset', () => {
    expect(resolveOptions({ serverPush: true, debugHeader: false, staticPrefix: undefined })).toMatchObject({
      serverPush: true,
      debugHeader: false,
      staticPrefix: '/static/',
    });
  });

  it('returns a frozen object', () => {
    expect(Object.isFrozen(resolveOptions({}))).toBe(true);
  });

  it.each([null, [], 'x', 1])('refuses %j as options', (value) => {
    expect(() => resolveOptions(value)).toThrow(/options must be an object/);
  });

  it('names an unknown key and lists the accepted ones', () => {
    expect(() => resolveOptions({ serverpush: true })).toThrow(
      'Http2PreloadModule: unknown option "serverpush". Accepted options: preloadHeaders, presendCachedHeaders, serverPush, staticPrefix, debugHeader.',
    );
  });

  it('describes the wrong value', () => {
    expect(() => resolveOptions({ staticPrefix: () => '/x' })).toThrow(/option "staticPrefix" must be .*, got a function\./);
    expect(() => resolveOptions({ debugHeader: ['x'] })).toThrow(/option "debugHeader" must be .*, got an array\./);
  });
});
