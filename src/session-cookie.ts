/**
 * When a session middleware's cookie and flushed headers get along: pure decisions over
 * what session-facts.ts reads off the request.
 *
 * A flush writes the response's head before the handler runs. `express-session` and
 * `cookie-session` write their cookie in an on-headers listener, so the flush writes what
 * the session needs at that moment: a new session's cookie (express-session's default
 * `saveUninitialized`), a `rolling` refresh, a changed cookie-session. What the handler
 * then does can need another cookie, which can no longer go: a new session id
 * (`regenerate()`, passport's `req.login()`), data in a session whose cookie was not
 * written (a new one with `saveUninitialized: false`), a change to a session whose
 * cookie has an expiry (express-session renews it on a change), any change to a session
 * kept in its cookie. Those end on the page that asks again, like any other surprise
 * after a flush. `@fastify/session` writes its cookie just before the reply is sent, so
 * after a flush it always comes too late: a request is flushed only when the cookie it
 * would get repeats the one it carries (no expiry to renew).
 */

/** What a session middleware shows about a request's session; read by session-facts.ts. */
export interface SessionFacts {
  /**
   * When the middleware writes its cookie: `headers` when the response's head is written
   * (express-session, cookie-session), `send` just before the reply is sent
   * (@fastify/session), `unknown` for a middleware the module does not know.
   */
  readonly writes: 'headers' | 'send' | 'unknown';
  /** The session's id, for a session kept in a store; undefined for one kept whole in its cookie. */
  readonly id: string | undefined;
  /** The request carries this session's cookie (a returning visitor). */
  readonly cookieOnRequest: boolean;
  /** The session's cookie has an expiry (`cookie.maxAge`): a change of the session renews it. */
  readonly expires: boolean;
  /** The session lives whole in its cookie (cookie-session): any change needs a new cookie. */
  readonly inCookie: boolean;
}

/** A session as it was at one moment: its facts and its data (JSON without the cookie settings; null once removed). */
export interface SessionSnapshot {
  readonly facts: SessionFacts;
  readonly data: string | null;
}

/**
 * Whether a request may be flushed as far as its session goes: the middleware writes its
 * cookie with the head (the flush writes what it needs then), or the cookie it would
 * write later only repeats the one the request carries.
 */
export function sessionAllowsFlush(session: SessionFacts | undefined): boolean {
  if (session === undefined) return true;
  switch (session.writes) {
    case 'headers':
      return true;
    case 'send':
      return session.cookieOnRequest && !session.expires;
    default:
      return false;
  }
}

/**
 * What the handler did to the session that needs a cookie the response no longer
 * carries, comparing the session at the flush (`before`) with now; undefined when
 * nothing. `cookieWritten`: the flushed head carried this session's cookie (a new
 * session's, a rolling refresh); the late path asks as if it had not.
 */
export function sessionCookieProblem(
  before: SessionSnapshot,
  now: SessionSnapshot,
  cookieWritten: boolean,
): string | undefined {
  const { facts } = before;
  // @fastify/session's own cookie is seen as a header set late (after-flush.ts).
  if (facts.writes !== 'headers') return undefined;
  if (now.facts.id !== facts.id && now.data !== null) return 'replaced its session (a new session id)';
  if (now.data === before.data) return undefined;
  if (facts.inCookie) return 'changed its session, which lives in its cookie';
  if (now.data === null || cookieWritten) return undefined;
  if (!facts.cookieOnRequest) return 'stored data in a new session';
  if (facts.expires) return 'changed a session whose cookie has an expiry, which the change renews';
  return undefined;
}

/** Whether a `Set-Cookie` value names this session's id (what express-session writes: the id, signed). */
export function setCookieCarries(setCookie: unknown, id: string | undefined): boolean {
  if (id === undefined || setCookie === undefined) return false;
  const values = Array.isArray(setCookie) ? (setCookie as unknown[]) : [setCookie];
  const encoded = encodeURIComponent(id);
  return values.some((value) => {
    const text = String(value);
    return text.includes(encoded) || text.includes(id);
  });
}

/** `name=value` pairs of a `Cookie` request header. */
function requestCookiePairs(cookieHeader: string): Set<string> {
  const pairs = new Set<string>();
  for (const part of cookieHeader.split(';')) {
    const pair = part.trim();
    if (pair !== '') pairs.add(pair);
  }
  return pairs;
}

/**
 * Whether a `Set-Cookie` set after the flush only repeats cookies the request carries,
 * name and value alike, without an expiry to renew: dropping it loses nothing, the
 * browser keeps what it has (@fastify/session's `rolling` refresh of a cookie that lasts
 * as long as the browser session does).
 */
export function repeatsRequestCookies(setCookie: unknown, cookieHeader: string | undefined): boolean {
  if (cookieHeader === undefined || setCookie === undefined) return false;
  const values = Array.isArray(setCookie) ? (setCookie as unknown[]) : [setCookie];
  if (values.length === 0) return false;
  const carried = requestCookiePairs(cookieHeader);
  return values.every((value) => {
    const [pair, ...attributes] = String(value).split(';');
    const renews = attributes.some((attribute) => /^\s*(expires|max-age)\s*=/i.test(attribute));
    return !renews && carried.has(pair!.trim());
  });
}

/**
 * What the app's express-session has been seen to write at a flush, before any handler
 * changed the session: a new session's cookie (`saveUninitialized`), a returning
 * visitor's (`rolling`). Undefined until a flushed response has shown it. A late
 * response asks what a flush would have written from it: its own cookie comes after the
 * handler, whatever the reason.
 */
export interface SessionHabits {
  readonly writesNewSessions: boolean | undefined;
  readonly rolls: boolean | undefined;
}

export const UNKNOWN_SESSION_HABITS: SessionHabits = Object.freeze({ writesNewSessions: undefined, rolls: undefined });

/** What a flushed response of this session showed the middleware does; the same object when nothing new. */
export function learnSessionHabit(habits: SessionHabits, facts: SessionFacts, written: boolean): SessionHabits {
  if (facts.writes !== 'headers' || facts.inCookie) return habits;
  if (facts.cookieOnRequest) return habits.rolls === written ? habits : { ...habits, rolls: written };
  return habits.writesNewSessions === written ? habits : { ...habits, writesNewSessions: written };
}

/** Whether a flush would have written this session's cookie, as far as the middleware has been seen (else: no). */
export function flushWouldWrite(habits: SessionHabits, facts: SessionFacts): boolean {
  return (facts.cookieOnRequest ? habits.rolls : habits.writesNewSessions) === true;
}
