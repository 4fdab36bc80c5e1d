import { appendLinkHeader, formatLink, formatLinkHeader, linksWithinBudget, orderHints } from './link-header.js';
import { normalizeHint } from '../preload-hint.js';

const hint = normalizeHint;
const nopush = { nopush: true };
const push = { nopush: false };

describe('orderHints', () => {
  it('puts styles first, then fonts, then scripts, then the rest, each in first-use order', () => {
    const ordered = orderHints([
      hint('/a.png'),
      hint('/b.js'),
      hint('/c.woff2'),
      hint('/d.css'),
      hint('/e.mjs'),
      hint('/f'),
      hint('/g.css'),
      hint('/h.ttf'),
    ]);
    expect(ordered.map((h) => h.url)).toEqual([
      '/d.css',
      '/g.css',
      '/c.woff2',
      '/h.ttf',
      '/b.js',
      '/e.mjs',
      '/a.png',
      '/f',
    ]);
  });

  it('keeps the first of repeated URLs', () => {
    const ordered = orderHints([hint('/x.js', { fetchpriority: 'high' }), hint('/y.css'), hint('/x.js')]);
    expect(ordered).toEqual([
      { url: '/y.css', as: 'style' },
      { url: '/x.js', as: 'script', fetchpriority: 'high' },
    ]);
  });
});

describe('formatLink', () => {
  it('writes rel, as and nopush', () => {
    expect(formatLink(hint('/static/css/app.css'), nopush)).toBe(
      '</static/css/app.css>; rel=preload; as=style; nopush',
    );
    expect(formatLink(hint('/static/js/app.js'), push)).toBe('</static/js/app.js>; rel=preload; as=script');
  });

  it('adds crossorigin to fonts only, unless asked', () => {
    expect(formatLink(hint('/f.woff2'), push)).toBe('</f.woff2>; rel=preload; as=font; crossorigin=anonymous');
    expect(formatLink(hint('/app.css'), push)).not.toContain('crossorigin');
    expect(formatLink(hint('/app.js'), push)).not.toContain('crossorigin');
    expect(formatLink(hint('/api/data.json', { as: 'fetch', crossorigin: 'anonymous' }), push)).toBe(
      '</api/data.json>; rel=preload; as=fetch; crossorigin=anonymous',
    );
    expect(formatLink(hint('/f.woff', { crossorigin: 'use-credentials' }), push)).toBe(
      '</f.woff>; rel=preload; as=font; crossorigin=use-credentials',
    );
  });

  it('quotes parameters that are not tokens', () => {
    const link = formatLink(
      hint('/f.woff2', { type: 'font/woff2', media: '(min-width: 40em) and "print"', fetchpriority: 'low' }),
      nopush,
    );
    expect(link).toBe(
      '</f.woff2>; rel=preload; as=font; crossorigin=anonymous; type="font/woff2"; media="(min-width: 40em) and \\"print\\""; fetchpriority=low; nopush',
    );
  });

  it('percent-encodes what a URI may not hold, and keeps valid escapes', () => {
    expect(formatLink(hint('/static/my file>é.css'), push)).toBe(
      '</static/my%20file%3E%C3%A9.css>; rel=preload; as=style',
    );
    expect(formatLink(hint('/static/a%20b.css'), push)).toBe('</static/a%20b.css>; rel=preload; as=style');
    expect(formatLink(hint('/static/100%.css'), push)).toBe('</static/100%25.css>; rel=preload; as=style');
    expect(formatLink(hint('/x.js?a=1\r\nSet-Cookie: y'), push)).toBe(
      '</x.js?a=1%0D%0ASet-Cookie:%20y>; rel=preload; as=script',
    );
  });
});

describe('formatLinkHeader', () => {
  it('joins ordered, deduplicated links with commas', () => {
    expect(formatLinkHeader([hint('/a.js'), hint('/b.css'), hint('/a.js')], nopush)).toBe(
      '</b.css>; rel=preload; as=style; nopush, </a.js>; rel=preload; as=script; nopush',
    );
  });

  it('is empty without hints', () => {
    expect(formatLinkHeader([], nopush)).toBe('');
  });
});

describe('appendLinkHeader', () => {
  it("keeps the handler's own links first", () => {
    expect(appendLinkHeader(undefined, '<b>')).toBe('<b>');
    expect(appendLinkHeader('<a>; rel=canonical', '<b>')).toBe('<a>; rel=canonical, <b>');
    expect(appendLinkHeader(['<a>', '<c>'], '<b>')).toEqual(['<a>', '<c>', '<b>']);
  });
});

describe('linksWithinBudget', () => {
  const links = ['<a>', '<bb>', '<ccc>'];

  it('keeps every link when they fit, counting the ", " between them', () => {
    expect(linksWithinBudget(links, 3 + 2 + 4 + 2 + 5)).toEqual(links);
    expect(linksWithinBudget(links, undefined)).toEqual(links);
  });

  it('drops whole links from the end, the lowest priority first', () => {
    expect(linksWithinBudget(links, 3 + 2 + 4 + 2 + 4)).toEqual(['<a>', '<bb>']);
    expect(linksWithinBudget(links, 3)).toEqual(['<a>']);
    expect(linksWithinBudget(links, 2)).toEqual([]);
  });

  it('skips a link that does not fit and keeps the later ones that do, in order', () => {
    const huge = `<${'x'.repeat(5000)}>`;
    expect(linksWithinBudget([huge, '<a>', '<bb>'], 100)).toEqual(['<a>', '<bb>']);
    expect(linksWithinBudget(['<a>', huge, '<bb>', huge, '<ccc>'], 3 + 2 + 4 + 2 + 5)).toEqual([
      '<a>',
      '<bb>',
      '<ccc>',
    ]);
    // The ", " before a link is counted only when a link comes before it.
    expect(linksWithinBudget([huge, '<ccc>'], 5)).toEqual(['<ccc>']);
  });
});

describe('formatLinkHeader within a budget', () => {
  it('never exceeds maxBytes and keeps styles before anything else', () => {
    const many = [
      ...Array.from({ length: 200 }, (_, i) => hint(`/static/img/photo-${i}.webp`)),
      ...Array.from({ length: 20 }, (_, i) => hint(`/static/js/module-${i}.js`)),
      hint('/static/css/app.css'),
      hint('/static/fonts/body.woff2'),
    ];
    const value = formatLinkHeader(many, { nopush: true, maxBytes: 2000 });
    expect(value.length).toBeLessThanOrEqual(2000);
    expect(value.startsWith('</static/css/app.css>; rel=preload; as=style; nopush, </static/fonts/body.woff2>')).toBe(
      true,
    );
    expect(value).toContain('/static/js/module-19.js');
    expect(value).not.toContain('/static/img/photo-199.webp');
  });
});

describe('formatLinkHeader of a list formatted before', () => {
  // Each test its own URLs: the formatted lists are kept across calls.
  const page = (prefix: string) => [
    hint(`/${prefix}/app.css`),
    hint(`/${prefix}/app.js`),
    hint(`/${prefix}/font.woff2`),
  ];

  it('gives the same text for the same reused hints in a new array, and what formatting anew gives', () => {
    const first = formatLinkHeader(page('same'), nopush);
    const again = formatLinkHeader([...page('same')], nopush);
    expect(again).toBe(first);
    expect(again).toBe(
      '</same/app.css>; rel=preload; as=style; nopush, </same/font.woff2>; rel=preload; as=font; crossorigin=anonymous; nopush, </same/app.js>; rel=preload; as=script; nopush',
    );
  });

  it('formats again for other options, another hint, another order or a nonce', () => {
    const hints = page('other');
    const withPush = formatLinkHeader(hints, nopush);
    expect(formatLinkHeader(hints, push)).not.toContain('nopush');
    expect(formatLinkHeader(hints, { ...nopush, maxBytes: 60 })).toBe(
      '</other/app.css>; rel=preload; as=style; nopush',
    );
    expect(formatLinkHeader([...hints, hint('/other/extra.png')], nopush)).toBe(
      `${withPush}, </other/extra.png>; rel=preload; as=image; nopush`,
    );
    expect(formatLinkHeader([hints[0], hints[1]], nopush)).not.toContain('font.woff2');
    expect(formatLinkHeader(hints, { ...nopush, nonce: 'abc123' })).toContain('; nonce=abc123');
    expect(formatLinkHeader(hints, nopush)).not.toContain('nonce');
  });

  it('formats a hint made for one request (with attributes) as it is', () => {
    const css = hint('/own/app.css');
    expect(formatLinkHeader([css, hint('/own/print.css', { media: 'print' })], nopush)).toContain('media=print');
    expect(formatLinkHeader([css, hint('/own/print.css', { media: 'screen' })], nopush)).toContain('media=screen');
  });
});
