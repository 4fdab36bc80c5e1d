import { inlineScriptAllowed, isRetryRequest, recoveryPage, retryUrl, withoutRetryMarker } from './flush-recovery.js';

describe('retry marker', () => {
  it('is a cookie or a query parameter', () => {
    expect(isRetryRequest('/users/9', 'a=1; http2-preload=late')).toBe(true);
    expect(isRetryRequest('/users/9', 'http2-preload=late')).toBe(true);
    expect(isRetryRequest('/users/9?x=1&http2-preload=late', undefined)).toBe(true);
    expect(isRetryRequest('/users/9', 'xhttp2-preload=late')).toBe(false);
    expect(isRetryRequest('/users/9?http2-preload=later', undefined)).toBe(false);
    expect(isRetryRequest('/users/9', undefined)).toBe(false);
  });

  it('is taken off the URL, leaving the rest as it was', () => {
    expect(withoutRetryMarker('/a?http2-preload=late')).toBe('/a');
    expect(withoutRetryMarker('/a?x=1&http2-preload=late&y=2')).toBe('/a?x=1&y=2');
    expect(withoutRetryMarker('/a?x=1')).toBe('/a?x=1');
  });

  it('is added to the request URL without letting it name another host', () => {
    expect(retryUrl('/users/9')).toBe('/users/9?http2-preload=late');
    expect(retryUrl('/users/9?tab=2')).toBe('/users/9?tab=2&http2-preload=late');
    expect(retryUrl('//evil.example/x')).toBe('/.//evil.example/x?http2-preload=late');
    expect(retryUrl('/\\evil.example')).toBe('/%5Cevil.example?http2-preload=late');
    expect(new URL(retryUrl('//evil.example/x'), 'https://shop.example').host).toBe('shop.example');
    expect(withoutRetryMarker(retryUrl('/users/9?tab=2'))).toBe('/users/9?tab=2');
  });
});

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
