import { collectorFor, PreloadCollector } from './preload.collector.js';
import { sharedAcrossCopies } from './shared-across-copies.js';

const registered = (name: string): unknown =>
  (globalThis as unknown as Record<symbol, unknown>)[Symbol.for(`nestjs-http2-preload.v1.${name}`)];

describe('sharedAcrossCopies', () => {
  it('creates a value once per process; a later copy asking for it gets the first one', () => {
    const first = sharedAcrossCopies('spec-value', () => ({ copy: 'first' }));
    const second = sharedAcrossCopies('spec-value', () => ({ copy: 'second' }));
    expect(second).toBe(first);
    expect(registered('spec-value')).toBe(first);
  });

  it('cannot be replaced or listed from outside', () => {
    sharedAcrossCopies('spec-frozen', () => 1);
    const key = Symbol.for('nestjs-http2-preload.v1.spec-frozen');
    expect(() => Object.defineProperty(globalThis, key, { value: 2 })).toThrow(TypeError);
    expect(Object.keys(globalThis)).not.toContain(key.toString());
  });

  it('holds the PreloadCollector class every copy exports, and the map that gives a request its collector', () => {
    expect(registered('PreloadCollector')).toBe(PreloadCollector);
    const request = {};
    const collector = collectorFor(request);
    expect(collectorFor(request)).toBe(collector);
    expect((registered('collectors') as WeakMap<object, PreloadCollector>).get(request)).toBe(collector);
  });
});
