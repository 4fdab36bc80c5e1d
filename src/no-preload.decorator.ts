import { SetMetadata } from '@nestjs/common';

/** Reflect-metadata key written by `@NoPreload()`. */
export const NO_PRELOAD_METADATA = 'nestjs-http2-preload:no-preload';

/**
 * Turns preload headers off for a controller or a single handler: no `Link` is added
 * and the debug header says `off`. The template helper still returns asset URLs.
 */
export const NoPreload = (): ClassDecorator & MethodDecorator => SetMetadata(NO_PRELOAD_METADATA, true);
