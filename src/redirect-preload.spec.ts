import { redirectPreloadTarget, type RedirectAtHeaderTime } from './redirect-preload.js';

const redirect: RedirectAtHeaderTime = {
  method: 'GET',
  statusCode: 302,
  secure: true,
  host: 'shop.example',
  requestUrl: '/cart/checkout?step=1',
  location: '/login?next=%2Fcart',
  hasLink: false,
  optedOut: false,
};

describe('redirectPreloadTarget', () => {
  it.each([301, 302, 303, 307, 308])('preloads the target of a same-origin %i', (statusCode) => {
    expect(redirectPreloadTarget({ ...redirect, statusCode })).toBe('/login?next=%2Fcart');
  });

  it.each([
    ['a relative location', 'payment#card', '/cart/payment'],
    ['an absolute same-origin location', 'https://shop.example/login', '/login'],
    ['the default port spelt out', 'https://shop.example:443/login', '/login'],
  ])('resolves %s', (_, location, expected) => {
    expect(redirectPreloadTarget({ ...redirect, location })).toBe(expected);
  });

  it.each<[string, Partial<RedirectAtHeaderTime>]>([
    ['a POST', { method: 'POST' }],
    ['a HEAD', { method: 'HEAD' }],
    ['a 200', { statusCode: 200 }],
    ['a 300', { statusCode: 300 }],
    ['a 304', { statusCode: 304 }],
    ['plain http', { secure: false }],
    ['another host', { location: 'https://evil.example/login' }],
    ['a protocol-relative other host', { location: '//evil.example/login' }],
    ['another port', { location: 'https://shop.example:8443/login' }],
    ['an http target', { location: 'http://shop.example/login' }],
    ['a javascript: target', { location: 'javascript:alert(1)' }],
    ['a handler Link', { hasLink: true }],
    ['an opt-out', { optedOut: true }],
    ['no location', { location: undefined }],
    ['no host', { host: undefined }],
    ['a malformed host', { host: 'exa mple' }],
  ])('does nothing for %s', (_, change) => {
    expect(redirectPreloadTarget({ ...redirect, ...change })).toBeUndefined();
  });
});
