import fc from 'fast-check';
import { cssUrls } from './css-scan.js';
import { decodeEntities, scanHtml } from './html-scan.js';

describe('scanHtml', () => {
  const page = `<!doctype html>
<html><head>
  <link rel="stylesheet" href="/static/css/app.css?v&#x3D;1" nonce="abc">
  <link rel=preload href='/static/fonts/a.woff2' as=font type="font/woff2" crossorigin>
  <!-- <script src="/commented-out.js"></script> -->
  <script src="/static/js/app.js?v=1" defer></script>
  <script>if (a < b) document.write('<img src="/not-a-tag.png">');</script>
  <style>body { background: url("/static/img/bg.png") }</style>
</head><body>
  <img src=/static/img/logo.svg alt="a > b" width="48">
  <img srcset="/static/img/s-1x.webp 1x, /static/img/s-2x.webp 2x" src="/static/img/s.webp">
  <div style="background-image:url('/static/img/hero.webp')"></div>
</body></html>`;

  test('finds the tags a page loads from, with decoded attributes', () => {
    const scan = scanHtml(page);
    const link = scan.tags.find((t) => t.name === 'link' && t.attributes.as === 'font')!;
    expect(link.attributes).toEqual({
      rel: 'preload',
      href: '/static/fonts/a.woff2',
      as: 'font',
      type: 'font/woff2',
      crossorigin: '',
    });
    expect(scan.stylesheets).toEqual(['/static/css/app.css?v=1']);
    expect(scan.tags.find((t) => t.name === 'img')!.attributes.alt).toBe('a > b');
  });

  test('collects every reference, skipping comments and script text', () => {
    expect(scanHtml(page).references).toEqual([
      '/static/css/app.css?v=1',
      '/static/fonts/a.woff2',
      '/static/js/app.js?v=1',
      '/static/img/bg.png',
      '/static/img/logo.svg',
      '/static/img/s.webp',
      '/static/img/s-1x.webp',
      '/static/img/s-2x.webp',
      '/static/img/hero.webp',
    ]);
  });

  test('reads as a browser does: raw text to its end tag in any case, abrupt comments, quoted `>`', () => {
    const html = `<SCRIPT>if (a<b) x('<img src=/no.png>')</Script ><!--><img src=/a.png><a title='1 > 0' href=/b>`;
    expect(scanHtml(html).references).toEqual(['/a.png', '/b']);
  });

  test('attribute names are data: __proto__ or constructor are attributes like any other', () => {
    const [tag] = scanHtml('<a __proto__=x constructor=y href=/z>').tags;
    expect(Object.entries(tag.attributes)).toEqual([
      ['__proto__', 'x'],
      ['constructor', 'y'],
      ['href', '/z'],
    ]);
  });

  test('a truncated page gives what it has, not an exception', () => {
    expect(scanHtml('<link rel=stylesheet href="/a.css"><script src="/b.js').references).toEqual(['/a.css']);
  });
});

test('decodeEntities reads named and numeric references and leaves unknown ones', () => {
  expect(decodeEntities('?a=1&amp;v&#x3D;2&#61;&unknown;')).toBe('?a=1&v=2=&unknown;');
});

test('cssUrls skips comments and reads url() in any case', () => {
  expect(
    cssUrls('/* url(/no.png) */ @import url(/imp.css); b { background: URL( "/q.png" ) } i { x: url(a b) }'),
  ).toEqual(['/imp.css', '/q.png']);
});

test('cssUrls reads url() in every quoting and @import, not data: URLs', () => {
  const css = `@import "base.css"; @font-face { src: url(/f/a.woff2) format("woff2"), url( 'b.woff' ) } .x { background: url(data:image/png;base64,AA) }`;
  expect(cssUrls(css)).toEqual(['base.css', '/f/a.woff2', 'b.woff']);
});

/**
 * Pages from the network may be built to make a scanner quadratic (the doctor once spent
 * minutes on 300 KB of `<a`). The scanners read through a TextCursor that counts every
 * character examined; the bound below is on that count, not on time.
 */
describe('the scanners examine each character a bounded number of times, whatever the text', () => {
  /** Examined characters per character of input, at most (plus a constant for tiny inputs); about 5 measured. */
  const PER_CHARACTER = 10;
  const FRAGMENTS = [
    '<a',
    '<a ',
    '<img',
    '<link',
    '>',
    '"',
    "'",
    '=',
    ' ',
    '/',
    '<!--',
    '-->',
    '<!-',
    '<!',
    '<?',
    '</',
    '</a',
    '<script>',
    '</script',
    '<style>',
    '</style',
    '<title>',
    'url(',
    'URL(',
    ')',
    '@import ',
    '&',
    '&#',
    '&#x',
    '&amp',
    '&#1',
    ';',
    ' style="',
    ' srcset=',
    ' href=',
    ',',
    '/*',
    '*/',
    'x',
    '\n',
    '\t',
    'é',
  ];
  const hostile = fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 300 }).map((parts) => parts.join(''));
  /** Runs of one fragment, the shape of the attacks that made the old regular expressions quadratic. */
  const runs = fc
    .array(fc.tuple(fc.constantFrom(...FRAGMENTS), fc.integer({ min: 1, max: 400 })), { maxLength: 4 })
    .map((parts) => parts.map(([fragment, times]) => fragment.repeat(times)).join(''));

  function examined(scan: (text: string, cost: { examined: number }) => unknown, text: string): number {
    const cost = { examined: 0 };
    scan(text, cost);
    return cost.examined;
  }

  test.each([
    ['scanHtml', (text: string, cost: { examined: number }) => scanHtml(text, cost)],
    ['cssUrls', (text: string, cost: { examined: number }) => cssUrls(text, cost)],
    ['decodeEntities', (text: string, cost: { examined: number }) => decodeEntities(text, cost)],
  ])('%s: within the bound on mixed fragments, runs of one fragment and any string', (_name, scan) => {
    fc.assert(
      fc.property(fc.oneof(hostile, runs, fc.string({ maxLength: 300 })), (text) => {
        expect(examined(scan, text)).toBeLessThanOrEqual(PER_CHARACTER * text.length + 16);
      }),
      { numRuns: 400 },
    );
  });

  // The reported attacks, and the size the probe keeps of a page (2 MB): they must simply
  // finish (Jest's timeout), and their count is checked like any other.
  test('300 KB of `<a` without `>`: no tag, linear count', () => {
    const page = '<a'.repeat(150_000);
    const cost = { examined: 0 };
    expect(scanHtml(page, cost).tags).toEqual([]);
    expect(cost.examined).toBeLessThanOrEqual(PER_CHARACTER * page.length);
  });

  test('400 KB of `url(` in a stylesheet, and in a page: linear count', () => {
    const sheet = 'url('.repeat(100_000);
    const cost = { examined: 0 };
    expect(cssUrls(sheet, cost)).toEqual([]);
    expect(cost.examined).toBeLessThanOrEqual(PER_CHARACTER * sheet.length);
    const page = `<style>${sheet}</style><div style="${sheet}">`;
    const pageCost = { examined: 0 };
    scanHtml(page, pageCost);
    expect(pageCost.examined).toBeLessThanOrEqual(PER_CHARACTER * page.length);
  });

  test('2 MB pages of each hostile fragment, the most the probe keeps: linear count', () => {
    for (const fragment of FRAGMENTS) {
      const page = fragment.repeat(Math.ceil((2 * 1024 * 1024) / fragment.length));
      const cost = { examined: 0 };
      scanHtml(page, cost);
      expect(cost.examined).toBeLessThanOrEqual(PER_CHARACTER * page.length);
    }
  });

  test('a 2 MB page of many real tags still gives every reference (no argument-list overflow)', () => {
    const count = 100_000;
    const page = `<style>${'a{background:url(/i.png)}'.repeat(count)}</style>${'<img src=/x.png>'.repeat(count)}`;
    const scan = scanHtml(page);
    expect(scan.references).toHaveLength(2 * count);
    expect(scan.tags).toHaveLength(count + 1);
  });
});
