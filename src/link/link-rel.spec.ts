import { earlyHintLinks } from './early-hints.js';
import { formatLink, formatLinkHeader, orderHints } from './link-header.js';
import { normalizeHint } from '../preload-hint.js';

const hint = normalizeHint;
const nopush = { nopush: true };
const push = { nopush: false };

describe('rel=modulepreload', () => {
  it('is what a .mjs file gets, without an as=script that would say the same', () => {
    expect(hint('/js/app.mjs')).toEqual({ url: '/js/app.mjs', rel: 'modulepreload', as: 'script' });
    expect(hint('/js/app.MJS?v=2')).toEqual({ url: '/js/app.MJS?v=2', rel: 'modulepreload', as: 'script' });
    expect(formatLink(hint('/js/app.mjs'), push)).toBe('</js/app.mjs>; rel=modulepreload');
  });

  it('is what an explicit rel asks for, on any module URL', () => {
    expect(formatLink(hint('/js/app.js', { rel: 'modulepreload' }), push)).toBe('</js/app.js>; rel=modulepreload');
    expect(formatLink(hint('/js/worker.js', { rel: 'modulepreload', as: 'worker' }), push)).toBe(
      '</js/worker.js>; rel=modulepreload; as=worker',
    );
  });

  it('leaves a .mjs file a plain preload when asked, or when its as is not a script', () => {
    expect(formatLink(hint('/js/app.mjs', { rel: 'preload' }), push)).toBe('</js/app.mjs>; rel=preload; as=script');
    expect(formatLink(hint('/data/table.mjs', { as: 'fetch' }), push)).toBe('</data/table.mjs>; rel=preload; as=fetch');
  });

  it('refuses a destination no module can have', () => {
    expect(() => hint('/a.css', { rel: 'modulepreload' })).toThrow(
      /"as" of a modulepreload must be script or worker; got "style"/,
    );
  });

  it('keeps crossorigin, fetchpriority, nopush and the nonce like any preload', () => {
    expect(
      formatLink(hint('/app.mjs', { crossorigin: 'use-credentials', fetchpriority: 'high' }), {
        ...nopush,
        nonce: 'abc',
      }),
    ).toBe('</app.mjs>; rel=modulepreload; crossorigin=use-credentials; fetchpriority=high; nonce=abc; nopush');
  });

  it('goes with the scripts in the order', () => {
    const ordered = orderHints([hint('/a.png'), hint('/m.mjs'), hint('/c.js'), hint('/s.css')]);
    expect(ordered.map((h) => h.url)).toEqual(['/s.css', '/m.mjs', '/c.js', '/a.png']);
  });
});

describe('rel=preconnect', () => {
  it('names an origin, with crossorigin when asked, and never nopush or a nonce', () => {
    expect(hint('https://cdn.example.com', { rel: 'preconnect' })).toEqual({
      url: 'https://cdn.example.com',
      rel: 'preconnect',
    });
    expect(formatLink(hint('https://cdn.example.com', { rel: 'preconnect' }), { ...nopush, nonce: 'abc' })).toBe(
      '<https://cdn.example.com>; rel=preconnect',
    );
    expect(formatLink(hint('https://fonts.example.com', { rel: 'preconnect', crossorigin: 'anonymous' }), nopush)).toBe(
      '<https://fonts.example.com>; rel=preconnect; crossorigin=anonymous',
    );
    expect(formatLink(hint('//cdn.example.com', { rel: 'preconnect' }), nopush)).toBe(
      '<//cdn.example.com>; rel=preconnect',
    );
  });

  it('refuses a path or a preload attribute, which a preconnect cannot use', () => {
    expect(() => hint('/static/', { rel: 'preconnect' })).toThrow(
      /a preconnect needs an origin such as "https:\/\/cdn\.example\.com"/,
    );
    expect(() => hint('https://cdn.example.com', { rel: 'preconnect', as: 'font' })).toThrow(
      /a preconnect takes only "crossorigin"; got "as"/,
    );
    expect(() => hint('https://cdn.example.com', { rel: 'prefetch' as never })).toThrow(
      /"rel" must be one of preload, modulepreload, preconnect/,
    );
  });

  it('goes first, and is dropped last when the budget is short', () => {
    const hints = [hint('/s.css'), hint('https://cdn.example.com', { rel: 'preconnect' }), hint('/m.mjs')];
    expect(formatLinkHeader(hints, nopush)).toBe(
      '<https://cdn.example.com>; rel=preconnect, </s.css>; rel=preload; as=style; nopush, </m.mjs>; rel=modulepreload; nopush',
    );
    expect(formatLinkHeader(hints, { ...nopush, maxBytes: 90 })).toBe(
      '<https://cdn.example.com>; rel=preconnect, </s.css>; rel=preload; as=style; nopush',
    );
  });

  it('dedupes by URL, the first recording winning', () => {
    const hints = [
      hint('https://cdn.example.com', { rel: 'preconnect' }),
      hint('https://cdn.example.com', { rel: 'preconnect', crossorigin: 'anonymous' }),
    ];
    expect(formatLinkHeader(hints, push)).toBe('<https://cdn.example.com>; rel=preconnect');
  });
});

describe('103 Early Hints links', () => {
  it('carry preconnect and modulepreload, which Chromium acts on in a 103, within the budget', () => {
    const hints = [
      hint('/m.mjs'),
      hint('https://cdn.example.com', { rel: 'preconnect', crossorigin: 'anonymous' }),
      hint('/s.css'),
    ];
    expect(earlyHintLinks(hints, nopush)).toEqual([
      '<https://cdn.example.com>; rel=preconnect; crossorigin=anonymous',
      '</s.css>; rel=preload; as=style',
      '</m.mjs>; rel=modulepreload',
    ]);
    expect(earlyHintLinks(hints, { ...nopush, maxBytes: 70 })).toEqual([
      '<https://cdn.example.com>; rel=preconnect; crossorigin=anonymous',
    ]);
  });
});
