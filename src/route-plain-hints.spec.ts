import type { PreloadHint } from './preload-hint.interface.js';
import { estimatedHintBytes, MAX_HINT_URL_LENGTH, normalizeHint } from './preload-hint.js';
import {
  mustForgetOldest,
  ROUTE_PLAIN_HINTS_MAX,
  ROUTE_PLAIN_HINTS_MAX_BYTES,
  RoutePlainHints,
  routePlainHintsOf,
} from './route-plain-hints.js';

const hint = (url: string): PreloadHint => normalizeHint(url);

describe('RoutePlainHints', () => {
  it('finds a kept hint by a URL with the same text, built anew', () => {
    const hints = new RoutePlainHints();
    const css = hint('/static/css/app.css');
    hints.keep(css);
    const prefix = '/static/';
    expect(hints.get(`${prefix}css/app.css`)).toBe(css);
    expect(hints.get('/static/css/other.css')).toBeUndefined();
  });

  it(`keeps at most ${ROUTE_PLAIN_HINTS_MAX} hints, forgetting the oldest first`, () => {
    const hints = new RoutePlainHints();
    const urls = Array.from({ length: ROUTE_PLAIN_HINTS_MAX + 2 }, (_, i) => `/i/${i}.png`);
    for (const url of urls) hints.keep(hint(url));
    expect(hints.size).toBe(ROUTE_PLAIN_HINTS_MAX);
    expect(hints.get(urls[0])).toBeUndefined();
    expect(hints.get(urls[1])).toBeUndefined();
    expect(hints.get(urls[2])).toBeDefined();
    expect(hints.get(urls.at(-1)!)).toBeDefined();
  });

  it('stays within its byte bound with long URLs, and counts what it forgets', () => {
    const hints = new RoutePlainHints();
    const long = (i: number) => hint(`/static/img/${i}-${'x'.repeat(MAX_HINT_URL_LENGTH - 20)}.png`);
    for (let i = 0; i < 10; i++) {
      hints.keep(long(i));
      expect(hints.estimatedBytes).toBeLessThanOrEqual(ROUTE_PLAIN_HINTS_MAX_BYTES);
    }
    // One ASCII URL of the longest accepted length fits; two do not.
    expect(hints.size).toBe(1);
    expect(hints.estimatedBytes).toBe(estimatedHintBytes(long(9)));
    const small = hint('/static/css/app.css');
    hints.keep(small);
    expect(hints.get(small.url)).toBe(small);
    expect(hints.estimatedBytes).toBe(estimatedHintBytes(long(9)) + estimatedHintBytes(small));
  });

  it('does not keep a hint larger than its whole bound, nor lose what it has for it', () => {
    const hints = new RoutePlainHints();
    const css = hint('/static/css/app.css');
    hints.keep(css);
    // Non-ASCII characters count more: this one is over the route's bound on its own.
    const wide = hint(`/static/img/${'é'.repeat(MAX_HINT_URL_LENGTH - 20)}.png`);
    expect(estimatedHintBytes(wide)).toBeGreaterThan(ROUTE_PLAIN_HINTS_MAX_BYTES);
    hints.keep(wide);
    expect(hints.get(wide.url)).toBeUndefined();
    expect(hints.get(css.url)).toBe(css);
  });

  it('keeps the first hint of a URL kept twice, counted once', () => {
    const hints = new RoutePlainHints();
    const first = hint('/static/js/app.js');
    hints.keep(first);
    hints.keep({ ...first });
    expect(hints.get(first.url)).toBe(first);
    expect(hints.size).toBe(1);
    expect(hints.estimatedBytes).toBe(estimatedHintBytes(first));
  });
});

describe('mustForgetOldest', () => {
  it('makes room by count and by bytes, but never empties a route for nothing', () => {
    expect(mustForgetOldest(0, 0, 100)).toBe(false);
    expect(mustForgetOldest(ROUTE_PLAIN_HINTS_MAX - 1, 0, 100)).toBe(false);
    expect(mustForgetOldest(ROUTE_PLAIN_HINTS_MAX, 0, 100)).toBe(true);
    expect(mustForgetOldest(1, ROUTE_PLAIN_HINTS_MAX_BYTES - 100, 100)).toBe(false);
    expect(mustForgetOldest(1, ROUTE_PLAIN_HINTS_MAX_BYTES - 100, 101)).toBe(true);
    expect(mustForgetOldest(0, 0, ROUTE_PLAIN_HINTS_MAX_BYTES + 1)).toBe(false);
  });
});

describe('routePlainHintsOf', () => {
  it('gives one set of hints per route handler', () => {
    const page = () => undefined;
    const other = () => undefined;
    expect(routePlainHintsOf(page)).toBe(routePlainHintsOf(page));
    expect(routePlainHintsOf(page)).not.toBe(routePlainHintsOf(other));
  });
});
