import { PRELOAD_MODE, type PreloadMode } from './http2-preload.constants.js';

/** True for `text/html`, with or without parameters, in any letter case. */
export function isHtmlContentType(contentType: unknown): boolean {
  if (typeof contentType !== 'string') return false;
  const semicolon = contentType.indexOf(';');
  const mediaType = (semicolon < 0 ? contentType : contentType.slice(0, semicolon)).trim();
  return mediaType.toLowerCase() === 'text/html';
}

export interface ResponseAtHeaderTime {
  readonly statusCode: number;
  readonly contentType: unknown;
  /** `@NoPreload()` on the handler or its controller. */
  readonly optedOut: boolean;
  /** How many hints the request recorded. */
  readonly hintCount: number;
}

/**
 * What a response gets when its headers are written: `late` (attach the links), `off`
 * (say so in the debug header), or undefined for anything but HTML, which is left
 * exactly as it is. Only successful pages are worth hinting: an error page's assets
 * are not what the next navigation needs.
 */
export function lateMode(response: ResponseAtHeaderTime): PreloadMode | undefined {
  if (!isHtmlContentType(response.contentType)) return undefined;
  const success = response.statusCode >= 200 && response.statusCode < 300;
  return success && !response.optedOut && response.hintCount > 0 ? PRELOAD_MODE.late : PRELOAD_MODE.off;
}
