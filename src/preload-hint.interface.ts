/** What a preload fetches, the `as` of `<link rel=preload>` (Fetch standard destinations). */
export type PreloadDestination =
  | 'audio'
  | 'document'
  | 'embed'
  | 'fetch'
  | 'font'
  | 'image'
  | 'object'
  | 'script'
  | 'style'
  | 'track'
  | 'video'
  | 'worker';

/** CORS mode of the preload; it must match the tag that uses the file, or the browser fetches it twice. */
export type PreloadCrossOrigin = 'anonymous' | 'use-credentials';

export type PreloadFetchPriority = 'high' | 'low' | 'auto';

/**
 * The link's relation. `preload` (the default) fetches a file; `modulepreload` fetches
 * a module script the way `<script type="module">` does (a plain preload of a module
 * is fetched in another mode and downloaded twice); `preconnect` only opens the
 * connection to an origin, such as a CDN's.
 */
export type PreloadRel = 'preload' | 'modulepreload' | 'preconnect';

/** Optional attributes of a preload link; each becomes a `Link` parameter. */
export interface PreloadAttributes {
  /** Relation: `preload` by default, `modulepreload` for `.mjs` files. A preconnect takes only `crossorigin`. */
  rel?: PreloadRel;
  /** Destination. Inferred from the file extension when left out; unknown extensions get none. */
  as?: PreloadDestination;
  /** CORS mode. Fonts get `anonymous` by default (browsers always fetch fonts in CORS mode); nothing else does. */
  crossorigin?: PreloadCrossOrigin;
  /** MIME type, such as `font/woff2`, so a browser can skip formats it does not support. */
  type?: string;
  /** Media query; the browser preloads only when it matches. */
  media?: string;
  /** Fetch priority hint. */
  fetchpriority?: PreloadFetchPriority;
}

/** One recorded asset: its URL and the attributes of its preload link. */
export interface PreloadHint extends PreloadAttributes {
  readonly url: string;
}
