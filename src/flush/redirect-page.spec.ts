import { redirectPage } from './redirect-page.js';

describe('redirectPage', () => {
  it('sends the browser on at once with a meta refresh, and offers a link to follow by hand', () => {
    const page = redirectPage('/login');
    expect(page).toMatch(/^<!DOCTYPE html>/);
    expect(page).toContain('<meta http-equiv="refresh" content="0; url=/login">');
    expect(page).toContain('<a href="/login">/login</a>');
  });

  it('HTML-escapes the location so a hostile one cannot break out of the attributes', () => {
    const page = redirectPage('/x?a=1&b="><script>alert(1)</script>');
    expect(page).not.toContain('<script>');
    expect(page).toContain('url=/x?a=1&amp;b=&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
    expect(page).toContain('<a href="/x?a=1&amp;b=&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;">');
    // The only double quotes left open and close the page's own http-equiv, content and href.
    expect(page.match(/"/g)).toHaveLength(6);
  });

  it('percent-encodes a leading quote, which the refresh parser would otherwise strip', () => {
    expect(redirectPage("'/next")).toContain('content="0; url=%27/next"');
    expect(redirectPage('"/next')).toContain('content="0; url=%22/next"');
  });
});
