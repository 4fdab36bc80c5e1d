import { diagnose, type Diagnosis } from './analysis.js';
import type { Exchange } from './observation.js';
import { formatReport } from './report.format.js';

/** What a terminal would act on; the report's own newlines aside. */
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

function page(headers: Record<string, string>, over: Partial<Exchange> = {}): Exchange {
  return { protocol: 'http/1.1', interim: [], status: 200, headers, headerBytes: 100, body: '', ...over };
}

describe('formatReport shows values from the network without letting the terminal obey them', () => {
  test('every field a server chooses, each with a control in it', () => {
    const hostile: Diagnosis = {
      url: 'http://app.test/',
      debugHeader: 'x-http2-preload',
      transport: 'cleartext',
      requests: [
        {
          role: 'http1',
          protocol: 'http/1.1',
          status: 200,
          mode: 'early\u001b[2J',
          interim: [{ status: 103, atMs: 1, links: ['/a\u009b31m.css'] }],
          headersAtMs: 2,
          links: ['/a\u009b31m.css'],
          hintsAtMs: 1,
          contentAtMs: 300,
          endAtMs: 301,
          flushedNewline: true,
          linkBytes: 10,
          headerBytes: 100,
        },
      ],
      assets: [
        {
          url: 'http://app.test/a.css',
          as: 'style\u0007',
          status: 200,
          freshness: 'Expires: \u009b2J (already past)',
          usedByPage: true,
        },
      ],
      findings: [{ code: 'x', severity: 'warn', message: 'The page\nVerdict: OK\u202e', fix: 'fix' }],
      verdict: { status: 'fix', exitCode: 1, summary: 'Location: /next\u009b2J', change: 'go \u007f' },
    };
    const report = formatReport(hostile);
    expect(report).not.toMatch(CONTROL);
    for (const shown of ['early\\x1b[2J', 'style\\x07', 'Expires: \\x9b2J', 'The page\\x0aVerdict: OK\\u202e'])
      expect(report).toContain(shown);
    expect(report).toContain('Verdict: FIX: Location: /next\\x9b2J\nChange: go \\x7f\n');
    // A newline from the network does not start a line of its own: one "Verdict:" line only.
    expect(report.match(/^Verdict:/gm)).toHaveLength(1);
  });

  test('a redirect, a Content-Type and a debug header with C1 controls, through diagnose', () => {
    const redirect = diagnose({
      url: 'http://app.test/',
      transport: 'cleartext',
      http1: page({ location: '/next\u009b2J' }, { status: 302 }),
      assets: [],
    });
    expect(formatReport(redirect)).toContain('(Location: /next\\x9b2J)');
    const notHtml = diagnose({
      url: 'http://app.test/',
      transport: 'cleartext',
      http1: page({ 'content-type': 'text/plain\u009b2J' }),
      assets: [],
    });
    expect(formatReport(notHtml)).toContain('(Content-Type: text/plain\\x9b2J)');
    const mode = diagnose({
      url: 'http://app.test/',
      transport: 'cleartext',
      http1: page({ 'content-type': 'text/html', 'x-http2-preload': 'early\u009b2J' }),
      assets: [],
    });
    const report = formatReport(mode);
    expect(report).toContain('x-http2-preload: early\\x9b2J');
    expect(report).not.toMatch(CONTROL);
  });
});

describe('formatReport: what arrived when, in plain words', () => {
  const LINK = '</app.css>; rel=preload; as=style, </app.js>; rel=preload; as=script';
  const PAGE = '<link rel=stylesheet href=/app.css><script src=/app.js></script>';
  const visit = (over: Partial<Exchange>): Exchange => ({
    protocol: 'h2',
    interim: [],
    status: 200,
    headers: { 'content-type': 'text/html', link: LINK, 'x-http2-preload': 'early' },
    headerBytes: 300,
    headersAtMs: 5.2,
    firstChunkBlank: true,
    contentAtMs: 305.4,
    endAtMs: 306,
    body: '\n' + PAGE,
    ...over,
  });
  const report = (h2: Exchange) =>
    formatReport(
      diagnose({
        url: 'https://app.test/slow',
        transport: 'tls-h2',
        warm: visit({
          headers: { ...h2.headers, 'x-http2-preload': 'late' },
          headersAtMs: 304,
          firstChunkBlank: false,
          body: PAGE,
        }),
        h2,
        assets: [],
      }),
    );

  test('flushed headers: the hints, the content, the end, and the head start they give', () => {
    const text = report(visit({}));
    expect(text).toContain(
      [
        '    second visit, over HTTP/2:',
        "          5 ms  the page's headers, status 200, with hints for 2 files in its Link header, then a newline on its own; x-http2-preload: early (the hints were sent ahead of the page)",
        "        305 ms  the page's content began",
        '        306 ms  the page was complete',
        '      (headers 300 bytes, of which the Link header 68)',
        "      → the browser could start fetching /app.css and 1 other file 300 ms before the page's content arrived.",
      ].join('\n'),
    );
    expect(text).toContain('    first visit (it teaches the route its hints), over HTTP/2:');
    expect(text).toMatch(
      /→ the hints came with the page's content \(\d+ ms before it\): no head start on this visit, as usual for a first visit\./,
    );
  });

  test('a 103: the head start counts from the 103', () => {
    const text = report(
      visit({
        interim: [{ status: 103, atMs: 2.6, link: `${LINK}, </app.js>; rel=preload; as=script; nonce=abc` }],
        headersAtMs: 304,
        firstChunkBlank: false,
        body: PAGE,
      }),
    );
    expect(text).toContain('          3 ms  a 103 Early Hints, with hints for 2 files\n');
    expect(text).toContain(
      "→ the browser could start fetching /app.css and 1 other file 303 ms before the page's content arrived.",
    );
  });

  test('headers held with the content: no head start, said so', () => {
    const text = report(visit({ headersAtMs: 305, firstChunkBlank: false, body: PAGE }));
    expect(text).toContain(
      "      → the hints came with the page's content (0 ms before it): no head start on this visit.\n",
    );
  });

  test('a 103 over HTTP/1.1: only Firefox could use it', () => {
    const text = formatReport(
      diagnose({
        url: 'http://app.test/slow',
        transport: 'cleartext',
        http1: visit({
          protocol: 'http/1.1',
          interim: [{ status: 103, atMs: 3, link: LINK }],
          headersAtMs: 304,
          body: PAGE,
        }),
        assets: [],
      }),
    );
    expect(text).toContain(
      '→ the browser (Firefox; Chromium ignores a 103 over HTTP/1.1) could start fetching /app.css',
    );
  });
});
