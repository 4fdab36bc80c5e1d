import { parseLinkHeader, preloadLinks } from './link-parse.js';

describe('parseLinkHeader', () => {
  test('reads the links and parameters the module writes', () => {
    const links = parseLinkHeader(
      '</static/css/app.css?v=1>; rel=preload; as=style; nopush, </static/fonts/a.woff2>; rel=preload; as=font; crossorigin=anonymous',
    );
    expect(links).toEqual([
      { target: '/static/css/app.css?v=1', params: { rel: 'preload', as: 'style', nopush: '' } },
      { target: '/static/fonts/a.woff2', params: { rel: 'preload', as: 'font', crossorigin: 'anonymous' } },
    ]);
  });

  test('a comma inside the URL or a quoted value does not split a link', () => {
    const links = parseLinkHeader(
      '</a,b.css>; rel="preload"; title="x, y"; as=style, <https://cdn.example/c.js>;rel=preload;as=script',
    );
    expect(links.map((l) => l.target)).toEqual(['/a,b.css', 'https://cdn.example/c.js']);
    expect(links[0].params).toEqual({ rel: 'preload', title: 'x, y', as: 'style' });
  });

  test('a bare crossorigin is present with an empty value; names are case-insensitive', () => {
    expect(parseLinkHeader('</f.woff2>; REL=preload; As=font; CrossOrigin')[0].params).toEqual({
      rel: 'preload',
      as: 'font',
      crossorigin: '',
    });
  });

  test('garbage gives no links, not an exception', () => {
    expect(parseLinkHeader('nonsense; rel=preload')).toEqual([]);
    expect(parseLinkHeader('</unterminated; rel=preload')).toEqual([]);
    expect(parseLinkHeader(undefined)).toEqual([]);
  });
});

describe('preloadLinks', () => {
  test('keeps preload and modulepreload, not preconnect or a canonical link', () => {
    const links = preloadLinks(
      '<https://cdn.example>; rel=preconnect, </a.css>; rel=preload; as=style, </m.js>; rel=modulepreload, </p>; rel=canonical',
    );
    expect(links.map((l) => l.target)).toEqual(['/a.css', '/m.js']);
  });
});
