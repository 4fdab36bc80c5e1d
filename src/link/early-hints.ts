import { formatLink, formatLinkHeader, linksWithinBudget, orderHints, type LinkFormatOptions } from './link-header.js';
import type { PreloadHint } from '../preload-hint.interface.js';
import { formattedOnce } from './formatted-once.js';

/**
 * The link shape `res.writeEarlyHints()` accepts (Node's own check): a quoted parameter
 * may not contain spaces or semicolons, so a link with `media="(max-width: 600px)"`
 * would make Node throw. Such links are left to the final response's `Link` header.
 */
const NODE_EARLY_HINT_LINK = /^<[^>]*>(?:\s*;\s*[^;"\s]+(?:=(")?[^;"\s]*\1)?)*$/;

/** The files a CSP nonce can allow (`script-src`, `style-src`); fonts, images and fetches ignore it. */
function nonceApplies(hint: PreloadHint): boolean {
  return hint.as === 'style' || hint.as === 'script' || hint.rel === 'modulepreload';
}

/**
 * The links of a `103 Early Hints` response: ordered, deduplicated, within budget, and
 * only those Node can send and the browsers act on (measured with Chromium 156 and
 * Firefox ESR 153 behind Caddy). Chromium's early-hints parser drops a link with a
 * parameter it does not know, and ignores `media`: so no `; nopush`, and a link with a
 * media query is left to the final response's `Link` header. `type`, `crossorigin` and
 * `fetchpriority` are acted on.
 *
 * With the request's CSP nonce, each script and style goes twice, the copy with
 * `; nonce=…` first: Firefox uses a 103's script or style on a nonce-CSP page only when
 * its link carries the nonce, and takes the first link of a URL (with the plain one
 * first, it fetched the file again); Chromium drops the nonce copy and uses the plain
 * one after it. Plain links come first in the budget: they fit as many files as possible
 * before any copy is added, most important files' copies first.
 */
export function earlyHintLinks(hints: Iterable<PreloadHint>, options: LinkFormatOptions): readonly string[] {
  return formattedOnce(hints, options, '103', (list) => earlyHintLinksOf(list, options));
}

function earlyHintLinksOf(hints: readonly PreloadHint[], options: LinkFormatOptions): readonly string[] {
  const plainOptions: LinkFormatOptions = { ...options, nopush: false, nonce: undefined };
  const sendable = orderHints(hints)
    .filter((hint) => hint.media === undefined)
    .map((hint) => ({ hint, link: formatLink(hint, plainOptions) }))
    .filter(({ link }) => NODE_EARLY_HINT_LINK.test(link));
  const plain = linksWithinBudget(
    sendable.map(({ link }) => link),
    options.maxBytes,
  );
  if (!options.nonce) return plain;
  const kept = new Set(plain);
  const withNonce: LinkFormatOptions = { ...plainOptions, nonce: options.nonce };
  // Same count as linksWithinBudget: each link's bytes, and ", " between two.
  let spare = options.maxBytes === undefined ? Infinity : options.maxBytes - budgetBytes(plain);
  const links: string[] = [];
  for (const { hint, link } of sendable) {
    if (!kept.has(link)) continue;
    const twin = nonceApplies(hint) ? formatLink(hint, withNonce) : undefined;
    if (twin !== undefined && twin.length + 2 <= spare && NODE_EARLY_HINT_LINK.test(twin)) {
      links.push(twin);
      spare -= twin.length + 2;
    }
    links.push(link);
  }
  return links;
}

function budgetBytes(links: readonly string[]): number {
  return links.reduce((bytes, link) => bytes + link.length, 0) + Math.max(0, links.length - 1) * 2;
}

/**
 * The `Link` value of flushed early headers, or undefined when not one link fits the
 * budget: flushing commits the response's status and headers, which is worth it only
 * for links; without any, the request goes late instead of out early with `Link: `.
 */
export function flushedEarlyLinks(hints: Iterable<PreloadHint>, options: LinkFormatOptions): string | undefined {
  const value = formatLinkHeader(hints, options);
  return value === '' ? undefined : value;
}

/** What Node's HTTP/1 server puts on a response's socket: the response it currently writes. */
interface ServerSocket {
  readonly _httpMessage?: unknown;
  readonly writable?: boolean;
  readonly destroyed?: boolean;
}

/**
 * Whether the response is the one its connection is writing now, the only time a `103`
 * may go out. On a pipelined or busy keep-alive connection, Node gives a response its
 * socket only when the responses before it are done (`res.socket` is null until then);
 * meanwhile it buffers what is written, and its final status line and headers are put
 * in front of that buffer when they are sent, so a buffered 103 would land inside the
 * 200's body and desynchronise the connection. Same test as Node's `_writeRaw()` uses
 * to write straight to the socket. Without it, the hints simply go late.
 */
export function ownsSocket(response: { readonly socket?: object | null }): boolean {
  const socket = response.socket as ServerSocket | null | undefined;
  return socket != null && socket._httpMessage === response && socket.writable === true && socket.destroyed !== true;
}
