import { Logger } from '@nestjs/common';
import fc from 'fast-check';
import LinkHeader from 'http-link-header';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { assetUrl } from '../asset-url.js';
import { earlyHintLinks } from './early-hints.js';
import { formatLink, formatLinkHeader, linksWithinBudget, orderHints, type LinkFormatOptions } from './link-header.js';
import { PreloadCollector } from '../preload.collector.js';
import type { PreloadRel } from '../preload-hint.interface.js';
import { normalizeHint } from '../preload-hint.js';
import { toUriReference, unsafeUrlReason } from './uri-reference.js';

const RUNS = 10_000;

/** Characters that break naive Link formatting, mixed into otherwise arbitrary text. */
const TRICKY = [
  ' ',
  '"',
  "'",
  '<',
  '>',
  ',',
  ';',
  '=',
  '\\',
  '\r',
  '\n',
  '\t',
  '\u0000',
  '\u007f',
  '%',
  '%2',
  '%41',
  '%zz',
  '#',
  '?',
  '[',
  ']',
  '{',
  '}',
  '|',
  '^',
  '`',
  'é',
  'ü',
  '😀',
  '\u2028',
  '\ud800',
  '\udfff',
  'javascript:',
  '//',
  '/',
];
const trickyText = fc
  .array(fc.oneof(fc.constantFrom(...TRICKY), fc.string({ unit: 'binary', maxLength: 4 })), { maxLength: 30 })
  .map((parts) => parts.join(''));
const recordedUrl = fc.oneof(
  trickyText.filter((url) => url.length > 0),
  trickyText.map((path) => `/static/${path}`),
  fc.webUrl({ withQueryParameters: true, withFragments: true }),
);
/** A CSP nonce as RFC 9110/CSP3 base64-value allows, like helmet users generate. */
const cspNonce = fc.option(fc.stringMatching(/^[A-Za-z0-9+/_-]{1,44}={0,2}$/), { nil: undefined });

/** Node's own check, through the public API a handler would use. */
function setLinkHeader(value: string): void {
  const response = new ServerResponse(new IncomingMessage(new Socket()));
  response.setHeader('Link', value);
}

/** The bytes a URI reference stands for: `%XX` escapes decoded, everything else as UTF-8. */
function bytesOf(uri: string): number[] {
  const utf8 = new TextEncoder();
  const bytes: number[] = [];
  for (let i = 0; i < uri.length;) {
    const escape = /^%[0-9A-Fa-f]{2}/.exec(uri.slice(i, i + 3));
    if (escape) {
      bytes.push(parseInt(uri.slice(i + 1, i + 3), 16));
      i += 3;
    } else {
      const character = String.fromCodePoint(uri.codePointAt(i)!);
      bytes.push(...utf8.encode(character));
      i += character.length;
    }
  }
  return bytes;
}

/** RFC 3986 URI-reference characters (brackets for an IPv6 host), `%XX` escapes, and at most one `#`. */
const URI_REFERENCE =
  /^(?:[A-Za-z0-9\-._~!$&'()*+,;=:/?@[\]]|%[0-9A-Fa-f]{2})*(?:#(?:[A-Za-z0-9\-._~!$&'()*+,;=:/?@[\]]|%[0-9A-Fa-f]{2})*)?$/;

describe('Link header for any recorded URL (property)', () => {
  // Skipped unsafe URLs are warned about; thousands of random ones would drown the test output.
  beforeAll(() => Logger.overrideLogger(false));

  it(`is accepted by setHeader, parses back with http-link-header and round-trips the URL (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(recordedUrl, cspNonce, fc.boolean(), (url, nonce, nopush) => {
        const collector = new PreloadCollector().add(url);
        if (unsafeUrlReason(url) !== undefined) {
          expect(collector.size).toBe(0);
          return;
        }
        const options: LinkFormatOptions = { nopush, nonce };
        const header = formatLinkHeader(collector.entries(), options);
        expect(() => setLinkHeader(header)).not.toThrow();

        const links = LinkHeader.parse(header).refs;
        expect(links).toHaveLength(1);
        const [link] = links;
        expect(link.rel).toBe('preload');
        expect(link.uri).toBe(toUriReference(url));
        expect(link.uri).toMatch(URI_REFERENCE);
        expect(bytesOf(link.uri)).toEqual(bytesOf(url));
        expect(link.nonce).toBe(nonce);
        expect(link.nopush !== undefined).toBe(nopush);

        for (const early of earlyHintLinks(collector.entries(), options)) {
          expect(() => setLinkHeader(early)).not.toThrow();
        }
      }),
      { numRuns: RUNS },
    );
  });

  it(`stays within budget and parseable for pages recording many helper paths (${RUNS / 10} runs)`, () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(trickyText, fc.option(trickyText, { nil: undefined })), { maxLength: 40 }),
        fc.integer({ min: 1, max: 3000 }),
        (paths, maxBytes) => {
          const collector = new PreloadCollector();
          for (const [path, version] of paths) {
            if (path.length > 0) collector.add(assetUrl(path, '/static/', version));
          }
          const options = { nopush: true, maxBytes };
          const header = formatLinkHeader(collector.entries(), options);
          expect(header.length).toBeLessThanOrEqual(maxBytes);
          expect(() => setLinkHeader(header)).not.toThrow();
          // http-link-header misreads a valueless parameter (`nopush`) when any `=` follows it,
          // so each link is parsed alone; RFC 8288 joins links with commas, as the header does.
          const links = linksWithinBudget(
            orderHints(collector.entries()).map((hint) => formatLink(hint, options)),
            maxBytes,
          );
          expect(header).toBe(links.join(', '));
          const expected = new Set(collector.entries().map((hint) => toUriReference(hint.url)));
          for (const link of links) {
            const refs = LinkHeader.parse(link).refs;
            expect(refs).toHaveLength(1);
            expect(expected.has(refs[0].uri)).toBe(true);
          }
        },
      ),
      { numRuns: RUNS / 10 },
    );
  });

  it(`with a nonce, formats a kept list exactly as link by link, each request's nonce in place (${RUNS / 10} runs)`, () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(trickyText, fc.constantFrom<PreloadRel | undefined>(undefined, 'preconnect')), {
          maxLength: 20,
        }),
        fc.array(cspNonce, { minLength: 1, maxLength: 3 }),
        fc.option(fc.integer({ min: 1, max: 3000 }), { nil: undefined }),
        fc.boolean(),
        (paths, nonces, maxBytes, nopush) => {
          // Frozen, as the hint cache hands them out: the list's formatting is kept across requests.
          const hints = Object.freeze(
            paths
              .filter(([path]) => path.length > 0)
              .map(([path, rel]) =>
                Object.freeze(
                  rel === 'preconnect'
                    ? normalizeHint(`https://cdn${path.length}.example.com`, { rel })
                    : normalizeHint(assetUrl(path, '/static/')),
                ),
              ),
          );
          for (const nonce of nonces) {
            const options: LinkFormatOptions = { nopush, maxBytes, nonce };
            const byHand = linksWithinBudget(
              orderHints(hints).map((hint) => formatLink(hint, options)),
              maxBytes,
            ).join(', ');
            expect(formatLinkHeader(hints, options)).toBe(byHand);
          }
        },
      ),
      { numRuns: RUNS / 10 },
    );
  });
});
