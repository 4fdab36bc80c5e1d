import fc from 'fast-check';
import { declarativeRefreshUrl, forwardingUrl, redirectPage } from './redirect-page.js';

const DOCUMENT = 'https://shop.example/account/orders?page=2';

/** The five references escape-html writes, decoded as an HTML parser decodes an attribute. */
function attribute(page: string, pattern: RegExp): string {
  return pattern
    .exec(page)![1]!
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** Where a browser goes from the forwarding page: by its refresh, and by its link. */
function destinations(page: string): URL[] {
  const refresh = declarativeRefreshUrl(attribute(page, /<meta http-equiv="refresh" content="([^"]*)">/));
  const href = attribute(page, /<a href="([^"]*)">/);
  return [new URL(refresh!, DOCUMENT), new URL(href, DOCUMENT)];
}

describe('redirectPage', () => {
  it('sends the browser on at once with a meta refresh, and offers a link to follow by hand', () => {
    const page = redirectPage('/login');
    expect(page).toMatch(/^<!DOCTYPE html>/);
    expect(page).toContain('<meta http-equiv="refresh" content="0; url=/login">');
    expect(page).toContain('<a href="/login">/login</a>');
  });

  it('HTML-escapes the location so a hostile one cannot break out of the attributes', () => {
    const page = redirectPage(forwardingUrl('/x?a=1&b="><script>alert(1)</script>')!);
    expect(page).not.toContain('<script>');
    expect(page).toContain('url=/x?a=1&amp;b=&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
    expect(page).toContain('<a href="/x?a=1&amp;b=&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;">');
    // The only double quotes left open and close the page's own http-equiv, content and href.
    expect(page.match(/"/g)).toHaveLength(6);
  });
});

describe('declarativeRefreshUrl (the HTML standard’s shared declarative refresh steps)', () => {
  it.each([
    ['0; url=/next', '/next'],
    ['0;url=/next', '/next'],
    ['  5 , URL = /next', '/next'],
    ['0.5; Url="/next" trailing', '/next'],
    ["0; url='/next", '/next'],
    ['0; "/next"', '/next'],
    ['0; /next', '/next'],
    ['0; urx=/next', 'urx=/next'],
    ['0; url /next', 'url /next'],
    ['0; url= \t"javascript:alert(1)"', 'javascript:alert(1)'],
    ['0', ''],
    ['.5', ''],
  ])('reads %j as %j', (content, url) => {
    expect(declarativeRefreshUrl(content)).toBe(url);
  });

  it.each(['', 'x; url=/next', '0x; url=/next', '-1; url=/next'])('reads %j as no refresh', (content) => {
    expect(declarativeRefreshUrl(content)).toBeUndefined();
  });
});

describe('forwardingUrl', () => {
  it.each([
    ['/login', '/login'],
    ['../x', '../x'],
    ['?q=1', '?q=1'],
    ['#top', '#top'],
    ['https://accounts.example/sso?next=/a', 'https://accounts.example/sso?next=/a'],
    ['//cdn.example/x', '//cdn.example/x'],
    ['  /login \t', '/login'],
    ['/lo\tg\nin', '/login'],
    ["'/next", '%27/next'],
    ['"/next', '%22/next'],
    ['"/x"y', '%22/x"y'],
    ['/a\u0001b', '/a%01b'],
  ])('forwards %j as %j', (location, url) => {
    expect(forwardingUrl(location)).toBe(url);
  });

  it.each([
    'javascript:alert(1)',
    ' JavaScript:alert(1)',
    ' "javascript:alert(1)',
    "\t'javascript:alert(1)'",
    '"javascript:alert(1)"',
    '\u0000\u001fjavascript:alert(1)',
    'java\tscript:alert(1)',
    'java\nscript:alert(1)',
    'JAVA\r\nSCRIPT:alert(1)',
    'javascript:alert(1)\u0000 ',
    'data:text/html,<script>1</script>',
    'vbscript:msgbox(1)',
    'blob:https://shop.example/1',
    'http://exa mple.com/',
    'https://[::1',
    '',
    ' \t\n',
  ])('refuses %j', (location) => {
    expect(forwardingUrl(location)).toBeUndefined();
  });

  /** `javascript:alert(1)` as a hostile `Location` may dress it. */
  const disguisedJavascript = fc
    .tuple(
      fc.array(fc.constantFrom(' ', '\t', '\n', '\r', '\f', '\u0000', '\u0001', '\u001f'), { maxLength: 4 }),
      fc.constantFrom('', '"', "'"),
      fc.array(fc.constantFrom(' ', '\t', '\n', '\r', '\u0000'), { maxLength: 3 }),
      fc.array(fc.boolean(), { minLength: 10, maxLength: 10 }),
      fc.array(fc.constantFrom('', '', '', '\t', '\n', '\r'), { minLength: 11, maxLength: 11 }),
      fc.constantFrom('javascript:', '&#106;avascript:', 'javascript&colon;', 'jav&#x09;ascript:', 'vbscript:'),
      fc.constantFrom('', '"', "'", ' ', '\u0000'),
    )
    .map(([lead, quote, afterQuote, upper, breaks, scheme, trail]) => {
      const letters = [...scheme].map(
        (character, i) => (upper[i] ? character.toUpperCase() : character) + (breaks[i] ?? ''),
      );
      return `${lead.join('')}${quote}${afterQuote.join('')}${letters.join('')}alert(1)${trail}`;
    });

  it('never writes a page whose refresh or link leads anywhere but http(s), however javascript: is dressed', () => {
    fc.assert(
      fc.property(disguisedJavascript, (location) => {
        const url = forwardingUrl(location);
        if (url === undefined) return;
        for (const destination of destinations(redirectPage(url))) expect(destination.protocol).toBe('https:');
      }),
      { numRuns: 5_000 },
    );
  });

  it('refuses javascript: whenever the browser would read it as one', () => {
    fc.assert(
      fc.property(disguisedJavascript, (location) => {
        // What a browser's URL parser makes of the Location itself (a real redirect).
        let scheme: string | undefined;
        try {
          scheme = new URL(location, DOCUMENT).protocol;
        } catch {
          scheme = undefined;
        }
        if (scheme === 'javascript:' || scheme === 'vbscript:') expect(forwardingUrl(location)).toBeUndefined();
      }),
      { numRuns: 5_000 },
    );
  });

  it('sends the browser where the redirect itself would have gone, and to nothing else, for any Location', () => {
    const character = fc.oneof(
      fc.constantFrom(' ', '\t', '\n', '\r', '"', "'", '\u0000', '\u007f', ':', '/', '\\', '?', '#', '&', ';', '%'),
      fc.string({ maxLength: 3, unit: 'binary' }),
    );
    const location = fc.oneof(
      fc.array(character, { maxLength: 12 }).map((parts) => parts.join('')),
      fc
        .tuple(
          fc.constantFrom('/', 'https://a.example/', 'http:', '//b.example', '../', '?', 'JavaScript:'),
          fc.string(),
        )
        .map(([start, rest]) => start + rest),
    );
    fc.assert(
      fc.property(location, (location) => {
        const url = forwardingUrl(location);
        if (url === undefined) return;
        const [refresh, href] = destinations(redirectPage(url));
        expect(['http:', 'https:']).toContain(refresh!.protocol);
        expect(href!.href).toBe(refresh!.href);
        // The same string, forwarded again, is written the same way.
        expect(forwardingUrl(url)).toBe(url);
        if (!/^[\u0000-\u0020]*'/.test(location)) expect(refresh!.href).toBe(new URL(location, DOCUMENT).href);
      }),
      { numRuns: 5_000 },
    );
  });
});
