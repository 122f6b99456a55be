/**
 * The session's status events over server-sent events, with the two kinds of reconnect the BFF
 * contract expects:
 * - while the EventSource is CONNECTING, the browser reconnects by itself and resends the last
 *   `id:` as the `Last-Event-ID` header;
 * - once it is CLOSED (the server refused a reconnect, or the network stayed down), only a new
 *   EventSource helps, and it carries `lastEventId=<last seq>` in the URL so the BFF replays what
 *   was missed.
 * Events whose seq was already delivered are dropped here, so callers see each seq once, in order.
 *
 * A connection can also die without a word (a NAT mapping timed out, the phone moved from Wi-Fi to
 * 4G): the browser still thinks it is OPEN and nothing ever arrives again. The BFF therefore says
 * `ready` with its heartbeat interval and then `ping`s while idle; after one interval plus a grace
 * (`silenceLimitMs`: 20 s for the BFF's 15 s beat) the stream assumes the worst and starts a new
 * EventSource. It does the same at once when the shopper comes back to the page (from a wallet
 * app, say), when the page is restored from the back/forward cache, and when the browser comes
 * back online.
 *
 * Where a stream cannot stay open at all (no EventSource, or a proxy that cuts every attempt), the
 * stream falls back to asking `poll` every `pollMs` and hands on what it answers, while it keeps
 * trying to open a stream again; the first stream that opens ends the polling.
 */
import type { CheckoutApi } from './api.ts';
import { systemClock, type Clock } from './clock.ts';
import type { AttemptView, StatusEvent, StreamReady } from './wire.ts';

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
  /** Whether the page is on screen; defaults to `document.visibilityState`. */
  visibility?: () => DocumentVisibilityState;
  /** The session's status now, as an event, for the polling fallback; no polling without it. */
  poll?: () => Promise<StatusEvent | null>;
  pollMs?: number;
}

const DEFAULT_RETRY_DELAYS_MS = [1_000, 2_000, 5_000, 10_000, 30_000] as const;
/** The BFF's default, assumed until its `ready` event says otherwise. */
const DEFAULT_HEARTBEAT_MS = 15_000;
/** Streams that fail to open in a row before polling takes over. */
const FAILURES_BEFORE_POLLING = 3;
const DEFAULT_POLL_MS = 5_000;

/**
 * How long a silence means the connection is dead: one heartbeat, plus room for a late ping (a
 * busy server, a slow network) of a third of it, at most 5 s. The BFF's 15 s beat gives 20 s.
 */
export function silenceLimitMs(heartbeatMs: number): number {
  return heartbeatMs + Math.min(heartbeatMs / 3, 5_000);
}

export class StatusStream {
  readonly #options: StatusStreamOptions;
  readonly #clock: Clock;
  readonly #createEventSource: EventSourceFactory;
  readonly #retryDelays: readonly number[];
  readonly #visibility: () => DocumentVisibilityState;
  #source: EventSource | null = null;
  #lastSeq: number | null = null;
  #failures = 0;
  #heartbeatMs = DEFAULT_HEARTBEAT_MS;
  #cancelRetry: (() => void) | null = null;
  #cancelWatchdog: (() => void) | null = null;
  #stopPolling: (() => void) | null = null;
  #stopped = true;

  constructor(options: StatusStreamOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#createEventSource = options.createEventSource ?? ((url) => new EventSource(url));
    this.#retryDelays = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
    this.#visibility = options.visibility ?? (() => document.visibilityState);
  }

  /** The highest seq delivered so far. */
  get lastSeq(): number | null {
    return this.#lastSeq;
  }

  open(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    addEventListener('online', this.#onOnline);
    addEventListener('pageshow', this.#onPageShow);
    document.addEventListener('visibilitychange', this.#onVisibilityChange);
    if (typeof EventSource === 'undefined' && !this.#options.createEventSource) {
      this.#startPolling();
      return;
    }
    this.#connect();
  }

  /** Whether the stream is polling because no event stream would stay open. */
  get polling(): boolean {
    return this.#stopPolling !== null;
  }

  close(): void {
    this.#stopped = true;
    removeEventListener('online', this.#onOnline);
    removeEventListener('pageshow', this.#onPageShow);
    document.removeEventListener('visibilitychange', this.#onVisibilityChange);
    this.#cancelRetry?.();
    this.#cancelRetry = null;
    this.#stopPolling?.();
    this.#stopPolling = null;
    this.#dropSource();
  }

  #connect(): void {
    this.#cancelRetry = null;
    const source = this.#createEventSource(this.#options.url(this.#lastSeq));
    this.#source = source;
    source.addEventListener('open', this.#onOpen);
    source.addEventListener('ready', this.#onReady);
    source.addEventListener('ping', this.#onAlive);
    source.addEventListener('status', this.#onStatus);
    source.addEventListener('error', this.#onError);
    this.#armWatchdog();
  }

  #dropSource(): void {
    this.#cancelWatchdog?.();
    this.#cancelWatchdog = null;
    const source = this.#source;
    if (!source) return;
    this.#source = null;
    source.removeEventListener('open', this.#onOpen);
    source.removeEventListener('ready', this.#onReady);
    source.removeEventListener('ping', this.#onAlive);
    source.removeEventListener('status', this.#onStatus);
    source.removeEventListener('error', this.#onError);
    source.close();
  }

  /**
   * Replaces the current EventSource with a new one that resumes after the last seq, now. Only a
   * connection found dead is reported; a precautionary one after a resume stays quiet.
   */
  #reconnectNow(found: 'dead' | 'suspect'): void {
    if (this.#stopped) return;
    this.#cancelRetry?.();
    this.#cancelRetry = null;
    if (found === 'dead') this.#options.onConnection?.('reconnecting');
    this.#dropSource();
    this.#connect();
  }

  /** (Re)starts the countdown to declaring the connection dead; every sign of life calls it. */
  #armWatchdog(): void {
    this.#cancelWatchdog?.();
    this.#cancelWatchdog = this.#clock.after(silenceLimitMs(this.#heartbeatMs), () => {
      this.#cancelWatchdog = null;
      this.#reconnectNow('dead');
    });
  }

  readonly #onOpen = (): void => {
    this.#failures = 0;
    this.#stopPolling?.();
    this.#stopPolling = null;
    this.#armWatchdog();
    this.#options.onConnection?.('open');
  };

  readonly #onReady = (message: Event): void => {
    const heartbeatMs = message instanceof MessageEvent ? parseReady(message.data) : null;
    if (heartbeatMs !== null) this.#heartbeatMs = heartbeatMs;
    this.#armWatchdog();
  };

  readonly #onAlive = (): void => {
    this.#armWatchdog();
  };

  readonly #onStatus = (message: Event): void => {
    this.#armWatchdog();
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

  // A connection that was up before the network changed is as suspect as one that was down.
  readonly #onOnline = (): void => {
    this.#reconnectNow('suspect');
  };

  // Restored from the back/forward cache: the old connection did not survive the stay.
  readonly #onPageShow = (event: Event): void => {
    if (event instanceof PageTransitionEvent && event.persisted) this.#reconnectNow('suspect');
  };

  // Back on screen, typically from a wallet app: the phone may have cut the connection meanwhile.
  readonly #onVisibilityChange = (): void => {
    if (this.#visibility() !== 'visible') return;
    if (this.#stopPolling) void this.#pollOnce();
    else this.#reconnectNow('suspect');
  };

  #startPolling(): void {
    if (this.#stopPolling || !this.#options.poll) return;
    this.#stopPolling = this.#clock.every(this.#options.pollMs ?? DEFAULT_POLL_MS, () => void this.#pollOnce());
    void this.#pollOnce();
  }

  async #pollOnce(): Promise<void> {
    let event: StatusEvent | null;
    try {
      event = (await this.#options.poll?.()) ?? null;
    } catch {
      // The next poll will tell; the connection note already says we are reconnecting.
      return;
    }
    if (event && !this.#stopped) this.#options.onStatus(event);
  }

  #scheduleReconnect(): void {
    const delays = this.#retryDelays;
    const delay = delays[Math.min(this.#failures, delays.length - 1)] ?? 1_000;
    this.#failures += 1;
    if (this.#failures >= FAILURES_BEFORE_POLLING) this.#startPolling();
    this.#cancelRetry = this.#clock.after(delay, () => {
      if (!this.#stopped) this.#connect();
    });
  }
}

/**
 * Opens the status stream of the session `api` pays: its events URL, and where no stream stays
 * open, the session's view as it is now, read as one more status event (`signal` aborts that read).
 */
export function followSession(
  api: Pick<CheckoutApi, 'eventsUrl' | 'getView'>,
  options: Omit<StatusStreamOptions, 'url' | 'poll'> & { signal?: AbortSignal },
): StatusStream {
  const stream: StatusStream = new StatusStream({
    ...options,
    url: (lastEventId) => api.eventsUrl(lastEventId),
    poll: async () => {
      const view = await api.getView(options.signal);
      const attempt = view.attempt;
      return {
        seq: stream.lastSeq ?? 0,
        status: view.status,
        attempt: attempt ? eventAttempt(attempt) : null,
        at: view.serverTime,
      };
    },
  });
  stream.open();
  return stream;
}

/** The heartbeat interval from a `ready` event, or null when it is missing or absurd. */
function parseReady(data: unknown): number | null {
  if (typeof data !== 'string') return null;
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return null;
  }
  const heartbeatMs = (value as Partial<StreamReady> | null)?.heartbeatMs;
  return typeof heartbeatMs === 'number' && Number.isFinite(heartbeatMs) && heartbeatMs >= 1_000 ? heartbeatMs : null;
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
    attempt: attempt ? eventAttempt(attempt) : null,
    at: typeof event.at === 'string' ? event.at : '',
  };
}

/** An attempt as a status event carries it: id, status and failure (null when there is none). */
function eventAttempt(attempt: Pick<AttemptView, 'id' | 'status' | 'failure'>): NonNullable<StatusEvent['attempt']> {
  return { id: attempt.id, status: attempt.status, failure: attempt.failure ?? null };
}
