/**
 * The browser side of Tender's HTTP contract: the shapes the BFF sends to the checkout element.
 * Types only — both `widget/` and `server/` import this module, so it must never hold code.
 * Field names are a contract (DESIGN.md, "Wire shapes"); fields may be added, never renamed.
 */

/** Session lifecycle. `failed` means the latest attempt failed; the shopper may try again until expiry. */
export type SessionStatus =
  'open' | 'pending' | 'succeeded' | 'failed' | 'expired' | 'canceled' | 'partially_refunded' | 'refunded';

export type AttemptStatus = 'requires_action' | 'pending' | 'succeeded' | 'failed' | 'expired' | 'canceled';

export type MethodKind = 'qr' | 'redirect' | 'card' | 'none';

export type MethodId =
  | 'ottpay.wechat'
  | 'ottpay.alipay'
  | 'ottpay.unionpay'
  | 'kesspay.wechat'
  | 'kesspay.alipay'
  | 'one1pay.thaiqr'
  | 'one1pay.truemoney'
  | 'sansan.card';

export interface FieldOption {
  value: string;
  label: string;
}

/** A value the shopper must supply before an attempt can be made (One1Pay's bank details, say). */
export interface FieldSpec {
  name: string;
  type: 'text' | 'select' | 'email' | 'tel';
  required: boolean;
  /** Key into the widget's translation table; the widget falls back to `name`. */
  label?: string;
  options?: FieldOption[];
  maxLength?: number;
}

export interface MethodView {
  id: MethodId;
  provider: string;
  kind: MethodKind;
  label: string;
  fields: FieldSpec[];
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

export interface NoAction {
  type: 'none';
}

export type Action = QrAction | RedirectAction | CardAction | NoAction;

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
