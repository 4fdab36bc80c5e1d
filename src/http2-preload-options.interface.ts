import type { Request } from 'express';
import type { CspNonceReader } from './csp-nonce.js';
import type { PreloadStrategy } from './preload-vocabulary.js';

/**
 * What a route's hint cache entry is keyed by:
 * - `route`: method and Nest route pattern (`GET /users/:id`), so every user page
 *   shares one entry;
 * - `path`: method and request path without the query (`GET /users/42`);
 * - a function of the Express request returning the key; two requests with the same
 *   key are assumed to use the same assets.
 */
export type PreloadCacheKey = 'route' | 'path' | ((request: Request) => string);

/**
 * Options of `Http2PreloadModule.forRoot()` / `forRootAsync()`.
 * Every field is optional; unknown keys and wrong types are refused at bootstrap.
 * The defaults come from `DEFAULT_OPTIONS` (http2-preload-options.defaults.ts); each
 * field's `@default` states its value, and a spec keeps the two, and the README, equal.
 */
export interface Http2PreloadOptions {
  /**
   * Master switch, like Django's `HTTP2_PRELOAD_HEADERS`. `false` turns the module off:
   * no `Link` header, no debug header, no early sending. The template helper still
   * returns asset URLs, so pages render the same.
   * @default true
   */
  preloadHeaders?: boolean;

  /**
   * Remember each route's hints and send them before the handler runs on later
   * requests (`x-http2-preload: early`), like Django's `HTTP2_PRESEND_CACHED_HEADERS`.
   * `false` keeps every response `late`.
   * @default true
   */
  presendCachedHeaders?: boolean;

  /**
   * Allow an HTTP/2 proxy to server-push the hinted files, like Django's
   * `HTTP2_SERVER_PUSH`. When `false`, every link carries `; nopush`, except in a 103,
   * where Chromium would ignore a link with it. Browsers have dropped server push, so
   * leave it off unless a proxy of yours still pushes.
   * @default false
   */
  serverPush?: boolean;

  /**
   * Prefix that the template helper puts in front of a relative asset path, like
   * Django's `STATIC_URL`: `{{preload 'css/app.css'}}` gives `/static/css/app.css`.
   * May be a full URL (`https://cdn.example.com/assets/`). Absolute URLs and
   * root-relative paths given to the helper are used as they are. It must start with
   * `/` or be an http(s) URL (a relative `'static'` is refused at bootstrap), and be
   * where the app serves its files (`useStaticAssets(…, { prefix: '/static/' })`).
   * @default '/static/'
   */
  staticPrefix?: string;

  /**
   * Name of the debug response header that tells which path an HTML response took
   * (`off`, `late` or `early`), or `false` to send none.
   * @default 'x-http2-preload'
   */
  debugHeader?: string | false;

  /**
   * How cached hints are sent before the handler runs; a route can choose otherwise
   * with `@Preload({ strategy })`. `flushHeaders` works through every proxy measured;
   * choose `earlyHints` only when the path to the browser relays `103` responses
   * (Caddy 2.6+, nginx 1.29+ with `early_hints`) over HTTP/2.
   * @default 'flushHeaders'
   */
  strategy?: PreloadStrategy;

  /**
   * Flushed responses (only those) carry `X-Accel-Buffering: no`. nginx with its defaults
   * (HTTP/1.0 to the app, `proxy_buffering on`) holds a flushed `200` until the whole page
   * has arrived, so the browser would get the hints with the page; it honours this header
   * per response and passes the headers on at once. Other proxies ignore it. `false` leaves
   * it out (your nginx already has `proxy_buffering off` or `proxy_http_version 1.1`, or you
   * want nginx to buffer).
   * @default true
   */
  disableProxyBuffering?: boolean;

  /**
   * What the remembered hints are keyed by. The default shares one entry among all
   * requests of a route, so the cache holds at most one entry per route.
   * @default 'route'
   */
  cacheKey?: PreloadCacheKey;

  /**
   * How many keys the hint cache remembers; the least recently used is forgotten first.
   * A positive integer. The cache also holds at most about 4 MiB of keys and URLs,
   * whichever limit comes first, and never a key longer than 2,048 characters.
   * @default 1000
   */
  cacheSize?: number;

  /**
   * Joins every cache key, so that a new value (a release id, say) starts with an
   * empty cache instead of hints learnt from the previous assets.
   * @default undefined (no version)
   */
  version?: string;

  /**
   * Most bytes the `Link` value this module adds may take, in a 103, flushed headers or
   * a response: whole links are dropped, lowest priority first (images and others, then
   * scripts, fonts, styles). Proxies refuse large headers (nginx's default buffer is
   * 4 KiB, and a refused header turns the page into a 502); 2,000 bytes leaves room for
   * the rest.
   * @default 2000
   */
  maxHeaderBytes?: number;

  /**
   * Reads the request's Content-Security-Policy nonce. When it returns one, every link
   * of that request's flushed headers or response carries `; nonce=…`, which a
   * nonce-based `script-src` or `style-src` requires before the browser fetches a
   * preload. A 103 goes without: Chromium ignores an early-hint link with a nonce.
   * Nonces are never cached. `false` sends none.
   * @default (req, res) => res.locals.cspNonce, where helmet users usually put it
   */
  nonce?: CspNonceReader | false;

  /**
   * Like `django-push-redirect`: a GET answered with a redirect (301, 302, 303, 307 or
   * 308) to a same-origin `https` URL gets `Link: <location>; rel=preload; as=document`,
   * so the browser can start on the next page. Only for requests that came over HTTPS
   * (set Express's `trust proxy` behind a TLS proxy), never when the response already
   * has a `Link` header or the route has `@NoPreload()`; a handler can skip it for one
   * response with `PreloadCollector.skipRedirectPreload()`.
   * @default false
   */
  preloadRedirects?: boolean;

  /**
   * Other origins whose URLs hints learnt from one request may point at when they are
   * sent early to other requests, from the shared hint cache: `['https://cdn.example.com']`.
   * Without it, only same-origin URLs under `staticPrefix` (or on its origin, when it is
   * a full URL) and URLs declared with `@Preload()` are shared; any other hint still
   * goes late on the response of the request that recorded it. Each entry is an origin:
   * `http(s)://host[:port]`, without a path.
   * @default []
   */
  sharedHintOrigins?: readonly string[];

  /**
   * Streams the page's shell: on a flushed route that asks for it (`@Shell()`, or every
   * flushed `@Render()` route with `routes: 'all'`), the part of `layout` before its
   * `{{{body}}}` goes out with the flushed headers, rendered from `res.locals` (what
   * middleware and guards set: the user, the CSP nonce) and the data the route declares,
   * so the browser paints the page's frame while the handler works; the page and the rest
   * of the layout follow when it answers. Handlebars layouts: hbs and express-handlebars
   * on Express, @fastify/view on Fastify. See the README's
   * "Paint before the handler answers".
   * @default false
   */
  shell?: ShellOptions | false;
}

/** The `shell` option. */
export interface ShellOptions {
  /** Absolute path of the layout file, with exactly one `{{{body}}}`: the layout your view engine wraps pages in. */
  readonly layout: string;
  /**
   * `'declared'`: routes with `@Shell()`. `'all'`: every `@Render()` route that is flushed,
   * except those with `@Shell(false)`.
   * @default 'declared'
   */
  readonly routes?: 'declared' | 'all';
  /**
   * The Handlebars instance that renders the layout (its helpers and partials): hbs, or
   * the Handlebars instance your engine uses.
   * @default the instance `registerPreloadHelper()` was last called with
   */
  readonly handlebars?: object;
}

/** The options after validation, with every default filled in. */
export type ResolvedHttp2PreloadOptions = Readonly<
  Required<Omit<Http2PreloadOptions, 'version'>> & Pick<Http2PreloadOptions, 'version'>
>;
