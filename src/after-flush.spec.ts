import { afterFlushOutcome, droppedHeaderNames, headersSetByHandler, type HeaderValue } from './after-flush.js';

function late(headers: Record<string, HeaderValue>): Map<string, HeaderValue> {
  return new Map(Object.entries(headers));
}

describe('droppedHeaderNames', () => {
  it('does not report what Express sets on every send: content-length, etag, an HTML content-type', () => {
    expect(
      droppedHeaderNames(late({ 'content-length': 120, etag: 'W/"78-abc"', 'content-type': 'text/html; charset=utf-8' })),
    ).toEqual([]);
  });

  it('reports an HTML content type with another charset than the UTF-8 the flush promised', () => {
    expect(droppedHeaderNames(late({ 'content-type': 'text/html' }))).toEqual([]);
    expect(droppedHeaderNames(late({ 'content-type': 'text/html; charset="UTF-8"' }))).toEqual([]);
    expect(droppedHeaderNames(late({ 'content-type': 'text/html; charset=iso-8859-1' }))).toEqual(['content-type']);
  });

  it('reports headers whose loss changes the response', () => {
    expect(
      droppedHeaderNames(
        late({ 'set-cookie': ['sid=1'], etag: 'W/"1"', 'cache-control': 'no-store', 'content-type': 'application/json' }),
      ),
    ).toEqual(['set-cookie', 'cache-control', 'content-type']);
  });
});

describe('headersSetByHandler', () => {
  it('does not report headers that were already there, unchanged', () => {
    const before = { 'x-powered-by': 'Express', 'set-cookie': ['a=1', 'b=2'], 'cache-control': 'private' };
    expect(headersSetByHandler(before, { ...before, 'set-cookie': ['a=1', 'b=2'] })).toEqual([]);
  });

  it('reports a set-cookie the handler added or changed', () => {
    expect(headersSetByHandler({}, { 'set-cookie': ['sid=1'] })).toEqual(['set-cookie']);
    expect(headersSetByHandler({ 'set-cookie': ['a=1'] }, { 'set-cookie': ['a=1', 'sid=1'] })).toEqual(['set-cookie']);
    expect(headersSetByHandler({ 'set-cookie': ['a=1'] }, { 'set-cookie': ['a=2'] })).toEqual(['set-cookie']);
  });

  it('ignores harmless headers the handler set', () => {
    expect(
      headersSetByHandler({}, { 'content-length': 42, etag: 'W/"2a"', 'content-type': 'text/html; charset=utf-8' }),
    ).toEqual([]);
  });
});

describe('afterFlushOutcome', () => {
  it('turns a redirect with a Location into a redirect page to that location', () => {
    const outcome = afterFlushOutcome({ statusCode: 302, lateHeaders: late({ location: '/login' }) });
    expect(outcome.action).toBe('redirect');
    expect(outcome.location).toBe('/login');
    expect(outcome.problem).toMatch(/redirected \(302\) to \/login/);
  });

  it('names the headers a redirect set alongside its Location, which were dropped with it', () => {
    const outcome = afterFlushOutcome({
      statusCode: 303,
      lateHeaders: late({ location: '/home', 'set-cookie': ['sid=1'], 'content-length': 12 }),
    });
    expect(outcome.action).toBe('redirect');
    expect(outcome.problem).toBe('redirected (303) to /home (dropping set-cookie)');
  });

  it('aborts a 3xx without a Location, since there is nowhere to send the browser', () => {
    const outcome = afterFlushOutcome({ statusCode: 304, lateHeaders: late({}) });
    expect(outcome.action).toBe('abort');
    expect(outcome.problem).toMatch(/304/);
  });

  it.each([404, 500])('aborts a %i so the client does not take the page for a complete 200', (statusCode) => {
    const outcome = afterFlushOutcome({ statusCode, lateHeaders: late({ 'content-type': 'text/html' }) });
    expect(outcome).toEqual({ action: 'abort', problem: `answered ${statusCode}` });
  });

  it('aborts a 200 whose content type is not HTML', () => {
    const outcome = afterFlushOutcome({ statusCode: 200, lateHeaders: late({ 'content-type': 'application/json' }) });
    expect(outcome.action).toBe('abort');
    expect(outcome.problem).toMatch(/application\/json instead of HTML/);
  });

  it('finishes a 200 with only harmless late headers, without a problem', () => {
    const outcome = afterFlushOutcome({
      statusCode: 200,
      lateHeaders: late({ 'content-type': 'text/html; charset=utf-8', 'content-length': 10, etag: 'W/"a"' }),
    });
    expect(outcome).toEqual({ action: 'finish' });
  });

  it('finishes a 200 that set a cookie, with a problem naming the dropped header', () => {
    const outcome = afterFlushOutcome({ statusCode: 200, lateHeaders: late({ 'set-cookie': ['sid=1'], etag: 'W/"a"' }) });
    expect(outcome.action).toBe('finish');
    expect(outcome.problem).toMatch(/set-cookie/);
    expect(outcome.problem).not.toMatch(/etag/);
  });

  it('finishes a 201, with a problem saying the client got 200', () => {
    const outcome = afterFlushOutcome({ statusCode: 201, lateHeaders: late({}) });
    expect(outcome.action).toBe('finish');
    expect(outcome.problem).toMatch(/answered 201 \(the client got 200\)/);
  });
});
