/** Jest in ESM mode: NestJS 12 is ESM-only, and CommonJS cannot require() it. */
export default {
  preset: 'ts-jest/presets/default-esm',
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  roots: ['<rootDir>/src', '<rootDir>/test'],
  testMatch: ['**/*.spec.ts', '**/*.e2e-spec.ts'],
  // Scratch apps' own tests: run inside those apps by test/consumers/run.sh.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/consumers/'],
  moduleNameMapper: {
    // Sources import './x.js' as NodeNext requires; Jest resolves the .ts file.
    '^(\\.{1,2}/.*)\\.js$': '$1',
    // The sample imports the package by name, as a user would; tests run it from source.
    '^nestjs-http2-preload$': '<rootDir>/src/index.ts',
  },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.json' }],
  },
};
