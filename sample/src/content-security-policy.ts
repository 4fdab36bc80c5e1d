import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * A nonce-based Content-Security-Policy, set up as helmet's documentation does it: a fresh
 * nonce per request in `res.locals.cspNonce`, where templates (`nonce="{{cspNonce}}"`)
 * and nestjs-http2-preload (its `nonce` option's default) both read it. Scripts and
 * styles load only with the nonce, so a preload without it would be refused.
 */
export function useNonceContentSecurityPolicy(app: NestExpressApplication): void {
  app.use((_req: Request, res: Response, next: NextFunction) => {
    res.locals.cspNonce = randomBytes(16).toString('hex');
    next();
  });
  const nonce = (_req: IncomingMessage, res: ServerResponse) => `'nonce-${(res as Response).locals.cspNonce}'`;
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          scriptSrc: [nonce],
          styleSrc: [nonce],
          // The sample runs on plain http://localhost; behind a TLS proxy, keep helmet's default.
          upgradeInsecureRequests: null,
        },
      },
    }),
  );
}
