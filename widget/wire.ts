/**
 * The browser side of Tender's HTTP contract: the shapes the BFF sends to the checkout element.
 * Types only — both `widget/` and `server/` import this module, so it must never hold code.
 * Field names are a contract (the README documents them); fields may be added, never renamed.
 */

/** Session lifecycle. `failed` means the latest attempt failed; the shopper may try again until expiry. */
export type SessionStatus =
  'open' | 'pending' | 'succeeded' | 'failed' | 'expired' | 'canceled' | 'partially_refunded' | 'refunded';

export type AttemptStatus = 'requires_action' | 'pending' | 'succeeded' | 'failed' | 'expired' | 'canceled';

/**
 * How a method is paid: a QR code to scan, a page to visit, a wallet inside the app the shopper is in,
 * card fields from the provider's tokenizer, or nothing to do in the browser.
 */
export type MethodKind = 'qr' | 'redirect' | 'app' | 'card' | 'none';

/**
 * Method ids are namespaced by provider (`ottpay.wechat`, `kesspay.alipay`, `sansan.card`, …). The set
 * grows with the providers the BFF is configured with, so the widget treats ids as opaque.
 */
export type MethodId = `${string}.${string}`;

/**
 * The wallet or scheme behind a method, for its logo and its translated name (`wechat`, `alipay`,
 * `unionpay`, `thaiqr`, `truemoney`, `card`); unknown brands fall back to the method's `label`.
 */
export type MethodBrand = string;

export interface FieldOption {
  value: string;
  label: string;
  /** The option's name in other languages, by the widget's locale tags, where the provider's module knows it. */
  labels?: Record<string, string>;
}

/** A value the shopper must supply before an attempt can be made (One1Pay's bank details, say). */
export interface FieldSpec {
  name: string;
  type: 'text' | 'select' | 'email' | 'tel';
  required: boolean;
  /** Key into the widget's translation table; the widget falls back to `labels`, then `name`. */
  label?: string;
  /**
   * The field's name in each language its provider's module knows, by the widget's locale tags
   * (`en`, `th`, `zh-Hans`, …), for fields the widget's own table does not hold: a new provider
   * brings its fields' names with it.
   */
  labels?: Record<string, string>;
  options?: FieldOption[];
  maxLength?: number;
  /** A regular expression the whole value must match (checked on the server too). */
  pattern?: string;
  /** `numeric` shows a number keyboard on phones. */
  inputMode?: 'text' | 'numeric' | 'tel' | 'email';
  /** An `autocomplete` token for the browser. */
  autocomplete?: string;
}

export interface MethodView {
  id: MethodId;
  provider: string;
  kind: MethodKind;
  /** English name, used when the widget has no translation for `brand`. */
  label: string;
  brand?: MethodBrand;
  fields: FieldSpec[];
  /** An approximate amount in another currency the wallet will show (OTT Pay: CNY), for information. */
  estimate?: { amount: string; currency: string } | null;
  /** For `card` methods: the provider's tokenizer, loaded in a frame from its own origin. */
  tokenizer?: CardTokenizer | null;
  /** The method can take a buyer's payment code scanned at a till (`mode="pos"`). */
  buyerCode?: boolean;
}

/**
 * Card fields live in a frame served by the tokenizer's origin, so card numbers never reach the
 * merchant's page or the BFF. The frame posts `{ type: 'tender-card-token', fields }` to its parent
 * once the shopper submits; those `fields` (tokens, never card numbers) go in the attempt.
 */
export interface CardTokenizer {
  url: string;
  origin: string;
  /** The names of the fields the frame posts (tokens, the holder's name), accepted in the attempt. */
  fields?: string[];
}

/** A QR matrix encoded on the server: `path` is an SVG path over a `size`×`size` grid of modules. */
export interface QrModules {
  size: number;
  path: string;
}

export interface QrAction {
  type: 'qr';
  /** The text the QR code encodes. */
  content: string;
  modules: QrModules;
  expiresAt: string;
  deepLink: string | null;
}

export interface RedirectAction {
  type: 'redirect';
  url: string;
  method: 'GET' | 'POST';
  fields: Record<string, string>;
}

export interface CardAction {
  type: 'card';
  tokenizerUrl: string;
}

/** Pay inside the wallet app the shopper is in (WeChat JSAPI: `WeixinJSBridge` `getBrandWCPayRequest`). */
export interface AppAction {
  type: 'app';
  wallet: 'wechat' | 'alipay';
  /** Handed to the wallet's bridge as they are. */
  params: Record<string, string>;
}

/** 3-D Secure: the issuer's page, shown in a frame in place, or reached by a full-page redirect. */
export interface ChallengeAction {
  type: 'challenge';
  display: 'frame' | 'redirect';
  url: string;
  method: 'GET' | 'POST';
  fields: Record<string, string>;
}

export interface NoAction {
  type: 'none';
}

export type Action = QrAction | RedirectAction | AppAction | ChallengeAction | CardAction | NoAction;

/** Why an attempt failed, in words fit for a shopper (never a raw provider message). */
export interface AttemptFailure {
  code: string;
  message: string;
}

export interface AttemptView {
  id: string;
  method: MethodId;
  status: AttemptStatus;
  action: Action | null;
  failure: AttemptFailure | null;
  /** The BFF's clock when it answered (on `POST …/attempts`), so a phone with a wrong clock can correct for it. */
  serverTime?: string;
}

export interface CheckoutView {
  id: string;
  status: SessionStatus;
  /** Decimal string in the currency's major unit, e.g. "100.00". */
  amount: string;
  currency: string;
  merchant: { name: string };
  description: string | null;
  expiresAt: string;
  returnUrl: string | null;
  methods: MethodView[];
  attempt: AttemptView | null;
  /** The BFF's clock when it answered: compare `expiresAt` times with this, not with the device's clock. */
  serverTime: string;
}

export interface CreateAttemptBody {
  method: MethodId;
  fields?: Record<string, string>;
  /** Where the shopper is, so the BFF can pick the provider's flow for it (H5 on phones, JSAPI in WeChat). */
  client?: ClientContext;
  /** A buyer's payment code scanned at a till (`mode="pos"`); the BFF charges it at once. */
  buyerCode?: string;
}

export interface ClientContext {
  device: 'desktop' | 'phone';
  /** The wallet app whose in-app browser the page runs in, if any. */
  inApp?: 'wechat' | 'alipay' | null;
  /** WeChat's id of the shopper for this merchant's official account, needed by JSAPI. */
  openId?: string | null;
}

/**
 * Besides `status`, the stream sends `event: ready` on connect with `data: {"heartbeatMs": N}` and
 * `event: ping` (`data: {}`) every N ms while idle, so a client can tell a silent, dead connection
 * from a quiet one and reconnect.
 */
export interface StreamReady {
  heartbeatMs: number;
}

/** One event of the per-session log, as sent over SSE (`event: status`, `id: <seq>`). */
export interface StatusEvent {
  seq: number;
  status: SessionStatus;
  attempt: { id: string; status: AttemptStatus; failure: AttemptFailure | null } | null;
  at: string;
}

export interface ErrorBody {
  error: { code: string; message: string; requestId: string };
}

/**
 * What anyone holding a session's link may see of it, without the client secret
 * (`GET /v1/checkout/:id/outcome`): the merchant, the amount, whether it was paid, and the way back
 * to the merchant. The hosted page shows it when opened in another browser or a wallet's in-app
 * browser after paying there.
 */
export interface CheckoutOutcome {
  merchant: { name: string };
  /** Decimal string in the currency's units, as in `CheckoutView`. */
  amount: string;
  currency: string;
  /** `paid` includes refunded sessions; `not_paid` is a session still open, pending or failed. */
  status: 'paid' | 'not_paid' | 'expired' | 'canceled';
  returnUrl: string | null;
}
