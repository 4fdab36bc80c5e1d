import { HINT_CACHE_MAX_BYTES, MAX_CACHE_KEY_LENGTH, PreloadCache } from './preload.cache.js';
import type { PreloadHint } from './preload-hint.interface.js';
import { normalizeHint } from './preload-hint.js';

const css: PreloadHint = { url: '/static/app.css', as: 'style' };
const js: PreloadHint = { url: '/static/app.js', as: 'script' };

describe('PreloadCache', () => {
  it('returns the hints remembered under a key, and nothing for an unknown key', () => {
    const cache = new PreloadCache({ cacheSize: 2 });
    cache.remember('GET /', [css, js]);
    expect(cache.hintsFor('GET /')).toEqual([css, js]);
    expect(cache.hintsFor('GET /other')).toBeUndefined();
  });

  it('replaces what a key had with the latest page’s hints', () => {
    const cache = new PreloadCache({ cacheSize: 2 });
    cache.remember('GET /', [css, js]);
    cache.remember('GET /', [js]);
    expect(cache.hintsFor('GET /')).toEqual([js]);
  });

  it('never holds more than cacheSize keys, forgetting the least recently used first', () => {
    const cache = new PreloadCache({ cacheSize: 2 });
    cache.remember('GET /a', [css]);
    cache.remember('GET /b', [css]);
    cache.remember('GET /c', [css]);
    expect(cache.size).toBe(2);
    expect(cache.hintsFor('GET /a')).toBeUndefined();
    expect(cache.hintsFor('GET /b')).toEqual([css]);
    expect(cache.hintsFor('GET /c')).toEqual([css]);
  });

  it('counts a read as a use, so a key just read outlives one that was not', () => {
    const cache = new PreloadCache({ cacheSize: 2 });
    cache.remember('GET /a', [css]);
    cache.remember('GET /b', [css]);
    cache.hintsFor('GET /a');
    cache.remember('GET /c', [css]);
    expect(cache.hintsFor('GET /a')).toEqual([css]);
    expect(cache.hintsFor('GET /b')).toBeUndefined();
  });

  it('forgets a key when a page used no hints', () => {
    const cache = new PreloadCache({ cacheSize: 2 });
    cache.remember('GET /', [css]);
    cache.remember('GET /', []);
    expect(cache.hintsFor('GET /')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('stores a frozen copy, unaffected by later changes to the given array', () => {
    const cache = new PreloadCache({ cacheSize: 2 });
    const given = [css];
    cache.remember('GET /', given);
    given.push(js);
    const stored = cache.hintsFor('GET /');
    expect(stored).toEqual([css]);
    expect(Object.isFrozen(stored)).toBe(true);
  });

  it('neither remembers nor looks up a key longer than MAX_CACHE_KEY_LENGTH', () => {
    const cache = new PreloadCache({ cacheSize: 2 });
    const long = `GET /${'a'.repeat(MAX_CACHE_KEY_LENGTH)}`;
    cache.remember(long, [css]);
    expect(cache.size).toBe(0);
    expect(cache.hintsFor(long)).toBeUndefined();
    const longest = `GET /${'a'.repeat(MAX_CACHE_KEY_LENGTH - 5)}`;
    cache.remember(longest, [css]);
    expect(cache.hintsFor(longest)).toEqual([css]);
  });

  it('holds at most HINT_CACHE_MAX_BYTES of keys and URLs, whatever cacheSize says', () => {
    const cache = new PreloadCache({ cacheSize: 1000 });
    // Estimated per entry: the key at two bytes a character, the ASCII URL and its link text at 1 + 3.
    const bytesPerEntry = 2 * 2000 + 64 + 128 + 4 * 2000;
    for (let i = 0; i < 1000; i += 1) {
      const key = `GET /${String(i).padStart(1995, '0')}`;
      cache.remember(key, [normalizeHint(`/static/${String(i).padStart(1990, '0')}.png`)]);
    }
    expect(cache.size).toBeLessThanOrEqual(Math.floor(HINT_CACHE_MAX_BYTES / bytesPerEntry));
    expect(cache.size).toBeGreaterThan(100);
    // The most recent entries are the ones kept.
    expect(cache.hintsFor(`GET /${String(999).padStart(1995, '0')}`)).toHaveLength(1);
  });

  it('keeps only the hints that are safe to share: same-origin under staticPrefix, listed origins, declared', () => {
    const cache = new PreloadCache({
      cacheSize: 2,
      staticPrefix: '/static/',
      sharedHintOrigins: ['https://cdn.example.com'],
    });
    const recorded = [
      css,
      { url: '/logout.webp', as: 'image' },
      { url: '/static/img/../../logout.webp', as: 'image' },
      { url: 'https://evil.example/x.js', as: 'script' },
      { url: 'https://cdn.example.com/lib.js', as: 'script' },
    ] satisfies PreloadHint[];
    cache.remember('GET /', recorded);
    expect(cache.hintsFor('GET /')?.map((hint) => hint.url)).toEqual([
      '/static/app.css',
      'https://cdn.example.com/lib.js',
    ]);
    // Nothing shareable: the key is forgotten, so the next request goes late.
    cache.remember('GET /', [{ url: '/logout.webp', as: 'image' }]);
    expect(cache.hintsFor('GET /')).toBeUndefined();
  });
});
