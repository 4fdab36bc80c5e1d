import fc from 'fast-check';
import {
  layoutProblem,
  paddedShell,
  SHELL_BODY_MARK,
  SHELL_MIN_BYTES,
  shellWanted,
  splitRenderedLayout,
  titleOf,
  titleScript,
} from './shell-layout.js';

describe('layoutProblem', () => {
  it('accepts a layout with exactly one {{{body}}}', () => {
    expect(layoutProblem('<html><body>{{{body}}}</body></html>')).toBeUndefined();
    expect(layoutProblem('<main>{{{ body }}}</main>')).toBeUndefined();
  });

  it('names what is wrong otherwise', () => {
    expect(layoutProblem('<main>{{body}}</main>')).toMatch(/has no \{\{\{body\}\}\}/);
    expect(layoutProblem('{{{body}}}{{{body}}}')).toMatch(/has 2 \{\{\{body\}\}\} slots/);
  });
});

describe('splitRenderedLayout', () => {
  it('splits around the mark, which is gone from both halves', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (head, tail) => {
        fc.pre(!`${head}${tail}`.includes('<!--'));
        expect(splitRenderedLayout(`${head}${SHELL_BODY_MARK}${tail}`)).toEqual({ head, tail });
      }),
    );
  });

  it('refuses a render without the mark, or with it twice (a body slot inside a loop)', () => {
    expect(splitRenderedLayout('<main></main>')).toBeUndefined();
    expect(splitRenderedLayout(`${SHELL_BODY_MARK}${SHELL_BODY_MARK}`)).toBeUndefined();
  });
});

describe('paddedShell', () => {
  it('pads a short shell with a comment to the bytes WebKit waits for, and leaves a long one alone', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 2 * SHELL_MIN_BYTES }), (head) => {
        const padded = paddedShell(head);
        expect(padded.startsWith(head)).toBe(true);
        expect(Buffer.byteLength(padded)).toBeGreaterThanOrEqual(Math.min(SHELL_MIN_BYTES, Buffer.byteLength(padded)));
        if (Buffer.byteLength(head) >= SHELL_MIN_BYTES) expect(padded).toBe(head);
        else {
          expect(Buffer.byteLength(padded)).toBeGreaterThanOrEqual(SHELL_MIN_BYTES);
          expect(padded.slice(head.length)).toMatch(/^<!-- *-->$/);
        }
      }),
    );
  });
});

describe('titleOf and titleScript', () => {
  it('reads the first title, in any case', () => {
    expect(titleOf('<head><TITLE lang="en">A &amp; B</TITLE><title>second</title>')).toBe('A &amp; B');
    expect(titleOf('<head></head>')).toBeUndefined();
  });

  it('writes a script that no title can end early, with the nonce', () => {
    const script = titleScript('</script><script>alert(1)</script>', 'abc+/=');
    expect(script.match(/<\/script>/g)).toHaveLength(1);
    expect(script.startsWith('<script nonce="abc+/=">')).toBe(true);
    expect(titleScript('x', '"><b')).toMatch(/^<script nonce="b">/);
  });
});

describe('shellWanted', () => {
  it('follows @Shell() first, then the option', () => {
    expect(shellWanted({ option: false, declared: {}, rendersTemplate: true })).toBe(false);
    expect(shellWanted({ option: 'declared', declared: {}, rendersTemplate: false })).toBe(true);
    expect(shellWanted({ option: 'declared', declared: undefined, rendersTemplate: true })).toBe(false);
    expect(shellWanted({ option: 'all', declared: undefined, rendersTemplate: true })).toBe(true);
    expect(shellWanted({ option: 'all', declared: undefined, rendersTemplate: false })).toBe(false);
    expect(shellWanted({ option: 'all', declared: false, rendersTemplate: true })).toBe(false);
  });
});
