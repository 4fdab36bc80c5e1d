import { toUriReference, unsafeUrlReason } from './uri-reference.js';

describe('toUriReference', () => {
  it.each([
    ['/static/css/app.css?v=1#top', '/static/css/app.css?v=1#top'],
    ['/static/my file.css', '/static/my%20file.css'],
    ['/static/é.css', '/static/%C3%A9.css'],
    ['/static/"q"<a>.css', '/static/%22q%22%3Ca%3E.css'],
    ['/static/a\\b^c|d{e}`.css', '/static/a%5Cb%5Ec%7Cd%7Be%7D%60.css'],
    ['/static/a;b,c=d.css', '/static/a;b,c=d.css'],
    ['/static/100%.css', '/static/100%25.css'],
    ['/static/a%2Fb%zz.css', '/static/a%2Fb%25zz.css'],
    ['/a#b#c', '/a#b%23c'],
    ['/a[1].css', '/a%5B1%5D.css'],
    ['https://[::1]:8443/a[1].css', 'https://[::1]:8443/a%5B1%5D.css'],
    ['//cdn.example/😀.css', '//cdn.example/%F0%9F%98%80.css'],
    ['/lone\ud800.css', '/lone%EF%BF%BD.css'],
  ])('%j → %j', (url, expected) => {
    expect(toUriReference(url)).toBe(expected);
  });

  it('changes nothing the second time', () => {
    const once = toUriReference('/a b/%/%41/é#x#y');
    expect(toUriReference(once)).toBe(once);
  });
});

describe('unsafeUrlReason', () => {
  it.each([
    ['/static/app.css'],
    ['https://cdn.example/app.css'],
    ['HTTP://cdn.example/app.css'],
    ['//cdn.example/app.css'],
    ['css/app.css'],
    ['/a:b/c.css'],
    [`/static/${'a'.repeat(2040)}`],
  ])('accepts %j', (url) => {
    expect(unsafeUrlReason(url)).toBeUndefined();
  });

  it.each([
    ['javascript:alert(1)', /scheme "javascript:"/],
    ['  JAVASCRIPT:alert(1)', /scheme "JAVASCRIPT:"/],
    ['data:text/css,x', /scheme "data:"/],
    ['vbscript:x', /scheme "vbscript:"/],
    ['/a.css\r\nX: y', /control character/],
    ['java\tscript:alert(1)', /control character/],
    ['/a\u007f.css', /control character/],
    [`/static/${'a'.repeat(2041)}`, /2,049 characters long, more than the 2,048/],
  ])('refuses %j', (url, reason) => {
    expect(unsafeUrlReason(url)).toMatch(reason);
  });
});
