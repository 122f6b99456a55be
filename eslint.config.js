// ESLint: typescript-eslint's strict type-checked rules (floating and misused promises, unsafe `any`,
// template expressions…) plus the layer rule that keeps the folders apart:
// - `widget/` (browser) never imports the server; the wire types live in `widget/wire.ts`;
// - a provider adapter (`server/providers/`) never imports an HTTP route (`server/routes/`);
// - the domain (`server/domain/`) never imports Hono: it knows nothing of HTTP.
// `test/server/lint.test.ts` proves each layer rule fires.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

/** `no-restricted-imports` options forbidding imports whose specifier matches one of `regexes`. */
const forbid = (message, ...regexes) => ['error', { patterns: regexes.map((regex) => ({ regex, message })) }];

export default defineConfig(
  { ignores: ['**/node_modules/', '**/dist/', 'data/', 'coverage/'] },
  js.configs.recommended,
  tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // node:test's test()/describe() return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite'] },
            { from: 'package', package: '@types/chai', name: ['Equal', 'equal', 'eq', 'equals'] },
          ],
        },
      ],
      // Numbers in messages and URLs are fine; objects, nullish and `any` are still caught.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      // Off: with noUncheckedIndexedAccess, `!` after a checked index is the idiom (≈640 sites); tsc checks the rest.
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Off: purely stylistic (`() => void x()` arrow shorthands, ≈140 sites).
      '@typescript-eslint/no-confusing-void-expression': 'off',
      // Off: an `async` function without `await` (a handler or fake honouring an async interface) is intended.
      '@typescript-eslint/require-await': 'off',
      // Off: ≈100 defensive checks on values typed by our own types but arriving as JSON or from the DOM.
      '@typescript-eslint/no-unnecessary-condition': 'off',
      // Off: flags every method handed to a Lit template or a callback (≈30), bound or not; tests catch a lost `this`.
      '@typescript-eslint/unbound-method': 'off',
      // Off: zod 4's deprecations (`z.string().url()` → `z.url()`, `.passthrough()`) are a migration to plan, not a bug.
      '@typescript-eslint/no-deprecated': 'off',
      // The `_name` convention tsc already honours for deliberately unused parameters and bindings.
      // Interfaces that extend one type are how global maps (`GlobalEventHandlersEventMap`) are augmented.
      '@typescript-eslint/no-empty-object-type': ['error', { allowInterfaces: 'with-single-extends' }],
      // Consecutive case labels with a comment between them share one body; that is not a fall-through.
      'no-fallthrough': ['error', { allowEmptyCase: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { console: 'readonly', process: 'readonly', URL: 'readonly' } },
  },
  {
    files: ['demo/public/**/*.js'],
    languageOptions: { globals: { document: 'readonly', fetch: 'readonly', window: 'readonly' } },
  },
  {
    // Warn, not fail, until the tests' JSON bodies (`await response.json()`, typed `any`) get types: ≈230 sites.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'warn',
      '@typescript-eslint/no-unsafe-member-access': 'warn',
      '@typescript-eslint/no-unsafe-argument': 'warn',
      '@typescript-eslint/no-unsafe-return': 'warn',
      '@typescript-eslint/no-unsafe-call': 'warn',
      // Off in tests: chai's property assertions (`expect(x).to.be.true`) are expressions by design.
      '@typescript-eslint/no-unused-expressions': 'off',
    },
  },
  // The layer rule.
  {
    files: ['widget/**'],
    rules: {
      'no-restricted-imports': forbid(
        'widget/ runs in the browser and never imports the server; shared wire types live in widget/wire.ts.',
        '(^|/)server(/|$)', // '../server/app.ts' and '@tender/server' alike
      ),
    },
  },
  {
    files: ['server/providers/**'],
    rules: {
      'no-restricted-imports': forbid(
        'A provider adapter never imports an HTTP route (server/routes/): routes depend on providers, not the reverse.',
        '(^|/)routes(/|$)',
      ),
    },
  },
  {
    files: ['server/domain/**'],
    rules: {
      'no-restricted-imports': forbid(
        'server/domain/ knows nothing of HTTP: it never imports Hono.',
        '^(hono|@hono/[^/]+)(/|$)',
      ),
    },
  },
);
