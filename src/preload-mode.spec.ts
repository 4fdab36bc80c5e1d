import fc from 'fast-check';
import {
  chooseEarlyStrategy,
  NOT_EARLY_REASONS,
  type NotEarlyReason,
  isHtmlContentType,
  isNavigation,
  modeAtHeaderTime,
  planBeforeHandler,
  resultAtHeaderTime,
  type RequestBeforeHandler,
  type RouteBeforeHandler,
} from './preload-mode.js';
import { NO_PRECONDITIONS, NO_VALIDATOR_HISTORY } from './conditional/index.js';

describe('isHtmlContentType', () => {
  it.each(['text/html', 'text/html; charset=utf-8', 'TEXT/HTML;charset=UTF-8', ' text/html '])(
    '%j is HTML',
    (value) => {
      expect(isHtmlContentType(value)).toBe(true);
    },
  );

  it.each(['application/json', 'text/plain', 'text/htmlx', 'application/xhtml+xml', '', undefined, 42, ['text/html']])(
    '%j is not HTML',
    (value) => {
      expect(isHtmlContentType(value)).toBe(false);
    },
  );
});

describe('modeAtHeaderTime', () => {
  const html = {
    statusCode: 200,
    contentType: 'text/html; charset=utf-8',
    optedOut: false,
    hintCount: 3,
    sentEarly: false,
  };

  it('is late for a successful HTML page that recorded hints', () => {
    expect(modeAtHeaderTime(html)).toBe('late');
    expect(modeAtHeaderTime({ ...html, statusCode: 203 })).toBe('late');
  });

  it('is off for an HTML page without hints, opted out, or not successful', () => {
    expect(modeAtHeaderTime({ ...html, hintCount: 0 })).toBe('off');
    expect(modeAtHeaderTime({ ...html, optedOut: true })).toBe('off');
    expect(modeAtHeaderTime({ ...html, statusCode: 404 })).toBe('off');
    expect(modeAtHeaderTime({ ...html, statusCode: 500 })).toBe('off');
    expect(modeAtHeaderTime({ ...html, statusCode: 302 })).toBe('off');
  });

  it('leaves anything but HTML alone', () => {
    expect(modeAtHeaderTime({ ...html, contentType: 'application/json' })).toBeUndefined();
    expect(modeAtHeaderTime({ ...html, contentType: undefined })).toBeUndefined();
  });

  it('is early for an HTML response after a 103 went out, whatever its status', () => {
    expect(modeAtHeaderTime({ ...html, sentEarly: true })).toBe('early');
    expect(modeAtHeaderTime({ ...html, sentEarly: true, statusCode: 500, hintCount: 0 })).toBe('early');
  });

  it('leaves a non-HTML response alone even after a 103 went out', () => {
    expect(modeAtHeaderTime({ ...html, sentEarly: true, contentType: 'application/json' })).toBeUndefined();
  });
});

const navigation: RequestBeforeHandler = {
  method: 'GET',
  httpVersion: '1.1',
  acceptsHtml: true,
  secFetchMode: 'navigate',
  preconditions: NO_PRECONDITIONS,
  sessionBlocksFlush: false,
  retry: false,
  statusCode: 200,
};

/** A browser revalidating its copy: If-None-Match, nothing settled. */
const revalidation: RequestBeforeHandler = {
  ...navigation,
  preconditions: { ...NO_PRECONDITIONS, ifNoneMatch: true },
};

describe('isNavigation', () => {
  it('accepts a GET or HEAD that admits HTML, with Sec-Fetch-Mode navigate or none', () => {
    expect(isNavigation(navigation)).toBe(true);
    expect(isNavigation({ ...navigation, method: 'HEAD' })).toBe(true);
    expect(isNavigation({ ...navigation, secFetchMode: undefined })).toBe(true);
  });

  it('refuses other methods, clients that do not accept HTML, and fetch() calls', () => {
    expect(isNavigation({ ...navigation, method: 'POST' })).toBe(false);
    expect(isNavigation({ ...navigation, acceptsHtml: false })).toBe(false);
    expect(isNavigation({ ...navigation, secFetchMode: 'cors' })).toBe(false);
    expect(isNavigation({ ...navigation, secFetchMode: 'no-cors' })).toBe(false);
  });
});

describe('planBeforeHandler', () => {
  const learning: RouteBeforeHandler = {
    optedOut: false,
    strategy: 'flushHeaders',
    flushable: false,
    flushingLearnt: false,
    answersData: false,
    hintCount: 0,
    validators: NO_VALIDATOR_HISTORY,
  };

  it("compares the handler's headers on a late GET of a route still learning whether it may be flushed", () => {
    expect(planBeforeHandler(navigation, learning, true)).toEqual({
      early: undefined,
      compareHeaders: true,
      notEarly: 'not-learnt',
    });
    // A fetch() or an API client teaches the route as much as a navigation does.
    expect(planBeforeHandler({ ...navigation, acceptsHtml: false }, learning, true).compareHeaders).toBe(true);
  });

  it('compares nothing once the route has learnt, for other methods, other strategies, opted-out routes, or with presending off', () => {
    expect(planBeforeHandler(navigation, { ...learning, flushingLearnt: true }, true).compareHeaders).toBe(false);
    expect(planBeforeHandler({ ...navigation, method: 'HEAD' }, learning, true).compareHeaders).toBe(false);
    expect(planBeforeHandler({ ...navigation, method: 'POST' }, learning, true).compareHeaders).toBe(false);
    expect(planBeforeHandler(navigation, { ...learning, strategy: 'earlyHints' }, true).compareHeaders).toBe(false);
    expect(planBeforeHandler(navigation, { ...learning, optedOut: true }, true).compareHeaders).toBe(false);
    expect(planBeforeHandler(navigation, learning, false).compareHeaders).toBe(false);
    // A browser that opens a JSON route teaches nothing about pages.
    expect(planBeforeHandler(navigation, { ...learning, answersData: true }, true).compareHeaders).toBe(false);
  });

  it('flushes a route its declaration vouches for, and would still compare if the flush cannot go', () => {
    const declared = { ...learning, flushable: true, hintCount: 2 };
    expect(planBeforeHandler(navigation, declared, true)).toEqual({ early: 'flushHeaders', compareHeaders: true });
  });
});

describe('chooseEarlyStrategy', () => {
  const flushRoute: RouteBeforeHandler = {
    optedOut: false,
    strategy: 'flushHeaders',
    flushable: true,
    flushingLearnt: true,
    answersData: false,
    hintCount: 2,
    validators: NO_VALIDATOR_HISTORY,
  };
  const hintsRoute: RouteBeforeHandler = { ...flushRoute, strategy: 'earlyHints' };

  describe('flushHeaders', () => {
    it('is chosen for a plain GET navigation still at 200 on a flushable route', () => {
      expect(chooseEarlyStrategy(navigation, flushRoute, true)).toBe('flushHeaders');
      expect(chooseEarlyStrategy({ ...navigation, secFetchMode: undefined }, flushRoute, true)).toBe('flushHeaders');
    });

    it('is announced, not flushed, for a HEAD whose GET would be flushed', () => {
      expect(chooseEarlyStrategy({ ...navigation, method: 'HEAD' }, flushRoute, true)).toBe('announce');
      expect(
        chooseEarlyStrategy({ ...navigation, method: 'HEAD' }, { ...flushRoute, flushable: false }, true),
      ).toBeUndefined();
    });

    it('is not chosen for a request whose session cookie a flush could lose', () => {
      expect(chooseEarlyStrategy({ ...navigation, sessionBlocksFlush: true }, flushRoute, true)).toBeUndefined();
      expect(chooseEarlyStrategy({ ...navigation, sessionBlocksFlush: true }, hintsRoute, true)).toBe('earlyHints');
    });

    it('is not chosen for the retry of a page that went wrong after a flush, by any strategy', () => {
      expect(chooseEarlyStrategy({ ...navigation, retry: true }, flushRoute, true)).toBeUndefined();
      expect(chooseEarlyStrategy({ ...navigation, retry: true }, hintsRoute, true)).toBeUndefined();
    });

    it('is not chosen when the handler could still decide something the flush would commit', () => {
      expect(chooseEarlyStrategy(revalidation, flushRoute, true)).toBeUndefined();
      expect(chooseEarlyStrategy({ ...navigation, statusCode: 201 }, flushRoute, true)).toBeUndefined();
      expect(chooseEarlyStrategy(navigation, { ...flushRoute, flushable: false }, true)).toBeUndefined();
    });
  });

  describe('earlyHints', () => {
    it('is chosen for GET and HEAD navigations, but not for a revalidation that may end in a 304', () => {
      expect(chooseEarlyStrategy(navigation, hintsRoute, true)).toBe('earlyHints');
      expect(chooseEarlyStrategy({ ...navigation, method: 'HEAD' }, hintsRoute, true)).toBe('earlyHints');
      expect(chooseEarlyStrategy(revalidation, hintsRoute, true)).toBeUndefined();
      expect(chooseEarlyStrategy({ ...navigation, httpVersion: '2.0' }, hintsRoute, true)).toBe('earlyHints');
    });

    it('is never chosen for an HTTP/1.0 client, which must not get a 1xx', () => {
      expect(chooseEarlyStrategy({ ...navigation, httpVersion: '1.0' }, hintsRoute, true)).toBeUndefined();
    });
  });

  it.each<[string, RequestBeforeHandler, Partial<RouteBeforeHandler>]>([
    ['opted out', navigation, { optedOut: true }],
    ['without hints', navigation, { hintCount: 0 }],
    ['a POST', { ...navigation, method: 'POST' }, {}],
    ['not accepting HTML', { ...navigation, acceptsHtml: false }, {}],
    ['a fetch() (Sec-Fetch-Mode cors)', { ...navigation, secFetchMode: 'cors' }, {}],
  ])('sends nothing early for a request %s, whatever the strategy', (_case, request, route) => {
    expect(chooseEarlyStrategy(request, { ...flushRoute, ...route }, true)).toBeUndefined();
    expect(chooseEarlyStrategy(request, { ...hintsRoute, ...route }, true)).toBeUndefined();
  });

  it('treats a revalidation of a route whose validators never repeated as a plain navigation, by either strategy', () => {
    const uniqueEtags = { validators: { ...NO_VALIDATOR_HISTORY, etags: 'unique' as const } };
    expect(chooseEarlyStrategy(revalidation, { ...flushRoute, ...uniqueEtags }, true)).toBe('flushHeaders');
    expect(chooseEarlyStrategy(revalidation, { ...hintsRoute, ...uniqueEtags }, true)).toBe('earlyHints');
    const ranged = { ...revalidation, preconditions: { ...revalidation.preconditions, range: true } };
    expect(chooseEarlyStrategy(ranged, { ...flushRoute, ...uniqueEtags }, true)).toBeUndefined();
    // Still only what any navigation needs: a retry stays late.
    expect(
      chooseEarlyStrategy({ ...revalidation, retry: true }, { ...flushRoute, ...uniqueEtags }, true),
    ).toBeUndefined();
  });

  it('sends nothing early when presending cached headers is off', () => {
    expect(chooseEarlyStrategy(navigation, flushRoute, false)).toBeUndefined();
    expect(chooseEarlyStrategy(navigation, hintsRoute, false)).toBeUndefined();
  });

  it("sends nothing early for a route whose strategy is 'late'", () => {
    expect(chooseEarlyStrategy(navigation, { ...flushRoute, strategy: 'late' }, true)).toBeUndefined();
  });
});

describe('resultAtHeaderTime', () => {
  const page = {
    statusCode: 200,
    contentType: 'text/html; charset=utf-8',
    optedOut: false,
    hintCount: 2,
    sentEarly: false,
    method: 'GET',
    setByHandler: undefined,
  };

  it('gives a successful GET page its links, remembers it, and learns from it when its headers were compared', () => {
    expect(resultAtHeaderTime(page)).toEqual({ mode: 'late', addLinks: true, remember: true, flushEvent: undefined });
    expect(resultAtHeaderTime({ ...page, setByHandler: [] }).flushEvent).toBe('clean-late');
    expect(resultAtHeaderTime({ ...page, setByHandler: ['set-cookie'] }).flushEvent).toBe('headers-late');
  });

  it('remembers only GET pages, and labels a page that recorded nothing off', () => {
    expect(resultAtHeaderTime({ ...page, method: 'HEAD' }).remember).toBe(false);
    expect(resultAtHeaderTime({ ...page, hintCount: 0 })).toEqual({
      mode: 'off',
      addLinks: false,
      remember: true,
      flushEvent: undefined,
    });
  });

  it('leaves anything but HTML alone, and neither links nor learns from an error page', () => {
    expect(resultAtHeaderTime({ ...page, contentType: 'application/json', setByHandler: [] })).toEqual({
      mode: undefined,
      addLinks: false,
      remember: false,
      flushEvent: undefined,
    });
    expect(resultAtHeaderTime({ ...page, statusCode: 404 })).toEqual({
      mode: 'off',
      addLinks: false,
      remember: false,
      flushEvent: undefined,
    });
  });

  it('learns from a late error page or redirect of a route that compares its headers: a flush would have failed there', () => {
    expect(resultAtHeaderTime({ ...page, statusCode: 404, setByHandler: [] }).flushEvent).toBe('failed-late');
    expect(resultAtHeaderTime({ ...page, statusCode: 302, setByHandler: [] }).flushEvent).toBe('failed-late');
    expect(
      resultAtHeaderTime({ ...page, statusCode: 404, setByHandler: [], optedOut: true }).flushEvent,
    ).toBeUndefined();
    expect(
      resultAtHeaderTime({ ...page, statusCode: 500, contentType: 'application/json', setByHandler: [] }).flushEvent,
    ).toBeUndefined();
  });
});

describe('notEarlyReason', () => {
  const flushRoute: RouteBeforeHandler = {
    optedOut: false,
    strategy: 'flushHeaders',
    flushable: true,
    flushingLearnt: true,
    answersData: false,
    hintCount: 3,
    validators: NO_VALIDATOR_HISTORY,
  };

  it.each<[NotEarlyReason, RequestBeforeHandler, Partial<RouteBeforeHandler>, boolean?]>([
    ['opted-out', navigation, { optedOut: true }],
    ['opted-out', navigation, { strategy: 'late' }],
    ['opted-out', navigation, {}, false],
    ['not-navigation', { ...navigation, secFetchMode: 'cors' }, {}],
    ['not-navigation', { ...navigation, method: 'POST' }, {}],
    ['not-learnt', navigation, { hintCount: 0 }],
    ['not-learnt', navigation, { flushable: false, flushingLearnt: false }],
    ['retry', { ...navigation, retry: true }, {}],
    ['conditional', revalidation, {}],
    ['conditional', { ...navigation, preconditions: { ...NO_PRECONDITIONS, range: true } }, {}],
    ['sets-headers', { ...navigation, statusCode: 201 }, {}],
    ['sets-headers', navigation, { flushable: false, flushingLearnt: false, flushHeldBack: 'sets-headers' }],
    ['session', { ...navigation, sessionBlocksFlush: true }, {}],
    ['backoff', navigation, { flushable: false, flushingLearnt: false, flushHeldBack: 'backoff' }],
    ['http-1.0', { ...navigation, httpVersion: '1.0' }, { strategy: 'earlyHints' }],
  ])('is %s when that is what kept the request late', (reason, request, route, presend = true) => {
    const plan = planBeforeHandler(request, { ...flushRoute, ...route }, presend);
    expect(plan.early).toBeUndefined();
    expect(plan.notEarly).toBe(reason);
  });

  it('is given exactly when nothing goes early, whatever the facts', () => {
    fc.assert(
      fc.property(
        fc.record({
          method: fc.constantFrom('GET', 'HEAD', 'POST'),
          httpVersion: fc.constantFrom('1.0', '1.1', '2.0'),
          acceptsHtml: fc.boolean(),
          secFetchMode: fc.constantFrom(undefined, 'navigate', 'cors'),
          preconditions: fc.constantFrom(NO_PRECONDITIONS, revalidation.preconditions, {
            ...NO_PRECONDITIONS,
            range: true,
          }),
          sessionBlocksFlush: fc.boolean(),
          retry: fc.boolean(),
          statusCode: fc.constantFrom(200, 201),
        }),
        fc.record({
          optedOut: fc.boolean(),
          strategy: fc.constantFrom('flushHeaders', 'earlyHints', 'late') as fc.Arbitrary<'flushHeaders'>,
          flushable: fc.boolean(),
          flushingLearnt: fc.boolean(),
          answersData: fc.boolean(),
          hintCount: fc.nat(3),
          validators: fc.constant(NO_VALIDATOR_HISTORY),
          flushHeldBack: fc.constantFrom(undefined, 'sets-headers', 'backoff') as fc.Arbitrary<undefined>,
        }),
        fc.boolean(),
        (request, route, presend) => {
          const plan = planBeforeHandler(request, route, presend);
          expect(plan.early === undefined).toBe(plan.notEarly !== undefined);
          if (plan.notEarly !== undefined) expect(NOT_EARLY_REASONS).toContain(plan.notEarly);
        },
      ),
    );
  });
});
