import 'reflect-metadata';
import { Preload, PRELOAD_METADATA, type PreloadMetadata } from './preload.decorator.js';

@Preload(['/static/css/app.css', '/static/fonts/inter.woff2', { url: '/static/img/hero', as: 'image' }])
class PagesController {
  @Preload({ hints: ['/static/js/chart.js'], strategy: 'earlyHints' })
  dashboard(): void {}

  @Preload({ strategy: 'late' })
  settings(): void {}
}

function metadataOf(target: object): PreloadMetadata {
  return Reflect.getMetadata(PRELOAD_METADATA, target) as PreloadMetadata;
}

describe('@Preload()', () => {
  it('on a class, normalizes an array of hints: as inferred from the extension, fonts anonymous', () => {
    expect(metadataOf(PagesController)).toEqual({
      hints: [
        { url: '/static/css/app.css', as: 'style' },
        { url: '/static/fonts/inter.woff2', as: 'font', crossorigin: 'anonymous' },
        { url: '/static/img/hero', as: 'image' },
      ],
      strategy: undefined,
    });
  });

  it('on a method, takes hints and a strategy from the object form', () => {
    expect(metadataOf(PagesController.prototype.dashboard)).toEqual({
      hints: [{ url: '/static/js/chart.js', as: 'script' }],
      strategy: 'earlyHints',
    });
    expect(metadataOf(PagesController.prototype.settings)).toEqual({ hints: [], strategy: 'late' });
  });

  it('writes frozen metadata, so no one can change a route’s hints later', () => {
    const metadata = metadataOf(PagesController);
    expect(Object.isFrozen(metadata)).toBe(true);
    expect(Object.isFrozen(metadata.hints)).toBe(true);
    expect(Object.isFrozen(metadata.hints[0])).toBe(true);
  });

  it.each<[string, unknown, RegExp]>([
    [
      'a non-array, non-object argument',
      '/app.css',
      /expected an array of hints or \{ hints, strategy \}; got "\/app.css"/,
    ],
    ['null', null, /expected an array of hints/],
    ['an unknown option', { hint: ['/app.css'] }, /unknown option "hint"; accepted: hints, strategy/],
    ['hints that are not an array', { hints: '/app.css' }, /"hints" must be an array; got "\/app.css"/],
    ['a bad strategy', { strategy: 'push' }, /"strategy" must be one of flushHeaders, earlyHints, late; got "push"/],
    ['a hint that is a number', [42], /each hint must be a URL string or an object with a "url"; got 42/],
    ['a hint with a bad as', [{ url: '/app.css', as: 'css' }], /"as" must be one of/],
  ])('refuses %s with a TypeError starting with @Preload():', (_case, argument, message) => {
    const decorate = () => Preload(argument as never);
    expect(decorate).toThrow(TypeError);
    expect(decorate).toThrow(/^@Preload\(\): /);
    expect(decorate).toThrow(message);
  });
});

describe('@Preload() and unsafe URLs', () => {
  it('refuses a javascript: URL or a control character when the class is defined', () => {
    expect(() => Preload(['javascript:alert(1)'])).toThrow(
      /@Preload\(\): cannot preload "javascript:alert\(1\)": its scheme "javascript:"/,
    );
    expect(() => Preload(['/a.css\nX: y'])).toThrow(/control character/);
  });

  it('refuses a URL longer than the 2,048 characters a hint URL may have', () => {
    expect(() => Preload([`/static/${'a'.repeat(2041)}`])).toThrow(
      /@Preload\(\): cannot preload .*more than the 2,048/,
    );
  });
});

describe('@Preload() and relative URLs', () => {
  it.each([
    ['css/app.css', '/static/css/app.css'],
    ['./js/app.js', '/static/js/app.js'],
    ['../fonts/inter.woff2', '/static/fonts/inter.woff2'],
  ])('refuses %j when the class is defined, naming the path to write instead', (url, fix) => {
    const message = `@Preload(): ${JSON.stringify(url)} is a relative URL, which the browser would read against each page's URL. Declared hints are used as written, without staticPrefix: write the path your app serves the file at, such as '${fix}', or a full URL.`;
    expect(() => Preload([url])).toThrow(message);
    expect(() => Preload({ hints: [{ url, as: 'style' }] })).toThrow(message);
  });

  it('takes root-relative paths, full URLs and protocol-relative URLs as written', () => {
    @Preload(['/static/css/app.css', 'https://cdn.example.com/x.js', '//cdn.example.com/y.js'])
    class AbsoluteController {}
    expect(metadataOf(AbsoluteController).hints.map((hint) => hint.url)).toEqual([
      '/static/css/app.css',
      'https://cdn.example.com/x.js',
      '//cdn.example.com/y.js',
    ]);
  });
});
