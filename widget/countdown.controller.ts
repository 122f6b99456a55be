/**
 * The time left before a deadline (the QR code's `expiresAt`), as a Lit reactive controller: once a
 * second it reads the time, asks its host to render the new figure, and says once when the deadline
 * has passed. It ticks only while its host is connected. The time comes from `now` (the checkout
 * reads the BFF's clock: every `expiresAt` is on it) and the ticks from the host's `clock`, so tests
 * move both by hand.
 */
import type { ReactiveController } from 'lit';
import type { Clock } from './clock.ts';
import type { ControllerHost } from './element.ts';

export interface CountdownHost extends ControllerHost {
  readonly clock: Clock;
}

export class CountdownController implements ReactiveController {
  readonly #host: CountdownHost;
  readonly #now: () => number;
  readonly #onExpire: () => void;
  /** The deadline in milliseconds since the epoch; NaN when there is none (or it is unreadable). */
  #deadline = Number.NaN;
  /** The time at the last tick: what the figure on screen is measured from. */
  #at = 0;
  #stopTicking: (() => void) | null = null;

  /** `onExpire` runs once a countdown's deadline has passed. */
  constructor(host: CountdownHost, now: () => number, onExpire: () => void) {
    this.#host = host;
    this.#now = now;
    this.#onExpire = onExpire;
    host.addController(this);
  }

  /** Milliseconds left at the last tick; null when nothing is counted down or the deadline is unreadable. */
  get remainingMs(): number | null {
    return Number.isNaN(this.#deadline) ? null : this.#deadline - this.#at;
  }

  /**
   * Counts down to `expiresAt` (an ISO time), and calls `onExpire` once it has passed: at once when
   * it already has. A countdown that is already ticking keeps its beat. An unreadable time shows
   * nothing and never expires.
   */
  start(expiresAt: string): void {
    this.#deadline = Date.parse(expiresAt);
    if (this.#tick()) this.hostConnected();
  }

  stop(): void {
    this.hostDisconnected();
    this.#deadline = Number.NaN;
  }

  hostConnected(): void {
    if (!Number.isNaN(this.#deadline)) this.#stopTicking ??= this.#host.clock.every(1_000, () => this.#tick());
  }

  hostDisconnected(): void {
    this.#stopTicking?.();
    this.#stopTicking = null;
  }

  /** Reads the time; false once the deadline has passed, which ends the countdown. */
  #tick(): boolean {
    this.#at = this.#now();
    this.#host.requestUpdate();
    // NaN compares false: no deadline never expires.
    if (!(this.#deadline - this.#at <= 0)) return true;
    this.stop();
    this.#onExpire();
    return false;
  }
}
