import fc from 'fast-check';
import { escapeControls, terminalSafeJson } from './terminal-text.js';

/** Anything a terminal could act on: C0, DEL, C1, and the bidirectional and line-separator characters. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

describe('escapeControls', () => {
  test.each([
    ['an ESC sequence', 'early\u001b[31mred\u001b[0m', 'early\\x1b[31mred\\x1b[0m'],
    ['an 8-bit CSI, as a header byte 0x9b arrives', '/next\u009b2J', '/next\\x9b2J'],
    ['DEL, NUL and a bell', 'a\u007fb\u0000c\u0007', 'a\\x7fb\\x00c\\x07'],
    ['a newline and a tab', 'text/html\n\tX', 'text/html\\x0a\\x09X'],
    ['a right-to-left override', 'abc\u202egpj.exe', 'abc\\u202egpj.exe'],
    ['plain text, accents and symbols', 'café ✔ /static/app.css?v=1', 'café ✔ /static/app.css?v=1'],
  ])('%s', (_what, raw, shown) => {
    expect(escapeControls(raw)).toBe(shown);
  });

  test('no control survives, whatever the text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        expect(escapeControls(text)).not.toMatch(CONTROL);
      }),
    );
  });
});

describe('terminalSafeJson', () => {
  test('escapes what JSON.stringify leaves raw (DEL, C1, bidi), and parses back to the same value', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' })), (value) => {
        const json = terminalSafeJson(value);
        // Its only raw newlines are the layout's own: JSON escapes those inside strings.
        expect(json.replace(/\n/g, '')).not.toMatch(CONTROL);
        expect(JSON.parse(json)).toEqual(value);
      }),
    );
    expect(terminalSafeJson({ location: '/a\u009b2J\u007f' })).toBe('{\n  "location": "/a\\u009b2J\\u007f"\n}');
  });
});
