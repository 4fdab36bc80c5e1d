import fc from 'fast-check';
import { staticAnswer, staticPrefixWarning, watchedStaticPath } from './static-prefix.watch.js';

describe('watchedStaticPath', () => {
  it.each([
    ['/static/', '/static/'],
    ['/static', '/static/'],
    ['/', '/'],
    ['/assets/v2/?x', '/assets/v2/'],
  ])('watches %j under %j', (prefix, path) => {
    expect(watchedStaticPath(prefix)).toBe(path);
  });

  it.each(['https://cdn.example.com/assets/', '//cdn.example.com/assets/'])(
    'leaves %j alone: another host serves it',
    (prefix) => {
      expect(watchedStaticPath(prefix)).toBeUndefined();
    },
  );
});

describe('staticAnswer', () => {
  it('a 2xx or a 304 is a served file, a 404 a missing one, anything else says nothing yet', () => {
    fc.assert(
      fc.property(fc.integer({ min: 100, max: 599 }), (status) => {
        const answer = staticAnswer(status);
        if ((status >= 200 && status < 300) || status === 304) expect(answer).toBe('served');
        else if (status === 404) expect(answer).toBe('missing');
        else expect(answer).toBe('unknown');
      }),
    );
  });
});

describe('staticPrefixWarning', () => {
  it('names the URL, staticPrefix and both fixes', () => {
    const warning = staticPrefixWarning('/static/', '/static/css/app.css');
    expect(warning).toContain("GET /static/css/app.css answered 404, and no file under staticPrefix '/static/'");
    expect(warning).toContain("useStaticAssets(dir, { prefix: '/static/' })");
    expect(warning).toContain("set the module's staticPrefix to where they are");
  });
});
