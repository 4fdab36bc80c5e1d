import fc from 'fast-check';
import {
  layoutProblem,
  paddedShell,
  SHELL_BODY_MARK,
  SHELL_MIN_BYTES,
  shellPaintContent,
  shellWanted,
  splitRenderedLayout,
  titleOf,
  titleScript,
  webkitPaintShortfall,
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

describe('shellPaintContent', () => {
  it('counts the non-space characters of the text, an entity as one', () => {
    expect(
      shellPaintContent('<body><header><h1 class="x"> A  b&amp;c </h1>&#x2014;</header><main>').visibleCharacters,
    ).toBe(5);
  });

  it('leaves out comments, tags and the elements that render no text', () => {
    const head =
      '<!doctype html><html><head><title>Many words here</title><style>body{color:red}</style>' +
      '<script>var a = "text";</script><noscript>Enable scripts</noscript></head>' +
      '<body><!-- a comment with words --><template><p>later</p></template><p>ok</p>';
    expect(shellPaintContent(head).visibleCharacters).toBe(2);
  });

  it('reads the largest inline <svg> with a numeric width and height', () => {
    expect(shellPaintContent('<svg width="36" height="36px" viewBox="0 0 24 24"></svg>').largestSvgArea).toBe(1296);
    expect(shellPaintContent("<svg height=10 width='20'><svg width=40 height=40>").largestSvgArea).toBe(1600);
    expect(shellPaintContent('<svg width="100%" height="36" stroke-width="9"></svg>').largestSvgArea).toBe(0);
    expect(shellPaintContent('<img src="logo.svg" width="48" height="48">').largestSvgArea).toBe(0);
    expect(shellPaintContent('<!-- <svg width="99" height="99"> -->').largestSvgArea).toBe(0);
  });
});

describe('webkitPaintShortfall', () => {
  const text = (characters: number) => `<body><p>${'x'.repeat(characters)}</p>`;

  it('wants more than 200 visible characters, as WebKit does', () => {
    expect(webkitPaintShortfall(text(201))).toBeUndefined();
    expect(webkitPaintShortfall(text(200))).toMatch(/has 200 visible characters .* Safari/);
  });

  it('or an inline <svg> larger than 32 × 32 px', () => {
    expect(webkitPaintShortfall('<body><svg width="33" height="32"></svg>')).toBeUndefined();
    expect(webkitPaintShortfall('<body><svg width="32" height="32"></svg>')).toMatch(/no inline <svg> larger/);
  });

  it('does not count an <img>, or the padding that brings a shell to the bytes WebKit waits for', () => {
    const shell = '<body><header><img src="/logo.svg" width="48" height="48" alt=""><h1>Shop</h1></header><main>';
    expect(webkitPaintShortfall(paddedShell(shell))).toMatch(/has 4 visible characters/);
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
