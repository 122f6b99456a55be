import { resolve } from 'node:path';
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
    const store = new SqliteStore(path === ':memory:' ? path : resolve(process.cwd(), path));
    try {
      await store.migrate();
    } catch (error) {
      await store.close();
      throw error;
    }
    return store;
  }
  if (database.startsWith('postgres://') || database.startsWith('postgresql://')) {
    throw new Error('the PostgreSQL store is not available in this build yet; use "sqlite:<path>" for "database"');
  }
  // NOTE: the value is not echoed back: a database URL can carry a password.
  throw new Error('database must be "sqlite:<path>" or "postgres://…"');
}
