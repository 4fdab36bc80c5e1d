import { formatLink, formatLinkHeader, linksWithinBudget, orderHints, type LinkFormatOptions } from './link-header.js';
import type { PreloadHint } from './preload-hint.interface.js';

/**
 * The link shape `res.writeEarlyHints()` accepts (Node's own check): a quoted parameter
 * may not contain spaces or semicolons, so a link with `media="(max-width: 600px)"`
 * would make Node throw. Such links are left to the final response's `Link` header.
 */
const NODE_EARLY_HINT_LINK = /^<[^>]*>(?:\s*;\s*[^;"\s]+(?:=(")?[^;"\s]*\1)?)*$/;

/**
 * The links of a `103 Early Hints` response: ordered, deduplicated, within budget, and
 * only those Node can send and Chromium acts on. Chromium's early-hints parser drops a
 * link with a parameter it does not know, and ignores `media` (measured with Chromium
 * 156 behind Caddy): so no `; nopush`, no `; nonce` (a 103 without a policy of its own
 * lets the preload through; the page's nonce-carrying tag then uses it), and a link with
 * a media query is left to the final response's `Link` header. `type`, `crossorigin`
 * and `fetchpriority` are acted on.
 */
export function earlyHintLinks(hints: Iterable<PreloadHint>, options: LinkFormatOptions): readonly string[] {
  const linkOptions: LinkFormatOptions = { ...options, nopush: false, nonce: undefined };
  const links = orderHints(hints)
    .filter((hint) => hint.media === undefined)
    .map((hint) => formatLink(hint, linkOptions))
    .filter((link) => NODE_EARLY_HINT_LINK.test(link));
  return linksWithinBudget(links, options.maxBytes);
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
