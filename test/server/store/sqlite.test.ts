import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { openStore } from '../../../server/store/index.ts';
import { MIGRATIONS, SqliteStore } from '../../../server/store/sqlite.ts';
import { ConflictError } from '../../../server/store/store.ts';
import { makeSession, storeContract } from './contract.ts';

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

  it("finds an attempt by the provider's payment id through an index, not a scan", async () => {
    const path = freshPath();
    const store = new SqliteStore(path);
    await store.migrate();
    await store.close();
    const plan = inspect(path, (db) =>
      db
        .prepare(
          'EXPLAIN QUERY PLAN SELECT * FROM attempts WHERE provider = ? AND provider_payment_id = ? ORDER BY created_at DESC LIMIT 1',
        )
        .all('ottpay', 'pay_1')
        .map((row) => (row as { detail: string }).detail),
    );
    assert.ok(
      plan.some((step) => step.includes('USING INDEX attempts_by_payment')),
      plan.join('; '),
    );
  });

  it('keeps the session webhooks of a version 6 database when it makes room for payout webhooks', async () => {
    const path = freshPath();
    const session = makeSession();
    {
      const store = new SqliteStore(path);
      await store.migrate();
      await store.createSession(session);
      await store.close();
    }
    // Rebuild the file as version 6 left it, with one undelivered session webhook in the outbox.
    const old = new Database(path);
    old.exec(
      'DROP TABLE webhooks; DROP INDEX payouts_by_created; DROP INDEX attempts_by_payment; DELETE FROM schema_migrations',
    );
    for (const migration of MIGRATIONS.filter((each) => each.version <= 6)) {
      if (migration.version === 2) old.exec(migration.sql);
      old.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(migration.version, 'x');
    }
    old
      .prepare(
        `INSERT INTO webhooks (id, session_id, type, payload, attempts, next_attempt_at, created_at)
         VALUES ('whk_old', ?, 'session.succeeded', '{}', 0, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')`,
      )
      .run(session.id);
    old.close();

    const store = new SqliteStore(path);
    await store.migrate();
    try {
      const [webhook] = await store.listWebhooks(session.id);
      assert.equal(webhook?.id, 'whk_old');
      assert.equal(webhook?.payoutId, null);
      assert.deepEqual(
        (await store.claimDueWebhooks('2026-01-01T00:00:00.000Z', '2026-01-01T00:01:00.000Z', 10)).map((w) => w.id),
        ['whk_old'],
        'still due for delivery',
      );
    } finally {
      await store.close();
    }
    const writable = new Database(path);
    try {
      assert.throws(
        () => writable.exec("INSERT INTO webhooks (id, type, payload, created_at) VALUES ('x', 't', '{}', 'now')"),
        /CHECK constraint failed/,
        'a webhook belongs to a session or a payout',
      );
    } finally {
      writable.close();
    }
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

describe('SqliteStore group commit', () => {
  const event = { status: 'pending' as const, attempt: null, at: '2026-11-21T10:00:01.000Z' };

  it('writes what is asked for together, each write succeeding or failing on its own', async () => {
    const path = freshPath();
    const store = new SqliteStore(path);
    await store.migrate();
    const [one, two, four] = [makeSession(), makeSession(), makeSession()];
    for (const session of [one, two, four]) await store.createSession(session);
    const three = makeSession();

    // Asked for in one turn of the event loop, so written in one transaction.
    const results = await Promise.allSettled([
      store.commit({ sessionId: one.id, expectedVersion: 1, event }),
      store.commit({ sessionId: one.id, expectedVersion: 1, event: { ...event, status: 'failed' } }),
      store.createSession(one),
      store.createSession(three),
      store.commit({ sessionId: two.id, expectedVersion: 1, event }),
      // Fails after its first writes (the version bump, the event): those are taken back alone.
      store.commit({ sessionId: four.id, expectedVersion: 1, event, refund: { id: 'ref_none', patch: {} } }),
    ]);
    assert.deepEqual(
      results.map((result) => result.status),
      ['fulfilled', 'rejected', 'rejected', 'fulfilled', 'fulfilled', 'rejected'],
    );
    assert.ok((results[1] as PromiseRejectedResult).reason instanceof ConflictError);

    // Answered only once committed: another connection sees every write that succeeded, and
    // nothing of those that failed.
    const seen = inspect(path, (db) => ({
      events: db
        .prepare<[string, string, string], { session_id: string; data: string }>(
          'SELECT session_id, data FROM events WHERE session_id IN (?, ?, ?) ORDER BY session_id',
        )
        .all(one.id, two.id, four.id),
      three: db.prepare<[string], { id: string }>('SELECT id FROM sessions WHERE id = ?').get(three.id),
      versions: db
        .prepare<[string, string], { version: number }>('SELECT version FROM sessions WHERE id IN (?, ?) ORDER BY id')
        .all(...([one.id, four.id].sort() as [string, string])),
    }));
    assert.equal(seen.events.length, 2);
    assert.deepEqual(
      seen.events.map((row) => JSON.parse(row.data).status),
      ['pending', 'pending'],
    );
    assert.equal(seen.three?.id, three.id);
    assert.deepEqual(
      seen.versions.map((row) => row.version),
      [one.id, four.id].sort().map((id) => (id === one.id ? 2 : 1)),
    );
    await store.close();
  });

  it('writes what was asked for before closing', async () => {
    const path = freshPath();
    const store = new SqliteStore(path);
    await store.migrate();
    const session = makeSession();
    const written = store.createSession(session);
    await store.close();
    await written;
    assert.equal(
      inspect(path, (db) =>
        db.prepare<[string], { id: string }>('SELECT id FROM sessions WHERE id = ?').get(session.id),
      )?.id,
      session.id,
    );
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

describe('SqliteStore opened by several processes at once', () => {
  /** Starts a thread running sqlite-open.worker.ts (TypeScript, through tsx) and waits for its report. */
  function openInThread(data: { paths: string[]; barrier: SharedArrayBuffer; threads: number }) {
    const script = new URL('./sqlite-open.worker.ts', import.meta.url).href;
    const boot = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(script)}); })`;
    return new Promise<Array<string | null>>((resolve, reject) => {
      const worker = new Worker(boot, { eval: true, workerData: data });
      worker.once('message', resolve);
      worker.once('error', reject);
    });
  }

  it('lets every one of them start on the same new file (WAL switch retried while busy)', async () => {
    // Four threads leave a spinning barrier together and open the same new file, 80 times over.
    // Without the retry about one round in twelve fails here with SQLITE_BUSY from journal_mode.
    const threads = 4;
    const rounds = 80;
    const paths = Array.from({ length: rounds }, () => freshPath());
    const barrier = new SharedArrayBuffer(4 * rounds);
    const reports = await Promise.all(Array.from({ length: threads }, () => openInThread({ paths, barrier, threads })));
    assert.deepEqual(reports.flat().filter(Boolean), []);
    for (const path of paths) {
      assert.equal(
        inspect(path, (db) => db.pragma('journal_mode', { simple: true })),
        'wal',
      );
    }
  });
});
