import type { Request, Response } from 'express';

/** Reads the request's CSP nonce; undefined when the response has none. */
export type CspNonceReader = (request: Request, response: Response) => string | undefined;

/**
 * CSP's `base64-value`, the only shape a `'nonce-…'` source may have. A value outside it
 * could never match the policy, and it could break the header it is written into.
 */
const CSP_NONCE = /^[A-Za-z0-9+/_-]+={0,2}$/;

/** Where helmet's documentation, and most Express apps, keep the per-request nonce. */
export const readLocalsCspNonce: CspNonceReader = (_request, response) => {
  const nonce: unknown = response.locals?.cspNonce;
  return typeof nonce === 'string' ? nonce : undefined;
};

/** True for a nonce a policy can carry; an empty or undefined value means "no nonce", not an error. */
export function isCspNonce(value: unknown): value is string {
  return typeof value === 'string' && CSP_NONCE.test(value);
}
