import { ConsoleLogger, Logger } from '@nestjs/common';
import fc from 'fast-check';
import type { PreloadAttributes, PreloadHint } from './preload-hint.interface.js';
import { MAX_HINT_URL_LENGTH, normalizeHint } from './preload-hint.js';
import { collectorFor, PreloadCollector } from './preload.collector.js';
import { RoutePlainHints } from './route-plain-hints.js';

describe('PreloadCollector', () => {
  it('keeps hints in first-recorded order, the first hint of a URL winning', () => {
    const collector = new PreloadCollector()
      .add('/b.js', { fetchpriority: 'high' })
      .add('/a.css')
      .add('/b.js', { fetchpriority: 'low' });
    expect(collector.size).toBe(2);
    expect(collector.entries()).toEqual([
      { url: '/b.js', as: 'script', fetchpriority: 'high' },
      { url: '/a.css', as: 'style' },
    ]);
  });

  it('returns a copy, so callers cannot change what was recorded', () => {
    const collector = new PreloadCollector().add('/a.css');
    collector.entries().pop();
    expect(collector.size).toBe(1);
    expect(collector.entries()).toHaveLength(1);
  });

  it('refuses a bad hint and keeps what it had', () => {
    const collector = new PreloadCollector().add('/a.css');
    expect(() => collector.add('/b.css', { as: 'css' as never })).toThrow(/"as" must be one of/);
    expect(collector.entries().map((hint) => hint.url)).toEqual(['/a.css']);
  });
});

describe('collectorFor', () => {
  it('gives one collector per request object', () => {
    const first = {};
    const second = {};
    expect(collectorFor(first)).toBe(collectorFor(first));
    expect(collectorFor(first)).not.toBe(collectorFor(second));
  });
});

describe('PreloadCollector and unsafe URLs', () => {
  it.each([
    ['javascript:alert(1)'],
    [' JavaScript:alert(1)'],
    ['data:text/css,body{}'],
    ['/static/app.css\r\nSet-Cookie: x=1'],
    ['/static/a\u0000.css'],
  ])('skips %j and keeps what it had', (url) => {
    const collector = new PreloadCollector().add('/a.css');
    expect(() => collector.add(url)).not.toThrow();
    expect(collector.entries().map((hint) => hint.url)).toEqual(['/a.css']);
  });

  it('skips a URL longer than MAX_HINT_URL_LENGTH, with or without attributes', () => {
    const long = `/static/img/${'a'.repeat(MAX_HINT_URL_LENGTH)}.png`;
    const collector = new PreloadCollector().add('/a.css').add(long).add(long, { fetchpriority: 'high' });
    expect(collector.entries().map((hint) => hint.url)).toEqual(['/a.css']);
  });

  it('still refuses bad attributes on an unsafe URL, as on any other', () => {
    expect(() => new PreloadCollector().add('javascript:x', { as: 'css' as never })).toThrow(/"as" must be one of/);
  });
});

describe('PreloadCollector.of and skipRedirectPreload', () => {
  it('gives the request its collector, and remembers a skipped redirect preload', () => {
    const request = {};
    expect(PreloadCollector.of(request)).toBe(collectorFor(request));
    expect(PreloadCollector.of(request).redirectPreloadWanted).toBe(true);
    PreloadCollector.of(request).skipRedirectPreload();
    expect(collectorFor(request).redirectPreloadWanted).toBe(false);
    expect(collectorFor({}).redirectPreloadWanted).toBe(true);
  });
});

describe('PreloadCollector with its route’s plain hints', () => {
  /** A collector as the module starts one for a request of the route. */
  const collectorOf = (route: RoutePlainHints) => {
    const collector = new PreloadCollector();
    collector.useRouteHints(route);
    return collector;
  };

  it('takes the hint of a URL the route has recorded before, without looking it up again', () => {
    const route = new RoutePlainHints();
    // A hint the process-wide cache would never give: only the route can have answered.
    const known: PreloadHint = Object.freeze({ url: '/static/css/app.css', as: 'style' });
    route.keep(known);
    const [hint] = collectorOf(route).add(`/static/${'css/app.css'}`).entries();
    expect(hint).toBe(known);
    expect(hint).not.toBe(normalizeHint('/static/css/app.css'));
  });

  it('keeps what one request recorded plainly for the next request of the route', () => {
    const route = new RoutePlainHints();
    const first = collectorOf(route).add('/static/css/route-a.css').add('/static/js/route-a.js').entries();
    expect(route.size).toBe(2);
    const second = collectorOf(route).add('/static/js/route-a.js').add('/static/css/route-a.css').entries();
    expect(second).toEqual([first[1], first[0]]);
    expect(second[0]).toBe(first[1]);
  });

  it('leaves calls with attributes to the usual path, and does not keep their hints', () => {
    const route = new RoutePlainHints();
    route.keep(normalizeHint('/static/img/hero.webp'));
    const [hint] = collectorOf(route).add('/static/img/hero.webp', { fetchpriority: 'high' }).entries();
    expect(hint).toEqual({ url: '/static/img/hero.webp', as: 'image', fetchpriority: 'high' });
    collectorOf(route).add('/static/img/other.webp', { fetchpriority: 'low' });
    expect(route.get('/static/img/other.webp')).toBeUndefined();
  });

  it('keeps the first recording of a URL, even when the route knows its plain hint', () => {
    const route = new RoutePlainHints();
    route.keep(normalizeHint('/static/js/app.js'));
    const entries = collectorOf(route)
      .add('/static/js/app.js', { fetchpriority: 'high' })
      .add('/static/js/app.js')
      .entries();
    expect(entries).toEqual([{ url: '/static/js/app.js', as: 'script', fetchpriority: 'high' }]);
  });

  it('never keeps an unsafe URL for the route, so each request checks it and skips it again', () => {
    const route = new RoutePlainHints();
    const warnings: unknown[] = [];
    Logger.overrideLogger({ log() {}, error() {}, warn: (message: unknown) => void warnings.push(message) });
    try {
      for (let i = 0; i < 2; i++) {
        const collector = collectorOf(route).add('javascript:route-hints()').add('/static/a.css');
        expect(collector.entries().map((hint) => hint.url)).toEqual(['/static/a.css']);
      }
      expect(route.get('javascript:route-hints()')).toBeUndefined();
      // As without the route's hints: a URL is warned about once, however often it comes.
      expect(warnings).toEqual([expect.stringContaining('Not preloading "javascript:route-hints()"')]);
    } finally {
      Logger.overrideLogger(new ConsoleLogger());
    }
  });

  it('still refuses what the usual path refuses', () => {
    const route = new RoutePlainHints();
    expect(() => collectorOf(route).add('')).toThrow(/non-empty string/);
    expect(() => collectorOf(route).add(42 as unknown as string)).toThrow(/non-empty string/);
    expect(() => collectorOf(route).add('/a.css', null as unknown as PreloadAttributes)).toThrow(/must be an object/);
  });

  it('records the same hints, in the same order, as a collector without them, request after request', () => {
    // Skipped unsafe URLs are warned about; hundreds of random ones would drown the test output.
    Logger.overrideLogger(false);
    const url = fc.oneof(
      fc.constantFrom('/static/a.css', '/static/b.js', '/static/c.woff2', '/static/d.mjs', '/static/e', 'javascript:x'),
      fc.constantFrom('/static/', '/s/').chain((prefix) => fc.nat(40).map((n) => `${prefix}${n}.png`)),
    );
    const call = fc.tuple(
      url,
      fc.option(fc.constantFrom<PreloadAttributes>({}, { fetchpriority: 'high' }, { as: 'image' }), { nil: undefined }),
    );
    const requests = fc.array(fc.array(call, { maxLength: 12 }), { minLength: 1, maxLength: 8 });
    try {
      fc.assert(
        fc.property(requests, (pages) => {
          const route = new RoutePlainHints();
          for (const calls of pages) {
            const withRoute = collectorOf(route);
            const without = new PreloadCollector();
            for (const [recorded, attributes] of calls) {
              withRoute.add(recorded, attributes);
              without.add(recorded, attributes);
            }
            expect(withRoute.entries()).toEqual(without.entries());
          }
        }),
        { numRuns: 300 },
      );
    } finally {
      Logger.overrideLogger(new ConsoleLogger());
    }
  });
});
