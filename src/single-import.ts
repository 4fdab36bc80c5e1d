import type { ModulesContainer } from '@nestjs/core';

/**
 * Marks the module class. A registered symbol, not the class itself: the ESM and the
 * CommonJS build each have their own `Http2PreloadModule` class, and importing one of
 * each would double the links just as importing one twice does.
 */
export const HTTP2_PRELOAD_MODULE_MARK = Symbol.for('nestjs-http2-preload.module');

interface ScannedModule {
  readonly name: string;
  readonly metatype: unknown;
  readonly imports: Set<ScannedModule>;
}

function isPreloadModule(module: ScannedModule): boolean {
  const metatype = module.metatype as Record<symbol, unknown> | null | undefined;
  return typeof metatype === 'function' && metatype[HTTP2_PRELOAD_MODULE_MARK] === true;
}

/**
 * Throws when an app imports the module more than once. Each import registers its own
 * global interceptor, so every link would be sent twice and the hint cache would be
 * split in two; the message says which modules import it. Checked per app, from the
 * app's own module container: several apps in one process (tests) each import it once.
 */
export function assertImportedOnce(modules: ModulesContainer): void {
  const all = [...modules.values()] as unknown as ScannedModule[];
  const instances = all.filter(isPreloadModule);
  if (instances.length <= 1) return;
  const importers = all
    .filter(
      (module) => !isPreloadModule(module) && [...module.imports].some((imported) => instances.includes(imported)),
    )
    .map((module) => module.name);
  const where = importers.length > 0 ? `, by ${importers.join(', ')}` : '';
  throw new Error(
    `Http2PreloadModule is imported ${instances.length} times${where}: every Link would be sent twice. ` +
      'Import Http2PreloadModule.forRoot() (or forRootAsync()) once, in the root module (AppModule); ' +
      'it is global, so PreloadCollector can be injected in every other module without importing it there.',
  );
}
