/**
 * The browser suite: Chromium and Firefox through Caddy (HTTP/2, TLS) in front of real Nest apps,
 * WebKitGTK directly and through Caddy and nginx, and the doctor against Caddy, nginx, HAProxy,
 * Apache and h2o. Separate from `npm test` because it needs Debian packages (chromium,
 * firefox-esr, webkit2gtk-driver, xvfb, xauth, caddy, nginx, haproxy, apache2, h2o, openssl).
 */
export default {
  rootDir: '..',
  preset: 'ts-jest/presets/default-esm',
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  roots: ['<rootDir>/browser'],
  testMatch: ['**/*.browser-spec.ts'],
  // One browser and one proxy for the whole file; each page load waits for Chromium's
  // "preloaded but not used" warnings, which come a few seconds after the load event.
  testTimeout: 60_000,
  maxWorkers: 1,
  moduleNameMapper: {
    '^(\\.{1,2}/.*)\\.js$': '$1',
    '^nestjs-http2-preload$': '<rootDir>/src/index.ts',
  },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/browser/tsconfig.json' }],
  },
};
