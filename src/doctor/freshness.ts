/** Whether a browser may reuse a response from its cache without asking the server again. */
export interface Freshness {
  readonly fresh: boolean;
  /** Why not, or where freshness comes from: `no-store`, `max-age=0`, `max-age=31536000`… */
  readonly reason: string;
  /** Has an `ETag` or `Last-Modified`, so a stale copy can at least be revalidated with a `304`. */
  readonly validators: boolean;
}

/** `Cache-Control` directives, names in lower case; a directive without a value has `''`. */
export function cacheControl(value: string | undefined): Record<string, string> {
  const directives: Record<string, string> = {};
  for (const part of (value ?? '').split(',')) {
    const [name, ...rest] = part.split('=');
    const key = name.trim().toLowerCase();
    if (key) directives[key] = rest.join('=').trim().replace(/^"|"$/g, '');
  }
  return directives;
}

/**
 * Freshness as a browser's private cache sees it (RFC 9111): `no-store` is never stored,
 * `no-cache` and `max-age=0` must be revalidated before every use; otherwise `max-age`,
 * then `Expires` against `Date`, then heuristic freshness from `Last-Modified`.
 * An early-hinted file helps only when it is fresh: otherwise the page asks for it again.
 */
export function freshness(headers: Record<string, string>): Freshness {
  const validators = Boolean(headers['etag'] || headers['last-modified']);
  const cc = cacheControl(headers['cache-control']);
  if ('no-store' in cc) return { fresh: false, reason: 'Cache-Control: no-store', validators };
  if ('no-cache' in cc) return { fresh: false, reason: 'Cache-Control: no-cache', validators };
  if ('max-age' in cc) {
    const seconds = Number.parseInt(cc['max-age'], 10);
    if (!(seconds > 0)) return { fresh: false, reason: `max-age=${cc['max-age'] || '0'}`, validators };
    return { fresh: true, reason: `max-age=${seconds}`, validators };
  }
  if (headers['expires'] !== undefined) {
    const expires = Date.parse(headers['expires']);
    const now = headers['date'] ? Date.parse(headers['date']) : Date.now();
    if (Number.isNaN(expires) || expires <= now)
      return { fresh: false, reason: `Expires: ${headers['expires']} (already past)`, validators };
    return { fresh: true, reason: `Expires: ${headers['expires']}`, validators };
  }
  if (headers['last-modified'])
    return { fresh: true, reason: 'heuristic (Last-Modified only, no max-age)', validators };
  return { fresh: false, reason: 'no Cache-Control, Expires or Last-Modified', validators };
}
