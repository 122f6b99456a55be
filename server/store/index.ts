import { resolve } from 'node:path';
import { PostgresStore } from './postgres.ts';
import { SqliteStore } from './sqlite.ts';
import type { Store } from './store.ts';

export type { Store } from './store.ts';

/**
 * Opens and migrates the store named by the config's `database`: `sqlite:<path>` (relative to the
 * working directory) or `postgres://…`.
 */
export async function openStore(database: string): Promise<Store> {
  if (database.startsWith('sqlite:')) {
    const path = database.slice('sqlite:'.length);
    if (path === '') throw new Error('database "sqlite:" needs a file path, e.g. "sqlite:./data/tender.db"');
    return migrated(new SqliteStore(path === ':memory:' ? path : resolve(process.cwd(), path)));
  }
  if (database.startsWith('postgres://') || database.startsWith('postgresql://')) {
    return migrated(new PostgresStore(database));
  }
  // NOTE: the value is not echoed back: a database URL can carry a password.
  throw new Error('database must be "sqlite:<path>" or "postgres://…"');
}

/** Migrates a freshly opened store, closing it again if that fails so nothing is left open. */
async function migrated(store: Store): Promise<Store> {
  try {
    await store.migrate();
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}
