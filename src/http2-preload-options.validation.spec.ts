import { readLocalsCspNonce } from './csp-nonce.js';
import { resolveOptions } from './http2-preload-options.validation.js';

describe('resolveOptions', () => {
  it('fills in every default', () => {
    expect(resolveOptions({})).toEqual({
      preloadHeaders: true,
      presendCachedHeaders: true,
      serverPush: false,
      staticPrefix: '/static/',
      debugHeader: 'x-http2-preload',
      strategy: 'flushHeaders',
      disableProxyBuffering: true,
      cacheKey: 'route',
      cacheSize: 1000,
      version: undefined,
      maxHeaderBytes: 2000,
      preloadRedirects: false,
      nonce: readLocalsCspNonce,
      sharedHintOrigins: [],
      shell: false,
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
      'Http2PreloadModule: unknown option "serverpush". Accepted options: preloadHeaders, presendCachedHeaders, serverPush, staticPrefix, debugHeader, strategy, disableProxyBuffering, cacheKey, cacheSize, version, maxHeaderBytes, preloadRedirects, nonce, sharedHintOrigins, shell.',
    );
  });

  it('takes shell as false or a layout with its routes, and refuses anything else', () => {
    expect(resolveOptions({ shell: { layout: '/views/layout.hbs' } }).shell).toEqual({
      layout: '/views/layout.hbs',
      routes: 'declared',
      handlebars: undefined,
    });
    expect(() => resolveOptions({ shell: true })).toThrow(/option "shell" must be false, or \{ layout/);
    expect(() => resolveOptions({ shell: { layout: '/l.hbs', routes: 'some' } })).toThrow(/option "shell"/);
    expect(() => resolveOptions({ shell: { layout: '/l.hbs', engine: 'hbs' } })).toThrow(/option "shell"/);
    expect(() => resolveOptions({ shell: { layout: '/l.hbs', handlebars: {} } })).toThrow(/option "shell"/);
  });

  it('takes sharedHintOrigins as a frozen copy of origins, and refuses anything but an origin', () => {
    const given = ['https://cdn.example.com', 'http://127.0.0.1:8080'];
    const { sharedHintOrigins } = resolveOptions({ sharedHintOrigins: given });
    expect(sharedHintOrigins).toEqual(given);
    expect(sharedHintOrigins).not.toBe(given);
    expect(Object.isFrozen(sharedHintOrigins)).toBe(true);
    for (const wrong of [
      'https://cdn.example.com/assets/',
      'cdn.example.com',
      '//cdn.example.com',
      'javascript:alert(1)',
      'https://user@cdn.example.com',
      'https://cdn.example.com?x',
      '',
    ]) {
      expect(() => resolveOptions({ sharedHintOrigins: [wrong] })).toThrow(
        /option "sharedHintOrigins" must be an array of origins/,
      );
    }
    expect(() => resolveOptions({ sharedHintOrigins: 'https://cdn.example.com' })).toThrow(/sharedHintOrigins/);
  });

  it('takes a staticPrefix that every page reads the same: a path from the root or a URL with its host', () => {
    for (const good of [
      '/static/',
      '/static',
      '/',
      '/assets/v2/',
      'https://cdn.example.com/assets/',
      'http://127.0.0.1:8080/s/',
      '//cdn.example.com/s/',
    ]) {
      expect(resolveOptions({ staticPrefix: good }).staticPrefix).toBe(good);
    }
  });

  it.each([
    ['static', "Use '/static/'."],
    ['static/', "Use '/static/'."],
    ['./assets', "Use '/assets/'."],
    ['cdn.example.com/assets', "Use 'https://cdn.example.com/assets/'."],
  ])('refuses the relative staticPrefix %j at bootstrap and says what to write', (prefix, fix) => {
    expect(() => resolveOptions({ staticPrefix: prefix })).toThrow(
      `Http2PreloadModule: option "staticPrefix" must be a path from the site's root, starting with '/' (such as '/static/'), or a full http(s) URL (such as 'https://cdn.example.com/assets/'), got ${JSON.stringify(prefix)}. ${fix}`,
    );
  });

  it.each(['', 'ftp://files.example.com/', 'data:text/css,x', 'https://', '/static/\n'])(
    'refuses the staticPrefix %j, which names no place to load assets from',
    (prefix) => {
      expect(() => resolveOptions({ staticPrefix: prefix })).toThrow(
        /option "staticPrefix" must be a path from the site's root/,
      );
    },
  );

  it('describes the wrong value', () => {
    expect(() => resolveOptions({ staticPrefix: () => '/x' })).toThrow(
      /option "staticPrefix" must be .*, got a function\./,
    );
    expect(() => resolveOptions({ debugHeader: ['x'] })).toThrow(/option "debugHeader" must be .*, got an array\./);
  });

  it('accepts each early-mode setting', () => {
    const keyOf = () => 'key';
    expect(
      resolveOptions({ strategy: 'earlyHints', cacheKey: keyOf, cacheSize: 1, version: '2026-11-22' }),
    ).toMatchObject({ strategy: 'earlyHints', cacheKey: keyOf, cacheSize: 1, version: '2026-11-22' });
    expect(resolveOptions({ cacheKey: 'path' }).cacheKey).toBe('path');
  });

  it('reads res.locals.cspNonce by default, and takes a reader of its own or false', () => {
    const { nonce } = resolveOptions({});
    expect(typeof nonce).toBe('function');
    const reader = () => 'abc';
    expect(resolveOptions({ nonce: reader }).nonce).toBe(reader);
    expect(resolveOptions({ nonce: false }).nonce).toBe(false);
    expect(resolveOptions({}).preloadRedirects).toBe(false);
    expect(resolveOptions({ preloadRedirects: true }).preloadRedirects).toBe(true);
    expect(resolveOptions({ disableProxyBuffering: false }).disableProxyBuffering).toBe(false);
  });

  it.each([
    [{ strategy: 'early' }, /option "strategy" must be 'flushHeaders' or 'earlyHints', got "early"/],
    [{ strategy: 'late' }, /option "strategy" must be 'flushHeaders' or 'earlyHints', got "late"/],
    [
      { cacheKey: 'url' },
      /option "cacheKey" must be 'route', 'path' or a function of the request that returns a string, got "url"/,
    ],
    [{ cacheSize: 0 }, /option "cacheSize" must be a positive integer, got 0/],
    [{ cacheSize: 1.5 }, /option "cacheSize" must be a positive integer, got 1.5/],
    [{ cacheSize: Infinity }, /option "cacheSize" must be a positive integer, got Infinity/],
    [{ cacheSize: '1000' }, /option "cacheSize" must be a positive integer, got "1000"/],
    [{ version: 2 }, /option "version" must be a string, got 2/],
    [{ maxHeaderBytes: 0 }, /option "maxHeaderBytes" must be a positive integer, got 0/],
    [{ maxHeaderBytes: '4k' }, /option "maxHeaderBytes" must be a positive integer, got "4k"/],
    [{ nonce: 'abc' }, /option "nonce" must be a function \(req, res\) => string \| undefined, or false, got "abc"/],
    [{ nonce: true }, /option "nonce" must be a function .*, or false, got true/],
    [{ preloadRedirects: 'yes' }, /option "preloadRedirects" must be true or false, got "yes"/],
    [{ disableProxyBuffering: 'no' }, /option "disableProxyBuffering" must be true or false, got "no"/],
  ])('refuses %j', (options, message) => {
    expect(() => resolveOptions(options)).toThrow(message);
  });
});
