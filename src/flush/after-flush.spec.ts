import fc from 'fast-check';
import {
  afterFlushOutcome,
  droppedHeaderNames,
  headersSetByHandler,
  looksLikeExpressEtag,
  type HeaderValue,
} from './after-flush.js';

function late(headers: Record<string, HeaderValue>): Map<string, HeaderValue> {
  return new Map(Object.entries(headers));
}

describe('droppedHeaderNames', () => {
  it('does not report what Express sets on every send: content-length, its own body ETag, an HTML content-type', () => {
    expect(
      droppedHeaderNames(
        late({
          'content-length': 120,
          etag: 'W/"78-pWfTGclVKThE13iOF2H3J3VT7PA"',
          'content-type': 'text/html; charset=utf-8',
        }),
      ),
    ).toEqual([]);
  });

  it('reports an ETag the handler chose: a client could never revalidate without it', () => {
    expect(droppedHeaderNames(late({ etag: '"v1"' }))).toEqual(['etag']);
  });

  it('reports an HTML content type with another charset than the UTF-8 the flush promised', () => {
    expect(droppedHeaderNames(late({ 'content-type': 'text/html' }))).toEqual([]);
    expect(droppedHeaderNames(late({ 'content-type': 'text/html; charset="UTF-8"' }))).toEqual([]);
    expect(droppedHeaderNames(late({ 'content-type': 'text/html; charset=iso-8859-1' }))).toEqual(['content-type']);
  });

  it('reports headers whose loss changes the response', () => {
    expect(
      droppedHeaderNames(
        late({ 'set-cookie': ['sid=1'], 'cache-control': 'no-store', 'content-type': 'application/json' }),
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
      headersSetByHandler(
        {},
        {
          'content-length': 42,
          etag: 'W/"2a-pWfTGclVKThE13iOF2H3J3VT7PA"',
          'content-type': 'text/html; charset=utf-8',
        },
      ),
    ).toEqual([]);
  });
});

describe('afterFlushOutcome', () => {
  it('counts a header set again to its flushed value as lost nothing, and one set to another value as lost', () => {
    const flushed: Record<string, string> = { link: '</a.css>; rel=preload; as=style', 'x-http2-preload': 'early' };
    const flushedHeader = (name: string) => flushed[name];
    const again = new Map<string, HeaderValue>([
      ['x-http2-preload', 'early'],
      ['content-type', 'text/html; charset=utf-8'],
    ]);
    expect(afterFlushOutcome({ statusCode: 200, lateHeaders: again, emptyBody: false, flushedHeader }).action).toBe(
      'send',
    );
    const changed = new Map<string, HeaderValue>([['x-http2-preload', 'late']]);
    expect(afterFlushOutcome({ statusCode: 200, lateHeaders: changed, emptyBody: false, flushedHeader })).toEqual({
      action: 'recover',
      problem: 'set x-http2-preload, which the flushed headers did not carry',
      cause: 'headers',
    });
  });

  const at = (statusCode: number, headers: Record<string, HeaderValue>, emptyBody = false) =>
    afterFlushOutcome({ statusCode, lateHeaders: late(headers), emptyBody });

  it('forwards a redirect to its Location as the browser reads it', () => {
    expect(at(302, { location: ' /next\t' }).location).toBe('/next');
    expect(at(302, { location: "'/next" }).location).toBe('%27/next');
  });

  it('forwards a redirect with a Location to that location', () => {
    const outcome = at(302, { location: '/login', 'content-type': 'text/html; charset=utf-8', 'content-length': 40 });
    expect(outcome.action).toBe('forward');
    expect(outcome.location).toBe('/login');
    expect(outcome.problem).toMatch(/redirected \(302\) to \/login/);
  });

  it('asks again instead of forwarding when the redirect also set headers the flush lost', () => {
    const outcome = at(303, { location: '/home', 'set-cookie': ['sid=1'], 'content-length': 12 });
    expect(outcome.action).toBe('recover');
    expect(outcome.problem).toBe('redirected (303) setting set-cookie');
  });

  it.each([
    'javascript:alert(1)',
    ' JavaScript:alert(1)',
    ' "javascript:alert(1)',
    "\n 'JAVA\tSCRIPT:alert(1)'",
    'data:text/html,<script>1</script>',
    'java\tscript:x',
  ])('never forwards to %j: a forwarding page is a link the user may follow', (location) => {
    const outcome = at(302, { location });
    expect(outcome.action).toBe('recover');
    expect(outcome.location).toBeUndefined();
  });

  it('asks again for a 3xx without a Location, since there is nowhere to send the browser', () => {
    expect(at(304, {})).toEqual({ action: 'recover', problem: 'answered 304', cause: 'status' });
  });

  it.each([404, 500, 201])('asks again for a %i, so the browser ends on the real status', (statusCode) => {
    expect(at(statusCode, { 'content-type': 'text/html' })).toEqual({
      action: 'recover',
      problem: `answered ${statusCode}`,
      cause: 'status',
    });
  });

  it('asks again for a 200 whose content type is not HTML', () => {
    const outcome = at(200, { 'content-type': 'text/plain; charset=utf-8', 'content-disposition': 'attachment' });
    expect(outcome.action).toBe('recover');
    expect(outcome.problem).toMatch(/text\/plain; charset=utf-8 instead of HTML/);
  });

  it('sends a 200 with only harmless late headers', () => {
    expect(
      at(200, {
        'content-type': 'text/html; charset=utf-8',
        'content-length': 10,
        etag: 'W/"a-pWfTGclVKThE13iOF2H3J3VT7PA"',
      }),
    ).toEqual({
      action: 'send',
    });
  });

  it('asks again for a 200 that set a cookie or an ETag of its own, naming what would be lost', () => {
    const outcome = at(200, { 'set-cookie': ['sid=1'], etag: '"v1"' });
    expect(outcome.action).toBe('recover');
    expect(outcome.problem).toBe('set set-cookie, etag, which the flushed headers did not carry');
  });

  it("lets Express's own body ETag through, by its shape, and not a handler's", () => {
    const html = { 'content-type': 'text/html; charset=utf-8' };
    expect(at(200, { ...html, etag: 'W/"412-pWfTGclVKThE13iOF2H3J3VT7PA"' }).action).toBe('send');
    expect(at(200, { ...html, etag: 'W/"article-42"' }).action).toBe('recover');
  });

  it('asks again for a body of no declared type, which would go out as the flushed HTML', () => {
    expect(at(200, { 'content-length': 12 })).toEqual({
      action: 'recover',
      problem: 'sent a body without a Content-Type',
      cause: 'not-html',
    });
  });

  it('counts a type set again to the flushed value as declared: an HTML page the app meant', () => {
    const flushedHeader = (name: string) => (name === 'content-type' ? 'text/html; charset=utf-8' : undefined);
    const lateHeaders = late({ 'content-type': 'text/html; charset=utf-8' });
    expect(afterFlushOutcome({ statusCode: 200, lateHeaders, emptyBody: false, flushedHeader })).toEqual({
      action: 'send',
    });
  });

  it('asks again when the response ends without a body (a file send() refused, say)', () => {
    expect(at(200, {}, true)).toEqual({ action: 'recover', problem: 'answered with an empty body', cause: 'empty' });
  });
});

describe('looksLikeExpressEtag', () => {
  it("matches the etag package's shape, weak or strong, and nothing a handler would usually choose", () => {
    expect(looksLikeExpressEtag('W/"412-pWfTGclVKThE13iOF2H3J3VT7PA"')).toBe(true);
    expect(looksLikeExpressEtag('"412-pWfTGclVKThE13iOF2H3J3VT7PA"')).toBe(true);
    expect(looksLikeExpressEtag('"v1"')).toBe(false);
    expect(looksLikeExpressEtag('W/"article-42"')).toBe(false);
    expect(looksLikeExpressEtag(undefined)).toBe(false);
  });
});

describe('afterFlushOutcome, over any response', () => {
  const headerName = fc.constantFrom(
    'content-type',
    'content-disposition',
    'content-length',
    'set-cookie',
    'etag',
    'location',
    'x-http2-preload',
    'link',
    'vary',
  );
  const headerValue = fc.oneof(
    fc.constantFrom('text/html; charset=utf-8', 'text/plain', 'attachment; filename="a.txt"', '/next', 'early'),
    fc.string(),
    fc.nat(),
  );
  const anyResponse = fc.record({
    statusCode: fc.oneof(fc.constantFrom(200, 301, 302, 304, 404, 500), fc.integer({ min: 100, max: 599 })),
    lateHeaders: fc.dictionary(headerName, headerValue).map(late),
    emptyBody: fc.boolean(),
  });

  it('sends a body only as a 200 the app typed as UTF-8 HTML, with nothing the flushed headers lacked', () => {
    fc.assert(
      fc.property(anyResponse, (response) => {
        if (afterFlushOutcome(response).action !== 'send') return;
        const type = response.lateHeaders.get('content-type');
        expect(response.statusCode).toBe(200);
        expect(response.emptyBody).toBe(false);
        expect(String(type)).toMatch(/^text\/html/i);
        expect(response.lateHeaders.has('content-disposition')).toBe(false);
        expect(response.lateHeaders.has('set-cookie')).toBe(false);
      }),
    );
  });
});
