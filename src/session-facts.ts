import type { ServerResponse } from 'node:http';
import {
  flushWouldWrite,
  learnSessionHabit,
  type SessionFacts,
  type SessionHabits,
  type SessionSnapshot,
  sessionCookieProblem,
  setCookieCarries,
  UNKNOWN_SESSION_HABITS,
} from './session-cookie.js';

/**
 * Reading a session middleware's state off the app's request, from what each middleware
 * documents: `req.sessionID`, `req.session` and `req.session.cookie` (express-session),
 * `req.session.isNew` and `req.sessionOptions` (cookie-session), `request.session.sessionId`,
 * `encryptedSessionId` and `cookie` (@fastify/session). The decisions are in session-cookie.ts.
 */

interface ExpressSessionLike {
  regenerate: unknown;
  cookie?: { expires?: unknown; maxAge?: unknown };
}

interface FastifySessionLike {
  sessionId: unknown;
  encryptedSessionId: unknown;
  cookie?: { expires?: unknown; maxAge?: unknown };
}

interface RequestWithSession {
  session?: unknown;
  sessionID?: unknown;
  sessionOptions?: unknown;
}

function hasExpiry(cookie: { expires?: unknown; maxAge?: unknown } | undefined): boolean {
  return cookie != null && (cookie.expires != null || cookie.maxAge != null);
}

function carries(cookieHeader: string | undefined, value: string): boolean {
  return (
    cookieHeader !== undefined && (cookieHeader.includes(encodeURIComponent(value)) || cookieHeader.includes(value))
  );
}

/**
 * The session on a request, or undefined when it has none. Reading cookie-session's
 * `req.session` makes its (empty) session, which it writes only once it holds something.
 */
export function sessionOf(appRequest: object, cookieHeader: string | undefined): SessionFacts | undefined {
  if (!('session' in appRequest)) return undefined;
  const request = appRequest as RequestWithSession;
  const session = request.session;
  if (session === null || typeof session !== 'object') return undefined;
  if (typeof request.sessionID === 'string' && typeof (session as ExpressSessionLike).regenerate === 'function') {
    return {
      writes: 'headers',
      id: request.sessionID,
      cookieOnRequest: carries(cookieHeader, request.sessionID),
      expires: hasExpiry((session as ExpressSessionLike).cookie),
      inCookie: false,
    };
  }
  if (typeof request.sessionOptions === 'object' && 'isNew' in session) {
    return {
      writes: 'headers',
      id: undefined,
      cookieOnRequest: (session as { isNew: unknown }).isNew === false,
      expires: false,
      inCookie: true,
    };
  }
  const fastify = session as FastifySessionLike;
  if (typeof fastify.sessionId === 'string' && typeof fastify.encryptedSessionId === 'string') {
    return {
      writes: 'send',
      id: fastify.sessionId,
      cookieOnRequest: carries(cookieHeader, fastify.encryptedSessionId),
      expires: hasExpiry(fastify.cookie),
      inCookie: false,
    };
  }
  return { writes: 'unknown', id: undefined, cookieOnRequest: false, expires: false, inCookie: false };
}

/** The session's data as JSON, without express-session's cookie settings (which a flush writes as they are). */
function sessionData(appRequest: object): string | null {
  const session = (appRequest as RequestWithSession).session;
  if (session == null || typeof session !== 'object') return null;
  try {
    return JSON.stringify(session, function (this: unknown, key, value: unknown) {
      return this === session && key === 'cookie' ? undefined : value;
    });
  } catch {
    // Something in it does not serialise (a cycle): count it as changed every time.
    return `unserialisable ${Math.random()}`;
  }
}

function snapshot(appRequest: object, cookieHeader: string | undefined): SessionSnapshot | undefined {
  const facts = sessionOf(appRequest, cookieHeader);
  return facts === undefined ? undefined : { facts, data: sessionData(appRequest) };
}

/** What the app's session middleware has been seen to write at a flush (session-cookie.ts); one per app, held by route-learning.ts. */
export class SessionHabitsMemory {
  habits: SessionHabits = UNKNOWN_SESSION_HABITS;
}

/**
 * Takes the session's state now (before the handler runs) and returns what to ask later:
 * what the handler did to it that needs a cookie the response does not carry. With
 * `flushed`, the response was flushed, and its flushed head says whether the session's
 * cookie went with it (which `memory` learns); without, the question is asked of a late
 * response, as if it had been flushed, writing what `memory` has seen a flush write.
 */
export function watchSession(
  appRequest: object,
  cookieHeader: string | undefined,
  memory: SessionHabitsMemory,
  flushed?: ServerResponse,
): (() => string | undefined) | undefined {
  const before = snapshot(appRequest, cookieHeader);
  if (before === undefined || before.facts.writes !== 'headers') return undefined;
  return () => {
    const now = snapshot(appRequest, cookieHeader) ?? { facts: before.facts, data: null };
    let written: boolean;
    if (flushed === undefined) {
      written = flushWouldWrite(memory.habits, before.facts);
    } else {
      // The flushed head: headers set after the flush are kept aside by the guard (flushed-response.ts).
      written = setCookieCarries(flushed.getHeaders()['set-cookie'], before.facts.id);
      memory.habits = learnSessionHabit(memory.habits, before.facts, written);
    }
    return sessionCookieProblem(before, now, written);
  };
}
