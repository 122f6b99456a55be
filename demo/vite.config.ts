// Builds the demo shop's "npm import" page the way a merchant's bundler would: `import 'tender/widget'`
// resolved to the package's widget entry and bundled with Lit into dist/demo/shop.js.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  resolve: {
    alias: { 'tender/widget': fileURLToPath(new URL('../widget/index.ts', import.meta.url)) },
  },
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
