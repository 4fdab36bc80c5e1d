import { MAX_HINT_URL_LENGTH } from './preload-hint.js';
import { collectorFor, PreloadCollector } from './preload.collector.js';

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
