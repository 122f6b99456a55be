/**
 * The checkout service: every change to a session goes through here. It turns merchant and shopper
 * requests, provider callbacks and reconciler findings into atomic store commits, each of which
 * appends one event to the session's log and wakes the SSE streams.
 */
import type { AttemptFailure, AttemptStatus, MethodId, MethodView, SessionStatus } from '../../widget/wire.ts';
import type { Config } from '../config.ts';
import type { ProviderRegistry } from '../providers/index.ts';
import { providerOfMethod } from '../providers/index.ts';
import {
  ProviderError,
  type Customer,
  type NotificationAck,
  type NotificationInput,
  type PaymentState,
  type PaymentStatus,
  type ProviderErrorCode,
  type ProviderId,
  type RefundResult,
  type VerifiedNotification,
} from '../providers/provider.ts';
import {
  ConflictError,
  type AttemptRecord,
  type SessionChange,
  type RefundRecord,
  type SessionRecord,
  type Store,
  type WebhookRecord,
} from '../store/store.ts';
import type { Clock } from './clock.ts';
import { asDomainError, DomainError } from './errors.ts';
import type { EventHub } from './events.ts';
import { newAttemptId, newClientSecret, newRefundId, newSessionId, newWebhookId, sha256Hex } from './ids.ts';
import type { Logger } from './log.ts';
import { formatDecimal, moneyOf, sameMoney, type Money } from './money.ts';
import { encodeQr } from './qr.ts';
import { KeyedSerial } from './serial.ts';
import { acceptsAttempts, canTransition, hasSucceeded, isAttemptLive } from './session.ts';

export interface CheckoutDeps {
  config: Config;
  store: Store;
  providers: ProviderRegistry;
  hub: EventHub;
  clock: Clock;
  log: Logger;
  /** Handles a verified payout callback (confirming it with the provider); payouts live apart from sessions. */
  onPayoutNotification?: (provider: ProviderId, notification: VerifiedNotification) => Promise<void>;
}

export interface CreateSessionInput {
  money: Money;
  reference: string;
  description: string | null;
  returnUrl: string | null;
  customer: Customer;
  methods: MethodId[] | null;
  expiresInSeconds: number | null;
}

export interface CreateAttemptInput {
  method: MethodId;
  fields: Record<string, string>;
}

/** Session statuses the merchant hears about by webhook. */
const WEBHOOK_STATUSES: ReadonlySet<SessionStatus> = new Set([
  'succeeded',
  'failed',
  'expired',
  'canceled',
  'partially_refunded',
  'refunded',
]);

/**
 * How long after an attempt expires Tender keeps asking the provider, to catch late payments (a QR
 * code may stay payable at the provider well after Tender stopped showing it).
 */
export const LATE_PAYMENT_WINDOW_MS = 24 * 3600_000;

/** After an attempt expires its checks are at least this far apart (seconds). */
const LATE_CHECK_MIN_DELAY_S = 15 * 60;

/** While the provider cannot answer, Tender keeps asking (hourly at most) for this long past expiry. */
const ERROR_RETRY_WINDOW_MS = 7 * 24 * 3600_000;

/** A refund is first checked this long after it is recorded (in case its create never finished). */
const REFUND_FIRST_CHECK_MS = 60_000;

/** How long Tender keeps asking about a refund whose outcome is unknown before a person must look. */
const REFUND_CHECK_WINDOW_MS = 7 * 24 * 3600_000;

/** Provider answers to a refund that prove nothing was sent back. */
const REFUND_REFUSALS: ReadonlySet<ProviderErrorCode> = new Set([
  'declined',
  'invalid_request',
  'amount_out_of_range',
  'authentication',
]);

/** How long the checkout view waits for one provider to say which methods it takes. */
const OFFERS_TIMEOUT_MS = 4000;

/** Reconciler back-off: seconds to wait before the n-th check of a pending attempt. */
const CHECK_DELAYS_S = [5, 5, 10, 15, 30, 60, 120, 300];

/** What the shopper reads when an attempt fails; provider wording never reaches them. */
const FAILURE_MESSAGES = {
  declined: 'The payment was declined.',
  expired: 'The payment code expired before it was paid.',
  amount_mismatch: 'The amount paid does not match this order. The shop has been told and will be in touch.',
  provider_unavailable: 'The payment provider could not be reached. Please try again.',
  provider_rejected: 'The payment provider could not start this payment.',
  not_found: 'The payment provider has no record of this payment.',
} as const;

type FailureCode = keyof typeof FAILURE_MESSAGES;

const failure = (code: FailureCode): AttemptFailure => ({ code, message: FAILURE_MESSAGES[code] });

export class Checkout {
  readonly #creating = new KeyedSerial();

  constructor(private readonly deps: CheckoutDeps) {}

  get config(): Config {
    return this.deps.config;
  }

  now(): Date {
    return this.deps.clock.now();
  }

  // ---- sessions -------------------------------------------------------------------------------

  async createSession(input: CreateSessionInput): Promise<SessionRecord> {
    const now = this.deps.clock.now();
    const ttl = input.expiresInSeconds ?? this.deps.config.checkout.sessionTtlSeconds;
    const id = newSessionId();
    const session: SessionRecord = {
      id,
      clientSecret: newClientSecret(id),
      amount: input.money.minor,
      currency: input.money.currency,
      reference: input.reference,
      description: input.description,
      returnUrl: input.returnUrl,
      customer: input.customer,
      methods: input.methods,
      status: 'open',
      succeededAttemptId: null,
      expiresAt: new Date(now.getTime() + ttl * 1000).toISOString(),
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
      version: 0,
    };
    await this.deps.store.createSession(session);
    return session;
  }

  /** Reads a session, first expiring it if its time is up (so no reader sees a stale `open`). */
  async loadSession(id: string): Promise<SessionRecord | null> {
    const session = await this.deps.store.getSession(id);
    if (!session) return null;
    if (acceptsAttempts(session.status) && this.isPast(session.expiresAt)) {
      return (await this.expireIfDue(id)) ?? session;
    }
    return session;
  }

  /** Expires the session if its time is up and it can still expire. Returns the session after. */
  async expireIfDue(sessionId: string): Promise<SessionRecord | null> {
    return this.change(sessionId, (session, attempts) => {
      if (!acceptsAttempts(session.status) || !this.isPast(session.expiresAt)) return null;
      const current = attempts.at(-1) ?? null;
      const now = this.nowIso();
      const live = current && isAttemptLive(current.status);
      return {
        session: { status: 'expired', updatedAt: now },
        // Only the attempt's standing in Tender changes; the reconciler keeps asking the provider
        // through the grace period, so a late payment still counts.
        attempt: live
          ? { id: current.id, patch: { status: 'expired', updatedAt: now, ...failureFields('expired') } }
          : undefined,
        event: {
          status: 'expired',
          attempt: current
            ? {
                id: current.id,
                status: live ? 'expired' : current.status,
                failure: live ? failure('expired') : attemptFailure(current),
              }
            : null,
          at: now,
        },
      };
    });
  }

  // ---- methods and attempts ---------------------------------------------------------------------

  /** The methods this session can be paid with now: enabled providers, merchant's filter, limits. */
  async methodsFor(session: SessionRecord, { only }: { only?: ProviderId } = {}): Promise<MethodView[]> {
    if (!acceptsAttempts(session.status)) return [];
    const money = moneyOf(session);
    const providers = [...this.deps.providers.values()].filter((provider) => !only || provider.id === only);
    const lists = await Promise.all(
      providers.map(async (provider) => {
        try {
          // The page waits for the slowest provider, so each gets a short deadline of its own
          // (the attempt itself, with one provider, gets the full provider timeout).
          const offers = await withTimeout(
            provider.offers({ money, customer: session.customer }),
            only ? null : OFFERS_TIMEOUT_MS,
          );
          return offers.map((offer): MethodView => ({
            id: offer.method,
            provider: provider.id,
            kind: offer.kind,
            label: offer.label,
            fields: offer.fields,
          }));
        } catch (error) {
          // A provider that cannot say what it takes is left out; the others still work.
          this.deps.log.warn('provider offers failed', { provider: provider.id, error });
          return [];
        }
      }),
    );
    const methods = lists.flat();
    return session.methods ? methods.filter((method) => session.methods!.includes(method.id)) : methods;
  }

  /**
   * Starts a payment with the chosen method. Repeating the same choice while its attempt still
   * waits returns that attempt, so a double click or a reload never makes a second provider order.
   */
  createAttempt(sessionId: string, input: CreateAttemptInput): Promise<AttemptRecord> {
    // One attempt creation per session at a time in this process, so a double tap that races past
    // the widget still finds the first attempt and reuses it instead of making a second order.
    return this.#creating.run(sessionId, () => this.#createAttempt(sessionId, input));
  }

  async #createAttempt(sessionId: string, input: CreateAttemptInput): Promise<AttemptRecord> {
    const session = await this.loadSession(sessionId);
    if (!session) throw new DomainError('not_found', 'checkout session not found');
    this.assertAcceptsAttempts(session);

    const providerId = providerOfMethod(input.method);
    const method = providerId
      ? (await this.methodsFor(session, { only: providerId })).find((candidate) => candidate.id === input.method)
      : undefined;
    if (!providerId || !method) {
      throw new DomainError('method_unavailable', `method ${input.method} is not available for this checkout`);
    }
    const fields = validateFields(method, input.fields);
    const fieldsHash = sha256Hex(JSON.stringify([input.method, Object.entries(fields).sort()]));

    const attempts = await this.deps.store.listAttempts(session.id);
    const current = attempts.at(-1);
    if (
      current &&
      current.method === input.method &&
      current.fieldsHash === fieldsHash &&
      current.status === 'requires_action' &&
      current.action &&
      !(current.expiresAt && this.isPast(current.expiresAt))
    ) {
      return current;
    }

    const provider = this.deps.providers.get(providerId)!;
    const now = this.deps.clock.now();
    const id = newAttemptId();
    const attempt: AttemptRecord = {
      id,
      sessionId: session.id,
      method: input.method,
      provider: providerId,
      providerOrderId: id,
      providerPaymentId: null,
      status: 'pending',
      action: null,
      amount: session.amount,
      currency: session.currency,
      fieldsHash,
      failureCode: null,
      failureMessage: null,
      doublePayment: false,
      expiresAt: session.expiresAt,
      // Stored before the provider is called: if this process dies mid-call, the reconciler still
      // finds the order and settles it.
      nextCheckAt: new Date(now.getTime() + 60_000).toISOString(),
      checkCount: 0,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
    };
    await this.change(session.id, (fresh) => {
      this.assertAcceptsAttempts(fresh);
      return { newAttempt: attempt };
    });

    let result;
    try {
      result = await provider.createPayment({
        orderId: attempt.providerOrderId,
        method: input.method,
        money: moneyOf(session),
        description: session.description,
        customer: { ...session.customer, ...pick(fields, ['email', 'phone', 'name']) },
        fields,
        notifyUrl: `${this.deps.config.publicUrl}/v1/notify/${providerId}`,
        // Without a merchant return URL the shopper comes back to the hosted page, by a URL that does
        // not carry the client secret: the provider must never hold it.
        returnUrl: session.returnUrl ?? `${this.deps.config.publicUrl}/pay/${session.id}`,
        expiresAt: new Date(session.expiresAt),
      });
    } catch (error) {
      const code: FailureCode =
        error instanceof ProviderError && error.retryable ? 'provider_unavailable' : 'provider_rejected';
      await this.change(session.id, () => ({
        attempt: {
          id: attempt.id,
          patch: { status: 'failed', nextCheckAt: null, updatedAt: this.nowIso(), ...failureFields(code) },
        },
      }));
      throw asDomainError(error);
    }

    const action =
      result.action.type === 'qr'
        ? {
            type: 'qr' as const,
            content: result.action.content,
            modules: encodeQr(result.action.content),
            expiresAt: minIso(result.action.expiresAt?.toISOString() ?? session.expiresAt, session.expiresAt),
            deepLink: result.action.deepLink,
          }
        : result.action;
    const expiresAt = action.type === 'qr' ? action.expiresAt : session.expiresAt;
    let closedMeanwhile = false;
    await this.change(session.id, (fresh) => {
      // The session may have been paid or expired while the provider answered: the order is kept
      // (and watched by the reconciler), but the session is not reopened for it.
      closedMeanwhile = !canTransition(fresh.status, 'pending');
      return {
        ...(closedMeanwhile ? {} : { session: { status: 'pending' as const, updatedAt: this.nowIso() } }),
        attempt: {
          id: attempt.id,
          patch: {
            status: 'requires_action',
            action,
            providerPaymentId: result.providerPaymentId,
            expiresAt,
            nextCheckAt: this.nextCheckAt(0),
            updatedAt: this.nowIso(),
          },
        },
        event: {
          status: closedMeanwhile ? fresh.status : 'pending',
          attempt: { id: attempt.id, status: 'requires_action', failure: null },
          at: this.nowIso(),
        },
      };
    });
    if (closedMeanwhile) this.assertAcceptsAttempts((await this.deps.store.getSession(session.id))!);
    return (await this.deps.store.getAttempt(attempt.id))!;
  }

  // ---- provider news ----------------------------------------------------------------------------

  /**
   * Handles a provider callback: verify it, record it (duplicates are recognised), then confirm
   * with the provider's own query before anything counts. The callback's claim is never trusted.
   */
  async handleNotification(providerId: string, input: NotificationInput): Promise<NotificationAck> {
    const provider = this.deps.providers.get(providerId as ProviderId);
    if (!provider?.parseNotification) {
      throw new DomainError('not_found', `no provider "${providerId}" takes notifications here`);
    }
    let notification;
    try {
      notification = await provider.parseNotification(input);
    } catch (error) {
      this.deps.log.warn('rejected provider notification', { provider: provider.id, error });
      throw new DomainError('invalid_notification', 'the notification could not be verified');
    }
    const fresh = await this.deps.store.recordNotification({
      provider: provider.id,
      dedupeKey: notification.dedupeKey,
      orderId: notification.orderId,
      body: input.rawBody,
      receivedAt: this.nowIso(),
    });
    if (notification.kind === 'payout') {
      if (!this.deps.onPayoutNotification) {
        this.deps.log.warn('payout notification with no payout handler', {
          provider: provider.id,
          orderId: notification.orderId,
        });
        throw new DomainError('not_found', 'unknown order');
      }
      await this.deps.onPayoutNotification(provider.id, notification);
      return notification.ack;
    }
    const attempt = await this.deps.store.findAttemptByOrder(provider.id, notification.orderId);
    if (!attempt) {
      this.deps.log.warn('notification for an unknown order', { provider: provider.id, orderId: notification.orderId });
      throw new DomainError('not_found', 'unknown order');
    }
    if (!fresh && !isAttemptLive(attempt.status) && attempt.status !== 'expired') {
      return notification.ack; // a redelivery of news already applied changes nothing
    }
    await this.reconcile(attempt, { throwIfUnavailable: true });
    return notification.ack;
  }

  /**
   * Asks the provider where an attempt stands and applies the answer. Used by the reconciler and
   * to confirm every callback. Schedules the next check while the answer may still change.
   */
  async reconcile(attempt: AttemptRecord, { throwIfUnavailable = false } = {}): Promise<void> {
    const provider = this.deps.providers.get(attempt.provider);
    if (!provider) {
      await this.deps.store.updateAttempt(attempt.id, {
        nextCheckAt: this.nextCheckAt(attempt.checkCount + 1),
        checkCount: attempt.checkCount + 1,
      });
      return;
    }
    let status: PaymentStatus;
    try {
      status = await provider.queryPayment({
        orderId: attempt.providerOrderId,
        method: attempt.method,
        money: moneyOf(attempt),
      });
    } catch (error) {
      if (error instanceof ProviderError && error.code === 'not_found' && !attempt.action) {
        // The process stopped before the provider answered the create, and the provider never
        // made the order: nothing was shown to the shopper, nothing can be paid.
        await this.applyState(attempt.id, { state: 'failed', money: null, providerPaymentId: null }, 'not_found');
        return;
      }
      // A failed query proves nothing, so it never ends the watch: keep asking, more slowly.
      const unreadable = error instanceof ProviderError && error.code === 'bad_response';
      this.deps.log[unreadable ? 'error' : 'warn']('payment status query failed', { attempt: attempt.id, error });
      const nextCheckAt = this.scheduleAfter(attempt) ?? this.retryAfterError(attempt);
      if (!nextCheckAt)
        this.deps.log.error('gave up asking about an attempt; review it by hand', { attempt: attempt.id });
      await this.deps.store.updateAttempt(attempt.id, { nextCheckAt, checkCount: attempt.checkCount + 1 });
      if (throwIfUnavailable) throw asDomainError(error);
      return;
    }
    await this.applyState(attempt.id, status);
  }

  /** Applies a confirmed provider state to an attempt and, through it, to its session. */
  private async applyState(attemptId: string, status: PaymentStatus, failureCode?: FailureCode): Promise<void> {
    const attempt = await this.deps.store.getAttempt(attemptId);
    if (!attempt) return;
    let state: PaymentState = status.state;
    let code: FailureCode | undefined = failureCode;
    if (state === 'succeeded' && !status.money) {
      // A success that does not say how much was paid proves nothing about the amount: it does not
      // count. The attempt stays as it is and is asked about again.
      this.deps.log.error('provider reports a success without an amount; not counted', { attempt: attempt.id });
      state = 'pending';
    } else if (state === 'succeeded' && status.money && !sameMoney(status.money, moneyOf(attempt))) {
      // Money arrived, but not the money asked for: it must not release goods. Flag it loudly.
      this.deps.log.error('provider reports a different amount than the attempt', {
        attempt: attempt.id,
        expected: moneyOf(attempt),
        reported: status.money,
      });
      state = 'failed';
      code = 'amount_mismatch';
    }

    await this.change(attempt.sessionId, (session, attempts) => {
      const current = attempts.find((candidate) => candidate.id === attempt.id)!;
      // The session follows the latest attempt the shopper was shown (one whose create failed at the
      // provider never had an action, so it does not count).
      const isLatest = attempts.filter((candidate) => candidate.action).at(-1)?.id === current.id;
      const now = this.nowIso();
      const checks = { checkCount: current.checkCount + 1 };

      if (state === 'pending') {
        const expiredNow =
          current.expiresAt !== null && this.isPast(current.expiresAt) && isAttemptLive(current.status);
        if (!expiredNow) {
          return { attempt: { id: current.id, patch: { ...checks, nextCheckAt: this.scheduleAfter(current) } } };
        }
        state = 'expired';
      }

      const target: AttemptStatus = state;
      const next = state === 'succeeded' || isLatePaymentPossible(state) ? this.scheduleAfter(current, state) : null;
      if (current.status === target || current.status === 'succeeded') {
        if (current.status === 'succeeded' && target !== 'succeeded') {
          this.deps.log.warn('provider reports a non-success for an attempt that succeeded', {
            attempt: current.id,
            state,
          });
        }
        return {
          attempt: { id: current.id, patch: { ...checks, nextCheckAt: current.status === 'succeeded' ? null : next } },
        };
      }

      let sessionStatus: SessionStatus = session.status;
      let doublePayment = false;
      let succeededAttemptId = session.succeededAttemptId;
      if (target === 'succeeded') {
        if (hasSucceeded(session.status)) {
          doublePayment = true; // recorded and flagged for refund, never merged or lost
          this.deps.log.error('double payment: a second attempt succeeded', {
            session: session.id,
            attempt: current.id,
          });
        } else {
          sessionStatus = 'succeeded';
          succeededAttemptId = current.id;
        }
      } else if (isLatest && session.status === 'pending') {
        sessionStatus = target === 'failed' ? 'failed' : this.isPast(session.expiresAt) ? 'expired' : 'open';
      }

      const attemptFailureValue =
        target === 'failed' ? failure(code ?? 'declined') : target === 'expired' ? failure('expired') : null;
      return {
        session: { status: sessionStatus, succeededAttemptId, updatedAt: now },
        attempt: {
          id: current.id,
          patch: {
            ...checks,
            status: target,
            doublePayment,
            providerPaymentId: status.providerPaymentId ?? current.providerPaymentId,
            failureCode: attemptFailureValue?.code ?? null,
            failureMessage: attemptFailureValue?.message ?? null,
            nextCheckAt: target === 'succeeded' ? null : next,
            updatedAt: now,
          },
        },
        event: {
          status: sessionStatus,
          attempt: { id: current.id, status: target, failure: attemptFailureValue },
          at: now,
        },
      };
    });
  }

  // ---- refunds -------------------------------------------------------------------------------------

  /**
   * Sends money back for a paid session: all that is left to refund, or `amount`. The refund is
   * recorded (and the amount reserved) before the provider is asked, so two refunds racing can never
   * refund more than was paid.
   */
  async createRefund(
    sessionId: string,
    input: { amount: Money | null; reason: string | null; id?: string },
  ): Promise<RefundRecord> {
    const session = await this.deps.store.getSession(sessionId);
    if (!session) throw new DomainError('not_found', 'session not found');
    if (input.amount && input.amount.currency !== session.currency) {
      throw new DomainError('invalid_request', `body.amount: the session is in ${session.currency}`);
    }
    const attempt = session.succeededAttemptId ? await this.deps.store.getAttempt(session.succeededAttemptId) : null;
    const provider = attempt ? this.deps.providers.get(attempt.provider) : undefined;
    if (attempt && !provider?.refund) {
      throw new DomainError('refund_unsupported', `${attempt.provider} payments cannot be refunded through Tender`);
    }

    const now = this.deps.clock.now();
    const refund: RefundRecord = {
      id: input.id ?? newRefundId(),
      sessionId: session.id,
      attemptId: attempt?.id ?? '',
      provider: attempt?.provider ?? 'ottpay',
      amount: 0,
      currency: session.currency,
      reason: input.reason,
      status: 'pending',
      failureCode: null,
      // Recorded before the provider is asked: if this process dies mid-call, the check finds it.
      nextCheckAt: new Date(now.getTime() + REFUND_FIRST_CHECK_MS).toISOString(),
      checkCount: 0,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
    };
    await this.change(session.id, (fresh, _attempts, refunds) => {
      if (!hasSucceeded(fresh.status) || fresh.status === 'refunded' || !attempt) {
        throw new DomainError('not_refundable', `this session is ${fresh.status}; only a paid session can be refunded`);
      }
      const remaining =
        fresh.amount - refunds.filter((each) => each.status !== 'failed').reduce((sum, each) => sum + each.amount, 0);
      const amount = input.amount?.minor ?? remaining;
      if (amount <= 0 || amount > remaining) {
        const left = formatDecimal({ minor: Math.max(remaining, 0), currency: fresh.currency });
        throw new DomainError('amount_out_of_range', `at most ${left} ${fresh.currency} can still be refunded`);
      }
      refund.amount = amount;
      return { newRefund: refund };
    });

    let result: RefundResult;
    try {
      result = await provider!.refund!({
        orderId: attempt!.providerOrderId,
        refundId: refund.id,
        money: { minor: refund.amount, currency: refund.currency },
        reason: refund.reason,
      });
    } catch (error) {
      if (error instanceof ProviderError && REFUND_REFUSALS.has(error.code)) {
        // The provider refused outright, so nothing was sent back: the reservation is released.
        await this.settleRefund(refund.id, session.id, 'failed', error.code);
        throw asDomainError(error);
      }
      // Anything else (no answer, an unreadable one) leaves the outcome unknown: the refund stays
      // pending and reserved, and the refund checks find out. Refunding again could pay twice.
      this.deps.log.error('refund outcome unknown; it stays pending and is checked', { refund: refund.id, error });
      return (await this.deps.store.getRefund(refund.id))!;
    }
    await this.applyRefundResult(refund.id, session.id, result);
    return (await this.deps.store.getRefund(refund.id))!;
  }

  /**
   * Asks the provider where a pending refund stands (the refund checks call this). A provider that
   * cannot be asked, or a refund still unsettled after the check window, is left pending for review.
   */
  async reconcileRefund(refund: RefundRecord): Promise<void> {
    const provider = this.deps.providers.get(refund.provider);
    const attempt = await this.deps.store.getAttempt(refund.attemptId);
    const checkCount = refund.checkCount + 1;
    const giveUp = this.deps.clock.now().getTime() - new Date(refund.createdAt).getTime() > REFUND_CHECK_WINDOW_MS;
    const later = async () => {
      const nextCheckAt = giveUp ? null : this.refundCheckAt(checkCount);
      if (!nextCheckAt)
        this.deps.log.error('refund still unsettled; review it with the provider by hand', { refund: refund.id });
      await this.change(refund.sessionId, () => ({ refund: { id: refund.id, patch: { checkCount, nextCheckAt } } }));
    };
    if (!provider?.queryRefund || !attempt) return later();
    const refunds = await this.deps.store.listRefunds(refund.sessionId);
    const before = refunds
      .filter((each) => each.id !== refund.id && each.status === 'succeeded' && each.createdAt <= refund.createdAt)
      .reduce((sum, each) => sum + each.amount, 0);
    let result: RefundResult;
    try {
      result = await provider.queryRefund({
        orderId: attempt.providerOrderId,
        refundId: refund.id,
        money: moneyOf(refund),
        refundedBefore: { minor: before, currency: refund.currency },
      });
    } catch (error) {
      this.deps.log.warn('refund status query failed', { refund: refund.id, error });
      return later();
    }
    if (result.state === 'pending') return later();
    await this.applyRefundResult(refund.id, refund.sessionId, result);
  }

  private async applyRefundResult(refundId: string, sessionId: string, result: RefundResult): Promise<void> {
    if (result.state === 'pending') {
      await this.change(sessionId, (_session, _attempts, refunds) => {
        const refund = refunds.find((each) => each.id === refundId)!;
        return { refund: { id: refundId, patch: { nextCheckAt: this.refundCheckAt(refund.checkCount) } } };
      });
      return;
    }
    await this.settleRefund(refundId, sessionId, result.state, result.state === 'failed' ? 'declined' : null);
  }

  private refundCheckAt(checkCount: number): string {
    const delay = CHECK_DELAYS_S[Math.min(checkCount, CHECK_DELAYS_S.length - 1)]!;
    return new Date(this.deps.clock.now().getTime() + delay * 1000).toISOString();
  }

  private async settleRefund(
    refundId: string,
    sessionId: string,
    state: 'succeeded' | 'failed',
    failureCode: string | null,
  ) {
    await this.change(sessionId, (session, _attempts, refunds) => {
      // A refund settles once: a late or repeated answer changes nothing.
      if (refunds.find((each) => each.id === refundId)?.status !== 'pending') return null;
      const now = this.nowIso();
      const patch = { status: state, failureCode, nextCheckAt: null, updatedAt: now };
      if (state === 'failed') return { refund: { id: refundId, patch } };
      const refunded = refunds
        .filter((each) => each.status === 'succeeded' || each.id === refundId)
        .reduce((sum, each) => sum + each.amount, 0);
      const status: SessionStatus = refunded >= session.amount ? 'refunded' : 'partially_refunded';
      return {
        session: { status, updatedAt: now },
        refund: { id: refundId, patch },
        event: { status, attempt: null, at: now },
      };
    });
  }

  // ---- helpers ------------------------------------------------------------------------------------

  /**
   * Reads the session and its attempts, builds a change and commits it; retries when another
   * writer committed first. Wakes the session's streams when an event was appended.
   */
  private async change(
    sessionId: string,
    build: (
      session: SessionRecord,
      attempts: AttemptRecord[],
      refunds: RefundRecord[],
    ) => Omit<SessionChange, 'sessionId' | 'expectedVersion'> | null,
  ): Promise<SessionRecord | null> {
    for (let tries = 0; ; tries++) {
      const session = await this.deps.store.getSession(sessionId);
      if (!session) return null;
      const [attempts, refunds] = await Promise.all([
        this.deps.store.listAttempts(sessionId),
        hasSucceeded(session.status) ? this.deps.store.listRefunds(sessionId) : Promise.resolve([]),
      ]);
      const change = build(session, attempts, refunds);
      if (!change) return session;
      if (
        change.session?.status &&
        change.session.status !== session.status &&
        !canTransition(session.status, change.session.status)
      ) {
        throw new Error(`illegal session transition ${session.status} → ${change.session.status}`);
      }
      const webhooks = this.webhooksFor(session, change, refunds);
      try {
        const result = await this.deps.store.commit({
          ...change,
          ...(webhooks.length ? { webhooks } : {}),
          sessionId,
          expectedVersion: session.version,
        });
        if (result.event) this.deps.hub.publish(sessionId);
        return result.session;
      } catch (error) {
        if (error instanceof ConflictError && tries < 10) continue;
        throw error;
      }
    }
  }

  /**
   * The merchant webhooks a change calls for: one when the session's status changes to something the
   * merchant acts on, and one for a double payment. They go into the outbox with the change itself.
   */
  private webhooksFor(
    session: SessionRecord,
    change: Omit<SessionChange, 'sessionId' | 'expectedVersion'>,
    refunds: RefundRecord[],
  ): WebhookRecord[] {
    if (!this.deps.config.merchant.webhookUrl) return [];
    const make = (type: string, attemptId: string | null, status: SessionStatus): WebhookRecord =>
      outboxEntry(session, type, this.nowIso(), {
        session: {
          id: session.id,
          reference: session.reference,
          status,
          amount: formatDecimal(moneyOf(session)),
          currency: session.currency,
          attemptId,
        },
      });
    const out: WebhookRecord[] = [];
    const status = change.session?.status;
    if (status && status !== session.status && WEBHOOK_STATUSES.has(status)) {
      const attemptId =
        status === 'succeeded' ? (change.session?.succeededAttemptId ?? null) : (change.attempt?.id ?? null);
      out.push(make(`session.${status}`, attemptId, status));
    }
    if (change.attempt?.patch.doublePayment) {
      out.push(make('session.double_payment', change.attempt.id, status ?? session.status));
    }
    if (change.attempt?.patch.failureCode === 'amount_mismatch') {
      // Money arrived but not the amount asked for: someone must look at it (refund or top-up).
      out.push(make('session.amount_mismatch', change.attempt.id, status ?? session.status));
    }
    const settled = change.refund?.patch.status;
    if (change.refund && (settled === 'succeeded' || settled === 'failed')) {
      const refund = refunds.find((each) => each.id === change.refund!.id);
      if (refund) out.push(this.refundWebhook(session, refund, settled, refunds, status ?? session.status));
    }
    return out;
  }

  /** `refund.succeeded` / `refund.failed`: one per refund, with what has been refunded in all. */
  private refundWebhook(
    session: SessionRecord,
    refund: RefundRecord,
    settled: 'succeeded' | 'failed',
    refunds: RefundRecord[],
    sessionStatus: SessionStatus,
  ): WebhookRecord {
    const refunded = refunds
      .filter((each) => each.status === 'succeeded' || (each.id === refund.id && settled === 'succeeded'))
      .reduce((sum, each) => sum + each.amount, 0);
    return outboxEntry(session, `refund.${settled}`, this.nowIso(), {
      refund: {
        id: refund.id,
        status: settled,
        amount: formatDecimal(moneyOf(refund)),
        currency: refund.currency,
        reason: refund.reason,
      },
      session: {
        id: session.id,
        reference: session.reference,
        status: sessionStatus,
        amount: formatDecimal(moneyOf(session)),
        amountRefunded: formatDecimal({ minor: refunded, currency: session.currency }),
        currency: session.currency,
      },
    });
  }

  hostedPageUrl(session: SessionRecord): string {
    return `${this.deps.config.publicUrl}/pay/${session.id}?secret=${encodeURIComponent(session.clientSecret)}`;
  }

  private assertAcceptsAttempts(session: SessionRecord): void {
    if (acceptsAttempts(session.status) && !this.isPast(session.expiresAt)) return;
    const why = hasSucceeded(session.status) ? 'has been paid' : `is ${session.status}`;
    throw new DomainError('session_closed', `this checkout ${why} and takes no new payment attempts`);
  }

  private nextCheckAt(checkCount: number): string {
    const delay = CHECK_DELAYS_S[Math.min(checkCount, CHECK_DELAYS_S.length - 1)]!;
    return new Date(this.deps.clock.now().getTime() + delay * 1000).toISOString();
  }

  /** The next check for an attempt, or null once asking again can no longer change anything. */
  private scheduleAfter(attempt: AttemptRecord, state: PaymentState = 'pending'): string | null {
    if (state === 'succeeded' || state === 'failed') return null;
    const now = this.deps.clock.now().getTime();
    let delay = CHECK_DELAYS_S[Math.min(attempt.checkCount + 1, CHECK_DELAYS_S.length - 1)]!;
    const expiresAt = attempt.expiresAt ? new Date(attempt.expiresAt).getTime() : Infinity;
    if (expiresAt <= now) delay = Math.max(delay, LATE_CHECK_MIN_DELAY_S);
    const next = now + delay * 1000;
    const deadline = expiresAt + LATE_PAYMENT_WINDOW_MS;
    if (next <= deadline) return new Date(next).toISOString();
    // One last look at the deadline itself, then the watch ends.
    return now < deadline ? new Date(deadline).toISOString() : null;
  }

  /** Hourly retries while the provider cannot answer, up to a week past expiry. */
  private retryAfterError(attempt: AttemptRecord): string | null {
    const now = this.deps.clock.now().getTime();
    const limit = (attempt.expiresAt ? new Date(attempt.expiresAt).getTime() : now) + ERROR_RETRY_WINDOW_MS;
    return now < limit ? new Date(now + 3600_000).toISOString() : null;
  }

  private isPast(iso: string): boolean {
    return new Date(iso).getTime() <= this.deps.clock.now().getTime();
  }

  private nowIso(): string {
    return this.deps.clock.now().toISOString();
  }
}

function isLatePaymentPossible(state: PaymentState): boolean {
  return state === 'expired';
}

export function attemptFailure(attempt: AttemptRecord): AttemptFailure | null {
  return attempt.failureCode ? { code: attempt.failureCode, message: attempt.failureMessage ?? '' } : null;
}

/**
 * One webhook for the outbox. `sequence` is the session's version after the change that caused it:
 * deliveries can overtake each other (a retried one arrives after a newer one), so a receiver keeps
 * the highest sequence it has seen per session and ignores anything older.
 */
function outboxEntry(session: SessionRecord, type: string, now: string, data: object): WebhookRecord {
  const id = newWebhookId();
  const payload = JSON.stringify({ id, type, createdAt: now, sequence: session.version + 1, data });
  return {
    id,
    sessionId: session.id,
    type,
    payload,
    attempts: 0,
    nextAttemptAt: now,
    deliveredAt: null,
    lastError: null,
    createdAt: now,
  };
}

function failureFields(code: FailureCode): { failureCode: string; failureMessage: string } {
  return { failureCode: code, failureMessage: FAILURE_MESSAGES[code] };
}

function withTimeout<T>(promise: Promise<T>, ms: number | null): Promise<T> {
  if (ms === null) return promise;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

function minIso(a: string, b: string): string {
  return new Date(a).getTime() <= new Date(b).getTime() ? a : b;
}

function pick(fields: Record<string, string>, names: Array<keyof Customer>): Customer {
  const out: Customer = {};
  for (const name of names) if (fields[name]) out[name] = fields[name];
  return out;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** A phone number as shoppers and merchants type it: digits, spaces and dashes, optional `+`. */
export const PHONE = /^\+?[0-9][0-9 -]{5,19}$/;

/** Checks the shopper's fields against the method's field specs; unknown fields are refused. */
export function validateFields(method: MethodView, given: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of Object.keys(given)) {
    if (!method.fields.some((field) => field.name === name)) {
      throw new DomainError('invalid_request', `fields.${name} is not a field of ${method.id}`);
    }
  }
  for (const field of method.fields) {
    const value = (given[field.name] ?? '').trim();
    if (!value) {
      if (field.required) throw new DomainError('invalid_request', `fields.${field.name} is required for ${method.id}`);
      continue;
    }
    if (value.length > (field.maxLength ?? 200)) {
      throw new DomainError('invalid_request', `fields.${field.name} is too long`);
    }
    if (field.type === 'select' && !field.options?.some((option) => option.value === value)) {
      throw new DomainError('invalid_request', `fields.${field.name} is not one of the offered options`);
    }
    if (field.type === 'email' && !EMAIL.test(value)) {
      throw new DomainError('invalid_request', `fields.${field.name} is not an email address`);
    }
    if (field.type === 'tel' && !PHONE.test(value)) {
      throw new DomainError('invalid_request', `fields.${field.name} is not a phone number`);
    }
    out[field.name] = value;
  }
  return out;
}
