import { toUriReference, unsafeUrlReason } from './link/index.js';

/**
 * What a hint learnt from one request may point at to be sent early to other requests
 * (the shared hint cache). Built once from the options.
 */
export interface SharedHintPolicy {
  /** `/static/`: same-origin, path-absolute URLs under it are shareable; undefined when staticPrefix is a full URL. */
  readonly samePathPrefix: string | undefined;
  /** Origins (`https://cdn.example.com`) whose URLs are shareable: the listed ones and a full-URL staticPrefix's. */
  readonly origins: ReadonlySet<string>;
  /** URLs declared with `@Preload()`: written in code, the same for every request. */
  readonly isDeclared: (url: string) => boolean;
}

/** A base for resolving path-absolute URLs: any origin the page may have; only the path is compared. */
const PAGE_ORIGIN = 'http://page.invalid';
const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;
const ESCAPE = /%([0-9A-Fa-f]{2})/g;

function withTrailingSlash(path: string): string {
  return path.endsWith('/') ? path : `${path}/`;
}

/**
 * `https://cdn.example.com` for an origin the user listed (validated at bootstrap),
 * else undefined.
 */
export function originOf(text: string): string | undefined {
  try {
    const url = new URL(text);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
    if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') return undefined;
    if (url.pathname !== '/' || !/^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]+\/?$/.test(text)) return undefined;
    return url.origin;
  } catch {
    return undefined;
  }
}

/** The policy for a module's options. */
export function sharedHintPolicy(
  staticPrefix: string,
  sharedHintOrigins: readonly string[],
  isDeclared: (url: string) => boolean = () => false,
): SharedHintPolicy {
  const origins = new Set<string>();
  for (const origin of sharedHintOrigins) {
    const normalized = originOf(origin);
    if (normalized !== undefined) origins.add(normalized);
  }
  let samePathPrefix: string | undefined;
  if (SCHEME.test(staticPrefix) || staticPrefix.startsWith('//')) {
    // A full URL (or a protocol-relative one): its origin is where the static files are.
    for (const scheme of SCHEME.test(staticPrefix) ? [''] : ['http:', 'https:']) {
      try {
        const { origin, protocol } = new URL(scheme + staticPrefix);
        if (protocol === 'http:' || protocol === 'https:') origins.add(origin);
      } catch {
        // Not a URL after all: nothing of it is shareable.
      }
    }
  } else if (staticPrefix.startsWith('/')) {
    samePathPrefix = withTrailingSlash(new URL(staticPrefix, PAGE_ORIGIN).pathname);
  }
  // A relative staticPrefix (`static/`) names no fixed place: its URLs resolve against
  // each page's own path, so they differ between the pages sharing a cache entry.
  return { samePathPrefix, origins, isDeclared };
}

/** Percent-decodes until nothing changes: a proxy and a file server may each decode once. */
function fullyDecoded(text: string): string {
  let decoded = text;
  for (;;) {
    const next = decoded.replace(ESCAPE, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    if (next === decoded) return decoded;
    decoded = next;
  }
}

/**
 * Whether the path of a URI reference has a `.` or `..` segment once percent-decoded,
 * with `\` counted as a separator (browsers and some servers treat it as `/`) and a
 * `;` parameter ignored (`..;` is `..` to some servers): what a file server could
 * resolve outside the folder the URL seems to be in.
 */
export function hasDotSegment(reference: string): boolean {
  const withoutAuthority = reference.replace(/^(?:[A-Za-z][A-Za-z0-9+.-]*:)?\/\/[^/?#]*/, '');
  const path = withoutAuthority.split(/[?#]/, 1)[0];
  return fullyDecoded(path)
    .split(/[/\\]/)
    .some((segment) => {
      const name = segment.split(';', 1)[0].trim();
      return name === '.' || name === '..';
    });
}

/**
 * Whether a hint recorded by one request may be sent early to others, that is, kept in
 * the shared hint cache. A page whose template preloads request data would otherwise
 * let one request choose what every later visitor of the route fetches, with their
 * cookies. Shareable: a URL declared with `@Preload()`; a same-origin URL under
 * `staticPrefix`; a URL on a full-URL `staticPrefix`'s origin or on a listed origin.
 * Never: a dot segment after percent-decoding, a protocol-relative URL to an origin
 * not allowed for both schemes, credentials in the URL, anything `unsafeUrlReason`
 * refuses, or a URL relative to the page (it leads elsewhere on each page). Judged on
 * the URI reference the `Link` header carries, parsed the way a browser parses it.
 */
export function isShareableHint(url: string, policy: SharedHintPolicy): boolean {
  if (unsafeUrlReason(url) !== undefined) return false;
  if (policy.isDeclared(url)) return true;
  const reference = toUriReference(url);
  if (hasDotSegment(reference)) return false;
  if (SCHEME.test(reference)) return isOnAllowedOrigin(reference, policy);
  if (reference.startsWith('//')) {
    return isOnAllowedOrigin(`http:${reference}`, policy) && isOnAllowedOrigin(`https:${reference}`, policy);
  }
  if (reference.startsWith('/')) {
    if (policy.samePathPrefix === undefined) return false;
    const resolved = new URL(reference, PAGE_ORIGIN);
    return resolved.origin === PAGE_ORIGIN && resolved.pathname.startsWith(policy.samePathPrefix);
  }
  // Relative to the page: where it leads depends on the page that receives it.
  return false;
}

function isOnAllowedOrigin(reference: string, policy: SharedHintPolicy): boolean {
  try {
    const resolved = new URL(reference);
    return resolved.username === '' && resolved.password === '' && policy.origins.has(resolved.origin);
  } catch {
    return false;
  }
}
