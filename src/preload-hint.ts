import { LRUCache } from 'lru-cache';
import { flatCopy } from './flat-string.js';
import type {
  PreloadAttributes,
  PreloadCrossOrigin,
  PreloadDestination,
  PreloadFetchPriority,
  PreloadHint,
  PreloadRel,
} from './preload-hint.interface.js';

/**
 * Longest hint URL the module records, in UTF-16 code units (characters, for ASCII).
 * Real asset URLs are far shorter; a longer one is refused with a warning (the page
 * still renders), so that no request can make the module keep an arbitrary amount of
 * text. `@Preload()` refuses one at startup. Two links this long would not fit the
 * default `maxHeaderBytes` anyway.
 */
export const MAX_HINT_URL_LENGTH = 2048;

/** Most the per-URL caches of plain hints and their link texts may hold, in estimated bytes. */
export const PLAIN_HINT_CACHE_MAX_BYTES = 1024 * 1024;

const DESTINATIONS: ReadonlySet<string> = new Set<PreloadDestination>([
  'audio',
  'document',
  'embed',
  'fetch',
  'font',
  'image',
  'object',
  'script',
  'style',
  'track',
  'video',
  'worker',
]);
const CROSS_ORIGINS: ReadonlySet<string> = new Set<PreloadCrossOrigin>(['anonymous', 'use-credentials']);
const FETCH_PRIORITIES: ReadonlySet<string> = new Set<PreloadFetchPriority>(['high', 'low', 'auto']);
const ATTRIBUTE_NAMES: ReadonlySet<string> = new Set(['rel', 'as', 'crossorigin', 'type', 'media', 'fetchpriority']);
const RELS: ReadonlySet<string> = new Set<PreloadRel>(['preload', 'modulepreload', 'preconnect']);
/** What a module preload may fetch: scripts and workers (HTML's "script-like" destinations we know). */
const MODULE_DESTINATIONS: ReadonlySet<string> = new Set<PreloadDestination>(['script', 'worker']);
/** A preconnect names an origin: an absolute http(s) URL, or a scheme-relative `//host`. */
const ORIGIN_URL = /^(?:https?:)?\/\/[^/?#\s]+/i;

const DESTINATION_BY_EXTENSION: Readonly<Record<string, PreloadDestination>> = {
  css: 'style',
  js: 'script',
  mjs: 'script',
  png: 'image',
  jpg: 'image',
  jpeg: 'image',
  gif: 'image',
  webp: 'image',
  avif: 'image',
  svg: 'image',
  woff: 'font',
  woff2: 'font',
  ttf: 'font',
  otf: 'font',
};

/**
 * Free-text parameters (`type`, `media`) end up as quoted strings in a header:
 * control characters and anything beyond Latin-1 cannot be carried there.
 */
const UNSAFE_PARAMETER_TEXT = /[^\t\u0020-\u007e\u0080-\u00ff]/;

/**
 * Hints for URLs recorded without attributes, the helper's usual call: a page records
 * the same few URLs on every request, so each is worked out once, and the same frozen
 * hint lets the Link formatting reuse its work too.
 */
const PLAIN_HINTS = new LRUCache<string, PreloadHint>({
  max: 1000,
  // Bounded in bytes too: each URL is kept here, and its link text beside its hint.
  maxSize: PLAIN_HINT_CACHE_MAX_BYTES,
  sizeCalculation: (hint) => estimatedHintBytes(hint),
});

const NON_ASCII = /[^\u0000-\u007f]/;

/**
 * An upper bound of what one hint keeps alive, in bytes: its URL (one byte a character
 * when it is ASCII, two otherwise), its link text (the URL percent-encoded: at most 3
 * characters for an ASCII one, 9 for any other, as `%XX` per UTF-8 byte), its free-text
 * attributes (Latin-1, kept and quoted in the link text, at most doubled by escapes),
 * and the objects around them.
 */
export function estimatedHintBytes(hint: PreloadHint): number {
  const perCharacter = NON_ASCII.test(hint.url) ? 2 + 9 : 1 + 3;
  const attributeText = (hint.type?.length ?? 0) + (hint.media?.length ?? 0);
  return 128 + perCharacter * hint.url.length + 3 * attributeText;
}

/** `as` for a URL from its file extension (query and fragment ignored), or undefined. */
export function inferDestination(url: string): PreloadDestination | undefined {
  const path = url.split(/[?#]/, 1)[0];
  const lastSegment = path.slice(path.lastIndexOf('/') + 1);
  const dot = lastSegment.lastIndexOf('.');
  if (dot < 0) return undefined;
  return DESTINATION_BY_EXTENSION[lastSegment.slice(dot + 1).toLowerCase()];
}

function invalid(url: unknown, problem: string): TypeError {
  return new TypeError(`Invalid preload hint for ${JSON.stringify(url)}: ${problem}`);
}

function checkChoice(url: string, name: string, value: unknown, choices: ReadonlySet<string>): void {
  if (value !== undefined && !(typeof value === 'string' && choices.has(value))) {
    throw invalid(url, `"${name}" must be one of ${[...choices].join(', ')}; got ${JSON.stringify(value)}.`);
  }
}

function checkText(url: string, name: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== 'string' || value.length === 0 || UNSAFE_PARAMETER_TEXT.test(value)) {
    throw invalid(
      url,
      `"${name}" must be a non-empty string of printable Latin-1 characters; got ${JSON.stringify(value)}.`,
    );
  }
}

/** The attributes of the helper's usual call (none): shared, so that such a call allocates nothing. */
export const NO_ATTRIBUTES: PreloadAttributes = Object.freeze({});

/** An object without own properties, checked without building the list of its keys. */
export function hasNoAttributes(attributes: unknown): boolean {
  if (attributes === null || typeof attributes !== 'object') return false;
  for (const key in attributes) if (Object.hasOwn(attributes, key)) return false;
  return true;
}

/** A call without attributes (none given, or an empty object): its hint depends on the URL alone. */
export function isPlainCall(attributes: PreloadAttributes | undefined): boolean {
  return attributes === undefined || attributes === NO_ATTRIBUTES || hasNoAttributes(attributes);
}

/**
 * Validates a hint and fills in what can be inferred: `as` from the extension, and
 * `crossorigin=anonymous` for fonts. Throws a `TypeError` that says what is wrong,
 * because a preload with a misspelt `as` is silently ignored by browsers.
 */
export function normalizeHint(url: unknown, attributes: PreloadAttributes = NO_ATTRIBUTES): PreloadHint {
  if (typeof url !== 'string' || url.length === 0) {
    throw invalid(url, 'the URL must be a non-empty string.');
  }
  const plain = isPlainCall(attributes);
  // An over-long URL is never kept: the collector refuses it right after.
  if (plain && url.length <= MAX_HINT_URL_LENGTH) {
    let hint = PLAIN_HINTS.get(url);
    if (hint === undefined) {
      hint = Object.freeze(hintWithInferences(url, attributes));
      // Keyed by the hint's own flat copy of the URL, not by the string as given.
      PLAIN_HINTS.set(hint.url, hint);
    }
    return hint;
  }
  return hintWithInferences(url, attributes);
}

function hintWithInferences(url: string, attributes: PreloadAttributes): PreloadHint {
  if (attributes === null || typeof attributes !== 'object') {
    throw invalid(url, 'the attributes must be an object.');
  }
  for (const key of Object.keys(attributes)) {
    if (!ATTRIBUTE_NAMES.has(key)) {
      throw invalid(url, `unknown attribute "${key}"; accepted: ${[...ATTRIBUTE_NAMES].join(', ')}.`);
    }
  }
  const { rel, as, crossorigin, type, media, fetchpriority } = attributes;
  checkChoice(url, 'rel', rel, RELS);
  if (rel === 'preconnect') return preconnectHint(url, attributes);
  checkChoice(url, 'as', as, DESTINATIONS);
  checkChoice(url, 'crossorigin', crossorigin, CROSS_ORIGINS);
  checkChoice(url, 'fetchpriority', fetchpriority, FETCH_PRIORITIES);
  checkText(url, 'type', type);
  checkText(url, 'media', media);

  const destination = as ?? inferDestination(url);
  // A copy of its own: the hint may outlive the request in the caches, and the URL as
  // given may be a tree of concatenated pieces or a slice of a longer string.
  const hint: { -readonly [K in keyof PreloadHint]: PreloadHint[K] } = {
    url: url.length <= MAX_HINT_URL_LENGTH ? flatCopy(url) : url,
  };
  // A module script preloaded as a classic one is fetched twice: `.mjs` means modulepreload.
  const relation =
    rel ?? (isModuleScriptUrl(url) && (as === undefined || MODULE_DESTINATIONS.has(as)) ? 'modulepreload' : 'preload');
  if (relation === 'modulepreload') {
    if (destination !== undefined && !MODULE_DESTINATIONS.has(destination)) {
      throw invalid(url, `"as" of a modulepreload must be script or worker; got ${JSON.stringify(destination)}.`);
    }
    hint.rel = relation;
    hint.as = destination ?? 'script';
  } else if (destination) {
    hint.as = destination;
  }
  const mode = crossorigin ?? (hint.as === 'font' ? 'anonymous' : undefined);
  if (mode) hint.crossorigin = mode;
  // Free text may come from the request too: copies of their own, like the URL.
  if (type !== undefined) hint.type = flatCopy(type);
  if (media !== undefined) hint.media = flatCopy(media);
  if (fetchpriority !== undefined) hint.fetchpriority = fetchpriority;
  return hint;
}

function isModuleScriptUrl(url: string): boolean {
  return /\.mjs$/i.test(url.split(/[?#]/, 1)[0]);
}

/** `rel=preconnect`: an origin and, when asked, `crossorigin` (fonts and fetches use a CORS connection of their own). */
function preconnectHint(url: string, attributes: PreloadAttributes): PreloadHint {
  const extra = Object.keys(attributes).filter((key) => key !== 'rel' && key !== 'crossorigin');
  if (extra.length > 0) {
    throw invalid(
      url,
      `a preconnect takes only "crossorigin"; got ${extra.map((key) => JSON.stringify(key)).join(', ')}.`,
    );
  }
  if (!ORIGIN_URL.test(url)) {
    throw invalid(url, 'a preconnect needs an origin such as "https://cdn.example.com".');
  }
  checkChoice(url, 'crossorigin', attributes.crossorigin, CROSS_ORIGINS);
  const hint: { -readonly [K in keyof PreloadHint]: PreloadHint[K] } = { url, rel: 'preconnect' };
  if (attributes.crossorigin !== undefined) hint.crossorigin = attributes.crossorigin;
  return hint;
}

/** The same hints in the same order, by identity: hints are immutable and reused across requests. */
export function sameHints(a: readonly PreloadHint[], b: readonly PreloadHint[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
