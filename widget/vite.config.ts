/**
 * Two builds of the widget package (its `npm run build` runs both, from `widget/`):
 * - `vite build`              → `widget/dist/tender.js`, the npm entry (`import 'tender/widget'`): an
 *                               ES module with `lit` left as an import, so an app that already has
 *                               Lit ships it once;
 * - `vite build --mode iife`  → `widget/dist/tender.iife.js`, the script-tag bundle the BFF serves at
 *                               `/tender.js`: one minified classic script with Lit inside.
 * The IIFE cannot hold chunks, so its languages other than English are written beside it as small
 * ES modules, `dist/tender-locales/<tag>.js`, which `script-tag.ts` imports on demand (the BFF
 * serves them next to `/tender.js`).
 * The ES build empties `dist/` and runs first; then `tsc -p tsconfig.build.json` writes the
 * declarations to `dist/types/` (package.json "exports" → "types"), the IIFE build adds its files,
 * and the Custom Elements Manifest analyzer writes `dist/custom-elements.json`.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin, type UserConfig } from 'vite';
import { tables } from './locales/all.ts';

/**
 * Collapses the line breaks and indentation left inside template literals once the bundle is
 * minified: Lit's `html` and `css` templates keep their source layout, and whitespace between tags
 * and declarations renders the same as one space. After minification no comment or statement
 * break is left for a newline to matter to.
 */
function collapseTemplateWhitespace(): Plugin {
  return {
    name: 'tender-collapse-template-whitespace',
    generateBundle(_options, bundle) {
      for (const file of Object.values(bundle)) {
        if (file.type === 'chunk') file.code = file.code.replace(/\n\s*/g, ' ');
      }
    },
  };
}

/** Writes each language table as `tender-locales/<tag>.js` (`export default {…}`) next to the IIFE. */
function localeFiles(): Plugin {
  return {
    name: 'tender-locale-files',
    generateBundle() {
      for (const [locale, table] of Object.entries(tables)) {
        this.emitFile({
          type: 'asset',
          fileName: `tender-locales/${locale}.js`,
          source: `export default ${JSON.stringify(table)};\n`,
        });
      }
    },
  };
}

const shared = {
  // Entries and output are relative to widget/, wherever Vite is started from.
  root: fileURLToPath(new URL('.', import.meta.url)),
  // The widget has no public/ assets; never copy a stray folder into dist.
  publicDir: false,
} satisfies UserConfig;

export default defineConfig(({ mode }): UserConfig => {
  if (mode === 'iife') {
    return {
      ...shared,
      plugins: [localeFiles(), collapseTemplateWhitespace()],
      build: {
        outDir: 'dist',
        // dist/ already holds the ES build and the declarations.
        emptyOutDir: false,
        target: 'es2022',
        minify: true,
        sourcemap: false,
        copyPublicDir: false,
        lib: {
          entry: 'script-tag.ts',
          formats: ['iife'],
          name: 'Tender',
          fileName: () => 'tender.iife.js',
        },
      },
    };
  }
  return {
    ...shared,
    build: {
      outDir: 'dist',
      emptyOutDir: true,
      target: 'es2022',
      sourcemap: true,
      copyPublicDir: false,
      lib: {
        entry: 'index.ts',
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
