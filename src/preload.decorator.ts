import { declareHintUrl } from './declared-hints.js';
import { SetMetadata } from '@nestjs/common';
import { describeValue } from './describe-value.js';
import type { PreloadHint } from './preload-hint.interface.js';
import { normalizeHint } from './preload-hint.js';
import { ROUTE_STRATEGIES, type RoutePreloadStrategy } from './preload-vocabulary.js';
import { unsafeUrlReason } from './link/index.js';

/** A declared hint: a URL (its `as` inferred from the extension) or a hint with attributes. */
export type PreloadDeclaration = string | PreloadHint;

/** What `@Preload()` says about a controller or a handler. */
export interface PreloadRouteOptions {
  /**
   * Hints the route always needs, used exactly as given (the static prefix is not
   * added). They are sent early from the route's very first request, and join
   * whatever its templates record.
   * @default []
   */
  hints?: readonly PreloadDeclaration[];

  /**
   * How this route's hints go out before its handler runs, instead of the module's
   * `strategy`. `late` never sends them early: for a route that sets cookies or
   * headers late, or starts a session, behind a proxy that does not relay `103`.
   * @default the module's `strategy`
   */
  strategy?: RoutePreloadStrategy;
}

/** Reflect-metadata key written by `@Preload()`. */
export const PRELOAD_METADATA = 'nestjs-http2-preload:preload';

/** The metadata `@Preload()` writes, already validated. */
export interface PreloadMetadata {
  readonly hints: readonly PreloadHint[];
  readonly strategy: RoutePreloadStrategy | undefined;
}

const ROUTE_OPTION_NAMES: readonly string[] = ['hints', 'strategy'];

function invalid(problem: string): TypeError {
  return new TypeError(`@Preload(): ${problem}`);
}

function declaredHint(declaration: unknown): PreloadHint {
  if (typeof declaration === 'string') return declaredHint({ url: declaration });
  if (declaration === null || typeof declaration !== 'object' || Array.isArray(declaration)) {
    throw invalid(`each hint must be a URL string or an object with a "url"; got ${describeValue(declaration)}.`);
  }
  const { url, ...attributes } = declaration as PreloadHint;
  let hint: PreloadHint;
  try {
    hint = normalizeHint(url, attributes);
  } catch (error) {
    throw invalid((error as Error).message);
  }
  // Written in code, so refused at startup rather than skipped with a warning per request.
  const unsafe = unsafeUrlReason(hint.url);
  if (unsafe !== undefined) {
    // Cut short, like the collector's warning: an over-long URL would drown the message.
    const shown = hint.url.length > 200 ? `${hint.url.slice(0, 200)}…` : hint.url;
    throw invalid(`cannot preload ${JSON.stringify(shown)}: ${unsafe}.`);
  }
  declareHintUrl(hint.url);
  return Object.freeze(hint);
}

function preloadMetadata(options: unknown): PreloadMetadata {
  if (Array.isArray(options)) return preloadMetadata({ hints: options });
  if (options === null || typeof options !== 'object') {
    throw invalid(`expected an array of hints or { hints, strategy }; got ${describeValue(options)}.`);
  }
  for (const key of Object.keys(options)) {
    if (!ROUTE_OPTION_NAMES.includes(key)) {
      throw invalid(`unknown option "${key}"; accepted: ${ROUTE_OPTION_NAMES.join(', ')}.`);
    }
  }
  const { hints = [], strategy } = options as PreloadRouteOptions;
  if (!Array.isArray(hints)) throw invalid(`"hints" must be an array; got ${describeValue(hints)}.`);
  if (strategy !== undefined && !(ROUTE_STRATEGIES as readonly unknown[]).includes(strategy)) {
    throw invalid(`"strategy" must be one of ${ROUTE_STRATEGIES.join(', ')}; got ${describeValue(strategy)}.`);
  }
  return Object.freeze({ hints: Object.freeze(hints.map(declaredHint)), strategy });
}

/**
 * Declares preload hints for a controller or a handler, so that even the route's first
 * request gets them early, and/or chooses how its hints are sent:
 *
 *     @Preload(['/static/css/app.css'])
 *     @Preload({ strategy: 'earlyHints' })
 *
 * Bad hints throw a `TypeError` when the class is defined, that is at startup.
 */
export function Preload(hints: readonly PreloadDeclaration[]): ClassDecorator & MethodDecorator;
export function Preload(options: PreloadRouteOptions): ClassDecorator & MethodDecorator;
export function Preload(
  options: readonly PreloadDeclaration[] | PreloadRouteOptions,
): ClassDecorator & MethodDecorator {
  return SetMetadata(PRELOAD_METADATA, preloadMetadata(options));
}
