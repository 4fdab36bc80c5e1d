/**
 * Link formatting: a hint becomes `<url>; rel=preload; as=…` (link-header.ts, within the
 * header's byte budget), the links a `103 Early Hints` may carry (early-hints.ts), URLs
 * written as strict URI references (uri-reference.ts), and each list formatted once
 * (formatted-once.ts).
 */
export { earlyHintLinks, flushedEarlyLinks, ownsSocket } from './early-hints.js';
export { FORMATTED_MAX_BYTES } from './formatted-once.js';
export { HTTP_TOKEN } from './http-token.js';
export { appendLinkHeader, formatLink, formatLinkHeader, type LinkFormatOptions } from './link-header.js';
export { toUriReference, unsafeUrlReason } from './uri-reference.js';
