/**
 * Every string a shopper can see. English is the reference and the only table in the main file;
 * the others (`widget/locales/<tag>.ts`) load on demand through `setLocaleLoader`, and a test holds
 * each to English's keys and parameters. English stays the fallback for any key a table lacks.
 * `{name}` marks a parameter.
 *
 * Keys with a dynamic part (`field.<name>`, `error.<code>`, `failure.<code>`, `brand.<brand>`,
 * `app.<brand>`, `method.<id>`) are looked up with `Translator.maybe`, which answers `undefined` so
 * the caller can pick its own fallback.
 */

const en = {
  loading: 'Loading checkout…',
  loadFailed: 'This checkout could not be loaded.',
  retry: 'Try again',
  methodsLegend: 'Payment method',
  choose: 'Choose how you would like to pay.',
  chooseMethodError: 'Choose a payment method.',
  noMethods: 'No payment method is available for this amount.',
  pay: 'Pay {amount}',
  paying: 'Processing…',
  selectPlaceholder: 'Select…',
  fieldRequired: '{field} is required.',
  fieldInvalidEmail: 'Enter a valid email address.',
  fieldInvalidTel: 'Enter a valid phone number.',
  fieldTooLong: '{field} is too long.',
  fieldInvalidOption: 'Choose one of the options.',
  'field.bankId': 'Bank',
  'field.holderName': 'Account holder name',
  'field.accountNumber': 'Account number',
  'field.email': 'Email',
  'field.phone': 'Phone number',
  'field.name': 'Full name',
  qrLabel: 'QR code to pay {amount} with {method}',
  scan: 'Scan the code with {method} to pay.',
  expiresIn: 'Code expires in {time}',
  openInApp: 'Open in app',
  openIn: 'Open in {app}',
  'app.wechat': 'WeChat',
  'app.alipay': 'Alipay',
  'app.truemoney': 'TrueMoney',
  saveQr: 'Save QR image',
  copyCode: 'Copy payment link',
  copied: 'Copied',
  codeExpired: 'This code has expired.',
  newCode: 'Get a new code',
  estimate: '≈ {amount}',
  redirecting: 'Taking you to {method}…',
  inApp: 'Confirm the payment in {method}…',
  challenge: 'Confirm the payment with your bank.',
  challengeFrame: 'Your bank’s security check',
  cardFrame: 'Card details',
  awaiting: 'Waiting for confirmation…',
  awaitingHint: 'This page updates by itself once the payment is confirmed.',
  continueAt: 'Continue to {method}',
  chooseAnother: 'Use another method',
  reconnecting: 'Connection lost. Reconnecting…',
  succeeded: 'Payment received. Thank you!',
  failed: 'The payment did not go through.',
  tryAnother: 'Try another method',
  expired: 'This checkout has expired.',
  expiredHint: 'If you paid just now, this page will update by itself.',
  canceled: 'This checkout was canceled.',
  startAgainHint: 'Please return to the shop and start again.',
  notPaid: 'This payment has not been made.',
  goBack: 'Go back',
  cardUnsupported: 'Card payments are not supported in this version.',
  returnToShop: 'Return to {merchant}',
  'error.generic': 'Something went wrong. Please try again.',
  'error.network': 'Could not reach the payment server. Check your connection and try again.',
  'error.timeout': 'The payment server took too long to answer. Please try again.',
  'error.unauthorized': 'This checkout link is not valid.',
  'error.not_found': 'This checkout does not exist.',
  'error.invalid_config': 'This checkout is not set up correctly.',
  'error.session_closed': 'This checkout is closed.',
  'error.method_unavailable': 'This payment method is not available right now. Choose another.',
  'error.amount_out_of_range': 'This payment method does not accept this amount. Choose another.',
  'error.provider_unavailable': 'The payment provider is not responding. Try again or choose another method.',
  'error.provider_declined': 'The payment provider declined this payment. Choose another method.',
  'error.invalid_request': 'Some details are not valid. Check them and try again.',
  'error.wallet_canceled': 'The payment was not confirmed in the app. You can try again.',
  'error.wallet_unavailable': 'The app could not open the payment. Choose another method.',
  posScan: 'Scan the buyer’s payment code.',
  posCode: 'Payment code',
  posCamera: 'Scan with camera',
  posCharge: 'Charge {amount}',
  posCodeInvalid: 'Enter the 16 to 24 digits under the buyer’s barcode.',
  posCodeUsed: 'This code was already used. Ask the buyer to refresh it.',
  posConfirming: 'Waiting for the buyer to confirm (PIN)…',
  posConfirmingHint: 'The buyer may need to enter their PIN in the wallet app.',
  posScanAgain: 'Scan again',
  'brand.wechat': 'WeChat Pay',
  'brand.alipay': 'Alipay',
  'brand.unionpay': 'UnionPay',
  'brand.thaiqr': 'Thai QR',
  'brand.truemoney': 'TrueMoney',
  'brand.promptpay': 'PromptPay',
  'brand.card': 'Card',
  'brand.khqr': 'KHQR',
  // Why an attempt failed (`failure.code` from the BFF), shown after `failed`.
  'failure.declined': 'It was declined by the bank or wallet.',
  'failure.expired': 'The payment request expired before it was paid.',
  'failure.amount_mismatch': 'The amount paid did not match this order. Please contact {merchant} before paying again.',
  'failure.provider_unavailable': 'The payment provider could not be reached.',
  'failure.provider_rejected': 'The payment provider refused it.',
  'failure.not_found': 'The payment provider has no record of it.',
} as const;

export type MessageKey = keyof typeof en;
export type Table = Partial<Record<MessageKey, string>> & { readonly [key: string]: string | undefined };

/** The languages the widget speaks, by the tag of their table. */
export const LOCALES = ['en', 'zh-Hans', 'zh-Hant', 'th', 'vi', 'id', 'ms', 'km', 'ja', 'ko', 'ar'] as const;
export type Locale = (typeof LOCALES)[number];

export const english: Table = en;

/** Loads a table other than English; the npm build and the script-tag bundle each set their own. */
export type LocaleLoader = (locale: Exclude<Locale, 'en'>) => Promise<Table>;

let loader: LocaleLoader | null = null;
const loaded = new Map<Locale, Promise<Translator>>();

export function setLocaleLoader(next: LocaleLoader | null): void {
  loader = next;
  loaded.clear();
}

export interface Translator {
  /** The tag of the table in use (`en`, `th`, `zh-Hant`), for the `lang` attribute. */
  readonly locale: Locale;
  /** `rtl` for Arabic. */
  readonly dir: 'ltr' | 'rtl';
  (key: MessageKey, params?: Readonly<Record<string, string>>): string;
  /** A dynamic key: the locale's text, else English, else `undefined`. */
  maybe(key: string, params?: Readonly<Record<string, string>>): string | undefined;
}

/** The table for one BCP 47 tag, or null when the widget does not speak that language. */
export function localeOf(tag: string): Locale | null {
  const parts = tag.trim().toLowerCase().split(/[-_]/);
  const language = parts[0] ?? '';
  if (language === 'zh') {
    // Script first (zh-Hant-CN is Traditional), then the regions that write Traditional.
    if (parts.includes('hant') || parts.some((part) => part === 'tw' || part === 'hk' || part === 'mo')) {
      return 'zh-Hant';
    }
    return 'zh-Hans';
  }
  // `in` is the code Indonesian had before 1989; old Android phones still send it.
  if (language === 'in') return 'id';
  return (LOCALES as readonly string[]).includes(language) ? (language as Locale) : null;
}

/** The first of `tags` (most wanted first) the widget speaks, else English. */
export function resolveLocale(tags: readonly (string | null | undefined)[]): Locale {
  for (const tag of tags) {
    const locale = tag ? localeOf(tag) : null;
    if (locale) return locale;
  }
  return 'en';
}

/** A translator over `table` (English when none), falling back to English key by key. */
export function translator(locale: Locale = 'en', table: Table = en): Translator {
  const lookup = (key: string, params?: Readonly<Record<string, string>>) => {
    const text = table[key] ?? english[key];
    return text === undefined ? undefined : fill(text, params);
  };
  const t = ((key: MessageKey, params?: Readonly<Record<string, string>>) => lookup(key, params) ?? key) as Translator;
  Object.defineProperties(t, { locale: { value: locale }, dir: { value: locale === 'ar' ? 'rtl' : 'ltr' } });
  t.maybe = lookup;
  return t;
}

/** The translator for a locale, once its table has loaded; English when it cannot be loaded. */
export function loadTranslator(locale: Locale): Promise<Translator> {
  if (locale === 'en' || !loader) return Promise.resolve(translator('en'));
  let pending = loaded.get(locale);
  if (!pending) {
    pending = loader(locale).then(
      (table) => translator(locale, table),
      () => {
        loaded.delete(locale);
        return translator('en');
      },
    );
    loaded.set(locale, pending);
  }
  return pending;
}

function fill(text: string, params: Readonly<Record<string, string>> | undefined): string {
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => params[name] ?? whole);
}
