import type { HttpExchange } from './http-exchange.js';
import type { PreloadHint } from './preload-hint.interface.js';
import { startCollecting } from './preload-request.js';
import type { RoutePreload } from './preload-route.js';
import { routePlainHintsOf } from './route-plain-hints.js';

/** What startCollecting reads of an exchange: the request objects and the template variables. */
const exchange = (): HttpExchange => {
  const request = {};
  return { appRequest: request, request, response: {}, locals: {} } as unknown as HttpExchange;
};

const routeOf = (handler: Function, declaredHints: readonly PreloadHint[] = []): RoutePreload =>
  ({ handler, declaredHints }) as unknown as RoutePreload;

describe('startCollecting', () => {
  it('gives the request’s collector the plain hints its route has recorded before', () => {
    const route = routeOf(function page() {});
    const known: PreloadHint = Object.freeze({ url: '/static/css/known.css', as: 'style' });
    routePlainHintsOf(route.handler).keep(known);
    const { collector } = startCollecting(exchange(), route, '/static/', undefined);
    expect(collector.add('/static/css/known.css').entries()).toEqual([known]);
    expect(collector.entries()[0]).toBe(known);
  });

  it('keeps one route’s plain hints apart from another’s', () => {
    const first = routeOf(function first() {});
    const second = routeOf(function second() {});
    const [hint] = startCollecting(exchange(), first, '/static/', undefined)
      .collector.add('/static/js/first.js')
      .entries();
    expect(routePlainHintsOf(first.handler).get('/static/js/first.js')).toBe(hint);
    expect(routePlainHintsOf(second.handler).get('/static/js/first.js')).toBeUndefined();
  });

  it('still records the route’s declared hints first', () => {
    const declared: PreloadHint[] = [
      { url: '/static/css/declared.css', as: 'style' },
      { url: '/static/img/declared.png', as: 'image', fetchpriority: 'high' },
    ];
    const route = routeOf(function declaring() {}, declared);
    const { collector } = startCollecting(exchange(), route, '/static/', undefined);
    expect(collector.entries()).toEqual(declared);
  });

  it('records the same declared hint objects on every request, so their Link text is made once', () => {
    const declared: PreloadHint[] = [
      Object.freeze({ url: '/static/css/once.css', as: 'style' as const }),
      Object.freeze({ url: '/static/font/once.woff2', as: 'font' as const, crossorigin: 'anonymous' as const }),
    ];
    const route = routeOf(function repeated() {}, declared);
    const first = startCollecting(exchange(), route, '/static/', undefined).collector.entries();
    const second = startCollecting(exchange(), route, '/static/', undefined).collector.entries();
    expect(first).toHaveLength(2);
    first.forEach((hint, i) => {
      expect(hint).toBe(declared[i]);
      expect(second[i]).toBe(hint);
    });
  });
});
