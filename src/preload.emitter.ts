import type { Response } from 'express';
import { ownsSocket } from './early-hints.js';
import { appendLinkHeader } from './link-header.js';

/**
 * The emit step: what the module writes on a response. Early, a `103 Early Hints`
 * (here) or flushed headers (flushed-response.ts); late, the `Link` and debug headers
 * on the response itself, when its headers are written.
 */

/** Sends one 103 with these links; false when there are none, the response does not own its connection, or Node refused. */
export function sendEarlyHints(response: Response, links: readonly string[]): boolean {
  if (links.length === 0 || !ownsSocket(response)) return false;
  response.writeEarlyHints({ link: [...links] });
  return true;
}

/** Adds the links after any `Link` the handler set, and the debug header; called while the headers are being written. */
export function setLateHeaders(
  response: Response,
  links: string,
  debug: readonly [name: string, value: string] | undefined,
): void {
  if (links !== '') response.setHeader('Link', appendLinkHeader(response.getHeader('link'), links));
  if (debug) response.setHeader(debug[0], debug[1]);
}
