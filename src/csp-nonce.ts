import type { Request, Response } from 'express';
import { describeValue } from './describe-value.js';

/** Reads the request's CSP nonce; undefined when the response has none. */
export type CspNonceReader = (request: Request, response: Response) => string | undefined;

/**
 * CSP's `base64-value`, the only shape a `'nonce-…'` source may have. A value outside it
 * could never match the policy, and it could break the header it is written into.
 */
const CSP_NONCE = /^[A-Za-z0-9+/_-]+={0,2}$/;

/** Where helmet's documentation, and most Express apps, keep the per-request nonce. */
export const readLocalsCspNonce: CspNonceReader = (_request, response) => {
  // On Fastify, @fastify/helmet keeps its nonces in reply.cspNonce ({ script, style }).
  const nonce: unknown =
    response.locals?.cspNonce ?? (response as unknown as { cspNonce?: { script?: unknown } }).cspNonce?.script;
  return typeof nonce === 'string' ? nonce : undefined;
};

/** True for a nonce a policy can carry; an empty or undefined value means "no nonce", not an error. */
export function isCspNonce(value: unknown): value is string {
  return typeof value === 'string' && CSP_NONCE.test(value);
}

/** Receives one warning; the module's `Logger`, in practice. */
export interface WarningSink {
  warn(message: string): void;
}

/**
 * The `nonce` option as the module uses it: the request's nonce when the reader gives
 * a usable one, else undefined. A reader that throws or returns something a policy
 * cannot carry is warned about once (a link without the nonce is refused by the
 * browser's CSP, but a page that still renders beats a 500).
 */
export function createNonceReader(
  read: CspNonceReader | false,
  sink: WarningSink,
): (request: Request, response: Response, label: () => string) => string | undefined {
  if (read === false) return () => undefined;
  let warned = false;
  return (request, response, label) => {
    let problem: string;
    try {
      const nonce: unknown = read(request, response);
      if (nonce === undefined || nonce === '') return undefined;
      if (isCspNonce(nonce)) return nonce;
      problem = `expected base64 characters, got ${describeValue(nonce)}`;
    } catch (error) {
      problem = `it threw ${error instanceof Error ? error.message : String(error)}`;
    }
    if (!warned) {
      warned = true;
      sink.warn(
        `The nonce option gave no usable CSP nonce for ${label()}, so links go without one (logged once): ${problem}.`,
      );
    }
    return undefined;
  };
}
