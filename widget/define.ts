/**
 * Registers `<tender-checkout>`. Importing this module is the one side effect; the class itself
 * (`checkout.component.ts`) can be imported without it, e.g. to subclass under another tag.
 */
import { TenderCheckout } from './checkout.component.ts';

export const TAG_NAME = 'tender-checkout';

// Guarded: the npm build and the script-tag bundle may both reach one page.
if (!customElements.get(TAG_NAME)) customElements.define(TAG_NAME, TenderCheckout);

declare global {
  interface HTMLElementTagNameMap {
    'tender-checkout': TenderCheckout;
  }
}

export { TenderCheckout };
