import { PreloadCache } from './preload.cache.js';
import type { PreloadHint } from './preload-hint.interface.js';

const css: PreloadHint = { url: '/app.css', as: 'style' };
const js: PreloadHint = { url: '/app.js', as: 'script' };

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

  it('learns per handler whether it may be flushed', () => {
    const cache = new PreloadCache({ cacheSize: 2 });
    const home = () => 'home';
    const profile = () => 'profile';
    expect(cache.isFlushable(home)).toBe(false);
    expect(cache.learn(home, 'clean-late').switched).toBeUndefined();
    expect(cache.isFlushable(home)).toBe(true);
    expect(cache.learn(home, 'failed-flush').switched).toBe('stopped');
    expect(cache.learn(home, 'failed-flush').switched).toBeUndefined();
    expect(cache.isFlushable(home)).toBe(false);
    expect(cache.isFlushable(profile)).toBe(false);
  });
});
