import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { afterEach, describe, it } from 'node:test';
import pg from 'pg';
import { createPostgresHub, EVENTS_CHANNEL, type PostgresHub } from '../../../server/domain/pg-hub.ts';
import { usePostgres } from '../pg.ts';

const server = await usePostgres();
const skip = server.skip;
// One database for the file: NOTIFY is per database, so other files' hubs cannot be heard here.
const url = server.skip === false ? await server.database() : '';

/** Counts a subscriber's wake-ups and lets a test wait for the next one. */
function counter() {
  let count = 0;
  let waiting: (() => void) | null = null;
  return {
    wake: () => {
      count += 1;
      waiting?.();
      waiting = null;
    },
    get count() {
      return count;
    },
    /** Resolves on the wake-up after this call. */
    next(): Promise<void> {
      return new Promise((resolve) => (waiting = resolve));
    },
  };
}

/** A wake-up that never comes fails its test instead of hanging the run. */
const waits = { timeout: 10_000 };

describe('PostgreSQL event hub', { skip }, () => {
  let hubs: PostgresHub[] = [];
  /** One hub per BFF instance; closed after each test. */
  async function instance(options: Parameters<typeof createPostgresHub>[1] = {}): Promise<PostgresHub> {
    const hub = await createPostgresHub(url, { retryMs: 20, ...options });
    hubs.push(hub);
    return hub;
  }
  afterEach(async () => {
    for (const hub of hubs) await hub.close();
    hubs = [];
  });

  it("wakes a stream held by another instance, and only that session's streams", waits, async () => {
    const [a, b] = [await instance(), await instance()];
    const sessionId = `ses_${randomUUID()}`;
    const watching = counter();
    const bystander = counter();
    b.subscribe(sessionId, watching.wake);
    b.subscribe(`ses_${randomUUID()}`, bystander.wake);

    const woken = watching.next();
    a.publish(sessionId);
    await woken;
    assert.equal(watching.count, 1);
    assert.equal(bystander.count, 0, 'a stream of another session is left alone');
  });

  it('wakes its own streams at once, without waiting for the database', async () => {
    const a = await instance();
    const sessionId = `ses_${randomUUID()}`;
    const local = counter();
    a.subscribe(sessionId, local.wake);
    a.publish(sessionId);
    assert.equal(local.count, 1);
  });

  it('stops waking a stream once it unsubscribes', waits, async () => {
    const [a, b] = [await instance(), await instance()];
    const sessionId = `ses_${randomUUID()}`;
    const gone = counter();
    const staying = counter();
    const unsubscribe = b.subscribe(sessionId, gone.wake);
    b.subscribe(sessionId, staying.wake);
    unsubscribe();

    const woken = staying.next();
    a.publish(sessionId);
    await woken;
    assert.equal(gone.count, 0);
    assert.equal(staying.count, 1);
  });

  it(
    'reconnects after its LISTEN connection is killed, wakes every stream once, and hears later news',
    waits,
    async () => {
      const errors: Error[] = [];
      const a = await instance();
      const b = await instance({ onError: (error) => errors.push(error) });
      const sessionId = `ses_${randomUUID()}`;
      const other = `ses_${randomUUID()}`;
      const watching = counter();
      const elsewhere = counter();
      b.subscribe(sessionId, watching.wake);
      b.subscribe(other, elsewhere.wake);

      const reconnected = watching.next();
      const killed = await withClient(async (client) => {
        const { rows } = await client.query<{ killed: boolean }>(
          `SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity
         WHERE datname = current_database() AND query = $1`,
          [`LISTEN ${EVENTS_CHANNEL}`],
        );
        return rows.filter((row) => row.killed).length;
      });
      assert.equal(killed, 2, "both instances' LISTEN connections were killed");

      // News sent while nobody listened is lost, so the reconnected hub wakes every stream once.
      await reconnected;
      assert.equal(watching.count, 1);
      assert.equal(elsewhere.count, 1);
      assert.ok(errors.length >= 1, 'the lost connection is reported');

      const woken = watching.next();
      a.publish(sessionId);
      await woken;
      assert.equal(watching.count, 2);
      assert.equal(elsewhere.count, 1);
    },
  );

  it('refuses to start when the database cannot be reached', waits, async () => {
    const unreachable = new URL(url);
    unreachable.port = String(await closedPort());
    await assert.rejects(createPostgresHub(unreachable.toString()));
  });

  it('only wakes local streams after close, without failing', async () => {
    const a = await instance();
    const sessionId = `ses_${randomUUID()}`;
    const local = counter();
    a.subscribe(sessionId, local.wake);
    await a.close();
    await a.close();
    a.publish(sessionId);
    assert.equal(local.count, 1);
  });
});

async function withClient<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A loopback port nothing listens on. */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 1));
    });
  });
}
