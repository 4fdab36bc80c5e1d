import { formatLink, linksWithinBudget, orderHints, type LinkFormatOptions } from './link-header.js';
import type { PreloadHint } from './preload-hint.interface.js';

/**
 * The link shape `res.writeEarlyHints()` accepts (Node's own check): a quoted parameter
 * may not contain spaces or semicolons, so a link with `media="(max-width: 600px)"`
 * would make Node throw. Such links are left to the final response's `Link` header.
 */
const NODE_EARLY_HINT_LINK = /^<[^>]*>(?:\s*;\s*[^;"\s]+(?:=(")?[^;"\s]*\1)?)*$/;

/**
 * The links of a `103 Early Hints` response: ordered, deduplicated, within budget, and
 * only those Node can send. Without `; nopush` and without `; nonce`: Chromium drops an
 * early-hint link that carries a parameter its early-hints parser does not know, and
 * both are such parameters (measured with Chromium 156 behind Caddy). A 103 without a
 * policy of its own lets the preload through; the page's nonce-carrying tag then uses it.
 */
export function earlyHintLinks(hints: Iterable<PreloadHint>, options: LinkFormatOptions): readonly string[] {
  const linkOptions: LinkFormatOptions = { ...options, nopush: false, nonce: undefined };
  const links = orderHints(hints)
    .map((hint) => formatLink(hint, linkOptions))
    .filter((link) => NODE_EARLY_HINT_LINK.test(link));
  return linksWithinBudget(links, options.maxBytes);
}
