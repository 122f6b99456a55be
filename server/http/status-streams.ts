/**
 * Every open SSE status stream of one BFF instance, kept cheaply enough that one instance holds
 * tens of thousands (README, "Operating Tender"):
 *
 * - Streams are grouped by session. A group subscribes to the event hub once, and a wake-up reads
 *   the session's log once (from the oldest position any of its streams has sent) for all of its
 *   streams; each event is serialized once and written to every stream that has not had it.
 * - One shared timer sends every heartbeat. Streams are spread over `HEARTBEAT_SLOTS` slots and the
 *   timer visits one slot per tick, so each stream gets a `ping` every `heartbeatMs` and the work is
 *   spread evenly instead of arriving in one burst. Each visit also re-reads the log of the slot's
 *   sessions, because a wake-up from another instance can be lost (see `pg-hub.ts`).
 * - One expiry timer per session, not per stream.
 * - Under `@hono/node-server` a stream writes straight to the node response (no web stream, no
 *   per-stream promise loop); elsewhere (`app.request` in tests) it is a `ReadableStream`.
 * - Limits: streams per session, per client address and in all (`LIMITS`), the total kept below the
 *   process's open-file limit with room for the API, callbacks and the database. Over a limit the
 *   answer is 429 (per session or per client) or 503 (the instance is full) with `Retry-After`.
 */
import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import type { StreamReady } from '../../widget/wire.ts';
import type { EventHub } from '../domain/events.ts';
import { LIMITS } from '../limits.ts';
import type { EventRecord } from '../store/store.ts';

export interface StreamLimits {
  perSession: number;
  perClient: number;
  total: number;
}

/** Heartbeat slots: the shared timer ticks `HEARTBEAT_SLOTS` times per heartbeat interval. */
const HEARTBEAT_SLOTS = 16;

/** A stream whose client reads slower than this many buffered bytes is ended; it reconnects and replays. */
const MAX_BUFFERED_BYTES = 64 * 1024;

/** `Retry-After` (seconds) on a 429: another tab or device of the same shopper may close by then. */
export const RETRY_AFTER_BUSY_CLIENT_S = 10;
/** `Retry-After` (seconds) on a 503: streams end as checkouts finish, so room comes back soon. */
export const RETRY_AFTER_FULL_S = 5;

const PING = 'event: ping\ndata: {}\n\n';

/** Where a stream's bytes go: a node response or a web stream. */
export interface StreamSink {
  /** Writes a chunk; false when the client is too far behind and the stream should end. */
  write(chunk: string): boolean;
  end(): void;
}

/** Why a stream was refused. */
export class StreamRefused extends Error {
  override name = 'StreamRefused';
  constructor(
    readonly status: 429 | 503,
    readonly code: 'too_many_streams' | 'unavailable',
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

interface Stream {
  group: SessionGroup;
  client: string | null;
  sink: StreamSink;
  /** The last event seq this stream has sent. */
  last: number;
  slot: number;
  open: boolean;
}

interface SessionGroup {
  sessionId: string;
  streams: Set<Stream>;
  unsubscribe: () => void;
  expiry: NodeJS.Timeout | null;
  reading: boolean;
  readAgain: boolean;
}

export interface StatusStreamsOptions {
  hub: EventHub;
  listEvents(sessionId: string, afterSeq: number): Promise<EventRecord[]>;
  /** Expires the session once its time is up (nothing else may touch it by then). */
  expire(sessionId: string): Promise<unknown>;
  now(): number;
  heartbeatMs: number;
  limits?: Partial<StreamLimits>;
  /** Told when a log read fails; the stream stays open and tries again at its next heartbeat. */
  onError?: (error: unknown) => void;
}

export class StatusStreams {
  readonly limits: StreamLimits;
  readonly #options: StatusStreamsOptions;
  readonly #groups = new Map<string, SessionGroup>();
  readonly #perClient = new Map<string, number>();
  readonly #slots: Set<Stream>[] = Array.from({ length: HEARTBEAT_SLOTS }, () => new Set());
  #tick = 0;
  #count = 0;
  #timer: NodeJS.Timeout | null = null;

  constructor(options: StatusStreamsOptions) {
    this.#options = options;
    this.limits = {
      perSession: options.limits?.perSession ?? LIMITS.sseStreamsPerSession,
      perClient: options.limits?.perClient ?? LIMITS.sseStreamsPerClient,
      total: options.limits?.total ?? defaultTotal(),
    };
  }

  /** Open streams on this instance. */
  get size(): number {
    return this.#count;
  }

  /** Throws `StreamRefused` when one more stream for this session and client would break a limit. */
  admit(sessionId: string, client: string | null): void {
    if (this.#count >= this.limits.total) {
      throw new StreamRefused(
        503,
        'unavailable',
        'this instance holds as many status streams as it can; try again shortly',
        RETRY_AFTER_FULL_S,
      );
    }
    if ((this.#groups.get(sessionId)?.streams.size ?? 0) >= this.limits.perSession) {
      throw new StreamRefused(
        429,
        'too_many_streams',
        `this checkout already has ${this.limits.perSession} open status streams; close one first`,
        RETRY_AFTER_BUSY_CLIENT_S,
      );
    }
    if (client !== null && (this.#perClient.get(client) ?? 0) >= this.limits.perClient) {
      throw new StreamRefused(
        429,
        'too_many_streams',
        `this address already has ${this.limits.perClient} open status streams; close one first`,
        RETRY_AFTER_BUSY_CLIENT_S,
      );
    }
  }

  /**
   * Registers a stream (after `admit`) that has sent events up to `last`, writes `ready`, and sends
   * what the log holds after `last`. Returns the function that closes it (idempotent).
   */
  open(session: { id: string; expiresAt: string }, client: string | null, last: number, sink: StreamSink): () => void {
    const group = this.#groups.get(session.id) ?? this.#newGroup(session);
    // The slot the timer visited last: its next visit is one full heartbeat away.
    const slot = (this.#tick + HEARTBEAT_SLOTS - 1) % HEARTBEAT_SLOTS;
    const stream: Stream = { group, client, sink, last, slot, open: true };
    group.streams.add(stream);
    this.#slots[slot]!.add(stream);
    if (client !== null) this.#perClient.set(client, (this.#perClient.get(client) ?? 0) + 1);
    this.#count++;
    this.#startTimer();
    const ready = `event: ready\ndata: ${JSON.stringify({ heartbeatMs: this.#options.heartbeatMs } satisfies StreamReady)}\nretry: 3000\n\n`;
    if (!sink.write(ready)) this.#close(stream);
    else this.#read(group);
    return () => this.#close(stream);
  }

  /** Ends every stream and stops the timer (the instance is shutting down). */
  closeAll(): void {
    for (const group of [...this.#groups.values()]) for (const stream of [...group.streams]) this.#close(stream);
    this.#stopTimer();
  }

  #newGroup(session: { id: string; expiresAt: string }): SessionGroup {
    const group: SessionGroup = {
      sessionId: session.id,
      streams: new Set(),
      unsubscribe: () => undefined,
      expiry: null,
      reading: false,
      readAgain: false,
    };
    group.unsubscribe = this.#options.hub.subscribe(session.id, () => this.#read(group));
    // Expire the session on time even if nothing else touches it, so its shoppers see it.
    const untilExpiry = new Date(session.expiresAt).getTime() - this.#options.now();
    if (untilExpiry < 2 ** 31 - 1) {
      group.expiry = setTimeout(
        () => void this.#options.expire(session.id).catch(() => undefined),
        Math.max(0, untilExpiry) + 250,
      );
    }
    this.#groups.set(session.id, group);
    return group;
  }

  #close(stream: Stream): void {
    if (!stream.open) return;
    stream.open = false;
    const { group } = stream;
    group.streams.delete(stream);
    this.#slots[stream.slot]!.delete(stream);
    if (stream.client !== null) {
      const left = (this.#perClient.get(stream.client) ?? 1) - 1;
      if (left > 0) this.#perClient.set(stream.client, left);
      else this.#perClient.delete(stream.client);
    }
    this.#count--;
    if (group.streams.size === 0 && this.#groups.get(group.sessionId) === group) {
      this.#groups.delete(group.sessionId);
      group.unsubscribe();
      if (group.expiry) clearTimeout(group.expiry);
    }
    if (this.#count === 0) this.#stopTimer();
    stream.sink.end();
  }

  /**
   * Reads the session's log once for all of its streams and sends each stream what it lacks. A
   * wake-up during a read makes one more read after it, so no event is left behind.
   */
  #read(group: SessionGroup): void {
    if (group.reading) {
      group.readAgain = true;
      return;
    }
    group.reading = true;
    void (async () => {
      try {
        do {
          group.readAgain = false;
          if (group.streams.size === 0) break;
          let from = Number.MAX_SAFE_INTEGER;
          for (const stream of group.streams) from = Math.min(from, stream.last);
          const events = await this.#options.listEvents(group.sessionId, from);
          if (events.length === 0) continue;
          const frames = events.map(
            (event) => `id: ${event.seq}\nevent: status\ndata: ${JSON.stringify(event.data)}\n\n`,
          );
          for (const stream of [...group.streams]) {
            let chunk = '';
            for (let i = 0; i < events.length; i++) if (events[i]!.seq > stream.last) chunk += frames[i]!;
            if (!chunk) continue;
            stream.last = events.at(-1)!.seq;
            if (!stream.sink.write(chunk)) this.#close(stream);
          }
        } while (group.readAgain);
      } catch (error) {
        this.#options.onError?.(error);
      } finally {
        group.reading = false;
      }
    })();
  }

  #startTimer(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => this.#beat(), Math.max(1, this.#options.heartbeatMs / HEARTBEAT_SLOTS));
    // Open streams keep the server running, not this timer.
    this.#timer.unref();
  }

  #stopTimer(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** One tick of the shared timer: pings one slot's streams and re-reads their sessions' logs. */
  #beat(): void {
    const slot = this.#slots[this.#tick]!;
    this.#tick = (this.#tick + 1) % HEARTBEAT_SLOTS;
    const groups = new Set<SessionGroup>();
    // A named event, not a comment: page script never sees comments, and the widget uses these to
    // notice a connection that died without closing.
    for (const stream of [...slot]) {
      if (!stream.sink.write(PING)) this.#close(stream);
      else groups.add(stream.group);
    }
    for (const group of groups) this.#read(group);
  }
}

/** A sink on a node response: headers written at once, backpressure ends a stream that falls behind. */
export function nodeSink(response: ServerResponse, status: number, headers: Headers, onClose: () => void): StreamSink {
  const flat: Record<string, string> = {};
  headers.forEach((value, name) => (flat[name] = value));
  response.writeHead(status, flat);
  response.socket?.setNoDelay(true);
  response.once('close', onClose);
  return {
    write(chunk) {
      if (response.destroyed || response.writableEnded) return false;
      response.write(chunk);
      return response.writableLength <= MAX_BUFFERED_BYTES;
    },
    end() {
      // A client that stopped reading would hold the buffered bytes forever: cut it off instead.
      if (response.destroyed) return;
      if (response.writableLength > MAX_BUFFERED_BYTES) response.destroy();
      else if (!response.writableEnded) response.end();
    },
  };
}

/** A sink on a web stream, for runtimes without a node response (`app.request` in tests). */
export function webSink(onClose: () => void): { sink: StreamSink; body: ReadableStream<Uint8Array> } {
  const encoder = new TextEncoder();
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let ended = false;
  const body = new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c;
      },
      cancel() {
        ended = true;
        onClose();
      },
    },
    { highWaterMark: MAX_BUFFERED_BYTES, size: (chunk) => chunk.byteLength },
  );
  return {
    body,
    sink: {
      write(chunk) {
        if (ended) return false;
        controller.enqueue(encoder.encode(chunk));
        return (controller.desiredSize ?? 0) > 0;
      },
      end() {
        if (ended) return;
        ended = true;
        controller.close();
      },
    },
  };
}

/**
 * Streams allowed in all: `LIMITS.sseStreamsTotal`, or fewer when the process's open-file limit
 * would not leave `LIMITS.sseFileReserve` descriptors for everything else (each stream holds one).
 */
export function defaultTotal(fileLimit = openFileLimit()): number {
  if (fileLimit === null) return LIMITS.sseStreamsTotal;
  return Math.max(0, Math.min(LIMITS.sseStreamsTotal, fileLimit - LIMITS.sseFileReserve));
}

/** The soft open-file limit of this process (Linux `/proc/self/limits`), or null where unknown. */
export function openFileLimit(): number | null {
  try {
    const line = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    if (!line || line[1] === 'unlimited') return null;
    return Number(line[1]);
  } catch {
    return null;
  }
}
