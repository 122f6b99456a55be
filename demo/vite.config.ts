// Builds the demo shop's "npm import" page the way a merchant's bundler would: `import 'tender/widget'`
// resolved through the widget package's "exports" (the workspace link node_modules/tender → widget/,
// so the widget is built first: the root `npm run build` does that) and bundled with Lit into
// dist/demo/shop.js.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  build: {
    outDir: fileURLToPath(new URL('../dist/demo', import.meta.url)),
    emptyOutDir: true,
    lib: {
      entry: fileURLToPath(new URL('./npm-entry.ts', import.meta.url)),
      formats: ['es'],
      fileName: () => 'shop.js',
    },
  },
});
