/**
 * The reconciler asks providers about attempts that are still pending, so a lost callback never
 * leaves a paid session pending. Its schedule lives in the store (`attempts.next_check_at`), so
 * after a restart it simply carries on from there. One pass at a time; each pass is bounded.
 * Due attempts are leased, so several instances never ask a provider about the same attempt at once.
 */
import type { Checkout } from './checkout.ts';
import type { Clock } from './clock.ts';
import type { Logger } from './log.ts';
import { PeriodicJob } from './loop.ts';
import type { Store } from '../store/store.ts';

export interface ReconcilerOptions {
  store: Store;
  checkout: Checkout;
  clock: Clock;
  log: Logger;
  /** How often to look for due attempts. */
  intervalMs?: number;
  /** How many attempts (and expired sessions) one pass handles at most. */
  batchSize?: number;
  /** How many provider queries run at once. */
  concurrency?: number;
  /**
   * How long a claimed attempt stays away from other instances. Every check sets the next time
   * itself, so this only matters when a process dies mid-pass; it must outlast a whole pass
   * (batchSize / concurrency provider calls, each up to the provider timeout).
   */
  leaseMs?: number;
}

export class Reconciler extends PeriodicJob {
  readonly #options: Required<Omit<ReconcilerOptions, 'intervalMs'>>;

  constructor({
    intervalMs = 1000,
    batchSize = 25,
    concurrency = 4,
    leaseMs = 5 * 60_000,
    ...rest
  }: ReconcilerOptions) {
    super('reconciler', intervalMs, rest.log);
    this.#options = { batchSize, concurrency, leaseMs, ...rest };
  }

  /** One pass over the attempts due now and the sessions past expiry; returns how many it handled. */
  protected override pass(): Promise<number> {
    return this.#pass();
  }

  async #pass(): Promise<number> {
    const { store, checkout, clock, log, batchSize, concurrency, leaseMs } = this.#options;
    const claimedAt = clock.now();
    const due = await store.claimDueAttempts(
      claimedAt.toISOString(),
      new Date(claimedAt.getTime() + leaseMs).toISOString(),
      batchSize,
    );
    // A few checks at a time, so one slow provider does not hold up every other attempt.
    const queue = [...due];
    const worker = async () => {
      for (let attempt = queue.shift(); attempt; attempt = queue.shift()) {
        try {
          await checkout.reconcile(attempt);
          // Sessions whose own time ran out while waiting are expired on the same pass.
          await checkout.expireIfDue(attempt.sessionId);
        } catch (error) {
          log.error('reconciling an attempt failed', { attempt: attempt.id, error });
          // Back off so one broken attempt cannot take every pass.
          const later = new Date(clock.now().getTime() + 60_000).toISOString();
          await store.updateAttempt(attempt.id, { nextCheckAt: later }).catch(() => undefined);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, due.length) }, worker));

    // Refunds whose outcome is not known yet.
    const now = clock.now();
    const refunds = await store.claimDueRefunds(
      now.toISOString(),
      new Date(now.getTime() + 5 * 60_000).toISOString(),
      batchSize,
    );
    for (const refund of refunds) {
      await checkout
        .reconcileRefund(refund)
        .catch((error: unknown) => log.error('checking a refund failed', { refund: refund.id, error }));
    }

    // Sessions nobody is looking at still expire on time (and the merchant hears of it).
    const expired = await store.listExpiredSessions(clock.now().toISOString(), batchSize);
    for (const session of expired) {
      await checkout
        .expireIfDue(session.id)
        .catch((error: unknown) => log.error('expiring a session failed', { session: session.id, error }));
    }
    return due.length + refunds.length + expired.length;
  }
}
