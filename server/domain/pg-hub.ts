/**
 * The event hub for several BFF instances sharing one PostgreSQL database. `publish` wakes this
 * instance's streams at once and sends `NOTIFY tender_events, '<sessionId>'`; one dedicated
 * connection per instance LISTENs on that channel and wakes the local streams of the named session.
 *
 * A wake-up carries no data, only "session X has news": each stream re-reads the session's log from
 * the store. That makes a spare wake-up harmless (this instance hears its own NOTIFY back) and a lost
 * one recoverable: notifications sent while the LISTEN connection was down are gone, so after
 * reconnecting the hub wakes every local stream once.
 */
import pg from 'pg';
import type { EventHub, Wakeup } from './events.ts';

export const EVENTS_CHANNEL = 'tender_events';

export interface PostgresHub extends EventHub {
  /** Stops listening and closes every connection; `publish` then only wakes local streams. */
  close(): Promise<void>;
}

export interface PostgresHubOptions {
  /** Told about connection trouble; the hub carries on and reconnects by itself. */
  onError?: (error: Error) => void;
  /** Wait before the first reconnection attempt; doubles on each failure up to `maxRetryMs`. */
  retryMs?: number;
  maxRetryMs?: number;
}

/**
 * Connects the LISTEN connection before resolving, so a BFF with an unreachable database fails at
 * start rather than serving streams that never wake.
 */
export async function createPostgresHub(
  connectionString: string,
  { onError = () => undefined, retryMs = 100, maxRetryMs = 5_000 }: PostgresHubOptions = {},
): Promise<PostgresHub> {
  const listeners = new Map<string, Set<Wakeup>>();
  const report = (error: unknown) => onError(error instanceof Error ? error : new Error(String(error)));
  // Copies, because a stream woken here may unsubscribe before the loop moves on.
  const wakeSession = (sessionId: string) => {
    for (const wake of [...(listeners.get(sessionId) ?? [])]) wake();
  };
  const wakeAll = () => {
    for (const set of [...listeners.values()]) for (const wake of [...set]) wake();
  };

  // Notifying needs no dedicated connection; a small pool keeps a burst of publishes from queueing.
  const publisher = new pg.Pool({ connectionString, max: 2, application_name: 'tender-hub' });
  publisher.on('error', report);

  let listener: pg.Client | null = null;
  let closed = false;
  let retryTimer: NodeJS.Timeout | null = null;
  let delay = retryMs;

  async function listen(): Promise<pg.Client> {
    // keepAlive: a connection cut off without a FIN (a NAT timing out, a failover) is noticed and
    // replaced instead of waiting forever for notifications that cannot arrive.
    const client = new pg.Client({ connectionString, keepAlive: true, application_name: 'tender-hub' });
    client.on('notification', (message) => {
      if (message.channel === EVENTS_CHANNEL && message.payload) wakeSession(message.payload);
    });
    client.on('error', (error) => {
      report(error);
      lost(client);
    });
    client.on('end', () => lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${EVENTS_CHANNEL}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    return client;
  }

  /** The LISTEN connection failed or ended (both may be reported for one loss). */
  function lost(client: pg.Client): void {
    if (client !== listener) return;
    listener = null;
    void client.end().catch(() => undefined);
    reconnectLater();
  }

  function reconnectLater(): void {
    if (closed || retryTimer) return;
    retryTimer = setTimeout(() => {
      retryTimer = null;
      listen().then(
        (client) => {
          if (closed) {
            void client.end().catch(() => undefined);
            return;
          }
          listener = client;
          delay = retryMs;
          wakeAll();
        },
        (error: unknown) => {
          report(error);
          delay = Math.min(delay * 2, maxRetryMs);
          reconnectLater();
        },
      );
    }, delay);
  }

  try {
    listener = await listen();
  } catch (error) {
    await publisher.end();
    throw error;
  }

  return {
    subscribe(sessionId, wake) {
      let set = listeners.get(sessionId);
      if (!set) listeners.set(sessionId, (set = new Set()));
      set.add(wake);
      return () => {
        set.delete(wake);
        if (set.size === 0 && listeners.get(sessionId) === set) listeners.delete(sessionId);
      };
    },
    publish(sessionId) {
      wakeSession(sessionId);
      if (closed) return;
      // pg_notify() rather than NOTIFY: the channel payload can then be a bound parameter.
      publisher.query('SELECT pg_notify($1, $2)', [EVENTS_CHANNEL, sessionId]).catch(report);
    },
    async close() {
      if (closed) return;
      closed = true;
      if (retryTimer) clearTimeout(retryTimer);
      retryTimer = null;
      const client = listener;
      listener = null;
      await client?.end().catch(() => undefined);
      await publisher.end();
    },
  };
}
