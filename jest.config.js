import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';

/** Jest in ESM mode: NestJS 12 is ESM-only, and CommonJS cannot require() it. */
export const shared = {
  rootDir: fileURLToPath(new URL('.', import.meta.url)),
  preset: 'ts-jest/presets/default-esm',
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  roots: ['<rootDir>/src', '<rootDir>/test'],
  // Scratch apps' own tests: run inside those apps by test/consumers/run.sh.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/consumers/'],
  moduleNameMapper: {
    // Sources import './x.js' as NodeNext requires; Jest resolves the .ts file.
    '^(\\.{1,2}/.*)\\.js$': '$1',
    // The sample imports the package by name, as a user would; tests run it from source.
    '^nestjs-http2-preload$': '<rootDir>/src/index.ts',
  },
  transform: {
    // tsconfig.json has isolatedModules, so ts-jest transpiles each file alone (no type
    // checking: `npm run typecheck` does that), which keeps a cold run's compile short.
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.json' }],
  },
};

/**
 * Two projects of the same tests, told apart by file name: `npm test` runs `fast` (unit
 * specs `*.spec.ts` and e2e tests `*.e2e-spec.ts`), `npm run test:slow` runs `slow`
 * (`*.slow-spec.ts`: the 100,000-request flood, the memory probes, two app processes).
 * Both build the ESM dist/ first (one tsc, not `npm run build`'s two): the tests that run
 * an app in a child process import the package by name, which resolves to it.
 * The scripts choose with TEST_SUITE rather than `--selectProjects`, which would take the
 * paths of `npm test -- <path>` for project names; without it, `npx jest <path>` runs any
 * file of either.
 */
export function projectsOf(config) {
  const projects = [
    { ...config, displayName: 'fast', testMatch: ['**/*.spec.ts', '**/*.e2e-spec.ts'] },
    { ...config, displayName: 'slow', testMatch: ['**/*.slow-spec.ts'] },
  ];
  const suite = process.env.TEST_SUITE;
  if (!suite) return projects;
  const chosen = projects.filter((project) => project.displayName === suite);
  if (chosen.length === 0) throw new Error(`TEST_SUITE=${suite}: use fast or slow, or leave it unset for both`);
  return chosen;
}

export default {
  projects: projectsOf(shared),
  // Jest's default (one worker per core but one) runs files one after the other on a
  // two-core machine; most of a file's time is its apps waiting on loopback sockets, so
  // two files at once keep both cores busy.
  maxWorkers: Math.max(2, availableParallelism() - 1),
  // How long a test or hook may take before Jest calls it stuck (no test asserts a duration).
  // Jest's 5 s was too short on a busy two-core machine: hooks that start Nest apps, child
  // processes or the memory probe's build, and 200 concurrent requests, ran out of it.
  testTimeout: 60_000,
  // The default reporter prints a file once it has finished; this one says what is still
  // running when the log has been quiet for a few seconds (outside a terminal).
  reporters: ['default', '<rootDir>/test/support/progress-reporter.js'],
};
