import fc from 'fast-check';
import { TextCursor } from './text-cursor.js';

describe('TextCursor', () => {
  test('answers every search as String.prototype.indexOf does, in any order of searches', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('a', 'b', '<', '>'), maxLength: 60 }),
        fc.array(fc.tuple(fc.constantFrom('a', '<', '>', 'ab', '<a', '>>'), fc.nat(70)), { maxLength: 30 }),
        (text, searches) => {
          const cursor = new TextCursor(text);
          for (const [needle, from] of searches) expect(cursor.indexOf(needle, from)).toBe(text.indexOf(needle, from));
        },
      ),
    );
  });

  test('counts what it reads: each character read, passed over or copied', () => {
    const cursor = new TextCursor('<a href=x>');
    cursor.code(0);
    expect(cursor.cost.examined).toBe(1);
    expect(cursor.indexOf('>', 1)).toBe(9);
    expect(cursor.cost.examined).toBe(1 + 9);
    cursor.slice(3, 7);
    expect(cursor.cost.examined).toBe(1 + 9 + 4);
  });

  test('a search that starts where the last one of its needle passed over costs nothing more', () => {
    const text = '<a'.repeat(1000);
    const cursor = new TextCursor(text);
    // What a scanner that looks for the `>` of every `<` would do: n searches, each to the end.
    for (let lt = 0; lt < text.length; lt += 2) expect(cursor.indexOf('>', lt + 1)).toBe(-1);
    expect(cursor.cost.examined).toBe(text.length - 1);
  });
});
