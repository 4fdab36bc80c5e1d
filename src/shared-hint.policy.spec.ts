import fc from 'fast-check';
import { assetUrl } from './asset-url.js';
import { hasDotSegment, isShareableHint, originOf, sharedHintPolicy } from './shared-hint.policy.js';
import { toUriReference } from './link/index.js';

const policy = sharedHintPolicy('/static/', ['https://cdn.example.com', 'http://127.0.0.1:8080']);

describe('isShareableHint, staticPrefix /static/ and a listed CDN', () => {
  it.each([
    ['/static/css/app.css'],
    ['/static/img/a b.png'],
    ['/static/img/x.png?v=1#top'],
    ['/static/img/caf\u00e9.png'],
    ['/static/img/..png'],
    ['/static/img/a..b/c.png'],
    ['https://cdn.example.com/lib.js'],
    ['HTTPS://CDN.EXAMPLE.COM/lib.js'],
    ['https://cdn.example.com:443/lib.js'],
    ['http://127.0.0.1:8080/x.js'],
  ])('shares %j', (url) => {
    expect(isShareableHint(url, policy)).toBe(true);
  });

  it.each([
    ['/logout.webp', 'same origin, outside the static files'],
    ['/staticx/app.css', 'a sibling of the prefix'],
    ['/static', 'the prefix without its slash'],
    ['static/app.css', 'relative to the page'],
    ['img/app.png', 'relative to the page'],
    ['/static/../logout.webp', 'a dot segment'],
    ['/static/img/../../logout.webp', 'a route parameter with ../'],
    ['/static/./app.css', 'a single-dot segment'],
    ['/static/%2e%2e/logout.webp', 'an encoded dot segment'],
    ['/static/%2E./logout.webp', 'a half-encoded dot segment'],
    ['/static/img/..%2F..%2Flogout.webp', 'a %2F-hidden dot segment'],
    ['/static/img/%252e%252e%252flogout.webp', 'a double-encoded dot segment'],
    ['/static/img/..\\..\\logout.webp', 'backslashes'],
    ['/static/img/%5c..%5clogout.webp', 'encoded backslashes'],
    ['/static/..;/logout.webp', 'a dot segment with a ; parameter'],
    ['//evil.example/static/app.css', 'protocol-relative'],
    ['//cdn.example.com/lib.js', 'protocol-relative to a CDN listed for https only'],
    ['/\\evil.example/static/x.js', 'a backslash authority'],
    ['https://evil.example/static/app.css', 'another origin'],
    ['http://cdn.example.com/lib.js', 'the listed host over another scheme'],
    ['https://cdn.example.com:8443/lib.js', 'the listed host on another port'],
    ['https://cdn.example.com.evil.example/lib.js', 'a longer host'],
    ['https://cdn.example.com@evil.example/lib.js', 'the listed host as user name'],
    ['https://user:pw@cdn.example.com/lib.js', 'credentials'],
    ['https://cdn.example.com/a/../../lib.js', 'a dot segment on a listed origin'],
    ['javascript:alert(1)', 'a script URL'],
    ['/static/a.css\r\nX: y', 'a control character'],
    [`/static/${'a'.repeat(2100)}`, 'too long'],
  ])('refuses %j (%s)', (url) => {
    expect(isShareableHint(url, policy)).toBe(false);
  });

  it('shares what was declared with @Preload(), wherever it points', () => {
    const declared = sharedHintPolicy('/static/', [], (url) => url === 'https://fonts.example/inter.woff2');
    expect(isShareableHint('https://fonts.example/inter.woff2', declared)).toBe(true);
    expect(isShareableHint('https://fonts.example/other.woff2', declared)).toBe(false);
  });
});

describe('isShareableHint with other static prefixes', () => {
  it('shares the origin of a full-URL staticPrefix, and nothing on the page origin', () => {
    const cdn = sharedHintPolicy('https://assets.example.com/app/', []);
    expect(isShareableHint('https://assets.example.com/app/a.css', cdn)).toBe(true);
    expect(isShareableHint('https://assets.example.com/other/a.css', cdn)).toBe(true);
    expect(isShareableHint('https://assets.example.com/app/../a.css', cdn)).toBe(false);
    expect(isShareableHint('/static/a.css', cdn)).toBe(false);
    expect(isShareableHint('/app/a.css', cdn)).toBe(false);
  });

  it('shares both schemes of a protocol-relative staticPrefix', () => {
    const cdn = sharedHintPolicy('//assets.example.com/app/', []);
    expect(isShareableHint('//assets.example.com/app/a.css', cdn)).toBe(true);
    expect(isShareableHint('https://assets.example.com/app/a.css', cdn)).toBe(true);
    expect(isShareableHint('//evil.example/app/a.css', cdn)).toBe(false);
  });

  it('shares nothing relative to the page, even under a relative staticPrefix', () => {
    // Each page resolves it against its own path: /a/b and /a/c/d share a route's entry.
    const relative = sharedHintPolicy('assets', []);
    expect(isShareableHint('assets/a.css', relative)).toBe(false);
    expect(isShareableHint('/assets/a.css', relative)).toBe(false);
    expect(isShareableHint('https://cdn.example.com/a.css', relative)).toBe(false);
  });

  it('shares the whole origin under staticPrefix "/", dot segments still refused', () => {
    const root = sharedHintPolicy('/', []);
    expect(isShareableHint('/logout.webp', root)).toBe(true);
    expect(isShareableHint('/a/../logout.webp', root)).toBe(false);
  });
});

describe('originOf', () => {
  it('normalizes an origin, and refuses anything more or less', () => {
    expect(originOf('https://CDN.example.com')).toBe('https://cdn.example.com');
    expect(originOf('https://cdn.example.com/')).toBe('https://cdn.example.com');
    expect(originOf('https://cdn.example.com:443')).toBe('https://cdn.example.com');
    for (const wrong of [
      'https://cdn.example.com/x',
      'cdn.example.com',
      '//cdn.example.com',
      'ftp://x',
      'https://u@x',
      'https://x?',
      'https://x#',
      '',
    ]) {
      expect(originOf(wrong)).toBeUndefined();
    }
  });
});

describe('hasDotSegment', () => {
  it('finds . and .. segments however they are encoded, and only in the path', () => {
    expect(hasDotSegment('/a/../b')).toBe(true);
    expect(hasDotSegment('/a/%2E%2e/b')).toBe(true);
    expect(hasDotSegment('/a/%25%32%65%25%32%65/b')).toBe(true);
    expect(hasDotSegment('/a/..')).toBe(true);
    expect(hasDotSegment('https://x/..')).toBe(true);
    expect(hasDotSegment('/a/b?x=../..')).toBe(false);
    expect(hasDotSegment('/a/b#/../..')).toBe(false);
    expect(hasDotSegment('/a/...')).toBe(false);
    expect(hasDotSegment('https://../a')).toBe(false);
  });
});

// ---- Properties: whatever an attacker writes, a shared hint stays in the allowed set.

const PAGE = 'https://app.example/pages/some-slug';
const LISTED = new Set(['https://cdn.example.com', 'http://127.0.0.1:8080']);

/** Pieces attackers use, mixed with arbitrary text. */
const piece = fc.oneof(
  fc.constantFrom(
    '/',
    '//',
    '\\',
    '.',
    '..',
    '%2e',
    '%2E',
    '%2f',
    '%2F',
    '%5c',
    '%25',
    '%252e',
    ';',
    '?',
    '#',
    '@',
    ':',
    '/static/',
    'static/',
    'https://',
    'http://',
    'cdn.example.com',
    'evil.example',
    '127.0.0.1:8080',
    'https://cdn.example.com',
    'javascript:',
    ' ',
    '\t',
    'é',
    '\u3000',
    '\uff0e',
  ),
  fc.string({ maxLength: 6 }),
);
const attackerUrl = fc.array(piece, { minLength: 1, maxLength: 12 }).map((pieces) => pieces.join(''));

/** Where a browser would fetch a Link URL from, if it accepted it, and the path as a file server would see it. */
function whereABrowserGoes(url: string): { origin: string; pathname: string; decodedPath: string } | undefined {
  try {
    const resolved = new URL(toUriReference(url), PAGE);
    let decodedPath = resolved.pathname;
    for (let i = 0; i < 5; i += 1)
      decodedPath = decodedPath.replace(/%([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
    return { origin: resolved.origin, pathname: resolved.pathname, decodedPath };
  } catch {
    return undefined;
  }
}

function isAllowed(url: string): boolean {
  const target = whereABrowserGoes(url);
  if (target === undefined) return false;
  const escapes = target.decodedPath
    .split(/[/\\]/)
    .some((segment) => ['.', '..'].includes(segment.split(';')[0].trim()));
  if (escapes) return false;
  if (LISTED.has(target.origin)) return true;
  return target.origin === new URL(PAGE).origin && target.pathname.startsWith('/static/');
}

describe('isShareableHint, properties', () => {
  it('never shares an attacker string that a browser would fetch outside the allowed set', () => {
    fc.assert(
      fc.property(attackerUrl, (url) => {
        if (isShareableHint(url, policy)) expect(isAllowed(url)).toBe(true);
      }),
      { numRuns: 20_000 },
    );
  });

  it('never shares a template asset built from a route parameter that leaves /static/', () => {
    // Express decodes route parameters, so %2F and %2e arrive as / and .
    fc.assert(
      fc.property(
        attackerUrl,
        fc.constantFrom('img/', '', 'css/'),
        fc.constantFrom('.png', '', '.css'),
        (slug, dir, ext) => {
          const url = assetUrl(`${dir}${slug}${ext}`, '/static/');
          if (isShareableHint(url, policy)) expect(isAllowed(url)).toBe(true);
        },
      ),
      { numRuns: 20_000 },
    );
  });

  it('shares every plain asset path under /static/', () => {
    const segment = fc.stringMatching(/^[A-Za-z0-9_-][A-Za-z0-9._-]{0,11}$/).filter((s) => s !== '.' && s !== '..');
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 5 }), (segments) => {
        expect(isShareableHint(assetUrl(segments.join('/'), '/static/'), policy)).toBe(true);
      }),
    );
  });
});
