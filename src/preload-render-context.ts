import { DEFAULT_STATIC_PREFIX, PRELOAD_RENDER_CONTEXT } from './http2-preload.constants.js';
import type { PreloadCollector } from './preload.collector.js';
import { sharedAcrossCopies } from './shared-across-copies.js';

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

/** Shared by the ESM and CommonJS builds: the module may start from one and the helper be registered from the other. */
const outsideRequests = sharedAcrossCopies('outsideRequests', () => ({ staticPrefix: DEFAULT_STATIC_PREFIX }));

/**
 * Templates rendered outside a request still need the configured prefix; the module
 * sets it when it starts. With several apps in one process, the last one started wins
 * there (inside a request, each app's own prefix is used).
 */
export function setStaticPrefixOutsideRequests(prefix: string): void {
  outsideRequests.staticPrefix = prefix;
}

export function staticPrefixOutsideRequest(): string {
  return outsideRequests.staticPrefix;
}
