import fc from 'fast-check';
import { runInNewContext } from 'node:vm';
import { inlineScriptAllowed, recoveryPage, retryCookiePath } from './flush-recovery.js';
import { retryUrl } from './retry-marker.js';

describe('inlineScriptAllowed', () => {
  it('is allowed without a policy, or by a policy that does not restrict scripts', () => {
    expect(inlineScriptAllowed(undefined, undefined)).toBe(true);
    expect(inlineScriptAllowed("img-src 'self'", undefined)).toBe(true);
  });

  it('follows script-src-elem, then script-src, then default-src', () => {
    expect(inlineScriptAllowed("default-src 'self'", undefined)).toBe(false);
    expect(inlineScriptAllowed("default-src 'self'; script-src 'nonce-abc'", 'abc')).toBe(true);
    expect(inlineScriptAllowed("script-src 'nonce-abc'; script-src-elem 'self'", 'abc')).toBe(false);
    expect(inlineScriptAllowed("script-src 'nonce-abc'", 'other')).toBe(false);
  });

  it("counts 'unsafe-inline' only where no nonce, hash or 'strict-dynamic' switches it off", () => {
    expect(inlineScriptAllowed("script-src 'self' 'unsafe-inline'", undefined)).toBe(true);
    expect(inlineScriptAllowed("script-src 'unsafe-inline' 'nonce-zzz'", undefined)).toBe(false);
    expect(inlineScriptAllowed("script-src 'unsafe-inline' 'sha256-abc='", undefined)).toBe(false);
  });

  it('needs every policy to allow it, and a sandbox to allow scripts', () => {
    expect(inlineScriptAllowed(["script-src 'nonce-abc'", "default-src 'none'"], 'abc')).toBe(false);
    expect(inlineScriptAllowed("script-src 'nonce-abc', default-src 'self'", 'abc')).toBe(false);
    expect(inlineScriptAllowed('sandbox allow-forms', undefined)).toBe(false);
    expect(inlineScriptAllowed('sandbox allow-scripts', undefined)).toBe(true);
  });
});

describe('recoveryPage', () => {
  it('with a script: sets the cookie and reloads, keeping a refresh for browsers without scripting', () => {
    const page = recoveryPage({ requestUrl: '/users/9?a=1&b=2', nonce: 'abc', scriptAllowed: true });
    expect(page).toContain('<script nonce="abc">');
    expect(page).toContain('location.reload()');
    expect(page).toContain(
      '<noscript><meta http-equiv="refresh" content="0; url=/users/9?a=1&amp;b=2&amp;http2-preload=late"></noscript>',
    );
  });

  it('without a script: a refresh to the marked URL', () => {
    const page = recoveryPage({ requestUrl: '/users/9', nonce: undefined, scriptAllowed: false });
    expect(page).not.toContain('<script');
    expect(page).toContain('<meta http-equiv="refresh" content="0; url=/users/9?http2-preload=late">');
  });

  it('cannot be broken out of by the URL', () => {
    const page = recoveryPage({ requestUrl: '/x"><script>alert(1)</script>', nonce: undefined, scriptAllowed: true });
    expect(page.match(/<script/g)).toHaveLength(1);
    expect(page).not.toContain('</script><script>');
    expect(page).not.toContain('"><script>alert');
  });
});

/** RFC 6265 §5.1.4: whether a cookie with path `cookiePath` goes with a request for `requestPath`. */
function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  return requestPath.startsWith(cookiePath) && (cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/');
}

/** The attributes of a `document.cookie` assignment, split as a browser splits them (RFC 6265 §5.2). */
function cookieAttributes(assignment: string): [string, string][] {
  return assignment
    .split(';')
    .slice(1)
    .map((attribute) => {
      const equals = attribute.indexOf('=');
      const name = (equals < 0 ? attribute : attribute.slice(0, equals)).trim().toLowerCase();
      return [name, equals < 0 ? '' : attribute.slice(equals + 1).trim()];
    });
}

/**
 * Runs the recovery page's script as a browser on a page at `pathname` would: a cookie
 * jar keyed by path (the last `path` attribute wins, as in browsers), `document.cookie`
 * showing the cookies whose path matches the page, and the navigation it ends with.
 */
function runRecoveryScript(pathname: string, search = '') {
  const page = recoveryPage({ requestUrl: `${pathname}${search}`, nonce: undefined, scriptAllowed: true });
  const script = /<script>(.*?)<\/script>/s.exec(page)![1]!;
  const jar = new Map<string, string>();
  const written: string[] = [];
  let navigation: string | undefined;
  const document = {
    get cookie() {
      return [...jar]
        .filter(([path]) => pathMatches(pathname, path))
        .map(([, pair]) => pair)
        .join('; ');
    },
    set cookie(assignment: string) {
      written.push(assignment);
      const attributes = cookieAttributes(assignment);
      const path = attributes.filter(([name]) => name === 'path').pop()?.[1];
      // A path that does not start with `/` is ignored: the page's directory instead.
      const cookiePath = path?.startsWith('/') ? path : pathname.slice(0, pathname.lastIndexOf('/')) || '/';
      const maxAge = attributes.filter(([name]) => name === 'max-age').pop()?.[1];
      if (maxAge === '0') jar.delete(cookiePath);
      else jar.set(cookiePath, assignment.split(';')[0]!);
    },
  };
  const location = {
    pathname,
    protocol: 'https:',
    reload: () => (navigation = 'reload'),
    replace: (url: string) => (navigation = `replace ${url}`),
  };
  runInNewContext(script, { document, location });
  return { jar, written, navigation };
}

describe('the retry cookie', () => {
  it("is set for the page's own path, and the page reloads", () => {
    const { jar, written, navigation } = runRecoveryScript('/products/9', '?tab=2');
    expect(written).toEqual(['http2-preload=late; path=/products/9; max-age=60; samesite=lax; secure']);
    expect([...jar.keys()]).toEqual(['/products/9']);
    expect(navigation).toBe('reload');
  });

  it.each([
    '/page;path=/',
    '/page;domain=example.com;path=/',
    '/products/9;path=/products',
    '/a,b;path=/',
    '/page;Path=/;max-age=999999',
  ])('cannot be widened by the path %j: it is encoded, and the page takes the marked URL', (pathname) => {
    const { jar, written, navigation } = runRecoveryScript(pathname);
    for (const assignment of written) {
      const attributes = cookieAttributes(assignment);
      expect(attributes.map(([name]) => name)).toEqual(['path', 'max-age', 'samesite', 'secure']);
      expect(attributes[0]![1]).toBe(retryCookiePath(pathname));
      expect(attributes[0]![1]).not.toMatch(/[;,\s]/);
    }
    expect(jar.size).toBe(0);
    expect(navigation).toBe(`replace ${pathname}?http2-preload=late`);
  });

  it('is set for a path that was percent-encoded already, exactly', () => {
    const { jar, navigation } = runRecoveryScript('/page%3Bpath=/');
    expect([...jar.keys()]).toEqual(['/page%3Bpath=/']);
    expect(navigation).toBe('reload');
  });

  it('is not set for a path too long for a path attribute, which browsers would replace by its directory', () => {
    const pathname = `/a/${'x'.repeat(1100)}`;
    const { written, navigation } = runRecoveryScript(pathname);
    expect(written).toEqual([]);
    expect(navigation).toBe(`replace ${pathname}?http2-preload=late`);
    expect(retryCookiePath(pathname)).toBeUndefined();
  });

  it('is only ever kept for exactly the page, whatever the path holds', () => {
    const tricky = fc.constantFrom(';', ',', ' ', '\t', '\u0000', '\u007f', '=', '/', '%3B', 'path', 'domain', 'a');
    const pathname = fc
      .array(fc.oneof(tricky, fc.string({ maxLength: 4 })), { maxLength: 12 })
      // A pathname never holds the query's `?` or the fragment's `#`.
      .map((parts) => `/${parts.join('').replace(/[?#]/g, '')}`);
    fc.assert(
      fc.property(pathname, (path) => {
        const { jar, written, navigation } = runRecoveryScript(path);
        for (const assignment of written) {
          const attributes = cookieAttributes(assignment);
          expect(attributes.filter(([name]) => name === 'path')).toEqual([['path', retryCookiePath(path)]]);
          expect(attributes.map(([name]) => name)).not.toContain('domain');
        }
        expect([...jar.keys()].every((cookiePath) => cookiePath === path)).toBe(true);
        expect(navigation).toBe(jar.size > 0 ? 'reload' : `replace ${retryUrl(path)}`);
      }),
      { numRuns: 2_000 },
    );
  });
});
