/**
 * Two builds of the widget (`npm run build` runs both):
 * - `vite build`              → `dist/widget/tender.js`, the npm entry: an ES module with `lit` left
 *                               as an import, so an app that already has Lit ships it once;
 * - `vite build --mode iife`  → `dist/tender.js`, the script-tag bundle the BFF serves at
 *                               `/tender.js`: one minified classic script with Lit inside.
 * Each build empties only its own output, so running one never deletes the other's file. Between
 * the two, `tsc -p widget/tsconfig.build.json` writes the npm entry's declarations to
 * `dist/widget/types/` (package.json "exports" → "types"); it runs after the ES build because that
 * build empties `dist/widget/`.
 */
import { defineConfig, type UserConfig } from 'vite';

const shared = {
  // The widget has no public/ assets; never copy a stray folder into dist.
  publicDir: false,
} satisfies UserConfig;

export default defineConfig(({ mode }): UserConfig => {
  if (mode === 'iife') {
    return {
      ...shared,
      build: {
        outDir: 'dist',
        // dist/ also holds dist/widget/ from the ES build.
        emptyOutDir: false,
        target: 'es2022',
        minify: true,
        sourcemap: false,
        copyPublicDir: false,
        lib: {
          entry: 'widget/script-tag.ts',
          formats: ['iife'],
          name: 'Tender',
          fileName: () => 'tender.js',
        },
      },
    };
  }
  return {
    ...shared,
    build: {
      outDir: 'dist/widget',
      emptyOutDir: true,
      target: 'es2022',
      sourcemap: true,
      copyPublicDir: false,
      lib: {
        entry: 'widget/index.ts',
        formats: ['es'],
        fileName: () => 'tender.js',
      },
      rolldownOptions: {
        // Every `lit` and `@lit/*` specifier, including deep imports such as `lit/decorators.js`.
        external: [/^lit(\/|$)/, /^@lit\//],
      },
    },
  };
});
