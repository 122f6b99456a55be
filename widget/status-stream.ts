/**
 * The session's status events over server-sent events, with the two kinds of reconnect the BFF
 * contract expects:
 * - while the EventSource is CONNECTING, the browser reconnects by itself and resends the last
 *   `id:` as the `Last-Event-ID` header;
 * - once it is CLOSED (the server refused a reconnect, or the network stayed down), only a new
 *   EventSource helps, and it carries `lastEventId=<last seq>` in the URL so the BFF replays what
 *   was missed.
 * Events whose seq was already delivered are dropped here, so callers see each seq once, in order.
 */
import { systemClock, type Clock } from './clock.ts';
import type { StatusEvent } from './wire.ts';

export type StreamConnection = 'open' | 'reconnecting';

/** The part of the EventSource constructor the stream uses; tests pass a fake. */
export type EventSourceFactory = (url: string) => EventSource;

export interface StatusStreamOptions {
  /** The events URL, asking for replay after `lastEventId` when it is not null. */
  url: (lastEventId: number | null) => string;
  onStatus: (event: StatusEvent) => void;
  onConnection?: (state: StreamConnection) => void;
  clock?: Clock;
  createEventSource?: EventSourceFactory;
  /** Waits before each new EventSource after a CLOSED one; the last value repeats. */
  retryDelaysMs?: readonly number[];
}

const DEFAULT_RETRY_DELAYS_MS = [1_000, 2_000, 5_000, 10_000, 30_000] as const;

export class StatusStream {
  readonly #options: StatusStreamOptions;
  readonly #clock: Clock;
  readonly #createEventSource: EventSourceFactory;
  readonly #retryDelays: readonly number[];
  #source: EventSource | null = null;
  #lastSeq: number | null = null;
  #failures = 0;
  #cancelRetry: (() => void) | null = null;
  #stopped = true;

  constructor(options: StatusStreamOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#createEventSource = options.createEventSource ?? ((url) => new EventSource(url));
    this.#retryDelays = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  }

  /** The highest seq delivered so far. */
  get lastSeq(): number | null {
    return this.#lastSeq;
  }

  open(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    addEventListener('online', this.#onOnline);
    this.#connect();
  }

  close(): void {
    this.#stopped = true;
    removeEventListener('online', this.#onOnline);
    this.#cancelRetry?.();
    this.#cancelRetry = null;
    this.#dropSource();
  }

  #connect(): void {
    this.#cancelRetry = null;
    const source = this.#createEventSource(this.#options.url(this.#lastSeq));
    this.#source = source;
    source.addEventListener('open', this.#onOpen);
    source.addEventListener('status', this.#onStatus);
    source.addEventListener('error', this.#onError);
  }

  #dropSource(): void {
    const source = this.#source;
    if (!source) return;
    this.#source = null;
    source.removeEventListener('open', this.#onOpen);
    source.removeEventListener('status', this.#onStatus);
    source.removeEventListener('error', this.#onError);
    source.close();
  }

  readonly #onOpen = (): void => {
    this.#failures = 0;
    this.#options.onConnection?.('open');
  };

  readonly #onStatus = (message: Event): void => {
    if (!(message instanceof MessageEvent) || typeof message.data !== 'string') return;
    const event = parseStatusEvent(message.data);
    // A malformed event is dropped rather than allowed to stop the stream.
    if (!event) return;
    if (this.#lastSeq !== null && event.seq <= this.#lastSeq) return;
    this.#lastSeq = event.seq;
    this.#options.onStatus(event);
  };

  readonly #onError = (): void => {
    const source = this.#source;
    if (!source || this.#stopped) return;
    this.#options.onConnection?.('reconnecting');
    // CONNECTING: the browser is already retrying with Last-Event-ID; leave it alone.
    if (source.readyState !== EventSource.CLOSED) return;
    this.#dropSource();
    this.#scheduleReconnect();
  };

  readonly #onOnline = (): void => {
    if (this.#stopped || this.#source) return;
    this.#cancelRetry?.();
    this.#connect();
  };

  #scheduleReconnect(): void {
    const delays = this.#retryDelays;
    const delay = delays[Math.min(this.#failures, delays.length - 1)] ?? 1_000;
    this.#failures += 1;
    this.#cancelRetry = this.#clock.after(delay, () => {
      if (!this.#stopped) this.#connect();
    });
  }
}

function parseStatusEvent(data: string): StatusEvent | null {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const event = value as Partial<StatusEvent>;
  if (typeof event.seq !== 'number' || !Number.isInteger(event.seq) || typeof event.status !== 'string') return null;
  const attempt = event.attempt;
  if (
    attempt !== null &&
    attempt !== undefined &&
    (typeof attempt.id !== 'string' || typeof attempt.status !== 'string')
  ) {
    return null;
  }
  return {
    seq: event.seq,
    status: event.status,
    attempt: attempt ? { id: attempt.id, status: attempt.status, failure: attempt.failure ?? null } : null,
    at: typeof event.at === 'string' ? event.at : '',
  };
}
