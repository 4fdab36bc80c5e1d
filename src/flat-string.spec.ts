import fc from 'fast-check';
import { flatCopy } from './flat-string.js';

describe('flatCopy', () => {
  it('keeps every UTF-16 code unit, lone surrogates and NUL included', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary' }),
        fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) }),
        (a, b) => {
          expect(flatCopy(a)).toBe(a);
          expect(flatCopy(b)).toBe(b);
        },
      ),
    );
    expect(flatCopy('')).toBe('');
    expect(flatCopy('\ud800x\udfff')).toBe('\ud800x\udfff');
  });
});
