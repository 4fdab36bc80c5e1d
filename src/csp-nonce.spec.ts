import type { Request, Response } from 'express';
import { isCspNonce, readLocalsCspNonce } from './csp-nonce.js';

describe('readLocalsCspNonce', () => {
  const request = {} as Request;

  it('reads a string from res.locals.cspNonce, and nothing else', () => {
    expect(readLocalsCspNonce(request, { locals: { cspNonce: 'r4nd0m==' } } as unknown as Response)).toBe('r4nd0m==');
    expect(readLocalsCspNonce(request, { locals: { cspNonce: 42 } } as unknown as Response)).toBeUndefined();
    expect(readLocalsCspNonce(request, { locals: {} } as unknown as Response)).toBeUndefined();
  });
});

describe('isCspNonce', () => {
  it.each(['abc', 'AbC0+/_-', 'YWJj==', '3f2a9c'])('accepts %j', (nonce) => {
    expect(isCspNonce(nonce)).toBe(true);
  });

  it.each(['', 'a b', 'a"b', 'abc===', 'a=b', 'nonce;x', 'é', undefined, 7])('refuses %j', (nonce) => {
    expect(isCspNonce(nonce)).toBe(false);
  });
});
