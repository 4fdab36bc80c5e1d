/** What decides whether a redirect gets a preload of its target, as known when its headers are written. */
export interface RedirectAtHeaderTime {
  readonly method: string;
  readonly statusCode: number;
  /** The request came over HTTPS (Express's `req.secure`, which honours `trust proxy`). */
  readonly secure: boolean;
  /** `Host` (or `X-Forwarded-Host` under `trust proxy`), port included. */
  readonly host: string | undefined;
  /** The request's URL, path and query: a relative `Location` resolves against it. */
  readonly requestUrl: string;
  readonly location: unknown;
  /** The response already has a `Link` header: the handler has said what to preload. */
  readonly hasLink: boolean;
  /** `@NoPreload()`, or `skipRedirectPreload()` for this response. */
  readonly optedOut: boolean;
}

const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/**
 * The root-relative URL a redirect's response should preload, or undefined. Only a GET
 * (a browser follows other methods' 307/308 with the same method, which a preload
 * cannot do) over HTTPS, to a page of the same origin: a preload to another origin
 * would leak the visit, and a plain-http request would get a link it cannot reuse
 * after an upgrade.
 */
export function redirectPreloadTarget(response: RedirectAtHeaderTime): string | undefined {
  const { method, statusCode, secure, host, location } = response;
  if (method !== 'GET' || !REDIRECT_STATUSES.has(statusCode) || !secure || response.hasLink || response.optedOut) {
    return undefined;
  }
  if (typeof location !== 'string' || location === '' || !host) return undefined;
  let origin: URL;
  let target: URL;
  try {
    origin = new URL(`https://${host}`);
    target = new URL(location, new URL(response.requestUrl, origin));
  } catch {
    return undefined;
  }
  if (target.origin !== origin.origin) return undefined;
  return target.pathname + target.search;
}
