import base from '../../jest.config.js';

/**
 * The project's own tests, against NestJS 11 instead of the 12 in the root node_modules:
 * every `@nestjs/*` import (and rxjs) resolves into compat/nest11/node_modules
 * (`npm ci --prefix compat/nest11` installs it). Nest 11 is CommonJS; Jest's ESM mode
 * imports it like Node does.
 */
export default {
  ...base,
  rootDir: '../..',
  moduleNameMapper: {
    '^@nestjs/(common|core|platform-express|platform-fastify|testing)$':
      '<rootDir>/compat/nest11/node_modules/@nestjs/$1',
    '^@nestjs/(common|core|platform-express|platform-fastify|testing)/(.*)$':
      '<rootDir>/compat/nest11/node_modules/@nestjs/$1/$2',
    // One rxjs, as in a real app: Nest 11's SSE does not recognise another copy's events.
    '^rxjs$': '<rootDir>/compat/nest11/node_modules/rxjs',
    ...base.moduleNameMapper,
  },
};
