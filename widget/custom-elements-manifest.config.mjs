/**
 * The Custom Elements Manifest (`dist/custom-elements.json`, package.json "customElements") that
 * editors, Storybook and documentation tools read: `<tender-checkout>`'s attributes, properties,
 * events, CSS parts and custom properties, taken from the element's source and JSDoc by
 * @custom-elements-manifest/analyzer (run by the widget's `npm run build`).
 */

/**
 * The element is defined as `customElements.define(TAG_NAME, TenderCheckout)`; the analyzer records
 * the constant's name as the tag. This puts the constant's string value in its place.
 */
function resolveTagNameConstants() {
  return {
    name: 'tender-resolve-tag-name-constants',
    packageLinkPhase({ customElementsManifest }) {
      const constants = new Map();
      for (const module of customElementsManifest.modules) {
        for (const declaration of module.declarations ?? []) {
          const literal = /^(['"])([a-z][a-z0-9]*-[a-z0-9-]*)\1$/.exec(declaration.default ?? '');
          if (declaration.kind === 'variable' && literal) constants.set(declaration.name, literal[2]);
        }
      }
      for (const module of customElementsManifest.modules) {
        for (const declaration of module.declarations ?? []) {
          if (declaration.customElement && constants.has(declaration.tagName)) {
            declaration.tagName = constants.get(declaration.tagName);
          }
        }
        for (const entry of module.exports ?? []) {
          if (entry.kind !== 'custom-element-definition') continue;
          if (constants.has(entry.name)) entry.name = constants.get(entry.name);
          entry.declaration.module = entry.declaration.module.replace(/^\//, '');
        }
      }
    },
  };
}

export default {
  globs: ['*.ts'],
  exclude: ['*.d.ts', 'vite.config.ts', 'dist/**'],
  outdir: 'dist',
  litelement: true,
  plugins: [resolveTagNameConstants()],
};
