import { SetMetadata } from '@nestjs/common';
import { NO_PRELOAD_METADATA } from './http2-preload.constants.js';

/**
 * Turns preload headers off for a controller or a single handler: no `Link` is added
 * and the debug header says `off`. The template helper still returns asset URLs.
 */
export const NoPreload = (): ClassDecorator & MethodDecorator => SetMetadata(NO_PRELOAD_METADATA, true);
