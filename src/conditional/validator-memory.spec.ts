import fc from 'fast-check';
import { ValidatorMemories, type ValidatorObservation } from './validator-memory.js';

const page = (etag: string | undefined, more: Partial<ValidatorObservation> = {}): ValidatorObservation => ({
  etag,
  lastModified: undefined,
  moduleEtag: undefined,
  moduleLastModified: undefined,
  notModified: false,
  ifNoneMatch: false,
  underFlush: false,
  ...more,
});
const handler = () => () => undefined;

describe('ValidatorMemories', () => {
  it('knows nothing of a route until two of its responses carried a validator', () => {
    const memories = new ValidatorMemories();
    const route = handler();
    expect(memories.of(route).etags).toBe('unknown');
    memories.record(route, page('W/"a"'));
    expect(memories.of(route).etags).toBe('unknown');
    memories.record(route, page('W/"b"'));
    expect(memories.of(route).etags).toBe('unique');
    expect(memories.of(route).lastModified).toBe('unknown');
  });

  it('sees a stable page repeat its ETag, weak or strong', () => {
    const memories = new ValidatorMemories();
    const route = handler();
    memories.record(route, page('W/"a"'));
    memories.record(route, page('"a"'));
    expect(memories.of(route).etags).toBe('repeated');
    // Nothing unlearns it.
    for (const etag of ['"b"', '"c"', '"d"']) memories.record(route, page(etag));
    expect(memories.of(route).etags).toBe('repeated');
  });

  it('tells Last-Modified apart from ETags, and the module’s validators from anyone else’s', () => {
    const memories = new ValidatorMemories();
    const route = handler();
    const date = 'Fri, 20 Nov 2026 10:00:00 GMT';
    const moduleOnly = { lastModified: date, moduleLastModified: date, moduleEtag: '"v1"' };
    memories.record(route, page('"v1"', moduleOnly));
    expect(memories.of(route)).toMatchObject({ foreignEtag: false, foreignLastModified: false });
    memories.record(route, page('"v1"', moduleOnly));
    expect(memories.of(route)).toMatchObject({ etags: 'repeated', lastModified: 'repeated' });
    // Express's body ETag on a page whose @ETag() returned undefined.
    memories.record(route, page('W/"2a-abc"', { lastModified: date, moduleLastModified: date }));
    expect(memories.of(route)).toMatchObject({ foreignEtag: true, foreignLastModified: false });
  });

  it('learns from a 304 that the validator it matched repeats, and that a 304 under a flush was not the module’s', () => {
    const memories = new ValidatorMemories();
    const route = handler();
    memories.record(route, page('"a"'));
    memories.record(route, page('"b"'));
    expect(memories.record(route, page('"b"', { notModified: true, ifNoneMatch: true, underFlush: true }))).toBe(true);
    expect(memories.of(route)).toMatchObject({ etags: 'repeated', foreignEtag: true, lastModified: 'unknown' });
    // Only the first 304 is news.
    expect(memories.record(route, page('"b"', { notModified: true, ifNoneMatch: true, underFlush: true }))).toBe(false);
    memories.record(route, page(undefined, { notModified: true }));
    expect(memories.of(route)).toMatchObject({ lastModified: 'repeated', foreignLastModified: false });
  });

  it('keeps a bounded memory: a per-request ETag never repeats, however many responses', () => {
    const memories = new ValidatorMemories();
    const route = handler();
    for (let i = 0; i < 1000; i += 1) memories.record(route, page(`W/"${i.toString(16)}-nonce${i}"`));
    expect(memories.of(route).etags).toBe('unique');
  });

  it('counts a value too long to keep as a repeat: nothing could show it never comes back', () => {
    const memories = new ValidatorMemories();
    const route = handler();
    memories.record(route, page('"a"'));
    memories.record(route, page(`"${'x'.repeat(300)}"`));
    expect(memories.of(route).etags).toBe('repeated');
  });

  it('calls a route unique exactly when no value came twice among its last eight (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('"a"', '"b"', '"c"', '"d"', '"e"', '"f"'), { maxLength: 12 }), (etags) => {
        const memories = new ValidatorMemories();
        const route = handler();
        for (const etag of etags) memories.record(route, page(etag));
        // A repeat within any window of nine responses (a value and the eight before it).
        const repeated = etags.some((etag, i) => etags.slice(Math.max(0, i - 8), i).includes(etag));
        const expected = repeated ? 'repeated' : etags.length >= 2 ? 'unique' : 'unknown';
        expect(memories.of(route).etags).toBe(expected);
      }),
    );
  });

  it('allocates nothing for a route whose responses carry no validator', () => {
    const memories = new ValidatorMemories();
    const route = handler();
    memories.record(route, page(undefined));
    expect(memories.of(route)).toBe(memories.of(handler()));
  });
});
