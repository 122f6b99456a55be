/**
 * The npm entry (`import 'tender/widget'`): registers `<tender-checkout>`, loads its languages and
 * its rarer parts (`parts.ts`) as chunks of this package, and exports its types.
 */
import { setLocaleLoader } from './i18n.ts';
import { bundledLocales } from './locales/bundled.ts';
import { setPartLoader } from './parts.ts';
import { bundledParts } from './parts-bundled.ts';

setLocaleLoader(bundledLocales);
setPartLoader(bundledParts);

export { TenderCheckout, TAG_NAME } from './define.ts';
export type { CheckoutState, CheckoutStateName } from './checkout-state.ts';
export { CheckoutError } from './api.ts';
export type { CheckoutErrorCode, ClientErrorCode } from './api.ts';
export type { Clock } from './clock.ts';
export { LOCALES, type Locale } from './i18n.ts';
export type {
  TenderAttemptDetail,
  TenderErrorDetail,
  TenderEventMap,
  TenderEventName,
  TenderExpiredDetail,
  TenderFailedDetail,
  TenderReadyDetail,
  TenderRedirectDetail,
  TenderStatusDetail,
  TenderSucceededDetail,
} from './events.ts';
export type * from './wire.ts';
