import { assetUrl } from './asset-url.js';
import { describeValue } from './describe-value.js';
import type { PreloadAttributes } from './preload-hint.interface.js';
import { hasNoAttributes, NO_ATTRIBUTES, normalizeHint } from './preload-hint.js';
import { renderContextOf, staticPrefixOutsideRequest } from './preload-render-context.js';
import { rememberHandlebars } from './shell/index.js';

/** Anything Handlebars-shaped: `hbs`, `Handlebars`, `Handlebars.create()`, or express-handlebars' `.handlebars`. */
export interface HandlebarsLike {
  registerHelper(name: string, helper: (...args: any[]) => unknown): void;
}

export interface PreloadHelperOptions {
  /**
   * Name of the helper in templates.
   * @default 'preload'
   */
  name?: string;
  /**
   * Name of the companion helper that records a `rel=preconnect`
   * (`{{preconnect 'https://cdn.example.com'}}`), or `false` to register none.
   * @default 'preconnect'
   */
  preconnectName?: string | false;
}

/** The last argument Handlebars passes to every helper. */
interface HelperCallOptions {
  hash?: Record<string, unknown>;
  data?: { root?: unknown };
}

const HELPER_NAME = /^[A-Za-z_$][\w$-]*$/;

/**
 * A helper call's hash options as preload attributes: the shared empty set for the usual
 * call without any (nothing allocated per call). Template authors write HTML-style
 * `crossorigin=true`; a preload means anonymous by that.
 */
function attributesOf(hash: Record<string, unknown> | undefined): Record<string, unknown> {
  if (hash === undefined || hasNoAttributes(hash)) return NO_ATTRIBUTES as Record<string, unknown>;
  const attributes: Record<string, unknown> = { ...hash };
  if (attributes.crossorigin === true) attributes.crossorigin = 'anonymous';
  return attributes;
}

/**
 * Registers `{{preload 'css/app.css'}}` on a Handlebars instance. The helper returns the
 * asset's URL (static prefix added, HTML-escaped like any `{{…}}` output) and records it
 * on the current request, so that the response carries a preload `Link` for it.
 *
 * - `{{preload 'js/app.js' 'v3'}}` adds a version: `/static/js/app.js?v=v3`.
 * - Hash options set the link's attributes: `rel` (`preload`, or `modulepreload`, which
 *   `.mjs` files get by default), `as`, `crossorigin`, `type`, `media`, `fetchpriority`.
 * - Outside a request (a template rendered for an e-mail) it only returns the URL.
 *
 * Also registers `{{preconnect 'https://cdn.example.com'}}` (`crossorigin=true` when the
 * origin serves fonts or CORS fetches): it records a `rel=preconnect` link and returns
 * the origin as given, for a `<link rel="preconnect" href="…">` of the page's own.
 */
export function registerPreloadHelper(handlebars: HandlebarsLike, options: PreloadHelperOptions = {}): void {
  const name = options.name ?? 'preload';
  const preconnectName = options.preconnectName ?? 'preconnect';
  if (typeof name !== 'string' || !HELPER_NAME.test(name)) {
    throw new TypeError(
      `registerPreloadHelper: "name" must be a valid Handlebars helper name, got ${describeValue(name)}.`,
    );
  }
  if (preconnectName !== false && (typeof preconnectName !== 'string' || !HELPER_NAME.test(preconnectName))) {
    throw new TypeError(
      `registerPreloadHelper: "preconnectName" must be a valid Handlebars helper name or false, got ${describeValue(preconnectName)}.`,
    );
  }
  if (!handlebars || typeof handlebars.registerHelper !== 'function') {
    throw new TypeError(
      'registerPreloadHelper: expected a Handlebars instance (something with registerHelper()), such as hbs or Handlebars.',
    );
  }

  // The page shell (option `shell`) renders the layout with the instance that knows these helpers.
  rememberHandlebars(handlebars);
  handlebars.registerHelper(name, function preloadHelper(this: unknown, ...args: unknown[]): string {
    // Handlebars always passes its options object last, whatever the template wrote.
    const call = (args.pop() ?? {}) as HelperCallOptions;
    const [path, version] = args;
    if (typeof path !== 'string' || path.length === 0) {
      throw new Error(
        `{{${name}}} needs an asset path as its first argument, as in {{${name} 'css/app.css'}}; got ${describeValue(path)}.`,
      );
    }
    if (args.length > 2 || (version != null && typeof version !== 'string' && typeof version !== 'number')) {
      throw new Error(
        `{{${name} ${JSON.stringify(path)}}} takes at most one more argument, a version string; got ${args.slice(1).map(describeValue).join(', ')}.`,
      );
    }

    const attributes = attributesOf(call.hash);

    const context = renderContextOf(call.data?.root ?? this);
    const url = assetUrl(
      path,
      context?.staticPrefix ?? staticPrefixOutsideRequest(),
      version == null ? undefined : String(version),
    );
    try {
      if (context) context.collector.add(url, attributes as PreloadAttributes);
      else normalizeHint(url, attributes as PreloadAttributes);
    } catch (error) {
      throw new Error(`{{${name} ${JSON.stringify(path)}}}: ${(error as Error).message}`, { cause: error });
    }
    return url;
  });

  if (preconnectName !== false) registerPreconnectHelper(handlebars, preconnectName);
}

function registerPreconnectHelper(handlebars: HandlebarsLike, name: string): void {
  handlebars.registerHelper(name, function preconnectHelper(this: unknown, ...args: unknown[]): string {
    const call = (args.pop() ?? {}) as HelperCallOptions;
    const [origin] = args;
    if (typeof origin !== 'string' || origin.length === 0 || args.length > 1) {
      throw new Error(
        `{{${name}}} takes one origin, as in {{${name} 'https://cdn.example.com'}}; got ${args.map(describeValue).join(', ') || 'nothing'}.`,
      );
    }
    const attributes: Record<string, unknown> = { ...attributesOf(call.hash), rel: 'preconnect' };
    const context = renderContextOf(call.data?.root ?? this);
    try {
      if (context) context.collector.add(origin, attributes as PreloadAttributes);
      else normalizeHint(origin, attributes as PreloadAttributes);
    } catch (error) {
      throw new Error(`{{${name} ${JSON.stringify(origin)}}}: ${(error as Error).message}`, { cause: error });
    }
    return origin;
  });
}
