/**
 * Options of `Http2PreloadModule.forRoot()` / `forRootAsync()`.
 * Every field is optional; unknown keys and wrong types are refused at bootstrap.
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
   * `HTTP2_SERVER_PUSH`. When `false`, every link carries `; nopush`. Browsers have
   * dropped server push, so leave it off unless a proxy of yours still pushes.
   * @default false
   */
  serverPush?: boolean;

  /**
   * Prefix that the template helper puts in front of a relative asset path, like
   * Django's `STATIC_URL`: `{{preload 'css/app.css'}}` gives `/static/css/app.css`.
   * May be a full URL (`https://cdn.example.com/assets/`). Absolute URLs and
   * root-relative paths given to the helper are used as they are.
   * @default '/static/'
   */
  staticPrefix?: string;

  /**
   * Name of the debug response header that tells which path an HTML response took
   * (`off`, `late` or `early`), or `false` to send none.
   * @default 'x-http2-preload'
   */
  debugHeader?: string | false;
}

/** The options after validation, with every default filled in. */
export type ResolvedHttp2PreloadOptions = Readonly<Required<Http2PreloadOptions>>;
