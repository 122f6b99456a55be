/**
 * Parts of the element that most checkouts never use, loaded the first time one is needed, the way
 * languages are: the till (`mode="pos"`) and its camera scanner, the card tokenizer's frame with the
 * 3-D Secure challenge, the in-app wallet bridge, the QR screen and the way to a provider's page (both asked for
 * when the shopper pays). One more is
 * not drawn on the first screen, so it is fetched beside the session rather than before it: the
 * status stream (`status-stream.ts`), which follows the session once it is on screen. The element
 * imports only their types; each entry sets how they are fetched (`setPartLoader`): the npm build
 * as chunks of the package (`parts-bundled.ts`), the script-tag bundle as ES modules written beside
 * `tender.js` (`tender-parts/<name>.<hash>.js`, see `script-tag.ts`).
 */
import { CheckoutError } from './api.ts';

export interface Parts {
  till: typeof import('./till.ts');
  card: typeof import('./card-frame.ts');
  wallet: typeof import('./wallet-bridge.ts');
  qr: typeof import('./qr.ts');
  redirect: typeof import('./redirect.ts');
  stream: typeof import('./status-stream.ts');
  fields: typeof import('./fields.ts');
  outcome: typeof import('./outcome.ts');
  logos: typeof import('./logos.ts');
}
export type PartName = keyof Parts;

export type PartLoader = <K extends PartName>(name: K) => Promise<Parts[K]>;

/** The part names, for the build and the BFF that serves the files. */
export const PART_NAMES = [
  'till',
  'card',
  'wallet',
  'qr',
  'redirect',
  'stream',
  'fields',
] as const satisfies readonly PartName[];

let loader: PartLoader | null = null;
const loaded = new Map<PartName, Promise<unknown>>();

export function setPartLoader(next: PartLoader | null): void {
  loader = next;
  loaded.clear();
}

/**
 * The part, fetched once per page. Fails with a recoverable `network` CheckoutError when it cannot
 * be fetched (a later call tries again), or `invalid_config` when no entry set a loader.
 */
export function loadPart<K extends PartName>(name: K): Promise<Parts[K]> {
  let pending = loaded.get(name) as Promise<Parts[K]> | undefined;
  if (!pending) {
    const load = loader;
    pending = load
      ? load(name).catch((cause: unknown) => {
          loaded.delete(name);
          throw new CheckoutError('network', `could not load the widget's ${name} part`, { cause, recoverable: true });
        })
      : Promise.reject(new CheckoutError('invalid_config', 'no part loader set', { recoverable: false }));
    loaded.set(name, pending);
  }
  return pending;
}
