/**
 * Wakes SSE streams when a session's event log grows. The log in the store is the source of truth;
 * the hub carries only "session X has news", and each stream reads the new events from the store.
 * This hub is in-process (one BFF on SQLite); on PostgreSQL, `pg-hub.ts` carries the news through
 * LISTEN/NOTIFY so an event written by one BFF instance reaches streams held by another.
 */
export type Wakeup = () => void;

export interface EventHub {
  subscribe(sessionId: string, wake: Wakeup): () => void;
  publish(sessionId: string): void;
}

export function createLocalHub(): EventHub {
  const listeners = new Map<string, Set<Wakeup>>();
  return {
    subscribe(sessionId, wake) {
      let set = listeners.get(sessionId);
      if (!set) listeners.set(sessionId, (set = new Set()));
      set.add(wake);
      return () => {
        set.delete(wake);
        if (set.size === 0) listeners.delete(sessionId);
      };
    },
    publish(sessionId) {
      for (const wake of listeners.get(sessionId) ?? []) wake();
    },
  };
}
