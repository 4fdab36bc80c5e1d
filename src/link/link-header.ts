import { HTTP_TOKEN } from './http-token.js';
import type { PreloadDestination, PreloadHint } from '../preload-hint.interface.js';
import { formattedOnce } from './formatted-once.js';
import { toUriReference } from './uri-reference.js';

export interface LinkFormatOptions {
  /** Add `; nopush` so that an HTTP/2 proxy does not server-push the file. */
  readonly nopush: boolean;
  /** Longest `Link` value to produce, in bytes; whole links are dropped, lowest priority first. */
  readonly maxBytes?: number;
  /**
   * The request's CSP nonce: when a `Content-Security-Policy` allows scripts or styles
   * only by nonce, a preload without it is refused by the browser.
   */
  readonly nonce?: string;
}

/**
 * Styles block rendering, fonts are discovered late (only once CSS applies), scripts
 * block parsing; everything else can wait. Same order as the Django original.
 */
const PRIORITY: Partial<Record<PreloadDestination, number>> = { style: 0, font: 1, script: 2 };
const LOWEST_PRIORITY = 3;

/** A preconnect only opens a connection: cheapest, and what the files behind it wait on. */
const PRECONNECT_PRIORITY = -1;

function priorityOf(hint: PreloadHint): number {
  if (hint.rel === 'preconnect') return PRECONNECT_PRIORITY;
  return (hint.as && PRIORITY[hint.as]) ?? LOWEST_PRIORITY;
}

/** Drops repeated URLs (the first recording wins) and orders preconnects, styles, fonts, scripts (module or classic), then the rest, each in first-use order. */
export function orderHints(hints: Iterable<PreloadHint>): PreloadHint[] {
  const unique = new Map<string, PreloadHint>();
  for (const hint of hints) {
    if (!unique.has(hint.url)) unique.set(hint.url, hint);
  }
  // Array.prototype.sort is stable, so first-use order holds within a priority.
  return [...unique.values()].sort((a, b) => priorityOf(a) - priorityOf(b));
}

function parameter(name: string, value: string): string {
  // A token goes as it is; anything else becomes a quoted string.
  if (HTTP_TOKEN.test(value)) return `; ${name}=${value}`;
  return `; ${name}="${value.replace(/[\\"]/g, '\\$&')}"`;
}

/**
 * Each hint's link without the per-request parameters; hints are immutable and reused
 * across requests. Bounded by the hints themselves: it holds a text only as long as its
 * hint is alive (in a request, the hint cache or the plain-hint cache, each bounded).
 */
const LINK_WITHOUT_OPTIONS = new WeakMap<PreloadHint, string>();

function linkWithoutOptions(hint: PreloadHint): string {
  let link = LINK_WITHOUT_OPTIONS.get(hint);
  if (link === undefined) {
    // Joined once, so the text kept for the hint's lifetime is one flat string.
    const parts = [`<${toUriReference(hint.url)}>; rel=${hint.rel ?? 'preload'}`];
    // `as=script` is what a modulepreload means without it: left out to save bytes.
    if (hint.as && !(hint.rel === 'modulepreload' && hint.as === 'script')) parts.push(parameter('as', hint.as));
    // Spelt out rather than a bare `; crossorigin`: some Link parsers misread a valueless parameter.
    if (hint.crossorigin) parts.push(parameter('crossorigin', hint.crossorigin));
    if (hint.type) parts.push(parameter('type', hint.type));
    if (hint.media) parts.push(parameter('media', hint.media));
    if (hint.fetchpriority) parts.push(parameter('fetchpriority', hint.fetchpriority));
    link = parts.join('');
    LINK_WITHOUT_OPTIONS.set(hint, link);
  }
  return link;
}

/** One `<url>; rel=preload; …` link. The URL is percent-encoded where RFC 3986 requires it; valid escapes are kept. */
export function formatLink(hint: PreloadHint, options: LinkFormatOptions): string {
  let link = linkWithoutOptions(hint);
  // A preconnect fetches nothing: no file for CSP to check or for a proxy to push.
  if (hint.rel === 'preconnect') return link;
  if (options.nonce) link += parameter('nonce', options.nonce);
  if (options.nopush) link += '; nopush';
  return link;
}

/**
 * The links, in the order given, that fit in `maxBytes` together: links come ordered by
 * priority, and each one is kept if it still fits after those before it, so a link too
 * long for the budget is skipped, whole, without costing the smaller ones after it
 * their place. Header values are sent one byte per character.
 */
export function linksWithinBudget(links: readonly string[], maxBytes: number | undefined): readonly string[] {
  if (maxBytes === undefined) return links;
  const kept: string[] = [];
  let bytes = 0;
  for (const link of links) {
    const cost = link.length + (kept.length > 0 ? 2 : 0);
    if (bytes + cost > maxBytes) continue;
    kept.push(link);
    bytes += cost;
  }
  return kept.length === links.length ? links : kept;
}

/** The `Link` header value for a set of hints, ordered, deduplicated and within budget; empty when there are none. */
export function formatLinkHeader(hints: Iterable<PreloadHint>, options: LinkFormatOptions): string {
  if (options.nonce) return formatLinkHeaderWithNonce(hints, options, options.nonce);
  return formattedOnce(hints, options, 'header', (list) =>
    linksWithinBudget(
      orderHints(list).map((hint) => formatLink(hint, options)),
      options.maxBytes,
    ).join(', '),
  );
}

/** A list's links in header order, without the per-request nonce: kept per list like the formatted header. */
interface LinkParts {
  /** The link up to where a nonce goes. */
  readonly base: string;
  /** Whether the link takes the nonce and `nopush` (a preconnect fetches nothing and takes neither). */
  readonly fetches: boolean;
}

/**
 * The `Link` value for a request with a CSP nonce. The nonce differs per request, so the
 * whole value cannot be kept; the list's order and each link's text can, once per list,
 * and only the nonce (and the budget, which it lengthens) is worked in per request.
 */
function formatLinkHeaderWithNonce(hints: Iterable<PreloadHint>, options: LinkFormatOptions, nonce: string): string {
  const parts = formattedOnce(hints, { nopush: options.nopush }, 'header-parts', (list): readonly LinkParts[] =>
    orderHints(list).map((hint) => ({ base: linkWithoutOptions(hint), fetches: hint.rel !== 'preconnect' })),
  );
  const tail = `${parameter('nonce', nonce)}${options.nopush ? '; nopush' : ''}`;
  return linksWithinBudget(
    parts.map((part) => (part.fetches ? `${part.base}${tail}` : part.base)),
    options.maxBytes,
  ).join(', ');
}

/**
 * Adds our links to a `Link` header the handler may already have set, keeping
 * theirs first: `Link` is a list header, so two values join with a comma.
 */
export function appendLinkHeader(
  existing: string | number | readonly string[] | undefined,
  links: string,
): string | string[] {
  if (existing === undefined || existing === '') return links;
  if (Array.isArray(existing)) return [...existing, links];
  return `${String(existing)}, ${links}`;
}
