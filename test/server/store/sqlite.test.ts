import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { openStore } from '../../../server/store/index.ts';
import { SqliteStore } from '../../../server/store/sqlite.ts';
import { storeContract } from './contract.ts';

const dir = mkdtempSync(join(tmpdir(), 'tender-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
/** A path in a directory that does not exist yet. */
function freshPath(): string {
  files += 1;
  return join(dir, `case-${files}`, 'nested', 'tender.db');
}

const contractPath = freshPath();
storeContract('SqliteStore', async () => {
  const store = new SqliteStore(contractPath);
  await store.migrate();
  return store;
});

/** Reads the file with a connection of its own, as an operator's sqlite3 shell would. */
function inspect<T>(path: string, read: (db: Database.Database) => T): T {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

describe('SqliteStore on a file', () => {
  it('creates the file and its missing parent directories', async () => {
    const path = freshPath();
    const store = new SqliteStore(path);
    await store.migrate();
    await store.close();
    assert.ok(existsSync(path));
  });

  it('records each migration once in schema_migrations, however often migrate runs', async () => {
    const path = freshPath();
    const store = new SqliteStore(path);
    await store.migrate();
    await store.migrate();
    await store.close();
    const reopened = new SqliteStore(path);
    await reopened.migrate();
    await reopened.close();

    const rows = inspect(path, (db) =>
      db
        .prepare<[], { version: number; applied_at: string }>(
          'SELECT version, applied_at FROM schema_migrations ORDER BY version',
        )
        .all(),
    );
    assert.ok(rows.length >= 1);
    assert.deepEqual(
      rows.map((r) => r.version),
      rows.map((_, i) => i + 1),
      'versions are 1..n with no gap and no repeat',
    );
    for (const row of rows) assert.ok(!Number.isNaN(Date.parse(row.applied_at)), `applied_at ${row.applied_at}`);

    const tables = inspect(path, (db) =>
      db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all(),
    ).map((t) => t.name);
    for (const table of ['attempts', 'events', 'idempotency_keys', 'notifications', 'schema_migrations', 'sessions']) {
      assert.ok(tables.includes(table), `table ${table} exists`);
    }
  });

  it('runs in WAL mode', async () => {
    const path = freshPath();
    const store = new SqliteStore(path);
    await store.migrate();
    await store.close();
    assert.equal(
      inspect(path, (db) => db.pragma('journal_mode', { simple: true })),
      'wal',
    );
  });

  it('refuses a database migrated by a newer build instead of running on an unknown schema', async () => {
    const path = freshPath();
    const store = new SqliteStore(path);
    await store.migrate();
    await store.close();
    const db = new Database(path);
    db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(9999, new Date().toISOString());
    db.close();

    const again = new SqliteStore(path);
    await assert.rejects(again.migrate(), /newer/);
    await again.close();
  });

  it('declares the foreign key from events to sessions', async () => {
    const path = freshPath();
    const store = new SqliteStore(path);
    await store.migrate();
    await store.close();
    const db = new Database(path);
    db.pragma('foreign_keys = ON');
    const orphan = db.prepare('INSERT INTO events (session_id, seq, data) VALUES (?, 1, ?)');
    assert.throws(() => orphan.run('nobody', '{}'), /FOREIGN KEY/);
    db.close();
  });
});

describe('openStore', () => {
  it('opens and migrates a sqlite: path relative to the working directory', async () => {
    const path = freshPath();
    const store = await openStore(`sqlite:${relative(process.cwd(), path)}`);
    assert.equal(await store.getSession('nothing-yet'), null, 'tables exist without a separate migrate()');
    await store.close();
    assert.ok(existsSync(path));
  });

  it('rejects any other database without echoing it', async () => {
    for (const database of ['mysql://root:hunter2@db/tender', 'sqlite:', './data/tender.db']) {
      await assert.rejects(openStore(database), (error: Error) => {
        assert.doesNotMatch(error.message, /hunter2/);
        return true;
      });
    }
  });
});
