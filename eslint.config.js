// @ts-check
/**
 * ESLint's and typescript-eslint's recommended rules, with the few changes below, each
 * with its reason. Formatting is Prettier's job (`.prettierrc`), not ESLint's.
 */
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/', 'coverage/', 'bench/profiles/', 'node_modules/'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: { globals: globals.node },
    rules: {
      // Header values and URLs are checked for control characters on purpose (CR/LF
      // injection into a Link header): those regular expressions must name them.
      'no-control-regex': 'off',
      // Nest types route handlers and controllers as `Function` (ExecutionContext.getHandler(),
      // Reflector), and the module keys what it learns by handler: the type is Nest's.
      '@typescript-eslint/no-unsafe-function-type': 'off',
      // `(...args: any[]) => unknown` is the only type that accepts every callback of an
      // untyped library (Handlebars helpers, http-parser-js slots); elsewhere `any` stays banned.
      '@typescript-eslint/no-explicit-any': ['error', { ignoreRestArgs: true }],
      // A leading underscore says "deliberately unused" (`for (const _ of ...)`, `_context`).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
    },
  },
  {
    // Static scripts of the sample, the browser fixtures and the consumer apps run in the browser, not in Node.
    files: ['sample/public/**/*.js', '**/public/**/*.{js,mjs}'],
    languageOptions: { globals: globals.browser },
  },
);
