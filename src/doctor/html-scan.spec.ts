import { cssUrls, decodeEntities, scanHtml } from './html-scan.js';

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

  test('a truncated page gives what it has, not an exception', () => {
    expect(scanHtml('<link rel=stylesheet href="/a.css"><script src="/b.js').references).toEqual(['/a.css']);
  });
});

test('decodeEntities reads named and numeric references and leaves unknown ones', () => {
  expect(decodeEntities('?a=1&amp;v&#x3D;2&#61;&unknown;')).toBe('?a=1&v=2=&unknown;');
});

test('cssUrls reads url() in every quoting and @import, not data: URLs', () => {
  const css = `@import "base.css"; @font-face { src: url(/f/a.woff2) format("woff2"), url( 'b.woff' ) } .x { background: url(data:image/png;base64,AA) }`;
  expect(cssUrls(css)).toEqual(['base.css', '/f/a.woff2', 'b.woff']);
});
