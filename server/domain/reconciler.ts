/**
 * The reconciler asks providers about attempts that are still pending, so a lost callback never
 * leaves a paid session pending. Its schedule lives in the store (`attempts.next_check_at`), so
 * after a restart it simply carries on from there. One pass at a time; each pass is bounded.
 */
import type { Checkout, Clock } from './checkout.ts';
import type { Logger } from './log.ts';
import type { Store } from '../store/store.ts';

export interface ReconcilerOptions {
  store: Store;
  checkout: Checkout;
  clock: Clock;
  log: Logger;
  /** How often to look for due attempts. */
  intervalMs?: number;
  /** How many attempts one pass handles at most. */
  batchSize?: number;
}

export class Reconciler {
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<number> | null = null;
  readonly #options: Required<ReconcilerOptions>;

  constructor({ intervalMs = 1000, batchSize = 25, ...rest }: ReconcilerOptions) {
    this.#options = { intervalMs, batchSize, ...rest };
  }

  start(): void {
    if (this.#timer) return;
    const loop = async () => {
      await this.runOnce().catch((error: unknown) => this.#options.log.error('reconciler pass failed', { error }));
      if (this.#timer) this.#timer = setTimeout(loop, this.#options.intervalMs);
    };
    this.#timer = setTimeout(loop, 0);
  }

  async stop(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#running?.catch(() => undefined);
  }

  /** One pass over the attempts due now; returns how many were checked. */
  runOnce(): Promise<number> {
    this.#running ??= this.#pass().finally(() => (this.#running = null));
    return this.#running;
  }

  async #pass(): Promise<number> {
    const { store, checkout, clock, log, batchSize } = this.#options;
    const due = await store.listDueAttempts(clock.now().toISOString(), batchSize);
    for (const attempt of due) {
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
    return due.length;
  }
}
