import { formatLink, linksWithinBudget, orderHints, type LinkFormatOptions } from './link-header.js';
import type { PreloadHint } from './preload-hint.interface.js';

/**
 * The link shape `res.writeEarlyHints()` accepts (Node's own check): a quoted parameter
 * may not contain spaces or semicolons, so a link with `media="(max-width: 600px)"`
 * would make Node throw. Such links are left to the final response's `Link` header.
 */
const NODE_EARLY_HINT_LINK = /^<[^>]*>(?:\s*;\s*[^;"\s]+(?:=(")?[^;"\s]*\1)?)*$/;

/** The links of a `103 Early Hints` response: ordered, deduplicated, within budget, and only those Node can send. */
export function earlyHintLinks(hints: Iterable<PreloadHint>, options: LinkFormatOptions): readonly string[] {
  const links = orderHints(hints)
    .map((hint) => formatLink(hint, options))
    .filter((link) => NODE_EARLY_HINT_LINK.test(link));
  return linksWithinBudget(links, options.maxBytes);
}
