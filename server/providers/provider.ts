/**
 * The one interface every payment provider implements. Object in, object out: an adapter takes
 * Tender's types, speaks its provider's wire protocol, and hands back Tender's types. Raw provider
 * payloads and messages never leave the adapter; failures are thrown as `ProviderError` with a code
 * from the closed set below (the message is for logs, never for a browser).
 */
import type {
  AppAction,
  CardTokenizer,
  ChallengeAction,
  ClientContext,
  FieldSpec,
  MethodBrand,
  MethodId,
  MethodKind,
  RedirectAction,
} from '../../widget/wire.ts';
import type { Hono } from 'hono';
import type { z } from 'zod';
import type { Money } from '../domain/money.ts';
import { LIMITS } from '../limits.ts';
import { AnswerError, fetchBounded, jsonNestingExceeds } from './http.ts';

/** A provider's id as registered in `registry.ts` (`ottpay`, `kesspay`, …): the prefix of its method ids. */
export type ProviderId = string;

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
  | 'invalid_signature'
  /** The account's balance cannot cover the operation (a payout, a refund). */
  | 'insufficient_funds'
  /** The provider refused the operation for a reason of its own (a refund window closed, say). */
  | 'refused'
  /** The provider cannot do this at all (no refund API, no pay-in). */
  | 'unsupported';

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

/** Where an adapter writes what an operator should know; never shown to a browser. */
export interface ProviderLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/**
 * A small in-process cache for what an adapter may keep between calls (access tokens, currency
 * limits, bank lists), each entry with its own lifetime. `getOrLoad` shares one load among callers
 * that ask at the same time, and keeps nothing when the load fails.
 */
export interface ProviderCache {
  getOrLoad<T>(key: string, ttlMs: number, load: () => Promise<T>): Promise<T>;
  delete(key: string): void;
}

/** What an adapter needs from its surroundings; injected so tests control time and the network. */
export interface ProviderContext {
  fetch: typeof fetch;
  now: () => Date;
  /** Deadline for a whole call to the provider: from sending the request to the answer's last byte. */
  timeoutMs: number;
  cache: ProviderCache;
  log: ProviderLogger;
  /** Largest answer body read; `LIMITS.providerAnswerBytes` when absent. */
  maxAnswerBytes?: number;
  /** Longest wait for the answer's headers (capped by `timeoutMs`); `LIMITS.providerFirstByteMs` when absent. */
  firstByteMs?: number;
}

/** A `ProviderCache` in process memory, on the context's clock. */
export function memoryCache(now: () => Date = () => new Date()): ProviderCache {
  const entries = new Map<string, { value: Promise<unknown>; expires: number }>();
  return {
    getOrLoad<T>(key: string, ttlMs: number, load: () => Promise<T>): Promise<T> {
      const hit = entries.get(key);
      if (hit && hit.expires > now().getTime()) return hit.value as Promise<T>;
      const value = load();
      entries.set(key, { value, expires: now().getTime() + ttlMs });
      value.catch(() => {
        if (entries.get(key)?.value === value) entries.delete(key);
      });
      return value;
    },
    delete(key: string): void {
      entries.delete(key);
    },
  };
}

/** A logger that drops everything, for tests and tools that have nothing to say. */
export const silentLogger: ProviderLogger = { info() {}, warn() {}, error() {} };

export interface OfferInput {
  money: Money;
  customer: Customer;
}

/** A method the provider can take for the given money, with the fields the shopper must fill in. */
export interface MethodOffer {
  method: MethodId;
  label: string;
  kind: MethodKind;
  brand?: MethodBrand;
  fields: FieldSpec[];
  /** An approximate amount in the currency the wallet shows, for information (OTT Pay: CNY). */
  estimate?: Money | null;
  /** For `card` methods: where the card fields are served from. */
  tokenizer?: CardTokenizer | null;
  /** The method can charge a buyer's payment code scanned at a till. */
  buyerCode?: boolean;
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
  /** Where the shopper is (phone, a wallet's in-app browser), so the adapter can pick its flow. */
  client?: ClientContext | null;
  /** A buyer's payment code scanned at a till: the adapter charges it at once (KessPay QUICK PAY). */
  buyerCode?: string | null;
}

export type ProviderAction =
  | { type: 'qr'; content: string; deepLink: string | null; expiresAt?: Date }
  | RedirectAction
  | AppAction
  | ChallengeAction
  | { type: 'none' };

export interface CreatePaymentResult {
  action: ProviderAction;
  /**
   * What the provider already knows (a buyer-code charge can be final at once, or wait for the
   * buyer's PIN). Absent means pending; a claim of success is still confirmed by `queryPayment`.
   */
  state?: PaymentState;
  /** When Tender must give the payment up, if sooner than the session's end (a till charge: 45 s). */
  expiresAt?: Date;
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

/**
 * A callback whose signature checked out. It is only a claim until the provider is asked
 * (`queryPayment`, `queryRefund`, `queryPayout`). It carries the answer the provider expects once
 * Tender has taken it in.
 */
export interface VerifiedNotification {
  kind: 'payment' | 'refund' | 'payout';
  /** The payment's order id (for a refund: the refunded payment's), or the payout's. */
  orderId: string;
  /** For `refund`: Tender's refund id, when the provider echoes it. */
  refundId?: string | null;
  claimed: PaymentState;
  money: Money | null;
  /** Stable for redeliveries of the same callback, so duplicates can be recognised. */
  dedupeKey: string;
  ack: NotificationAck;
  /**
   * Set when the callback names the order only by the provider's own payment id, so the signature
   * could not be checked against Tender's order id yet: the caller finds the attempt by
   * `providerPaymentId` and accepts the callback only if `authenticate(attempt's order id)` holds.
   */
  providerPaymentId?: string;
  authenticate?: (orderId: string) => boolean;
}

/** How the provider expects a callback to be acknowledged. */
export interface NotificationAck {
  status: 200;
  body: string;
  contentType: string;
}

/** Where a payout goes: a bank account (One1Pay) or a crypto wallet (USDT networks). */
export type PayoutDestination =
  | { type: 'bank'; bankId: string; bankBranch: string | null; holderName: string; accountNumber: string }
  | { type: 'wallet'; network: string; address: string };

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
  destination: PayoutDestination;
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
  /**
   * How often to ask about a pending payment, by its age; providers that never call back
   * (KessPay) ask often at first. Absent: the reconciler's default schedule.
   */
  pollDelayMs?(ageMs: number): number;
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
 * Calls the provider and reads its whole answer within the context's limits (size, time to the
 * headers, time to the last byte). Adapters use this for every request, so a hung, slow or huge answer
 * cannot hang a shopper or exhaust the BFF. The Response returned holds its body in memory already.
 *
 * Mapping: no answer in time, a broken connection or a 5xx is `unavailable` (worth retrying); an
 * answer over the size limit is `bad_response`.
 */
export async function providerFetch(
  provider: ProviderId,
  ctx: ProviderContext,
  url: string,
  init: RequestInit,
): Promise<Response> {
  const where = new URL(url).pathname;
  let response: Response;
  try {
    response = await fetchBounded(ctx.fetch, url, init, {
      maxBytes: ctx.maxAnswerBytes ?? LIMITS.providerAnswerBytes,
      firstByteMs: Math.min(ctx.firstByteMs ?? LIMITS.providerFirstByteMs, ctx.timeoutMs),
      totalMs: ctx.timeoutMs,
    });
  } catch (cause) {
    const reason = cause instanceof AnswerError ? cause : null;
    const serverError = (reason?.status ?? 0) >= 500;
    if (reason?.reason === 'too_large' && !serverError) {
      throw new ProviderError(provider, 'bad_response', `${where}: ${reason.message}`, { cause });
    }
    const detail = reason ? `: ${reason.message}` : '';
    throw new ProviderError(provider, 'unavailable', `request to ${where} failed${detail}`, { cause });
  }
  if (response.status >= 500) {
    throw new ProviderError(provider, 'unavailable', `HTTP ${response.status} from ${where}`);
  }
  return response;
}

/**
 * The body of an answer from `providerFetch` as text that is about to be parsed as JSON: nesting
 * deeper than `maxDepth` is `bad_response` before any parser sees it. For providers whose JSON needs
 * a lenient parser; the others use `readJson`.
 */
export async function readJsonText(
  provider: ProviderId,
  response: Response,
  { maxDepth = LIMITS.providerAnswerDepth }: { maxDepth?: number } = {},
): Promise<string> {
  let text: string;
  try {
    text = await response.text();
  } catch (cause) {
    // The body stopped coming (the connection was cut after the headers): as unavailable as no answer.
    throw new ProviderError(provider, 'unavailable', `HTTP ${response.status} with a body that did not arrive`, {
      cause,
    });
  }
  if (jsonNestingExceeds(text, maxDepth)) {
    throw new ProviderError(
      provider,
      'bad_response',
      `HTTP ${response.status} with JSON nested deeper than ${maxDepth}`,
    );
  }
  return text;
}

/** Reads a body as JSON (see `readJsonText` for the depth limit), mapping anything unreadable to `bad_response`. */
export async function readJson(
  provider: ProviderId,
  response: Response,
  options: { maxDepth?: number } = {},
): Promise<unknown> {
  const text = await readJsonText(provider, response, options);
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new ProviderError(provider, 'bad_response', `HTTP ${response.status} with a body that is not JSON`, {
      cause,
    });
  }
}

/** A method a provider can offer, as its descriptor lists it. */
export interface MethodDescriptor {
  id: MethodId;
  /** English name; the widget shows a translation of `brand` where it has one. */
  label: string;
  brand: MethodBrand;
  kind: MethodKind;
}

/** What a simulator is built from: the adapter's options, read the other way round. */
export interface SimulatorInput<Options> {
  options: Options;
  /** Where the simulator is reachable, e.g. `http://localhost:8787/sandbox/kesspay`. */
  publicUrl: string;
  merchantName: string;
  /** For callbacks; inside a BFF it may only reach that BFF. */
  fetch: typeof fetch;
}

/**
 * Everything Tender knows of a provider, in its own folder (`server/providers/<id>/index.ts`) and
 * registered by one line in `registry.ts`. Nothing outside the folder names the provider.
 */
export interface ProviderDescriptor<Id extends string = string, Schema extends z.ZodType = z.ZodType> {
  id: Id;
  /** The provider's name for people ("OTT Pay"). */
  name: string;
  methods: readonly MethodDescriptor[];
  /** Currencies the provider can take at all; `null` when its account decides (one currency per account). */
  currencies: readonly string[] | null;
  /** `providers.<id>` in the configuration; its messages name the field. */
  options: Schema;
  create(options: z.output<Schema>, ctx: ProviderContext): Provider;
  sandbox: {
    /**
     * The credentials both sides use in the sandbox (they open nothing real; they let the simulator
     * be as strict as the provider about wrong ones); `baseUrl` is added by the caller.
     */
    credentials(): Partial<z.input<Schema>>;
    simulator(input: SimulatorInput<z.output<Schema>>): Hono;
  };
}

/** Keeps a descriptor's literal id and option types when it is declared. */
export function defineProvider<const Id extends string, Schema extends z.ZodType>(
  descriptor: ProviderDescriptor<Id, Schema>,
): ProviderDescriptor<Id, Schema> {
  return descriptor;
}
