/**
 * The one interface every payment provider implements. Object in, object out: an adapter takes
 * Tender's types, speaks its provider's wire protocol, and hands back Tender's types. Raw provider
 * payloads and messages never leave the adapter; failures are thrown as `ProviderError` with a code
 * from the closed set below (the message is for logs, never for a browser).
 */
import type { FieldSpec, MethodId, MethodKind, RedirectAction } from '../../widget/wire.ts';
import type { Money } from '../domain/money.ts';

export type ProviderId = 'one1pay' | 'ottpay' | 'kesspay' | 'sansan' | 'payotc365';

export type ProviderErrorCode =
  /** The provider rejected what we sent (missing or malformed field). */
  | 'invalid_request'
  /** Our credentials were refused. */
  | 'authentication'
  /** The order id was used before. */
  | 'duplicate_order'
  /** The amount is outside what the provider accepts for this currency. */
  | 'amount_out_of_range'
  /** The provider refused the payment itself. */
  | 'declined'
  /** The provider does not know the order. */
  | 'not_found'
  /** Network failure, timeout or a 5xx: worth retrying later. */
  | 'unavailable'
  /** The answer could not be read or failed its integrity check. */
  | 'bad_response'
  /** A callback failed verification. */
  | 'invalid_signature';

export class ProviderError extends Error {
  override name = 'ProviderError';
  constructor(
    readonly provider: ProviderId,
    readonly code: ProviderErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${provider}: ${message}`, options);
  }

  /** Whether the same call may succeed later without any change on our side. */
  get retryable(): boolean {
    return this.code === 'unavailable';
  }
}

/** Shopper details the merchant may pass on session create; adapters ask only for what is missing. */
export interface Customer {
  email?: string;
  phone?: string;
  name?: string;
}

/** What an adapter needs from its surroundings; injected so tests control time and the network. */
export interface ProviderContext {
  fetch: typeof fetch;
  now: () => Date;
  /** Per-request timeout for calls to the provider. */
  timeoutMs: number;
}

export interface OfferInput {
  money: Money;
  customer: Customer;
}

/** A method the provider can take for the given money, with the fields the shopper must fill in. */
export interface MethodOffer {
  method: MethodId;
  label: string;
  kind: MethodKind;
  fields: FieldSpec[];
}

export interface CreatePaymentInput {
  /** Tender's order id for this attempt, sent to the provider; deterministic per attempt. */
  orderId: string;
  method: MethodId;
  money: Money;
  description: string | null;
  customer: Customer;
  /** Values for the offer's `fields`, already checked as present. */
  fields: Record<string, string>;
  /** Where the provider must send its callback (`/v1/notify/:provider`). */
  notifyUrl: string;
  /** Where a redirect flow must send the shopper back to. */
  returnUrl: string;
  /** When Tender will stop waiting for this attempt. */
  expiresAt: Date;
}

export type ProviderAction =
  { type: 'qr'; content: string; deepLink: string | null; expiresAt?: Date } | RedirectAction;

export interface CreatePaymentResult {
  action: ProviderAction;
  /** The provider's own id for the payment, when it gives one. */
  providerPaymentId: string | null;
}

/** Tender's reading of a provider's status, from one exhaustive switch per adapter. */
export type PaymentState = 'pending' | 'succeeded' | 'failed' | 'expired';

export interface QueryPaymentInput {
  orderId: string;
  method: MethodId;
  money: Money;
}

export interface PaymentStatus {
  state: PaymentState;
  /** What the provider says was paid; compared with the attempt before money counts. */
  money: Money | null;
  providerPaymentId: string | null;
}

export interface NotificationInput {
  rawBody: string;
  contentType: string | null;
}

/** A callback whose signature checked out. It is only a claim until `queryPayment` confirms it. */
export interface VerifiedNotification {
  kind: 'payment' | 'payout';
  orderId: string;
  claimed: PaymentState;
  money: Money | null;
  /** Stable for redeliveries of the same callback, so duplicates can be recognised. */
  dedupeKey: string;
}

/** How the provider expects a callback to be acknowledged. */
export interface NotificationAck {
  status: 200;
  body: string;
  contentType: string;
}

export interface RefundInput {
  orderId: string;
  refundId: string;
  money: Money;
  reason: string | null;
}

export interface QueryRefundInput {
  /** The payment's order id. */
  orderId: string;
  refundId: string;
  money: Money;
  refundedBefore: Money;
}

export interface RefundResult {
  state: 'pending' | 'succeeded' | 'failed';
}

export interface PayoutInput {
  orderId: string;
  money: Money;
  bankId: string;
  bankBranch: string | null;
  holderName: string;
  accountNumber: string;
  notifyUrl: string;
}

export interface PayoutStatus {
  state: 'pending' | 'succeeded' | 'failed' | 'rejected';
  money: Money | null;
}

export interface Bank {
  id: string;
  name: string;
  currency: string;
}

export interface Provider {
  readonly id: ProviderId;
  /** The methods this provider can take for the money, with their fields; [] when none fit. */
  offers(input: OfferInput): Promise<MethodOffer[]>;
  createPayment(input: CreatePaymentInput): Promise<CreatePaymentResult>;
  queryPayment(input: QueryPaymentInput): Promise<PaymentStatus>;

  /** Verifies a callback (throws `invalid_signature` when it does not check out). */
  parseNotification?(input: NotificationInput): Promise<VerifiedNotification>;
  /** Required with `parseNotification`. */
  readonly notificationAck?: NotificationAck;
  refund?(input: RefundInput): Promise<RefundResult>;
  /**
   * Where a refund stands. `refundedBefore` is what Tender knows was refunded on the order before this
   * one, for providers that only report a running total.
   */
  queryRefund?(input: QueryRefundInput): Promise<RefundResult>;
  payout?(input: PayoutInput): Promise<PayoutStatus>;
  queryPayout?(input: { orderId: string; currency: string }): Promise<PayoutStatus>;
  balance?(currency: string): Promise<Money>;
  banks?(input: { currency: string; purpose: 'deposit' | 'withdrawal' }): Promise<Bank[]>;
}

/**
 * Calls `fetch` with the context's timeout and maps network failures to `unavailable`.
 * Adapters use this for every request so a hung provider cannot hang a shopper.
 */
export async function providerFetch(
  provider: ProviderId,
  ctx: ProviderContext,
  url: string,
  init: RequestInit,
): Promise<Response> {
  let response: Response;
  try {
    response = await ctx.fetch(url, { ...init, signal: AbortSignal.timeout(ctx.timeoutMs) });
  } catch (cause) {
    throw new ProviderError(provider, 'unavailable', `request to ${new URL(url).pathname} failed`, { cause });
  }
  if (response.status >= 500) {
    throw new ProviderError(provider, 'unavailable', `HTTP ${response.status} from ${new URL(url).pathname}`);
  }
  return response;
}

/** Reads a response body as JSON, mapping anything unreadable to `bad_response`. */
export async function readJson(provider: ProviderId, response: Response): Promise<unknown> {
  let text: string;
  try {
    text = await response.text();
  } catch (cause) {
    // The body stopped coming (the request's timeout fired while it trickled, or the connection
    // was cut after the headers): as unavailable as no answer at all.
    throw new ProviderError(provider, 'unavailable', `HTTP ${response.status} with a body that did not arrive`, {
      cause,
    });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new ProviderError(provider, 'bad_response', `HTTP ${response.status} with a body that is not JSON`, {
      cause,
    });
  }
}
