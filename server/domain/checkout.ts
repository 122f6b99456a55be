/**
 * The checkout: one object that wires the services a session's life goes through and offers them to
 * the routes and the reconciler. Each service has its own module:
 *
 * - `session-writer.ts`: every change to a session is one transaction (session, attempt or refund,
 *   event, outbox), retried on conflict; a committed event wakes the session's streams;
 * - `sessions.ts`: creating, reading and expiring sessions;
 * - `attempts.ts`: the methods a session offers, and starting (or reusing) a payment attempt;
 * - `notifications.ts`: the inbox for provider callbacks (verify, dedupe, confirm);
 * - `payment-checks.ts` and `check-schedule.ts`: asking providers where attempts stand, and when;
 * - `refunds.ts`: refunds and their checks;
 * - `idempotency.ts`: the one `Idempotency-Key` path, for sessions, refunds and payouts alike.
 */
import type { CheckoutView, MethodView } from '../../widget/wire.ts';
import type { Config } from '../config.ts';
import type { ProviderRegistry } from '../providers/index.ts';
import type { NotificationAck, NotificationInput, ProviderId } from '../providers/provider.ts';
import type { AttemptRecord, RefundRecord, SessionRecord, Store } from '../store/store.ts';
import { Attempts, type CreateAttemptInput } from './attempts.ts';
import type { Clock } from './clock.ts';
import type { EventHub } from './events.ts';
import { Idempotency, type Idempotent, type IdempotencyRequest } from './idempotency.ts';
import type { Logger } from './log.ts';
import { NotificationInbox, type PayoutNotificationHandler } from './notifications.ts';
import { PaymentChecks } from './payment-checks.ts';
import { Refunds, type CreateRefundInput } from './refunds.ts';
import { SessionWriter } from './session-writer.ts';
import { Sessions, type CreateSessionInput } from './sessions.ts';
import { checkoutView } from './views.ts';

export interface CheckoutDeps {
  config: Config;
  store: Store;
  providers: ProviderRegistry;
  hub: EventHub;
  clock: Clock;
  log: Logger;
  /** Handles a verified payout callback (confirming it with the provider); payouts live apart from sessions. */
  onPayoutNotification?: PayoutNotificationHandler;
}

export class Checkout {
  readonly sessions: Sessions;
  readonly attempts: Attempts;
  readonly notifications: NotificationInbox;
  readonly checks: PaymentChecks;
  readonly refunds: Refunds;

  constructor(private readonly deps: CheckoutDeps) {
    const { config, store, providers, hub, clock, log } = deps;
    const writer = new SessionWriter({ config, store, hub, clock });
    const idempotency = new Idempotency({ store, clock });
    this.sessions = new Sessions({ config, store, clock, writer, idempotency });
    this.checks = new PaymentChecks({ store, providers, clock, log, writer });
    this.attempts = new Attempts({
      config,
      store,
      providers,
      clock,
      log,
      writer,
      sessions: this.sessions,
      checks: this.checks,
    });
    this.notifications = new NotificationInbox({
      store,
      providers,
      clock,
      log,
      checks: this.checks,
      onPayoutNotification: deps.onPayoutNotification,
      onRefundNotification: async (sessionId) => {
        for (const refund of await store.listRefunds(sessionId)) {
          if (refund.status === 'pending') await this.refunds.reconcile(refund);
        }
      },
    });
    this.refunds = new Refunds({ store, providers, clock, log, writer, idempotency });
  }

  get config(): Config {
    return this.deps.config;
  }

  now(): Date {
    return this.deps.clock.now();
  }

  createSession(input: CreateSessionInput, request?: IdempotencyRequest): Promise<Idempotent<SessionRecord>> {
    return this.sessions.create(input, request);
  }

  /** Reads a session, first expiring it if its time is up (so no reader sees a stale `open`). */
  loadSession(id: string): Promise<SessionRecord | null> {
    return this.sessions.load(id);
  }

  /** `loadSession` with the session's latest attempt, read together (the checkout view's one query). */
  loadSessionWithLatestAttempt(id: string): Promise<{ session: SessionRecord; attempt: AttemptRecord | null } | null> {
    return this.sessions.loadWithLatestAttempt(id);
  }

  /** Cancels an unpaid session for the merchant (see `Sessions#cancel`); null when there is none. */
  cancelSession(id: string): Promise<SessionRecord | null> {
    return this.sessions.cancel(id);
  }

  expireIfDue(sessionId: string): Promise<SessionRecord | null> {
    return this.sessions.expireIfDue(sessionId);
  }

  hostedPageUrl(session: SessionRecord): string {
    return this.sessions.hostedPageUrl(session);
  }

  methodsFor(session: SessionRecord, options: { only?: ProviderId } = {}): Promise<MethodView[]> {
    return this.attempts.methodsFor(session, options);
  }

  /**
   * The shopper's view of a session as it is now, given its latest attempt (null when it has none;
   * `loadSessionWithLatestAttempt` reads both in one query): what `GET /v1/checkout/:id` answers,
   * and what the hosted page carries inline for its first screen.
   */
  async viewFor(session: SessionRecord, attempt: AttemptRecord | null): Promise<CheckoutView> {
    const methods = await this.methodsFor(session);
    return checkoutView(session, attempt, methods, this.config.merchant.name, this.now());
  }

  createAttempt(sessionId: string, input: CreateAttemptInput): Promise<AttemptRecord> {
    return this.attempts.create(sessionId, input);
  }

  handleNotification(providerId: string, input: NotificationInput): Promise<NotificationAck> {
    return this.notifications.receive(providerId, input);
  }

  /** One payment check (the reconciler's step). */
  reconcile(attempt: AttemptRecord, options: { throwIfUnavailable?: boolean } = {}): Promise<void> {
    return this.checks.reconcile(attempt, options);
  }

  createRefund(
    sessionId: string,
    input: CreateRefundInput,
    request?: IdempotencyRequest,
  ): Promise<Idempotent<RefundRecord>> {
    return this.refunds.create(sessionId, input, request);
  }

  /** One refund check (the reconciler's step). */
  reconcileRefund(refund: RefundRecord): Promise<void> {
    return this.refunds.reconcile(refund);
  }
}
