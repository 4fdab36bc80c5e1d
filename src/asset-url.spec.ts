import { assetUrl } from './asset-url.js';

describe('assetUrl', () => {
  it('prefixes a relative path, with exactly one slash between', () => {
    expect(assetUrl('css/app.css', '/static/')).toBe('/static/css/app.css');
    expect(assetUrl('css/app.css', '/static')).toBe('/static/css/app.css');
    expect(assetUrl('./css/app.css', '/static/')).toBe('/static/css/app.css');
    expect(assetUrl('css/app.css', 'https://cdn.example.com/assets/')).toBe(
      'https://cdn.example.com/assets/css/app.css',
    );
  });

  it('keeps root-relative paths and absolute URLs', () => {
    expect(assetUrl('/favicon.svg', '/static/')).toBe('/favicon.svg');
    expect(assetUrl('https://cdn.example.com/x.js', '/static/')).toBe('https://cdn.example.com/x.js');
    expect(assetUrl('//cdn.example.com/x.js', '/static/')).toBe('//cdn.example.com/x.js');
    expect(assetUrl('data:font/woff2;base64,AAAA', '/static/')).toBe('data:font/woff2;base64,AAAA');
  });

  it('adds a version before any fragment, encoded', () => {
    expect(assetUrl('js/app.js', '/static/', 'v3')).toBe('/static/js/app.js?v=v3');
    expect(assetUrl('js/app.js?lang=en', '/static/', '3')).toBe('/static/js/app.js?lang=en&v=3');
    expect(assetUrl('img/icons.svg#home', '/static/', '2')).toBe('/static/img/icons.svg?v=2#home');
    expect(assetUrl('js/app.js', '/static/', 'a b&c')).toBe('/static/js/app.js?v=a%20b%26c');
    expect(assetUrl('js/app.js', '/static/', '')).toBe('/static/js/app.js');
  });
});

describe('assetUrl with an odd version', () => {
  it('encodes a version holding a lone surrogate instead of throwing', () => {
    expect(assetUrl('a.css', '/static/', 'v\ud800')).toBe('/static/a.css?v=v%EF%BF%BD');
  });
});
