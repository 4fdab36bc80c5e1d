import { PreloadMetrics } from '../src/index.js';
import { PASSWORDS, startShop, type RunningShop } from './fixtures/realistic/realistic.app.js';
import { Visitor, type Hop, type Visit } from './support/visitor.js';

/**
 * A shop as NestJS apps are built (test/fixtures/realistic: express-session, passport's
 * login, compression(), helmet with a nonce CSP, a layout), driven like a browser by
 * anonymous and signed-in visitors over many pages. After each route's first request,
 * at least 90 % of page navigations are early for both kinds of visitor, nothing is lost
 * or broken, and PreloadMetrics counts what the visitors saw.
 */

/** One step of a visitor's tour: a page, or a form it submits. */
interface Step {
  readonly path: string;
  readonly form?: Record<string, string>;
}

function anonymousTour(seed: number): Step[] {
  const products = [1, 2, 3, 4, 5, 6, 7, 8].map((i) => ({ path: `/products/${((seed * 7 + i * 3) % 30) + 1}` }));
  return [
    { path: '/' },
    ...products.slice(0, 3),
    { path: '/about' },
    { path: '/' },
    ...products.slice(3, 5),
    { path: '/cart', form: { id: String(seed + 1) } },
    { path: '/products/unknown' },
    { path: '/help' },
    ...products.slice(5),
    { path: '/cart' },
    { path: '/login' },
    { path: '/' },
    { path: '/about' },
    { path: '/products/12' },
    { path: '/products/13' },
    { path: '/cart' },
  ];
}

function signedInTour(name: string, seed: number): Step[] {
  const products = [1, 2, 3, 4, 5, 6].map((i) => ({ path: `/products/${((seed * 5 + i * 4) % 30) + 1}` }));
  return [
    { path: '/' },
    { path: '/login' },
    { path: '/login', form: { username: name, password: PASSWORDS[name]! } },
    { path: '/' },
    ...products.slice(0, 3),
    { path: '/account' },
    { path: '/cart', form: { id: String(seed + 3) } },
    { path: '/cart', form: { id: String(seed + 4) } },
    ...products.slice(3),
    { path: '/about' },
    { path: '/account' },
    { path: '/help' },
    { path: '/cart' },
    { path: '/' },
    { path: '/products/7' },
    { path: '/account' },
    { path: '/' },
  ];
}

/** The route a path belongs to: what the module learns by. */
const routeOf = (path: string) => (path.startsWith('/products/') ? '/products/:id' : path);

interface Tally {
  navigations: number;
  early: number;
}

const nonceOf = (csp: string | string[] | undefined) => /'nonce-([0-9a-f]+)'/.exec(String(csp))?.[1];

describe('a realistic app (express-session, passport, compression, helmet nonce CSP, a layout)', () => {
  let shop: RunningShop;
  beforeAll(async () => {
    shop = await startShop();
  });
  afterAll(() => shop.close());

  it('sends at least 90 % of page navigations early, to anonymous and signed-in visitors, losing nothing', async () => {
    const seen = new Set<string>();
    const tallies = { anonymous: { navigations: 0, early: 0 }, signedIn: { navigations: 0, early: 0 } };
    const allHops: Hop[] = [];
    const visitors = [
      ...[0, 1, 2].map((seed) => ({ kind: 'anonymous' as const, name: undefined, tour: anonymousTour(seed) })),
      ...['ada', 'grace', 'linus'].map((name, seed) => ({
        kind: 'signedIn' as const,
        name,
        tour: signedInTour(name, seed),
      })),
    ].map((each) => ({ ...each, visitor: new Visitor(shop.baseUrl, true), cart: [] as number[], signedIn: false }));

    /** Checks a page a visitor ended on: complete, its nonce matching its CSP, the visitor's own session on it. */
    const checkPage = (who: (typeof visitors)[number], step: Step, visit: Visit) => {
      const { page } = visit;
      const missing = step.path === '/products/unknown';
      expect(page.statusCode).toBe(missing ? 404 : 200);
      expect(page.body.trimEnd().endsWith('</html>')).toBe(true);
      expect(page.body).toContain('<footer>The end of the page.</footer>');
      const nonce = nonceOf(page.headers['content-security-policy']);
      expect(nonce).toBeDefined();
      expect(page.body).toContain(`<script src="/static/js/shop.js" nonce="${nonce}" defer>`);
      if (who.signedIn) expect(page.body).toContain(`<span class="user">${who.name}</span>`);
      else expect(page.body).toContain('<a href="/login">Sign in</a>');
      expect(page.body).toContain(`Cart (${who.cart.length})`);
    };

    const longest = Math.max(...visitors.map((each) => each.tour.length));
    for (let i = 0; i < longest; i += 1) {
      for (const who of visitors) {
        const step = who.tour[i];
        if (step === undefined) continue;
        const visit = await who.visitor.visit(step.path, step.form);
        allHops.push(...visit.hops);
        if (step.form?.username !== undefined) who.signedIn = true;
        if (step.form?.id !== undefined) who.cart.push(Number(step.form.id));
        checkPage(who, step, visit);
        // Page navigations: every GET the browser makes of its own accord or after a
        // form's redirect; not the retry after a page that asks again.
        let afterRecovery = false;
        for (const hop of visit.hops) {
          if (hop.method === 'GET' && !afterRecovery) {
            const route = routeOf(hop.path);
            if (seen.has(route)) {
              tallies[who.kind].navigations += 1;
              if (hop.mode === 'early' && !hop.recovery) tallies[who.kind].early += 1;
            }
            seen.add(route);
          }
          afterRecovery = hop.recovery;
        }
      }
    }

    for (const kind of ['anonymous', 'signedIn'] as const) {
      const { navigations, early } = tallies[kind] as Tally;
      expect(navigations).toBeGreaterThan(40);
      expect(early / navigations).toBeGreaterThanOrEqual(0.9);
    }

    // No session lost: each signed-in visitor's session is the one its login made, with its cart.
    for (const who of visitors) {
      const visit = await who.visitor.visit('/cart');
      expect(visit.early).toBe(true);
      for (const id of who.cart) expect(visit.page.body).toContain(`<li>Product ${id}</li>`);
      expect(visit.page.body.match(/<li>Product/g) ?? []).toHaveLength(who.cart.length);
      allHops.push(...visit.hops);
      if (who.signedIn) {
        const id = decodeURIComponent(who.visitor.jar.get('connect.sid')!).slice(2).split('.')[0]!;
        const stored = await new Promise<unknown>((resolve) => shop.store.get(id, (_error, data) => resolve(data)));
        expect(stored).toMatchObject({ passport: { user: who.name }, cart: who.cart });
      }
    }

    // The counts say what the visitors saw, response by response.
    const gets = allHops.filter((hop) => hop.method === 'GET');
    const counts = shop.app.get(PreloadMetrics).snapshot();
    expect(counts.navigations).toEqual({
      'early-flush': gets.filter((hop) => hop.mode === 'early').length,
      'early-103': 0,
      late: gets.filter((hop) => hop.mode === 'late').length,
      off: gets.filter((hop) => hop.mode === 'off').length,
    });
    expect(counts.retryPages.status).toBe(gets.filter((hop) => hop.recovery).length);
    const all = Object.values(counts.navigations).reduce((sum, n) => sum + n, 0);
    const earlyShare = (counts.navigations['early-flush'] + counts.navigations['early-103']) / all;
    const seenShare = gets.filter((hop) => hop.mode === 'early').length / gets.filter((hop) => hop.mode).length;
    expect(earlyShare).toBe(seenShare);
    expect(earlyShare).toBeGreaterThan(0.85);
  });
});
