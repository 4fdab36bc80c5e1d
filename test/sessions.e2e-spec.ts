import { Controller, Get, Module, Post, Query, Render, Req, Res } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import fastifyCookie from '@fastify/cookie';
import fastifySession from '@fastify/session';
import cookieSession from 'cookie-session';
import type { Request, Response } from 'express';
import session, { MemoryStore, type SessionOptions } from 'express-session';
import Handlebars from 'handlebars';
import type { AddressInfo } from 'node:net';
import passport from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import { Http2PreloadModule, registerPreloadHelper } from '../src/index.js';
import { FIXTURE_VIEWS, startApp, type RunningApp } from './support/app.js';
import { Gate } from './support/gate.js';
import hbs from 'hbs';
import { Visitor, type Visit } from './support/visitor.js';

const PASSWORDS: Record<string, string> = { ada: 'pw-ada', bob: 'pw-bob' };
passport.use(
  new LocalStrategy((username, password, done) =>
    done(null, PASSWORDS[username] === password ? { name: username } : false),
  ),
);
passport.serializeUser((user, done) => done(null, (user as { name: string }).name));
passport.deserializeUser((name: string, done) => done(null, { name }));

/** Handler runs, to prove no GET handler runs twice except as a retry. */
let runs = 0;
let held = Gate.open();

type SessionRequest = Request & { session: Record<string, unknown> | null; user?: { name: string } };

function userOf(req: { user?: { name: string } }): string {
  return req.user?.name ?? 'nobody';
}

@Controller()
class SessionPagesController {
  @Get('page')
  @Render('page')
  page() {
    runs += 1;
    return { title: 'Page' };
  }

  @Get('me')
  @Render('page')
  me(@Req() req: SessionRequest) {
    runs += 1;
    return { title: `Signed in as ${userOf(req)}` };
  }

  @Get('count')
  @Render('page')
  count(@Req() req: SessionRequest) {
    runs += 1;
    const views = Number(req.session!.views ?? 0) + 1;
    req.session!.views = views;
    return { title: `Views ${views}` };
  }

  @Get('held')
  @Render('page')
  async held(@Req() req: SessionRequest) {
    runs += 1;
    await held.opened;
    return { title: `Held for ${userOf(req)}` };
  }

  /** `?as=bob`: a GET that signs in (passport's req.login(), which regenerates the session). */
  @Get('account')
  @Render('page')
  async account(@Req() req: SessionRequest, @Query('as') as?: string) {
    runs += 1;
    if (as !== undefined)
      await new Promise<void>((resolve, reject) =>
        req.login({ name: as }, (error: unknown) => (error ? reject(error as Error) : resolve())),
      );
    return { title: `Signed in as ${userOf(req)}` };
  }

  /** `?write=…`: a page that sometimes writes to the session; `?renew=1` makes a new one (@fastify/session). */
  @Get('maybe')
  @Render('page')
  async maybe(@Req() req: SessionRequest, @Query('write') write?: string, @Query('renew') renew?: string) {
    runs += 1;
    if (renew !== undefined) await (req.session as unknown as { regenerate(): Promise<void> }).regenerate();
    if (write !== undefined) req.session!.note = write;
    return { title: `Note ${String(req.session?.note ?? 'none')}` };
  }

  @Post('login')
  login(@Req() req: SessionRequest, @Res() res: Response): Promise<void> {
    return new Promise((resolve, reject) => {
      passport.authenticate('local', (error: unknown, user: { name: string } | false) => {
        if (error) return reject(error as Error);
        if (!user) return void res.redirect(303, '/page');
        req.login(user, (failed: unknown) => {
          if (failed) return reject(failed as Error);
          res.redirect(303, '/me');
          resolve();
        });
      })(req, res, () => undefined);
    });
  }
}

@Module({ imports: [Http2PreloadModule.forRoot()], controllers: [SessionPagesController] })
class AppModule {}

const title = (visit: Visit) => /<h1>([^<]*)<\/h1>/.exec(visit.page.body)?.[1];
const gets = (visit: Visit) => visit.hops.filter((hop) => hop.method === 'GET').length;

/** Visits and checks that each GET response ran its handler once: a second run only as the retry. */
async function visit(visitor: Visitor, path: string, form?: Record<string, string>): Promise<Visit> {
  const before = runs;
  const result = await visitor.visit(path, form);
  expect(result.page.statusCode).toBe(200);
  expect(runs - before).toBe(gets(result));
  return result;
}

interface ExpressSessionCase {
  readonly name: string;
  readonly options: Omit<SessionOptions, 'store'>;
  /** Whether a new visitor gets a session cookie before anything is put in the session. */
  readonly cookieForNewVisitor: boolean;
  /** Which of four visits to a page that writes the session (new visitor, then returning) are early. */
  readonly writingVisitsEarly: readonly boolean[];
}

const EXPRESS_SESSION_CASES: readonly ExpressSessionCase[] = [
  {
    name: 'default options',
    options: { secret: 'test' },
    cookieForNewVisitor: true,
    writingVisitsEarly: [true, true, true, true],
  },
  {
    name: 'saveUninitialized: false',
    options: { secret: 'test', resave: false, saveUninitialized: false },
    cookieForNewVisitor: false,
    // The first visit's new session gets data after the flush: it asks again and gets its cookie.
    writingVisitsEarly: [false, true, true, true],
  },
  {
    name: 'rolling with cookie.maxAge',
    options: { secret: 'test', resave: false, saveUninitialized: false, rolling: true, cookie: { maxAge: 3_600_000 } },
    cookieForNewVisitor: false,
    // A late response cannot tell a rolling refresh from the renewal a change makes: the route is learnt as setting its cookie.
    writingVisitsEarly: [false, false, false, false],
  },
  {
    name: 'cookie.maxAge, not rolling',
    options: { secret: 'test', resave: false, saveUninitialized: true, cookie: { maxAge: 3_600_000 } },
    cookieForNewVisitor: true,
    // Every change renews the cookie's expiry: a page that always writes the session is never flushed.
    writingVisitsEarly: [false, false, false, false],
  },
];

/** The session id a visitor's express-session cookie carries. */
function sessionIdOf(visitor: Visitor): string | undefined {
  const value = visitor.jar.get('connect.sid');
  if (value === undefined) return undefined;
  const signed = decodeURIComponent(value);
  return signed.slice(2, signed.lastIndexOf('.'));
}

function stored(store: MemoryStore, id: string | undefined): Promise<Record<string, unknown> | undefined> {
  if (id === undefined) return Promise.resolve(undefined);
  return new Promise((resolve, reject) =>
    store.get(id, (error, data) =>
      error ? reject(error as Error) : resolve(data as Record<string, unknown> | undefined),
    ),
  );
}

describe.each(EXPRESS_SESSION_CASES)('express-session ($name) with passport', (config) => {
  let running: RunningApp;
  let store: MemoryStore;
  const visitor = () => new Visitor(running.baseUrl);

  /** A route's first request goes late: another visitor makes it, twice (new, then returning). */
  async function warm(path: string): Promise<void> {
    const other = visitor();
    await visit(other, path);
    await visit(other, path);
  }

  async function signIn(name: string, who = visitor()): Promise<Visitor> {
    const login = await visit(who, '/login', { username: name, password: PASSWORDS[name]! });
    expect(title(login)).toBe(`Signed in as ${name}`);
    return who;
  }

  beforeEach(async () => {
    held = Gate.open();
    store = new MemoryStore();
    running = await startApp(AppModule, {
      configure: (app) => {
        app.use(session({ ...config.options, store }));
        app.use(passport.initialize());
        app.use(passport.session());
        app.setBaseViewsDir(FIXTURE_VIEWS);
        app.setViewEngine('hbs');
        registerPreloadHelper(hbs);
      },
    });
  });
  afterEach(() => {
    held.open();
    return running.close();
  });

  it('gives a visitor whose session nobody touches its pages early, and keeps the one session it was given', async () => {
    await warm('/page');
    const anonymous = visitor();
    const visits = [];
    for (let i = 0; i < 3; i += 1) visits.push(await visit(anonymous, '/page'));
    expect(visits.map((each) => each.early)).toEqual([true, true, true]);
    const id = sessionIdOf(anonymous);
    expect(id !== undefined).toBe(config.cookieForNewVisitor);
    if (id !== undefined) expect(await stored(store, id)).toBeDefined();
    // Every cookie the visitor was given (a new session's, a rolling refresh) names the same session.
    for (const hop of visits.flatMap((each) => each.hops))
      for (const cookie of hop.setCookie) expect(cookie).toContain(encodeURIComponent(`s:${id}.`));
  });

  it('gives a signed-in visitor its pages early, signed in, with the session its login made', async () => {
    await warm('/me');
    const ada = await signIn('ada');
    const id = sessionIdOf(ada);
    expect((await stored(store, id))?.passport).toEqual({ user: 'ada' });
    for (let i = 0; i < 3; i += 1) {
      const me = await visit(ada, '/me');
      expect(me.early).toBe(true);
      expect(title(me)).toBe('Signed in as ada');
    }
    expect(sessionIdOf(ada)).toBe(id);
  });

  it('keeps the session and its cookie of a page that writes to it, early where the cookie allows', async () => {
    await warm('/count');
    const counter = visitor();
    const early: boolean[] = [];
    let views = 0;
    for (let i = 0; i < 4; i += 1) {
      const each = await visit(counter, '/count');
      const now = Number(/Views (\d+)/.exec(title(each) ?? '')?.[1]);
      // A lost cookie or session would start the count again.
      expect(now).toBeGreaterThan(views);
      views = now;
      early.push(each.early);
    }
    expect(early).toEqual(config.writingVisitsEarly);
    expect((await stored(store, sessionIdOf(counter)))?.views).toBe(views);
  });

  it('learns from flushed pages whether new sessions get their cookie at the flush, and flushes pages that write them accordingly', async () => {
    await warm('/page');
    await visit(visitor(), '/page');
    const newcomers: boolean[] = [];
    for (let i = 0; i < 4; i += 1) {
      const newcomer = visitor();
      const each = await visit(newcomer, '/count');
      expect(title(each)).toBe('Views 1');
      expect((await stored(store, sessionIdOf(newcomer)))?.views).toBe(1);
      newcomers.push(each.early);
    }
    // The route's first request is late; then each new visitor's cookie goes with the flush, or the route stays late.
    expect(newcomers).toEqual([false, ...Array(3).fill(config.cookieForNewVisitor)]);
  });

  it('ends a flushed page whose handler signs in (regenerate()) on the page that asks again; the retry signs in with its cookie', async () => {
    await warm('/account');
    const ada = await signIn('ada');
    const oldId = sessionIdOf(ada);
    const switched = await visit(ada, '/account?as=bob');
    expect(switched.hops[0]).toMatchObject({ mode: 'early', recovery: true });
    expect(switched.hops[1]).toMatchObject({ mode: 'late', recovery: false });
    expect(title(switched)).toBe('Signed in as bob');
    expect(sessionIdOf(ada)).not.toBe(oldId);
    const me = await visit(ada, '/me');
    expect(title(me)).toBe('Signed in as bob');
    expect((await stored(store, sessionIdOf(ada)))?.passport).toEqual({ user: 'bob' });
  });

  it('serves concurrent flushed pages of one session without a cookie or the session lost', async () => {
    await warm('/held');
    const ada = await signIn('ada');
    const id = sessionIdOf(ada);
    held = new Gate();
    const tabs = Array.from({ length: 4 }, () => ada.staged('/held'));
    const heads = await Promise.all(tabs.map((tab) => tab.head));
    for (const head of heads) {
      expect(head.headers['x-http2-preload']).toBe('early');
      ada.take(head.headers['set-cookie']);
    }
    held.open();
    for (const end of await Promise.all(tabs.map((tab) => tab.end))) {
      expect(end.complete).toBe(true);
      expect(end.body).toContain('<h1>Held for ada</h1>');
    }
    expect(sessionIdOf(ada)).toBe(id);
    expect(title(await visit(ada, '/me'))).toBe('Signed in as ada');
  });

  it.each(['before', 'after'])(
    'keeps a login made in another tab while a flushed page is held, its page ending %s the login',
    async (order) => {
      await warm('/held');
      await warm('/me');
      const visitorTabs = await signIn('ada');
      held = new Gate();
      const tab = visitorTabs.staged('/held');
      const head = await tab.head;
      expect(head.headers['x-http2-preload']).toBe('early');
      visitorTabs.take(head.headers['set-cookie']);
      if (order === 'before') {
        held.open();
        expect((await tab.end).body).toContain('<h1>Held for ada</h1>');
      }
      // The other tab signs in as bob: a new session, and its cookie in the jar.
      await signIn('bob', visitorTabs);
      held.open();
      const end = await tab.end;
      expect(end.complete).toBe(true);
      expect(end.body).toContain('<h1>Held for ada</h1>');
      const me = await visit(visitorTabs, '/me');
      expect(me.early).toBe(true);
      expect(title(me)).toBe('Signed in as bob');
    },
  );
});

describe('cookie-session', () => {
  let running: RunningApp;

  beforeEach(async () => {
    running = await startApp(AppModule, {
      configure: (app) => {
        app.use(cookieSession({ name: 'session', keys: ['test-key'] }));
        app.setBaseViewsDir(FIXTURE_VIEWS);
        app.setViewEngine('hbs');
        registerPreloadHelper(hbs);
      },
    });
  });
  afterEach(() => running.close());

  it('gives an untouched session and a returning visitor their pages early, and never loses what a page writes', async () => {
    await visit(new Visitor(running.baseUrl), '/maybe');
    const reader = new Visitor(running.baseUrl);
    const untouched = await visit(reader, '/maybe');
    expect(untouched.early).toBe(true);
    expect(reader.jar.size).toBe(0);

    // A write after the flush needs the cookie that holds the session: the page asks again.
    const written = await visit(reader, '/maybe?write=kept');
    expect(written.hops.map((hop) => [hop.mode, hop.recovery])).toEqual([
      ['early', true],
      ['late', false],
    ]);
    expect(reader.jar.has('session')).toBe(true);
    expect(title(written)).toBe('Note kept');

    const returning = await visit(reader, '/maybe');
    expect(returning.early).toBe(true);
    expect(returning.hops[0]!.setCookie).toEqual([]);
    expect(title(returning)).toBe('Note kept');
  });
});

describe('@fastify/session on Fastify', () => {
  let app: NestFastifyApplication;
  let baseUrl: string;

  beforeEach(async () => {
    app = await NestFactory.create<NestFastifyApplication>(AppModule, new FastifyAdapter(), {
      logger: false,
      abortOnError: false,
    });
    await app.register(fastifyCookie as never);
    await app.register(fastifySession as never, {
      secret: 'a-secret-of-at-least-32-characters!',
      cookie: { secure: false },
    });
    const handlebars = Handlebars.create();
    registerPreloadHelper(handlebars);
    app.setViewEngine({ engine: { handlebars }, templates: FIXTURE_VIEWS, layout: 'layout.hbs' });
    await app.listen(0, '127.0.0.1');
    baseUrl = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  });
  afterEach(() => app.close());

  async function warm(path: string): Promise<void> {
    const other = new Visitor(baseUrl);
    await visit(other, path);
    await visit(other, path);
  }

  it('gives a returning visitor its pages early (the refreshed cookie repeats its own), and a new one its cookie late', async () => {
    await warm('/maybe');
    const visitor = new Visitor(baseUrl);
    const first = await visit(visitor, '/maybe');
    expect(first.hops).toHaveLength(1);
    expect(first.hops[0]!.mode).toBe('late');
    expect(visitor.jar.has('sessionId')).toBe(true);
    const cookie = visitor.jar.get('sessionId');

    const returning = await visit(visitor, '/maybe');
    expect(returning.early).toBe(true);
    expect(visitor.jar.get('sessionId')).toBe(cookie);

    // Data written after the flush is saved with the session; the cookie stays the same.
    const written = await visit(visitor, '/maybe?write=kept');
    expect(written.early).toBe(true);
    expect(title(await visit(visitor, '/maybe'))).toBe('Note kept');
    expect(visitor.jar.get('sessionId')).toBe(cookie);
  });

  it('ends a flushed page whose handler makes a new session on the page that asks again; the retry gets the cookie', async () => {
    await warm('/maybe');
    const visitor = new Visitor(baseUrl);
    await visit(visitor, '/maybe');
    const cookie = visitor.jar.get('sessionId');
    const regenerated = await visit(visitor, '/maybe?renew=1');
    expect(regenerated.hops.map((hop) => [hop.mode, hop.recovery])).toEqual([
      ['early', true],
      ['late', false],
    ]);
    expect(visitor.jar.get('sessionId')).not.toBe(cookie);
  });
});
