import base, { projectsOf, shared } from '../../jest.config.js';

/**
 * The project's own tests, against NestJS 11 instead of the 12 in the root node_modules:
 * every `@nestjs/*` import (and rxjs) resolves into compat/nest11/node_modules
 * (`npm ci --prefix compat/nest11` installs it). Nest 11 is CommonJS; Jest's ESM mode
 * imports it like Node does. `npm run test:nest11` runs the `fast` project: of the slow
 * files, two run their apps in child processes, which load the root's Nest 12 whatever
 * this mapping says, and the flood's cache bound does not depend on Nest's version.
 */
export default {
  ...base,
  rootDir: shared.rootDir,
  projects: projectsOf({
    ...shared,
    moduleNameMapper: {
      '^@nestjs/(common|core|platform-express|platform-fastify|testing)$':
        '<rootDir>/compat/nest11/node_modules/@nestjs/$1',
      '^@nestjs/(common|core|platform-express|platform-fastify|testing)/(.*)$':
        '<rootDir>/compat/nest11/node_modules/@nestjs/$1/$2',
      // One rxjs, as in a real app: Nest 11's SSE does not recognise another copy's events.
      '^rxjs$': '<rootDir>/compat/nest11/node_modules/rxjs',
      ...shared.moduleNameMapper,
    },
  }),
};
