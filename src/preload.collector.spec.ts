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
