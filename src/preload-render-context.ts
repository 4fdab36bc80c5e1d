import { DEFAULT_OPTIONS } from './http2-preload-options.defaults.js';
import type { PreloadCollector } from './preload.collector.js';
import { sharedAcrossCopies } from './shared-across-copies.js';

/**
 * Key under which the interceptor leaves the request's render context in `res.locals`.
 * Express spreads `res.locals` into every template's root context, which is how the
 * Handlebars helper finds the current request without any global state. A registered
 * symbol, so that two copies of this package in one process still find each other.
 */
const PRELOAD_RENDER_CONTEXT = Symbol.for('nestjs-http2-preload.render-context');

/** What a template helper needs from the request it renders for. */
export interface PreloadRenderContext {
  readonly collector: PreloadCollector;
  readonly staticPrefix: string;
}

/** Leaves the context in `res.locals`, which Express spreads into the template's root context. */
export function attachRenderContext(locals: object, context: PreloadRenderContext): void {
  (locals as Record<PropertyKey, unknown>)[PRELOAD_RENDER_CONTEXT] = context;
}

/** The context of the request a template renders for, or undefined outside a request (an e-mail, say). */
export function renderContextOf(root: unknown): PreloadRenderContext | undefined {
  if (root === null || typeof root !== 'object') return undefined;
  return (root as Record<PropertyKey, PreloadRenderContext | undefined>)[PRELOAD_RENDER_CONTEXT];
}

/**
 * The prefixes of the apps running in the process, in the order they started. Shared by
 * the ESM and CommonJS builds: the module may start from one and the helper be
 * registered from the other.
 */
const runningPrefixes = sharedAcrossCopies('staticPrefixesOutsideRequests', () => [] as { readonly prefix: string }[]);

/**
 * Templates rendered outside a request still need the configured prefix; the module
 * registers its own when the app starts and withdraws it when the app shuts down, with
 * the function this returns. With several apps in one process, the last one started
 * that still runs wins there (inside a request, each app's own prefix is used); with
 * none, the default.
 */
export function useStaticPrefixOutsideRequests(prefix: string): () => void {
  const entry = { prefix };
  runningPrefixes.push(entry);
  return () => {
    const index = runningPrefixes.indexOf(entry);
    if (index >= 0) runningPrefixes.splice(index, 1);
  };
}

/** Whether an `Http2PreloadModule` runs in this process (from either build). */
export function isModuleRunning(): boolean {
  return runningPrefixes.length > 0;
}

export function staticPrefixOutsideRequest(): string {
  return runningPrefixes.at(-1)?.prefix ?? DEFAULT_OPTIONS.staticPrefix;
}
