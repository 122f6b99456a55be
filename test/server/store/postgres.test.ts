import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { openStore, StoreUnavailableError } from '../../../server/store/index.ts';
import { PostgresStore } from '../../../server/store/postgres.ts';
import { ConflictError, type Store } from '../../../server/store/store.ts';
import { usePostgres } from '../pg.ts';
import { makeSession, storeContract } from './contract.ts';

const server = await usePostgres();
const skip = server.skip;
/** A fresh, empty database's URL; only called by tests that run (not skipped). */
const database = (options?: { icuLocale?: string }) => {
  if (server.skip !== false) throw new Error(server.skip);
  return server.database(options);
};

const stores: Store[] = [];
after(async () => {
  for (const store of stores) await store.close();
});

/** A migrated store, closed after the file's tests. */
async function openMigrated(url: string): Promise<PostgresStore> {
  const store = new PostgresStore(url);
  stores.push(store);
  await store.migrate();
  return store;
}

/** Reads the database with a connection of its own, as an operator's psql would. */
async function inspect<T>(url: string, read: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await read(client);
  } finally {
    await client.end();
  }
}

const event = (status: 'pending' | 'failed') => ({ status, attempt: null, at: '2026-11-21T10:00:01.000Z' });

const contractUrl = skip ? '' : await database();

describe('PostgreSQL', { skip }, () => {
  storeContract('PostgresStore', async () => {
    const store = new PostgresStore(contractUrl);
    await store.migrate();
    return store;
  });

  describe('PostgresStore migrations', () => {
    it('records each migration once in schema_migrations, however often migrate runs', async () => {
      const url = await database();
      const first = await openMigrated(url);
      await first.migrate();
      await (await openMigrated(url)).migrate();

      const rows = await inspect(url, async (client) => {
        const result = await client.query<{ version: number; applied_at: string }>(
          'SELECT version, applied_at FROM schema_migrations ORDER BY version',
        );
        return result.rows;
      });
      assert.ok(rows.length >= 1);
      assert.deepEqual(
        rows.map((row) => row.version),
        rows.map((_, i) => i + 1),
        'versions are 1..n with no gap and no repeat',
      );
      for (const row of rows) assert.ok(!Number.isNaN(Date.parse(row.applied_at)), `applied_at ${row.applied_at}`);

      const tables = await inspect(url, async (client) => {
        const result = await client.query<{ table_name: string }>(
          "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'",
        );
        return result.rows.map((row) => row.table_name);
      });
      for (const table of [
        'attempts',
        'events',
        'idempotency_keys',
        'notifications',
        'payouts',
        'refunds',
        'schema_migrations',
        'sessions',
        'webhooks',
      ]) {
        assert.ok(tables.includes(table), `table ${table} exists`);
      }
    });

    it('lets instances that start together migrate an empty database once, without failing', async () => {
      const url = await database();
      const instances = [new PostgresStore(url), new PostgresStore(url), new PostgresStore(url)];
      stores.push(...instances);
      await Promise.all(instances.map((store) => store.migrate()));

      const versions = await inspect(url, async (client) => {
        const result = await client.query<{ version: number }>(
          'SELECT version FROM schema_migrations ORDER BY version',
        );
        return result.rows.map((row) => row.version);
      });
      assert.deepEqual(new Set(versions).size, versions.length, 'no migration recorded twice');
      const session = makeSession();
      await instances[0]!.createSession(session);
      assert.deepEqual(await instances[2]!.getSession(session.id), session);
    });

    it('refuses a database migrated by a newer build instead of running on an unknown schema', async () => {
      const url = await database();
      await openMigrated(url);
      await inspect(url, (client) =>
        client.query('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)', [
          9999,
          new Date().toISOString(),
        ]),
      );
      const again = new PostgresStore(url);
      stores.push(again);
      await assert.rejects(again.migrate(), /newer/);
    });

    it('declares the foreign key from events to sessions', async () => {
      const url = await database();
      await openMigrated(url);
      await assert.rejects(
        inspect(url, (client) => client.query("INSERT INTO events (session_id, seq, data) VALUES ('nobody', 1, '{}')")),
        /foreign key/,
      );
    });
  });

  describe('PostgresStore under concurrency', () => {
    // The timeout turns a commit that never waits for the held row (so is never seen waiting) into a
    // failure instead of a hung run.
    it(
      'lets exactly one of two instances win a commit they race for, and tells the other to retry',
      { timeout: 10_000 },
      async () => {
        const url = await database();
        const one = await openMigrated(url);
        const two = await openMigrated(url);
        const session = makeSession();
        await one.createSession(session);

        // Hold the session's row so both commits are provably waiting on it at once, then let go.
        const results = await inspect(url, async (holder) => {
          await holder.query('BEGIN');
          await holder.query('SELECT 1 FROM sessions WHERE id = $1 FOR UPDATE', [session.id]);
          const racing = Promise.allSettled([
            one.commit({ sessionId: session.id, expectedVersion: 1, event: event('pending') }),
            two.commit({ sessionId: session.id, expectedVersion: 1, event: event('failed') }),
          ]);
          await waitForLockWaiters(holder, 2);
          await holder.query('COMMIT');
          return racing;
        });

        const won = results.filter((result) => result.status === 'fulfilled');
        const lost = results.filter((result) => result.status === 'rejected');
        assert.equal(won.length, 1, 'exactly one commit wins');
        assert.equal(lost.length, 1);
        assert.ok(
          lost[0]?.reason instanceof ConflictError,
          `the loser gets a ConflictError, not ${String(lost[0]?.reason)}`,
        );
        assert.equal(won[0]?.value.session.version, 2);
        assert.deepEqual(
          (await two.listEvents(session.id, 0)).map((each) => [each.seq, each.data.status]),
          [[1, won[0]?.value.event?.data.status]],
          "only the winner's event is in the log",
        );
        assert.equal((await one.getSession(session.id))?.version, 2);
      },
    );

    it('gives concurrent writers of one session distinct, consecutive event numbers', async () => {
      const url = await database();
      const instances = [await openMigrated(url), await openMigrated(url)];
      const session = makeSession();
      await instances[0]!.createSession(session);

      // Eight writers over two instances, each re-reading and retrying on conflict as Checkout does.
      const writers = Array.from({ length: 8 }, async (_, i) => {
        const store = instances[i % 2]!;
        for (;;) {
          const current = await store.getSession(session.id);
          try {
            const result = await store.commit({
              sessionId: session.id,
              expectedVersion: current!.version,
              event: event(i % 2 ? 'pending' : 'failed'),
            });
            return result.event!.seq;
          } catch (error) {
            if (!(error instanceof ConflictError)) throw error;
          }
        }
      });
      const seqs = await Promise.all(writers);

      assert.deepEqual(
        [...seqs].sort((a, b) => a - b),
        [1, 2, 3, 4, 5, 6, 7, 8],
      );
      const log = await instances[1]!.listEvents(session.id, 0);
      assert.deepEqual(
        log.map((each) => [each.seq, each.data.seq]),
        [1, 2, 3, 4, 5, 6, 7, 8].map((seq) => [seq, seq]),
      );
      assert.equal((await instances[0]!.getSession(session.id))?.version, 9);
    });
  });

  describe('PostgresStore leases', () => {
    it('never hands one due webhook to two instances claiming at once', async () => {
      const url = await database();
      const one = await openMigrated(url);
      const two = await openMigrated(url);
      const session = makeSession();
      await one.createSession(session);
      const webhooks = Array.from({ length: 20 }, (_, i) => ({
        id: `whk_lease_${String(i).padStart(2, '0')}`,
        sessionId: session.id,
        payoutId: null,
        type: 'session.succeeded',
        payload: '{}',
        attempts: 0,
        nextAttemptAt: '2026-01-01T00:00:00.000Z',
        deliveredAt: null,
        lastError: null,
        createdAt: '2026-01-01T00:00:00.000Z',
      }));
      await one.commit({ sessionId: session.id, expectedVersion: session.version, webhooks });
      const lease = '2026-01-01T00:05:00.000Z';
      const claims = await Promise.all(
        Array.from({ length: 6 }, (_, i) => (i % 2 ? one : two).claimDueWebhooks('2026-01-01T00:00:00.000Z', lease, 5)),
      );
      const ids = claims.flat().map((webhook) => webhook.id);
      assert.equal(new Set(ids).size, ids.length, 'no webhook was claimed twice');
      assert.equal(ids.length, 20, 'every due webhook was claimed once');
    });
  });

  describe('PostgresStore values', () => {
    it('keeps amounts beyond 32 bits as exact numbers', async () => {
      const store = await openMigrated(await database());
      // 5 billion rupiah in sen: more than an INTEGER column holds.
      const session = makeSession({ amount: 500_000_000_000, currency: 'IDR' });
      await store.createSession(session);
      assert.deepEqual(await store.getSession(session.id), session);
    });

    it('orders ids byte by byte even where the database collates linguistically', async (t) => {
      let url: string;
      try {
        url = await database({ icuLocale: 'en-US' });
      } catch (error) {
        t.skip(`this server cannot create an ICU database: ${(error as Error).message}`);
        return;
      }
      const store = await openMigrated(url);
      const createdAt = '2100-01-01T00:00:00.000Z';
      // "en-US" puts "a" before "B"; bytes (and the SQLite store) put "B" first.
      const upper = makeSession({ id: `ses_B${randomUUID()}`, createdAt });
      const lower = makeSession({ id: `ses_a${randomUUID()}`, createdAt });
      await store.createSession(upper);
      await store.createSession(lower);
      assert.deepEqual(
        (await store.listSessions({ limit: 10 })).map((session) => session.id),
        [lower.id, upper.id],
      );
      assert.deepEqual(
        (await store.listSessions({ limit: 10, before: lower.id })).map((session) => session.id),
        [upper.id],
      );
    });
  });

  describe('openStore', () => {
    it('opens and migrates a postgres:// database', async () => {
      const url = await database();
      const store = await openStore(url);
      stores.push(store);
      assert.ok(store instanceof PostgresStore);
      assert.equal(await store.getSession('nothing-yet'), null, 'tables exist without a separate migrate()');
    });

    it('fails to open an unreachable database without echoing its password', async () => {
      const url = new URL(await database());
      url.password = 'hunter2';
      url.port = String(await closedPort());
      await assert.rejects(openStore(url.toString()), (error: Error) => {
        assert.doesNotMatch(error.message, /hunter2/);
        assert.ok(error instanceof StoreUnavailableError);
        assert.match(error.message, /refused the connection: start the server/);
        return true;
      });
    });

    it('names a database that does not exist, in one line', async () => {
      const url = new URL(await database());
      url.pathname = '/tender_no_such_database';
      await assert.rejects(openStore(url.toString()), (error: Error) => {
        assert.ok(error instanceof StoreUnavailableError);
        assert.match(error.message, /the database "tender_no_such_database" does not exist at .*: create it/);
        assert.doesNotMatch(error.message, /\n/);
        return true;
      });
    });

    it('takes a test write for readiness', async () => {
      const store = await openStore(await database());
      stores.push(store);
      await store.checkHealth();
      await store.checkHealth();
    });
  });
});

/** Waits until `count` other connections of this database are waiting for a lock. */
async function waitForLockWaiters(client: pg.Client, count: number): Promise<void> {
  for (;;) {
    const { rows } = await client.query<{ waiting: number }>(
      `SELECT count(*)::int AS waiting FROM pg_stat_activity
       WHERE datname = current_database() AND wait_event_type = 'Lock'`,
    );
    if ((rows[0]?.waiting ?? 0) >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 1));
    });
  });
}
