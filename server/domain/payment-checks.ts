/**
 * Payment checks: asking a provider where an attempt stands and applying the answer to the attempt
 * and, through it, to its session. The reconciler runs them on the schedule in `check-schedule.ts`;
 * the notification inbox runs one to confirm every callback. Only the provider's answer to a query
 * counts, and only for the amount the attempt asked for.
 */
import type { AttemptStatus, SessionStatus } from '../../widget/wire.ts';
import type { ProviderRegistry } from '../providers/index.ts';
import { ProviderError, type PaymentState, type PaymentStatus } from '../providers/provider.ts';
import type { AttemptRecord, Store } from '../store/store.ts';
import { checkAt, nextCheckAt, retryAfterError } from './check-schedule.ts';
import { isPast, nowIso, type Clock } from './clock.ts';
import { asDomainError } from './errors.ts';
import { failure, type FailureCode } from './failures.ts';
import type { Logger } from './log.ts';
import { moneyOf, sameMoney } from './money.ts';
import type { SessionWriter } from './session-writer.ts';
import { hasSucceeded, isAttemptLive } from './session.ts';

export interface PaymentChecksDeps {
  store: Store;
  providers: ProviderRegistry;
  clock: Clock;
  log: Logger;
  writer: SessionWriter;
}

export class PaymentChecks {
  constructor(private readonly deps: PaymentChecksDeps) {}

  /**
   * Asks the provider where an attempt stands and applies the answer. Schedules the next check while
   * the answer may still change. With `throwIfUnavailable`, a provider that cannot answer is an error
   * (a callback being confirmed is then refused, so the provider sends it again).
   */
  async reconcile(attempt: AttemptRecord, { throwIfUnavailable = false } = {}): Promise<void> {
    const { store, providers, clock, log } = this.deps;
    const provider = providers.get(attempt.provider);
    if (!provider) {
      await store.updateAttempt(attempt.id, {
        nextCheckAt: checkAt(clock, attempt.checkCount + 1),
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
        await this.apply(attempt.id, { state: 'failed', money: null, providerPaymentId: null }, 'not_found');
        return;
      }
      // A failed query proves nothing, so it never ends the watch: keep asking, more slowly.
      const unreadable = error instanceof ProviderError && error.code === 'bad_response';
      log[unreadable ? 'error' : 'warn']('payment status query failed', { attempt: attempt.id, error });
      const next = nextCheckAt(clock, attempt, provider) ?? retryAfterError(clock, attempt);
      if (!next) log.error('gave up asking about an attempt; review it by hand', { attempt: attempt.id });
      await store.updateAttempt(attempt.id, { nextCheckAt: next, checkCount: attempt.checkCount + 1 });
      if (throwIfUnavailable) throw asDomainError(error);
      return;
    }
    await this.apply(attempt.id, status);
  }

  /** Applies a confirmed provider state to an attempt and, through it, to its session. */
  async apply(attemptId: string, status: PaymentStatus, failureCode?: FailureCode): Promise<void> {
    const { store, providers, clock, log, writer } = this.deps;
    const attempt = await store.getAttempt(attemptId);
    if (!attempt) return;
    const provider = providers.get(attempt.provider);
    let state: PaymentState = status.state;
    let code: FailureCode | undefined = failureCode;
    if (state === 'succeeded' && !status.money) {
      // A success that does not say how much was paid proves nothing about the amount: it does not
      // count. The attempt stays as it is and is asked about again.
      log.error('provider reports a success without an amount; not counted', { attempt: attempt.id });
      state = 'pending';
    } else if (state === 'succeeded' && status.money && !sameMoney(status.money, moneyOf(attempt))) {
      // Money arrived, but not the money asked for: it must not release goods. Flag it loudly.
      log.error('provider reports a different amount than the attempt', {
        attempt: attempt.id,
        expected: moneyOf(attempt),
        reported: status.money,
      });
      state = 'failed';
      code = 'amount_mismatch';
    }

    await writer.change(attempt.sessionId, (session, attempts) => {
      const current = attempts.find((candidate) => candidate.id === attempt.id)!;
      // The session follows the latest attempt the shopper was shown (one whose create failed at the
      // provider never had an action, so it does not count).
      const isLatest = attempts.filter((candidate) => candidate.action).at(-1)?.id === current.id;
      const now = nowIso(clock);
      const checks = { checkCount: current.checkCount + 1 };

      if (state === 'pending') {
        const expiredNow =
          current.expiresAt !== null && isPast(clock, current.expiresAt) && isAttemptLive(current.status);
        if (!expiredNow) {
          return {
            attempt: { id: current.id, patch: { ...checks, nextCheckAt: nextCheckAt(clock, current, provider) } },
          };
        }
        state = 'expired';
      }

      const target: AttemptStatus = state;
      // An expired code may still be paid late, so it is watched through the late-payment window;
      // a final answer ends the watch.
      const next = state === 'expired' ? nextCheckAt(clock, current, provider, state) : null;
      if (current.status === target || current.status === 'succeeded') {
        if (current.status === 'succeeded' && target !== 'succeeded') {
          log.warn('provider reports a non-success for an attempt that succeeded', { attempt: current.id, state });
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
          log.error('double payment: a second attempt succeeded', { session: session.id, attempt: current.id });
        } else {
          sessionStatus = 'succeeded';
          succeededAttemptId = current.id;
        }
      } else if (isLatest && session.status === 'pending') {
        sessionStatus = target === 'failed' ? 'failed' : isPast(clock, session.expiresAt) ? 'expired' : 'open';
      }

      const attemptFailure =
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
            failureCode: attemptFailure?.code ?? null,
            failureMessage: attemptFailure?.message ?? null,
            nextCheckAt: target === 'succeeded' ? null : next,
            updatedAt: now,
          },
        },
        event: {
          status: sessionStatus,
          attempt: { id: current.id, status: target, failure: attemptFailure },
          at: now,
        },
      };
    });
  }
}
