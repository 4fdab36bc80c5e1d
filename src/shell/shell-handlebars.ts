import { sharedAcrossCopies } from '../shared-across-copies.js';

/** A compiled Handlebars template. */
export type CompiledTemplate = (context: object) => string;

/** What the shell needs of a Handlebars instance: hbs (which holds one as `.handlebars`), or Handlebars itself. */
export interface CompilingHandlebars {
  compile(source: string): CompiledTemplate;
}

/**
 * The Handlebars instance the preload helper was last registered on: the one that knows
 * the app's helpers and partials, so the shell renders the layout as the app's engine
 * would. One per process, whichever build (ESM or CommonJS) registered it.
 */
const registered = sharedAcrossCopies('shellHandlebars', () => ({
  instance: undefined as CompilingHandlebars | undefined,
}));

/** The instance that compiles, from what was given to registerPreloadHelper(): hbs holds it as `.handlebars`. */
export function compilingInstanceOf(given: unknown): CompilingHandlebars | undefined {
  if (given === null || typeof given !== 'object') return undefined;
  if (typeof (given as CompilingHandlebars).compile === 'function') return given as CompilingHandlebars;
  const inner = (given as { handlebars?: unknown }).handlebars;
  return inner !== null && typeof inner === 'object' && typeof (inner as CompilingHandlebars).compile === 'function'
    ? (inner as CompilingHandlebars)
    : undefined;
}

/** Notes the instance the helper was registered on. */
export function rememberHandlebars(given: unknown): void {
  const instance = compilingInstanceOf(given);
  if (instance !== undefined) registered.instance = instance;
}

/** The instance the helper was last registered on, if any. */
export function registeredHandlebars(): CompilingHandlebars | undefined {
  return registered.instance;
}
