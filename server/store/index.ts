import { resolve } from 'node:path';
import { explainStoreError, StoreUnavailableError, type StoreLocation } from './errors.ts';
import { PostgresStore } from './postgres.ts';
import { SqliteStore } from './sqlite.ts';
import type { Store } from './store.ts';

export { StoreUnavailableError } from './errors.ts';
export type { Store } from './store.ts';

/**
 * Opens and migrates the store named by the config's `database`: `sqlite:<path>` (relative to the
 * working directory) or `postgres://…`. A failure the operator can fix (a read-only file, a directory
 * that cannot be written, a full disk, a PostgreSQL server that cannot be reached or refuses us) is a
 * `StoreUnavailableError` whose message is one line naming the cause and the fix.
 */
export async function openStore(database: string): Promise<Store> {
  if (database.startsWith('sqlite:')) {
    const given = database.slice('sqlite:'.length);
    if (given === '') {
      throw new StoreUnavailableError('database "sqlite:" needs a file path, e.g. "sqlite:./data/tender.db"');
    }
    const path = given === ':memory:' ? given : resolve(process.cwd(), given);
    return opened(() => new SqliteStore(path), { engine: 'sqlite', path });
  }
  if (database.startsWith('postgres://') || database.startsWith('postgresql://')) {
    return opened(() => new PostgresStore(database), { engine: 'postgres', url: database });
  }
  // NOTE: the value is not echoed back: a database URL can carry a password.
  throw new StoreUnavailableError('database must be "sqlite:<path>" or "postgres://…"');
}

/** Opens, migrates and test-writes a store, closing it again if that fails so nothing is left open. */
async function opened(open: () => Store, where: StoreLocation): Promise<Store> {
  let store: Store | null = null;
  try {
    store = open();
    await store.migrate();
    // A read-only file or a full disk can pass the migration when there is nothing to migrate.
    await store.checkHealth();
    return store;
  } catch (error) {
    await store?.close().catch(() => undefined);
    const line = explainStoreError(error, where);
    // Anything not recognised keeps its stack: it is a defect to find, not a setting to fix.
    throw line === null ? error : new StoreUnavailableError(line, { cause: error });
  }
}
