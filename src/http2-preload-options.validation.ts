import { describeValue } from './describe-value.js';
import { HTTP_TOKEN } from './link/index.js';
import { DEFAULT_OPTIONS } from './http2-preload-options.defaults.js';
import type {
  Http2PreloadOptions,
  ResolvedHttp2PreloadOptions,
  ShellOptions,
} from './http2-preload-options.interface.js';
import { MODULE_STRATEGIES } from './preload-vocabulary.js';
import { originOf } from './shared-hint.policy.js';
import { compilingInstanceOf } from './shell/index.js';

/** Control characters, which no URL prefix may carry into a page or a header. */
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

interface OptionRule<T> {
  /** Words for the error message: what the option accepts. */
  readonly accepts: string;
  readonly isValid: (value: unknown) => boolean;
  /** What to keep of a valid value, when not the value itself. */
  readonly normalize?: (value: unknown) => T;
  /** The fix to suggest for a refused value, when one can be guessed (`'static'` → `'/static/'`). */
  readonly suggest?: (value: unknown) => string | undefined;
}

/** `https://cdn.example.com/…`, `//cdn.example.com/…`: a prefix that names its host. */
const HTTP_URL = /^(?:https?:)?\/\/[^/?#\s]/i;

/**
 * A prefix the browser reads the same on every page: a path from the root (`/static/`)
 * or a URL with its host. A relative one (`static/`) would resolve against each page's
 * own URL, so `/shop/cart` would ask for `/shop/static/…`, and its links could never be
 * shared between routes: nothing would work, and nothing would say so.
 */
function isStaticPrefix(value: string): boolean {
  if (value.length === 0 || CONTROL_CHARACTER.test(value)) return false;
  if (HTTP_URL.test(value)) return URL.canParse(value.startsWith('//') ? `https:${value}` : value);
  return value.startsWith('/');
}

/** The likely intended prefix: `static` → `/static/`, `cdn.example.com/a` → `https://cdn.example.com/a/`. */
export function suggestedStaticPrefix(value: string): string | undefined {
  const trimmed = value.trim().replace(/^\.?\/?/, '');
  if (trimmed.length === 0 || CONTROL_CHARACTER.test(trimmed) || /^[a-z][a-z0-9+.-]*:/i.test(trimmed)) return undefined;
  const withSlash = trimmed.endsWith('/') ? trimmed : `${trimmed}/`;
  // A first segment with a dot and no file extension's look (`cdn.example.com`) is a host.
  const first = trimmed.split('/')[0];
  return /^[\w-]+(?:\.[\w-]+)+(?::\d+)?$/.test(first) ? `https://${withSlash}` : `/${withSlash}`;
}

const isBoolean = (value: unknown): value is boolean => typeof value === 'boolean';

/** `'a', 'b' or 'c'`: the accepted values of an option, for its error message. */
function oneOf(values: readonly string[]): string {
  const quoted = values.map((value) => `'${value}'`);
  return quoted.length < 2 ? quoted.join('') : `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)}`;
}

const OPTION_RULES: { readonly [K in keyof Http2PreloadOptions]-?: OptionRule<ResolvedHttp2PreloadOptions[K]> } = {
  preloadHeaders: { accepts: 'true or false', isValid: isBoolean },
  presendCachedHeaders: { accepts: 'true or false', isValid: isBoolean },
  serverPush: { accepts: 'true or false', isValid: isBoolean },
  staticPrefix: {
    accepts:
      "a path from the site's root, starting with '/' (such as '/static/'), or a full http(s) URL (such as 'https://cdn.example.com/assets/')",
    isValid: (value) => typeof value === 'string' && isStaticPrefix(value),
    suggest: (value) => (typeof value === 'string' ? suggestedStaticPrefix(value) : undefined),
  },
  debugHeader: {
    accepts: "a header name such as 'x-http2-preload', or false to send none",
    isValid: (value) => value === false || (typeof value === 'string' && HTTP_TOKEN.test(value)),
  },
  strategy: {
    accepts: oneOf(MODULE_STRATEGIES),
    isValid: (value) => (MODULE_STRATEGIES as readonly unknown[]).includes(value),
  },
  disableProxyBuffering: { accepts: 'true or false', isValid: isBoolean },
  cacheKey: {
    accepts: "'route', 'path' or a function of the request that returns a string",
    isValid: (value) => value === 'route' || value === 'path' || typeof value === 'function',
  },
  cacheSize: {
    accepts: 'a positive integer',
    isValid: (value) => Number.isSafeInteger(value) && (value as number) > 0,
  },
  version: {
    accepts: 'a string',
    isValid: (value) => typeof value === 'string',
  },
  maxHeaderBytes: {
    accepts: 'a positive integer',
    isValid: (value) => Number.isSafeInteger(value) && (value as number) > 0,
  },
  preloadRedirects: { accepts: 'true or false', isValid: isBoolean },
  nonce: {
    accepts: 'a function (req, res) => string | undefined, or false',
    isValid: (value) => value === false || typeof value === 'function',
  },
  sharedHintOrigins: {
    accepts: "an array of origins such as 'https://cdn.example.com' (scheme, host and port, no path)",
    isValid: (value) =>
      Array.isArray(value) && value.every((origin) => typeof origin === 'string' && originOf(origin) !== undefined),
    // A copy: the caller's array may change after the bootstrap.
    normalize: (value) => Object.freeze([...(value as string[])]),
  },
  shell: {
    accepts:
      "false, or { layout: '/absolute/path/to/layout.hbs', routes?: 'declared' | 'all', handlebars?: a Handlebars instance }",
    isValid: (value) => value === false || isShellOptions(value),
    normalize: (value) => {
      if (value === false) return false;
      const shell = value as ShellOptions;
      return Object.freeze({
        layout: shell.layout,
        routes: shell.routes ?? 'declared',
        handlebars: shell.handlebars === undefined ? undefined : compilingInstanceOf(shell.handlebars),
      });
    },
  },
};

const SHELL_OPTION_NAMES: readonly string[] = ['layout', 'routes', 'handlebars'];

function isShellOptions(value: unknown): value is ShellOptions {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const shell = value as Record<string, unknown>;
  return (
    Object.keys(shell).every((key) => SHELL_OPTION_NAMES.includes(key)) &&
    typeof shell.layout === 'string' &&
    shell.layout.length > 0 &&
    (shell.routes === undefined || shell.routes === 'declared' || shell.routes === 'all') &&
    (shell.handlebars === undefined || compilingInstanceOf(shell.handlebars) !== undefined)
  );
}

const OPTION_NAMES = Object.keys(OPTION_RULES) as (keyof Http2PreloadOptions)[];

/**
 * Checks the options given to the module and fills in the defaults. Throws a
 * `TypeError` that names the option and what it accepts, so a typo fails the
 * bootstrap instead of silently turning a feature off.
 */
export function resolveOptions(options: unknown = {}): ResolvedHttp2PreloadOptions {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError(`Http2PreloadModule: options must be an object, got ${describeValue(options)}.`);
  }
  const given = options as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (!Object.hasOwn(OPTION_RULES, key)) {
      throw new TypeError(`Http2PreloadModule: unknown option "${key}". Accepted options: ${OPTION_NAMES.join(', ')}.`);
    }
  }
  const resolved: Record<string, unknown> = {};
  for (const name of OPTION_NAMES) {
    const rule: OptionRule<unknown> = OPTION_RULES[name];
    const value = given[name];
    if (value === undefined) {
      resolved[name] = DEFAULT_OPTIONS[name];
    } else if (rule.isValid(value)) {
      resolved[name] = rule.normalize ? rule.normalize(value) : value;
    } else {
      const suggestion = rule.suggest?.(value);
      throw new TypeError(
        `Http2PreloadModule: option "${name}" must be ${rule.accepts}, got ${describeValue(value)}.` +
          (suggestion === undefined ? '' : ` Use '${suggestion}'.`),
      );
    }
  }
  return Object.freeze(resolved) as ResolvedHttp2PreloadOptions;
}
