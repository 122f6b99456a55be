/**
 * Refunds: money sent back for a paid session. A refund is recorded (and its amount reserved) before
 * the provider is asked, so two refunds racing can never refund more than was paid, and a refund
 * whose outcome is unknown stays pending and reserved until its checks find out: refunding again
 * could pay twice.
 */
import type { SessionStatus } from '../../widget/wire.ts';
import type { ProviderRegistry } from '../providers/index.ts';
import { ProviderError, type ProviderErrorCode, type RefundResult } from '../providers/provider.ts';
import type { RefundRecord, Store } from '../store/store.ts';
import { checkAt } from './check-schedule.ts';
import { nowIso, type Clock } from './clock.ts';
import { DomainError, providerFailure } from './errors.ts';
import type { Idempotency, Idempotent, IdempotencyRequest } from './idempotency.ts';
import { newRefundId } from './ids.ts';
import type { Logger } from './log.ts';
import { formatDecimal, moneyOf, type Money } from './money.ts';
import type { SessionWriter } from './session-writer.ts';
import { hasSucceeded } from './session.ts';

export interface CreateRefundInput {
  /** Null: all that is left to refund. */
  amount: Money | null;
  reason: string | null;
}

export interface RefundsDeps {
  store: Store;
  providers: ProviderRegistry;
  clock: Clock;
  log: Logger;
  writer: SessionWriter;
  idempotency: Idempotency;
}

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
  'refused',
  'insufficient_funds',
  'unsupported',
]);

export class Refunds {
  constructor(private readonly deps: RefundsDeps) {}

  /**
   * Refunds `input.amount` of a paid session, or all that is left. Resolves with the refund as it
   * stands: succeeded, or pending while the provider's answer is unknown. A refusal is recorded as
   * failed (freeing the amount) and thrown. With an `Idempotency-Key` (`idempotency.ts`) the key is
   * claimed, naming the refund id, before any money moves: a retry (after a timeout, a crash, a 5xx)
   * finds that refund and never makes a second.
   */
  create(sessionId: string, input: CreateRefundInput, request?: IdempotencyRequest): Promise<Idempotent<RefundRecord>> {
    const { store, idempotency } = this.deps;
    return idempotency.run({
      scope: `refunds.create:${sessionId}`,
      request,
      newId: newRefundId,
      find: (id) => store.getRefund(id),
      make: (id) => this.#create(sessionId, input, id),
    });
  }

  async #create(sessionId: string, input: CreateRefundInput, id: string): Promise<RefundRecord> {
    const { store, providers, clock, log, writer } = this.deps;
    const session = await store.getSession(sessionId);
    if (!session) throw new DomainError('not_found', 'session not found');
    if (input.amount && input.amount.currency !== session.currency) {
      throw new DomainError('invalid_request', `body.amount: the session is in ${session.currency}`);
    }
    const attempt = session.succeededAttemptId ? await store.getAttempt(session.succeededAttemptId) : null;
    if (!attempt) throw notRefundable(session.status);
    const provider = providers.get(attempt.provider);
    // Asked of the provider itself: one that has no refund call cannot refund.
    if (!provider?.refund) {
      throw new DomainError('refund_unsupported', `${attempt.provider} payments cannot be refunded through Tender`);
    }

    const now = clock.now();
    const refund: RefundRecord = {
      id,
      sessionId: session.id,
      attemptId: attempt.id,
      provider: attempt.provider,
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
    await writer.change(session.id, (fresh, _attempts, refunds) => {
      if (!hasSucceeded(fresh.status) || fresh.status === 'refunded') throw notRefundable(fresh.status);
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
      result = await provider.refund({
        orderId: attempt.providerOrderId,
        refundId: refund.id,
        money: moneyOf(refund),
        reason: refund.reason,
      });
    } catch (error) {
      if (error instanceof ProviderError && REFUND_REFUSALS.has(error.code)) {
        // The provider refused outright, so nothing was sent back: the reservation is released.
        await this.#settle(refund.id, session.id, 'failed', error.code);
        throw providerFailure(error);
      }
      // Anything else (no answer, an unreadable one) leaves the outcome unknown: the refund stays
      // pending and reserved, and the refund checks find out. Refunding again could pay twice.
      log.error('refund outcome unknown; it stays pending and is checked', { refund: refund.id, error });
      return (await store.getRefund(refund.id))!;
    }
    await this.#apply(refund.id, session.id, result);
    return (await store.getRefund(refund.id))!;
  }

  /**
   * Asks the provider where a pending refund stands (the refund checks call this). A provider that
   * cannot be asked, or a refund still unsettled after the check window, is left pending for review.
   */
  async reconcile(refund: RefundRecord): Promise<void> {
    const { store, providers, clock, log, writer } = this.deps;
    const provider = providers.get(refund.provider);
    const attempt = await store.getAttempt(refund.attemptId);
    const checkCount = refund.checkCount + 1;
    const giveUp = clock.now().getTime() - new Date(refund.createdAt).getTime() > REFUND_CHECK_WINDOW_MS;
    const later = async () => {
      const nextCheckAt = giveUp ? null : checkAt(clock, checkCount);
      if (!nextCheckAt) log.error('refund still unsettled; review it with the provider by hand', { refund: refund.id });
      await writer.change(refund.sessionId, () => ({ refund: { id: refund.id, patch: { checkCount, nextCheckAt } } }));
    };
    if (!provider?.queryRefund || !attempt) return later();
    const refunds = await store.listRefunds(refund.sessionId);
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
      log.warn('refund status query failed', { refund: refund.id, error });
      return later();
    }
    if (result.state === 'pending') return later();
    await this.#apply(refund.id, refund.sessionId, result);
  }

  async #apply(refundId: string, sessionId: string, result: RefundResult): Promise<void> {
    if (result.state === 'pending') {
      await this.deps.writer.change(sessionId, (_session, _attempts, refunds) => {
        const refund = refunds.find((each) => each.id === refundId)!;
        return { refund: { id: refundId, patch: { nextCheckAt: checkAt(this.deps.clock, refund.checkCount) } } };
      });
      return;
    }
    await this.#settle(refundId, sessionId, result.state, result.state === 'failed' ? 'declined' : null);
  }

  async #settle(refundId: string, sessionId: string, state: 'succeeded' | 'failed', failureCode: string | null) {
    await this.deps.writer.change(sessionId, (session, _attempts, refunds) => {
      // A refund settles once: a late or repeated answer changes nothing.
      if (refunds.find((each) => each.id === refundId)?.status !== 'pending') return null;
      const now = nowIso(this.deps.clock);
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
}

function notRefundable(status: SessionStatus): DomainError {
  return new DomainError('not_refundable', `this session is ${status}; only a paid session can be refunded`);
}
