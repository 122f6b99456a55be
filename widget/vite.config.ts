/**
 * Two builds of the widget package (its `npm run build` runs both, from `widget/`):
 * - `vite build`              → `widget/dist/tender.js`, the npm entry (`import 'tender/widget'`): an
 *                               ES module with `lit` left as an import, so an app that already has
 *                               Lit ships it once;
 * - `vite build --mode iife`  → `widget/dist/tender.iife.js`, the script-tag bundle the BFF serves at
 *                               `/tender.js`: one minified classic script with Lit inside.
 * The IIFE cannot hold chunks, so what it loads on demand is written beside it as small ES modules:
 * its languages other than English, `dist/tender-locales/<tag>.js`, and its parts,
 * `dist/tender-parts/<name>.js` (built without Lit: they use the one in the bundle).
 * `script-tag.ts` imports them by content-hashed name (`<name>.<hash>.js`, the first 12 hex digits
 * of the SHA-256 of the file), which the BFF maps back to the file (server/routes/pages.ts).
 * The ES build empties `dist/` and runs first; then `tsc -p tsconfig.build.json` writes the
 * declarations to `dist/types/` (package.json "exports" → "types"), the IIFE build adds its files,
 * and the Custom Elements Manifest analyzer writes `dist/custom-elements.json`.
 */
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build, defineConfig, type Plugin, type Rolldown, type UserConfig } from 'vite';
import { tables } from './locales/all.ts';
import type { PartName } from './parts.ts';

/** Each on-demand part of the script-tag bundle and the module it is built from (widget/parts.ts). */
const widgetFile = (name: string): string => fileURLToPath(new URL(`./${name}`, import.meta.url));

const PARTS: Readonly<Record<PartName, string>> = {
  till: widgetFile('till.ts'),
  card: widgetFile('card-frame.ts'),
  wallet: widgetFile('wallet-bridge.ts'),
  qr: widgetFile('qr.ts'),
  redirect: widgetFile('redirect.ts'),
  stream: widgetFile('status-stream.ts'),
  fields: widgetFile('fields.ts'),
  outcome: widgetFile('outcome.ts'),
  logos: widgetFile('logos.ts'),
};

/** The content hash in a file's long-cached name; the BFF computes the same (server/routes/pages.ts). */
const contentHash = (source: string): string => createHash('sha256').update(source).digest('hex').slice(0, 12);

/**
 * Minifies the CSS of Lit's `css` templates in the script-tag files: comments go, and the spaces
 * around braces, semicolons, commas and after colons. Spaces elsewhere stay (a space between two
 * selectors is a combinator). The widget's styles interpolate nothing, so each template is one
 * literal.
 */
function minifyCss(): Plugin {
  return {
    name: 'tender-minify-css',
    transform(code, id) {
      if (!id.includes('/widget/') || !code.includes('css`')) return null;
      return code.replace(/\bcss`([^`$]*)`/g, (_whole, text: string) => {
        const min = text
          .replace(/\/\*[\s\S]*?\*\//g, '')
          .replace(/\s+/g, ' ')
          .replace(/\s*([{};,])\s*/g, '$1')
          .replace(/:\s+/g, ':')
          .replace(/;}/g, '}')
          .trim();
        return `css\`${min}\``;
      });
    },
  };
}

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

/**
 * The script-tag bundle's on-demand files: each language table as `tender-locales/<tag>.js`
 * (`export default {…}`) and each part as `tender-parts/<name>.js`, a minified ES module built on
 * its own, whose `lit` is the one `tender.js` registered (widget/script-tag.ts). They are built
 * before the bundle, because `widget/script-tag-files.ts` is replaced by their hashed names.
 */
function onDemandFiles(): Plugin {
  const files = new Map<string, string>();
  const filesModule = fileURLToPath(new URL('./script-tag-files.ts', import.meta.url));
  return {
    name: 'tender-on-demand-files',
    async buildStart() {
      files.clear();
      // A part renamed or dropped must not linger beside the new ones.
      rmSync(fileURLToPath(new URL('./dist/tender-parts', import.meta.url)), { recursive: true, force: true });
      for (const [locale, table] of Object.entries(tables)) {
        files.set(`tender-locales/${locale}.js`, `export default ${JSON.stringify(table)};\n`);
      }
      for (const [name, entry] of Object.entries(PARTS)) {
        files.set(`tender-parts/${name}.js`, await buildPart(entry));
      }
    },
    load(id) {
      if (id !== filesModule) return null;
      // Only the hashes go into the bundle (the rest of each name is the same for all): fewer bytes.
      const hashes = (dir: string) =>
        Object.fromEntries(
          [...files]
            .filter(([file]) => file.startsWith(`${dir}/`))
            .map(([file, source]) => [file.slice(dir.length + 1, -3), contentHash(source)]),
        );
      const parts = JSON.stringify(hashes('tender-parts'));
      const locales = JSON.stringify(hashes('tender-locales'));
      return `const parts = ${parts}; const locales = ${locales};
        export const partFile = (name) => \`tender-parts/\${name}.\${parts[name]}.js\`;
        export const localeFile = (locale) => \`tender-locales/\${locale}.\${locales[locale]}.js\`;`;
    },
    generateBundle() {
      for (const [fileName, source] of files) this.emitFile({ type: 'asset', fileName, source });
    },
  };
}

/** One part of the script-tag bundle as a self-contained, minified ES module. */
async function buildPart(entry: string): Promise<string> {
  const litFromBundle: Plugin = {
    name: 'tender-lit-from-bundle',
    enforce: 'pre',
    resolveId(id) {
      if (id === 'lit/html.js') return '\0tender-lit';
      // Anything else from Lit would be a second copy of it in the part.
      if (/^(lit|lit-html|@lit\/[^/]+)(\/|$)/.test(id))
        this.error(`${entry}: only lit/html.js may be imported in a part`);
      return null;
    },
    load: (id) =>
      id === '\0tender-lit'
        ? "const lit = globalThis[Symbol.for('tender-checkout.lit')]; export const html = lit.html, nothing = lit.nothing;"
        : null,
  };
  const output = (await build({
    configFile: false,
    logLevel: 'warn',
    publicDir: false,
    plugins: [litFromBundle, minifyCss(), collapseTemplateWhitespace()],
    build: {
      write: false,
      target: 'es2022',
      minify: true,
      sourcemap: false,
      copyPublicDir: false,
      lib: { entry, formats: ['es'], fileName: () => 'part.js' },
      // Vite keeps the whitespace of ES libraries; the part is served as it is, so minify it all.
      rolldownOptions: { output: { minify: true } },
    },
  })) as Rolldown.RolldownOutput[];
  const chunks = output.flatMap((result) => result.output).filter((file) => file.type === 'chunk');
  if (chunks.length !== 1 || !chunks[0]) throw new Error(`${entry} did not build to one file`);
  if (chunks[0].imports.length > 0) throw new Error(`${entry} imports ${chunks[0].imports.join(', ')}`);
  return chunks[0].code;
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
      plugins: [onDemandFiles(), minifyCss(), collapseTemplateWhitespace()],
      build: {
        outDir: 'dist',
        // dist/ already holds the ES build and the declarations.
        emptyOutDir: false,
        target: 'es2022',
        minify: true,
        sourcemap: false,
        copyPublicDir: false,
        lib: {
          entry: widgetFile('script-tag.ts'),
          formats: ['iife'],
          name: 'Tender',
          fileName: () => 'tender.iife.js',
        },
      },
    };
  }
  return {
    ...shared,
    // The stylesheet minified here too: a BFF writes it into each hosted page (server/routes/first-screen.ts).
    plugins: [minifyCss()],
    build: {
      outDir: 'dist',
      emptyOutDir: true,
      target: 'es2022',
      sourcemap: true,
      copyPublicDir: false,
      lib: {
        entry: widgetFile('index.ts'),
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
