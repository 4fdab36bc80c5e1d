import { RENDER_METADATA } from '@nestjs/common/constants.js';
import type { Reflector } from '@nestjs/core';
import {
  ETAG_METADATA,
  LAST_MODIFIED_METADATA,
  type EtagFunction,
  type LastModifiedFunction,
} from './conditional.decorator.js';
import { NO_PRELOAD_METADATA } from './no-preload.decorator.js';
import { PRELOAD_METADATA, type PreloadMetadata } from './preload.decorator.js';
import { SHELL_METADATA, type ShellMetadata } from './shell.decorator.js';
import type { RoutePreloadStrategy } from './preload-vocabulary.js';
import type { PreloadHint } from './preload-hint.interface.js';

/** What the decorators on a handler and its controller say about preloading. */
export interface RoutePreload {
  /** The route's handler: what the module learns about the route is kept by it. */
  readonly handler: Function;
  /** `@NoPreload()` on the handler or its controller. */
  readonly optedOut: boolean;
  /** `@Preload()` hints of the controller, then of the handler. */
  readonly declaredHints: readonly PreloadHint[];
  /** The handler's `@Preload({ strategy })`, else its controller's, else undefined (the module's). */
  readonly strategy: RoutePreloadStrategy | undefined;
  /** `@Render()` on the handler: the route answers with a template, so with HTML. */
  readonly rendersTemplate: boolean;
  /** `@Conditional()` / `@ETag()` on the handler, else its controller. */
  readonly etag: EtagFunction | undefined;
  /** `@Conditional()` / `@LastModified()` on the handler, else its controller. */
  readonly lastModified: LastModifiedFunction | undefined;
  /** Either of them: preconditions are settled before the handler. */
  readonly conditional: boolean;
  /** `@Shell()` on the handler, else its controller: its layout data, `false` (opted out), or undefined (not said). */
  readonly shell: ShellMetadata | undefined;
}

// A handler without @Preload() gets the same empty answer, with no allocation.
const NO_DECLARED_HINTS: readonly PreloadHint[] = Object.freeze([]);

/** Reads the route's decorators; the handler's override its controller's. */
export function readRoutePreload(reflector: Reflector, handler: Function, controller: Function): RoutePreload {
  const optedOut =
    reflector.getAllAndOverride<boolean | undefined>(NO_PRELOAD_METADATA, [handler, controller]) === true;
  const onController = reflector.get<PreloadMetadata | undefined>(PRELOAD_METADATA, controller);
  const onHandler = reflector.get<PreloadMetadata | undefined>(PRELOAD_METADATA, handler);
  const declaredHints =
    onController && onHandler
      ? [...onController.hints, ...onHandler.hints]
      : (onHandler?.hints ?? onController?.hints ?? NO_DECLARED_HINTS);
  const etag = reflector.getAllAndOverride<EtagFunction | undefined>(ETAG_METADATA, [handler, controller]);
  const lastModified = reflector.getAllAndOverride<LastModifiedFunction | undefined>(LAST_MODIFIED_METADATA, [
    handler,
    controller,
  ]);
  return {
    handler,
    optedOut,
    declaredHints,
    strategy: onHandler?.strategy ?? onController?.strategy,
    rendersTemplate: reflector.get<string | undefined>(RENDER_METADATA, handler) !== undefined,
    etag,
    lastModified,
    conditional: etag !== undefined || lastModified !== undefined,
    shell: reflector.getAllAndOverride<ShellMetadata | undefined>(SHELL_METADATA, [handler, controller]),
  };
}

const ROUTES = new WeakMap<Function, WeakMap<Function, RoutePreload>>();

/**
 * `readRoutePreload()`, once per handler and controller: decorators never change, and
 * reading four pieces of metadata on every request is work every JSON route would pay.
 */
export function routePreloadOf(reflector: Reflector, handler: Function, controller: Function): RoutePreload {
  let byHandler = ROUTES.get(controller);
  if (!byHandler) ROUTES.set(controller, (byHandler = new WeakMap()));
  let route = byHandler.get(handler);
  if (!route) byHandler.set(handler, (route = Object.freeze(readRoutePreload(reflector, handler, controller))));
  return route;
}
