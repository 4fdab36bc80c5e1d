/**
 * The floors: the wire work of each of the module's modes, written by hand as plain
 * Express middleware in front of the bare app (same Nest app, same controllers, same hbs
 * page rendering the same HTML), with no Nest interceptor and no module. Their links are
 * precomputed strings, so a floor does nothing per request but the writes themselves; the
 * gap between a module mode and its floor is what the module itself costs.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { ServerResponse } from 'node:http';
import onHeaders from 'on-headers';

/** `flush-nonce`: the flush, on an app with a per-request CSP nonce (the sample's), which every link carries. */
export type FloorKind = 'late' | 'flush' | '103' | 'flush-nonce';

/** The precomputed values a floor sends: the same bytes as its module counterpart's. */
export interface FloorLinks {
  /** The final response's `Link` value; for `flush-nonce`, with `NONCE_PLACEHOLDER` where the request's nonce goes. */
  readonly link: string;
  /** The 103's `Link` value (early-103 leaves out `nopush`, which Chromium drops there). */
  readonly earlyLink: string;
}

/**
 * Stands for the request's CSP nonce in a precomputed link and in what the self-check
 * compares: the nonce differs per request, everything around it must not.
 */
export const NONCE_PLACEHOLDER = '{nonce}';

/** The module's debug header, which its modes send by default; the floors send it too, so the bytes match. */
const DEBUG_HEADER = 'x-http2-preload';

/** The assets the bench page records, in the order the module sends them. */
const ASSETS: readonly (readonly [url: string, as: string, extra?: string])[] = [
  ['/static/css/app.css', 'style'],
  ['/static/css/theme.css', 'style'],
  ['/static/fonts/body.woff2', 'font', 'crossorigin=anonymous'],
  ['/static/js/vendor.js', 'script'],
  ['/static/js/app.js', 'script'],
  ['/static/js/analytics.js', 'script'],
  ['/static/img/hero.webp', 'image'],
  ['/static/img/logo.svg', 'image'],
];

const format = (nopush: boolean, nonce?: string): string =>
  ASSETS.map(([url, as, extra]) =>
    [
      `<${url}>`,
      'rel=preload',
      `as=${as}`,
      ...(extra ? [extra] : []),
      ...(nonce ? [`nonce=${nonce}`] : []),
      ...(nopush ? ['nopush'] : []),
    ].join('; '),
  ).join(', ');

/**
 * Written by hand from what the module sent when the floors were added. `npm run bench`
 * does not rely on it: it gives each floor the values its module counterpart actually
 * sent (see run.ts), so that a change in the module's link format cannot make a floor
 * send different bytes. This is for a floor started on its own (`bench:profile`).
 */
export function defaultFloorLinks(kind: FloorKind | undefined): FloorLinks {
  const nonce = kind === 'flush-nonce' ? NONCE_PLACEHOLDER : undefined;
  return { link: format(true, nonce), earlyLink: format(false) };
}

/** The paths of the bench's pages: the module hints those, never the JSON route. */
export const FLOOR_PATHS = ['/page', '/slow'];

/**
 * After the flush, Express still sets Content-Length, ETag and the charset when the page
 * is sent; on a response whose headers are gone those would throw. One shared function,
 * no per-response state: the least a hand-written flush has to do.
 */
function setHeaderUnlessSent(this: ServerResponse, name: string, value: number | string | readonly string[]) {
  return this.headersSent ? this : (Object.getPrototypeOf(this) as ServerResponse).setHeader.call(this, name, value);
}

/** The module's flushed first chunk (FLUSHED_FIRST_CHUNK): 511 spaces and a newline. */
const FLUSH_PADDING = `${' '.repeat(511)}\n`;

/**
 * As the module's default: 200, the Link, X-Accel-Buffering and the same 512 bytes of
 * whitespace (what WebKit needs) in one write before the route runs: the same bytes on the wire.
 */
function flushBeforeRoute(res: Response, link: string): void {
  res.statusCode = 200;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Link', link);
  res.setHeader(DEBUG_HEADER, 'early');
  res.setHeader('X-Accel-Buffering', 'no');
  res.write(FLUSH_PADDING);
  res.socket?.uncork();
  res.setHeader = setHeaderUnlessSent as Response['setHeader'];
}

export function floorMiddleware(kind: FloorKind, links: FloorLinks): RequestHandler {
  switch (kind) {
    case 'late':
      // As the module's late mode: the Link goes on when the page's headers are written.
      return (_req: Request, res: Response, next: NextFunction) => {
        onHeaders(res, function (this: ServerResponse) {
          this.setHeader('Link', links.link);
          this.setHeader(DEBUG_HEADER, 'late');
        });
        next();
      };
    case 'flush':
      return (_req: Request, res: Response, next: NextFunction) => {
        flushBeforeRoute(res, links.link);
        next();
      };
    case 'flush-nonce': {
      // The links' text is precomputed around the nonce; each request puts its own in
      // (the app's CSP middleware, mounted before, left it in res.locals, as the sample's does).
      const around = links.link.split(NONCE_PLACEHOLDER);
      return (_req: Request, res: Response, next: NextFunction) => {
        flushBeforeRoute(res, around.join(res.locals.cspNonce as string));
        next();
      };
    }
    case '103': {
      // Node accepts one link per string (it joins them with ", " on the wire, as the module's did).
      const earlyLinks = links.earlyLink.split(/,\s*(?=<)/);
      // As the module's earlyHints strategy: a 103 before the route, the Link again on the 200.
      return (_req: Request, res: Response, next: NextFunction) => {
        res.writeEarlyHints({ link: earlyLinks });
        res.setHeader('Link', links.link);
        res.setHeader(DEBUG_HEADER, 'early');
        next();
      };
    }
  }
}
