import { createHash } from 'node:crypto';
import { countLinks, timedGet } from '../../test/support/http.js';
import { NONCE_PLACEHOLDER } from './floors.js';
import { HTML_ROUTE, JSON_ROUTE } from './routes.js';
import type { ServerProcess } from './server-process.js';
import { modeOfFloor, type VariantName } from './variants.js';

/** What a variant answers, checked before measuring it: the figures mean little if it does not do its job. */
export interface VariantCheck {
  readonly variant: VariantName;
  /** Second page request (the first one warms the module's cache). */
  readonly pageStatus: number;
  readonly pageMode: string | undefined;
  readonly pageLinks: number;
  readonly page103s: number;
  readonly pageBodyBytes: number;
  /**
   * The final response's Link value and the 103's, as sent, but for the response's CSP
   * nonce, which reads `NONCE_PLACEHOLDER`: a floor must send the same.
   */
  readonly pageLink?: string;
  readonly page103Link?: string;
  /** Short digest of the page body, its nonce read as the placeholder: a floor must render the same page as its module mode. */
  readonly pageBodyDigest?: string;
  /** The nonce of the page's `Content-Security-Policy`, when it has one. */
  readonly pageNonce?: string;
  /** Links of the final `Link` value that carry that nonce. */
  readonly nonceLinks?: number;
  /** Tags of the page that carry it (`nonce="…"`). */
  readonly nonceTags?: number;
  readonly jsonStatus: number;
  readonly jsonLinks: number;
  /** Set when a request failed outright. */
  readonly error?: string;
}

export async function checkVariant(server: ServerProcess): Promise<VariantCheck> {
  try {
    const page = `${server.baseUrl}${HTML_ROUTE.path}`;
    await timedGet(page, { ...HTML_ROUTE.headers }, false);
    const second = await timedGet(page, { ...HTML_ROUTE.headers }, false);
    const json = await timedGet(`${server.baseUrl}${JSON_ROUTE.path}`, { ...JSON_ROUTE.headers }, false);
    const mode = second.headers['x-http2-preload'];
    const link = typeof second.headers.link === 'string' ? second.headers.link : undefined;
    const nonce = /'nonce-([^']+)'/.exec(String(second.headers['content-security-policy'] ?? ''))?.[1];
    // The nonce differs per request; what surrounds it must be the floor's, byte for byte.
    const samePerRequest = (text: string | undefined) =>
      nonce === undefined ? text : text?.replaceAll(nonce, NONCE_PLACEHOLDER);
    const occurrences = (text: string | undefined, pattern: string) => (text ?? '').split(pattern).length - 1;
    return {
      variant: server.variant,
      pageStatus: second.statusCode,
      pageMode: typeof mode === 'string' ? mode : undefined,
      pageLinks: countLinks(link ?? second.firstLink),
      page103s: second.informational.filter((status) => status === 103).length,
      pageBodyBytes: Buffer.byteLength(second.body),
      pageLink: samePerRequest(link),
      page103Link: samePerRequest(second.linksVia === '103' ? second.firstLink : undefined),
      pageBodyDigest: createHash('sha256').update(samePerRequest(second.body)!).digest('hex').slice(0, 12),
      pageNonce: nonce,
      nonceLinks: nonce === undefined ? 0 : occurrences(link, `; nonce=${nonce}`),
      nonceTags: nonce === undefined ? 0 : occurrences(second.body, ` nonce="${nonce}"`),
      jsonStatus: json.statusCode,
      jsonLinks: countLinks(typeof json.headers.link === 'string' ? json.headers.link : undefined),
    };
  } catch (error) {
    return {
      variant: server.variant,
      pageStatus: 0,
      pageMode: undefined,
      pageLinks: 0,
      page103s: 0,
      pageBodyBytes: 0,
      jsonStatus: 0,
      jsonLinks: 0,
      error: (error as Error).message,
    };
  }
}

/** What a flushed page starts with (the module's FLUSHED_FIRST_CHUNK): 511 spaces and a newline, for WebKit. */
const FLUSHED_PADDING_BYTES = 512;

/** The bench page's assets: the module records all eight; netjet reads all but the font preload. */
const PAGE_ASSETS = 8;

/** What each variant must answer, next to what bare answers; floors are compared with their module mode. */
const EXPECTED: Record<
  string,
  Partial<Pick<VariantCheck, 'pageMode' | 'pageLinks' | 'page103s'>> & { newline?: boolean; nonce?: boolean }
> = {
  bare: { pageMode: undefined, pageLinks: 0, page103s: 0 },
  'noop-interceptor': { pageMode: undefined, pageLinks: 0, page103s: 0 },
  late: { pageMode: 'late', pageLinks: PAGE_ASSETS, page103s: 0 },
  'early-flush': { pageMode: 'early', pageLinks: PAGE_ASSETS, page103s: 0, newline: true },
  // Every link carries the request's nonce (CSP checks the nonce of a script's or style's preload).
  'early-flush-nonce': { pageMode: 'early', pageLinks: PAGE_ASSETS, page103s: 0, newline: true, nonce: true },
  'early-103': { pageMode: 'early', pageLinks: PAGE_ASSETS, page103s: 1 },
  netjet: { pageMode: undefined, pageLinks: PAGE_ASSETS - 1, page103s: 0 },
  'request-scoped': { pageMode: 'early', pageLinks: PAGE_ASSETS, page103s: 0, newline: true },
};

/**
 * The bench's self-check: for each variant, what in its answer is wrong (empty when all
 * is right). Floors must answer exactly as their module mode: same status, debug header,
 * Link values (final and 103), number of 103s and the same body, byte for byte.
 */
export function selfCheck(checks: readonly VariantCheck[]): Map<VariantName, string[]> {
  const byName = new Map(checks.map((c) => [c.variant, c]));
  const bare = byName.get('bare');
  const problems = new Map<VariantName, string[]>();
  for (const c of checks) {
    const wrong: string[] = [];
    const differs = (what: string, got: unknown, want: unknown) => {
      if (got !== want) wrong.push(`${what}: ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
    };
    if (c.error) wrong.push(`failed: ${c.error}`);
    differs('page status', c.pageStatus, 200);
    differs('JSON status', c.jsonStatus, 200);
    differs('JSON links', c.jsonLinks, 0);
    const counterpart: VariantName | undefined = modeOfFloor(c.variant);
    if (counterpart) {
      const mode = byName.get(counterpart);
      if (!mode) wrong.push(`${counterpart} did not run, nothing to compare with`);
      else {
        for (const key of [
          'pageMode',
          'pageLink',
          'page103Link',
          'page103s',
          'pageBodyBytes',
          'pageBodyDigest',
          'nonceLinks',
          'nonceTags',
        ] as const) {
          differs(`${key} (against ${counterpart})`, c[key], mode[key]);
        }
      }
    } else {
      const expected = EXPECTED[c.variant];
      if (expected) {
        differs('x-http2-preload', c.pageMode, expected.pageMode);
        differs('links', c.pageLinks, expected.pageLinks);
        differs('103s', c.page103s, expected.page103s);
        differs('links with the page’s nonce', c.nonceLinks, expected.nonce ? expected.pageLinks : 0);
        if (expected.nonce && !c.nonceTags) wrong.push('no tag of the page carries its nonce');
        // The same page as bare's; a flushed one starts with the whitespace that went out with the
        // headers, and one with a nonce has it in its tags (` nonce="…"`), which bare's have not.
        const nonceBytes = (c.nonceTags ?? 0) * (' nonce=""'.length + (c.pageNonce?.length ?? 0));
        if (bare && c !== bare)
          differs(
            'body bytes',
            c.pageBodyBytes,
            bare.pageBodyBytes + (expected.newline ? FLUSHED_PADDING_BYTES : 0) + nonceBytes,
          );
        if (bare && c !== bare && !expected.newline) differs('body', c.pageBodyDigest, bare.pageBodyDigest);
      }
    }
    problems.set(c.variant, wrong);
  }
  return problems;
}
