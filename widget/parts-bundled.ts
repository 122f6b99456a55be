/** The part loader of the npm build: each part is a chunk of the package, fetched when first needed. */
import type { PartLoader, PartName, Parts } from './parts.ts';

const modules: { readonly [K in PartName]: () => Promise<Parts[K]> } = {
  till: () => import('./till.ts'),
  card: () => import('./card-frame.ts'),
  wallet: () => import('./wallet-bridge.ts'),
  qr: () => import('./qr.ts'),
  redirect: () => import('./redirect.ts'),
  stream: () => import('./status-stream.ts'),
  fields: () => import('./fields.ts'),
  outcome: () => import('./outcome.ts'),
  logos: () => import('./logos.ts'),
};

export const bundledParts: PartLoader = (name) => modules[name]();
