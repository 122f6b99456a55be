/**
 * A background job that runs one pass at a time, `intervalMs` after the previous pass ended. Its
 * work list lives in the store, so stopping and starting (or restarting the process) loses nothing.
 * Tests call `runOnce()` directly instead of starting the timer.
 */
import type { Logger } from './log.ts';

export abstract class PeriodicJob {
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<number> | null = null;

  constructor(
    private readonly name: string,
    private readonly intervalMs: number,
    private readonly logger: Logger,
  ) {}

  /** One pass; returns how many items it handled. */
  protected abstract pass(): Promise<number>;

  start(): void {
    if (this.#timer) return;
    const tick = async () => {
      await this.runOnce().catch((error: unknown) => this.logger.error(`${this.name} pass failed`, { error }));
      if (this.#timer) this.#timer = setTimeout(() => void tick(), this.intervalMs);
    };
    this.#timer = setTimeout(() => void tick(), 0);
  }

  /** Stops the timer and waits for a pass in progress to end. */
  async stop(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#running?.catch(() => undefined);
  }

  /** Runs a pass now, or joins the one already running. */
  runOnce(): Promise<number> {
    this.#running ??= this.pass().finally(() => (this.#running = null));
    return this.#running;
  }
}
