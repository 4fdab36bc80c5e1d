import fc from 'fast-check';
import {
  flushWouldWrite,
  learnSessionHabit,
  UNKNOWN_SESSION_HABITS,
  repeatsRequestCookies,
  sessionAllowsFlush,
  sessionCookieProblem,
  setCookieCarries,
  type SessionFacts,
  type SessionSnapshot,
} from './session-cookie.js';

const expressSession: SessionFacts = {
  writes: 'headers',
  id: 'abc123',
  cookieOnRequest: true,
  expires: false,
  inCookie: false,
};
const cookieSession: SessionFacts = { ...expressSession, id: undefined, inCookie: true };
const fastifySession: SessionFacts = { ...expressSession, writes: 'send' };

const at = (facts: SessionFacts, data: string | null): SessionSnapshot => ({ facts, data });

describe('sessionAllowsFlush', () => {
  it('lets a request without a session, or with one written with the head, be flushed', () => {
    expect(sessionAllowsFlush(undefined)).toBe(true);
    expect(sessionAllowsFlush(expressSession)).toBe(true);
    expect(sessionAllowsFlush({ ...expressSession, cookieOnRequest: false, expires: true })).toBe(true);
    expect(sessionAllowsFlush(cookieSession)).toBe(true);
  });

  it('flushes a session written just before sending only when its cookie would repeat the one the request carries', () => {
    expect(sessionAllowsFlush(fastifySession)).toBe(true);
    expect(sessionAllowsFlush({ ...fastifySession, cookieOnRequest: false })).toBe(false);
    expect(sessionAllowsFlush({ ...fastifySession, expires: true })).toBe(false);
  });

  it('never flushes a session the module does not know', () => {
    expect(sessionAllowsFlush({ ...expressSession, writes: 'unknown' })).toBe(false);
  });
});

describe('sessionCookieProblem', () => {
  it('is nothing when the handler left the session alone', () => {
    for (const facts of [expressSession, cookieSession, { ...expressSession, cookieOnRequest: false, expires: true }])
      expect(sessionCookieProblem(at(facts, '{"a":1}'), at(facts, '{"a":1}'), false)).toBeUndefined();
  });

  it('needs a cookie for a new session id (regenerate(), a login), written or not', () => {
    const before = at(expressSession, '{}');
    const now = at({ ...expressSession, id: 'other' }, '{"passport":{"user":"ada"}}');
    expect(sessionCookieProblem(before, now, false)).toMatch(/new session id/);
    expect(sessionCookieProblem(before, now, true)).toMatch(/new session id/);
  });

  it('needs a cookie for data in a new session whose cookie the flush did not write (saveUninitialized: false)', () => {
    const fresh = { ...expressSession, cookieOnRequest: false };
    expect(sessionCookieProblem(at(fresh, '{}'), at(fresh, '{"views":1}'), false)).toMatch(/new session/);
    expect(sessionCookieProblem(at(fresh, '{}'), at(fresh, '{"views":1}'), true)).toBeUndefined();
  });

  it('needs a cookie for a change to a session whose cookie has an expiry, unless the flush wrote it (rolling)', () => {
    const expiring = { ...expressSession, expires: true };
    expect(sessionCookieProblem(at(expiring, '{}'), at(expiring, '{"views":1}'), false)).toMatch(/expiry/);
    expect(sessionCookieProblem(at(expiring, '{}'), at(expiring, '{"views":1}'), true)).toBeUndefined();
    expect(sessionCookieProblem(at(expressSession, '{}'), at(expressSession, '{"views":1}'), false)).toBeUndefined();
  });

  it('needs a cookie for any change to a session kept in its cookie', () => {
    expect(sessionCookieProblem(at(cookieSession, '{}'), at(cookieSession, '{"a":1}'), true)).toMatch(/in its cookie/);
    expect(sessionCookieProblem(at(cookieSession, '{"a":1}'), at(cookieSession, null), true)).toMatch(/in its cookie/);
  });

  it('leaves a session written just before sending to the header check', () => {
    expect(sessionCookieProblem(at(fastifySession, '{}'), at({ ...fastifySession, id: 'x' }, '{}'), false)).toBe(
      undefined,
    );
  });

  it('never asks for a cookie when nothing changed, whatever the facts', () => {
    const facts = fc.record<SessionFacts>({
      writes: fc.constantFrom('headers', 'send', 'unknown'),
      id: fc.option(fc.string(), { nil: undefined }),
      cookieOnRequest: fc.boolean(),
      expires: fc.boolean(),
      inCookie: fc.boolean(),
    });
    fc.assert(
      fc.property(facts, fc.option(fc.json(), { nil: null }), fc.boolean(), (session, data, written) => {
        expect(sessionCookieProblem(at(session, data), at(session, data), written)).toBeUndefined();
      }),
    );
  });
});

describe('setCookieCarries', () => {
  it("finds express-session's signed id in a Set-Cookie value", () => {
    const header = ['connect.sid=s%3Aabc123.sig; Path=/; HttpOnly'];
    expect(setCookieCarries(header, 'abc123')).toBe(true);
    expect(setCookieCarries(header, 'other')).toBe(false);
    expect(setCookieCarries(undefined, 'abc123')).toBe(false);
    expect(setCookieCarries(header, undefined)).toBe(false);
  });
});

describe('repeatsRequestCookies', () => {
  it('drops only a cookie the request carries with the same value and no expiry to renew', () => {
    const sent = 'sessionId=abc.sig; other=1';
    expect(repeatsRequestCookies('sessionId=abc.sig; Path=/; HttpOnly', sent)).toBe(true);
    expect(repeatsRequestCookies(['sessionId=abc.sig; Path=/'], sent)).toBe(true);
    expect(repeatsRequestCookies('sessionId=new.sig; Path=/', sent)).toBe(false);
    expect(repeatsRequestCookies('sessionId=abc.sig; Max-Age=60', sent)).toBe(false);
    expect(repeatsRequestCookies('sessionId=abc.sig; Expires=Thu, 01 Jan 2099 00:00:00 GMT', sent)).toBe(false);
    expect(repeatsRequestCookies(['sessionId=abc.sig', 'private=yes'], sent)).toBe(false);
    expect(repeatsRequestCookies('sessionId=abc.sig', undefined)).toBe(false);
    expect(repeatsRequestCookies([], sent)).toBe(false);
  });
});

describe('session habits', () => {
  const fresh = { ...expressSession, cookieOnRequest: false };

  it('assumes a flush writes nothing until a flushed response has shown it', () => {
    expect(flushWouldWrite(UNKNOWN_SESSION_HABITS, fresh)).toBe(false);
    expect(flushWouldWrite(UNKNOWN_SESSION_HABITS, expressSession)).toBe(false);
  });

  it("learns saveUninitialized from a new session's flush and rolling from a returning one's, separately", () => {
    const saves = learnSessionHabit(UNKNOWN_SESSION_HABITS, fresh, true);
    expect(flushWouldWrite(saves, fresh)).toBe(true);
    expect(flushWouldWrite(saves, expressSession)).toBe(false);
    const rolls = learnSessionHabit(saves, expressSession, true);
    expect(flushWouldWrite(rolls, expressSession)).toBe(true);
    expect(flushWouldWrite(learnSessionHabit(rolls, fresh, false), fresh)).toBe(false);
  });

  it('learns nothing from a session kept in its cookie or written after the head, and keeps the same object when nothing is new', () => {
    expect(learnSessionHabit(UNKNOWN_SESSION_HABITS, cookieSession, true)).toBe(UNKNOWN_SESSION_HABITS);
    expect(learnSessionHabit(UNKNOWN_SESSION_HABITS, fastifySession, true)).toBe(UNKNOWN_SESSION_HABITS);
    const saves = learnSessionHabit(UNKNOWN_SESSION_HABITS, fresh, true);
    expect(learnSessionHabit(saves, fresh, true)).toBe(saves);
  });
});
