import { formatLink } from './link/index.js';
import { estimatedHintBytes, hasNoAttributes, inferDestination, NO_ATTRIBUTES, normalizeHint } from './preload-hint.js';

describe('inferDestination', () => {
  it.each([
    ['/a.js', 'script'],
    ['/a.mjs', 'script'],
    ['/a.css', 'style'],
    ['/a.CSS', 'style'],
    ['/a.png', 'image'],
    ['/a.jpg', 'image'],
    ['/a.jpeg', 'image'],
    ['/a.gif', 'image'],
    ['/a.webp', 'image'],
    ['/a.avif', 'image'],
    ['/a.svg', 'image'],
    ['/a.woff', 'font'],
    ['/a.woff2', 'font'],
    ['/a.ttf', 'font'],
    ['/a.otf', 'font'],
    ['/a.css?v=3', 'style'],
    ['/a.js#main', 'script'],
    ['https://cdn.example.com/lib.min.js?x=y.css', 'script'],
  ])('%s is %s', (url, destination) => {
    expect(inferDestination(url)).toBe(destination);
  });

  it.each(['/a.json', '/a.wasm', '/a', '/dir.css/file', '/a.css.map', 'https://cdn.example.com'])(
    '%s has none',
    (url) => {
      expect(inferDestination(url)).toBeUndefined();
    },
  );
});

describe('normalizeHint', () => {
  it('infers as and gives fonts crossorigin', () => {
    expect(normalizeHint('/f.woff2')).toEqual({ url: '/f.woff2', as: 'font', crossorigin: 'anonymous' });
    expect(normalizeHint('/a.css')).toEqual({ url: '/a.css', as: 'style' });
    expect(normalizeHint('/data')).toEqual({ url: '/data' });
  });

  it('keeps what the caller gave over what it would infer', () => {
    expect(normalizeHint('/script.php', { as: 'script' })).toEqual({ url: '/script.php', as: 'script' });
    expect(normalizeHint('/f.woff2', { crossorigin: 'use-credentials', type: 'font/woff2' })).toEqual({
      url: '/f.woff2',
      as: 'font',
      crossorigin: 'use-credentials',
      type: 'font/woff2',
    });
    expect(
      normalizeHint('/a.js', { crossorigin: 'anonymous', media: '(min-width: 40em)', fetchpriority: 'high' }),
    ).toEqual({
      url: '/a.js',
      as: 'script',
      crossorigin: 'anonymous',
      media: '(min-width: 40em)',
      fetchpriority: 'high',
    });
  });

  it.each([
    ['', {}, /the URL must be a non-empty string/],
    [42, {}, /the URL must be a non-empty string/],
    [
      '/a.css',
      { as: 'css' },
      /"as" must be one of audio, document, embed, fetch, font, image, object, script, style, track, video, worker; got "css"/,
    ],
    ['/a.css', { crossorigin: true }, /"crossorigin" must be one of anonymous, use-credentials; got true/],
    ['/a.css', { fetchpriority: 'urgent' }, /"fetchpriority" must be one of high, low, auto/],
    ['/a.css', { media: 'screen\r\nX-Evil: 1' }, /"media" must be a non-empty string of printable Latin-1 characters/],
    ['/a.css', { type: '' }, /"type" must be a non-empty string/],
    ['/a.css', { rel: 'stylesheet' }, /"rel" must be one of preload, modulepreload, preconnect; got "stylesheet"/],
    ['/a.css', null, /the attributes must be an object/],
  ])('refuses %j with %j', (url, attributes, message) => {
    expect(() => normalizeHint(url, attributes as never)).toThrow(message);
  });
});

describe('estimatedHintBytes', () => {
  it('bounds what a hint keeps: its URL and its link text, more for non-ASCII URLs', () => {
    const ascii = normalizeHint('/static/a b.png');
    const other = normalizeHint('/static/é.png');
    expect(estimatedHintBytes(ascii)).toBe(128 + 4 * ascii.url.length);
    expect(estimatedHintBytes(other)).toBe(128 + 11 * other.url.length);
    // The link text is never longer than the estimate allows.
    const link = formatLink(normalizeHint(`/static/${'\u20ac'.repeat(100)}`), { nopush: false });
    expect(link.length).toBeLessThan(9 * 108 + 40);
  });
});

describe('hasNoAttributes', () => {
  it('is true for an object without own properties, and false otherwise', () => {
    expect(hasNoAttributes({})).toBe(true);
    expect(hasNoAttributes(Object.create({ as: 'style' }))).toBe(true);
    expect(hasNoAttributes({ as: undefined })).toBe(false);
    expect(hasNoAttributes({ crossorigin: 'anonymous' })).toBe(false);
    expect(hasNoAttributes(null)).toBe(false);
    expect(hasNoAttributes('as=style')).toBe(false);
  });

  it('lets a call with an empty attribute object share the plain hint of a call with none', () => {
    const plain = normalizeHint('/static/css/shared.css');
    expect(normalizeHint('/static/css/shared.css', {})).toBe(plain);
    expect(normalizeHint('/static/css/shared.css', NO_ATTRIBUTES)).toBe(plain);
    expect(normalizeHint('/static/css/shared.css', { media: 'print' })).not.toBe(plain);
  });
});
