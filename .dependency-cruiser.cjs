/**
 * The import boundaries of `src/`, checked by `npm run lint` (dependency-cruiser):
 * the layers farm-studio-style drawings show, kept that way. Type-only imports are
 * left out (`tsPreCompilationDeps: false`): they vanish in the build and cannot make a
 * cycle at run time.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'An import cycle makes load order matter and hides which file depends on which.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'decisions-not-decorators',
      comment:
        'Decorators only write metadata, read once per route by preload-route.ts; a decision or state file that imports one ties logic to the public decorator API.',
      severity: 'error',
      from: {
        path: '^src/',
        pathNot: ['^src/(index|preload-route|http2-preload\\.module)\\.ts$', '\\.decorator\\.ts$', '\\.spec\\.ts$'],
      },
      to: { path: '\\.decorator\\.ts$' },
    },
    ...['flush', 'link', 'conditional', 'doctor', 'shell'].map((folder) => ({
      name: `${folder}-through-its-index`,
      comment: `Outside src/${folder}/, its files are reached through src/${folder}/index.ts, which says what the folder offers.`,
      severity: 'error',
      from: { path: '^src/', pathNot: `^src/${folder}/` },
      to: { path: `^src/${folder}/`, pathNot: `^src/${folder}/index\\.ts$` },
    })),
    {
      name: 'folders-do-not-import-up',
      comment:
        'The folders hold pure decisions and the flush mechanics; the Nest-facing classes orchestrate them, never the other way round.',
      severity: 'error',
      from: { path: '^src/(flush|link|conditional|shell)/' },
      to: {
        path: '^src/(preload\\.interceptor|preload\\.emitter|route-learning|preload\\.cache|http2-preload\\.module|index)\\.ts$',
      },
    },
    {
      name: 'link-is-the-bottom',
      comment: 'Formatting links needs nothing of the flush or of conditional requests.',
      severity: 'error',
      from: { path: '^src/link/' },
      to: { path: '^src/(flush|conditional)/' },
    },
    {
      name: 'src-stands-alone',
      comment: 'The package never imports its tests, bench, browser tools or sample.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(test|bench|browser|sample|compat)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|node_modules)/' },
    tsPreCompilationDeps: false,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
