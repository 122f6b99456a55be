/**
 * The scale-out engine: PostgreSQL through a `pg` pool, shared by every BFF instance. The store
 * itself (every query, `commit`, the leases) is `SqlStore`, the same code as on SQLite, so the one
 * contract suite holds on both; this file holds the pool, transactions and the migrations.
 *
 * Times stay ISO text, compared as text like in SQLite; the columns that are compared or ordered use
 * the "C" collation so the order is the bytes' order whatever the database's default collation is
 * (a linguistic collation would, for one, skip the punctuation in ids). JSON values are stored as
 * text, not jsonb: text gives back exactly what was written, and jsonb refuses `\u0000` in strings.
 *
 * Statements are not named (server-side prepared): a prepared `SELECT *` fails with "cached plan
 * must not change result type" once another instance's migration adds a column, which would turn a
 * rolling upgrade into an outage.
 */
import pg from 'pg';
import type { PoolClient, QueryResultRow } from 'pg';
import { postgresDialect, type Engine, type Program, type SqlValue } from './dialect.ts';
import type { StoreLocation } from './errors.ts';
import { SqlStore } from './sql-store.ts';

/**
 * Applied in order, each once, in one transaction; a database remembers the highest version it has
 * in `schema_migrations`. Append new migrations at the end; never edit one that has shipped. The
 * versions follow the SQLite list's, so "schema version N" names the same tables in both dialects.
 *
 * `ordinal` columns stand in for SQLite's rowid: the order rows were inserted in, which breaks ties
 * between records stamped in the same millisecond.
 */
const MIGRATIONS: readonly { version: number; sql: string }[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE sessions (
        id                   TEXT COLLATE "C" PRIMARY KEY,
        client_secret        TEXT NOT NULL,
        amount               BIGINT NOT NULL CHECK (amount >= 0),
        currency             TEXT NOT NULL,
        reference            TEXT NOT NULL,
        description          TEXT,
        return_url           TEXT,
        customer             TEXT NOT NULL,
        methods              TEXT,
        status               TEXT NOT NULL,
        succeeded_attempt_id TEXT,
        expires_at           TEXT COLLATE "C" NOT NULL,
        created_at           TEXT COLLATE "C" NOT NULL,
        updated_at           TEXT COLLATE "C" NOT NULL,
        version              INTEGER NOT NULL
      );
      CREATE INDEX sessions_by_created ON sessions (created_at, id);

      CREATE TABLE attempts (
        id                  TEXT COLLATE "C" PRIMARY KEY,
        session_id          TEXT COLLATE "C" NOT NULL REFERENCES sessions (id),
        method              TEXT NOT NULL,
        provider            TEXT NOT NULL,
        provider_order_id   TEXT NOT NULL,
        provider_payment_id TEXT,
        status              TEXT NOT NULL,
        action              TEXT,
        amount              BIGINT NOT NULL CHECK (amount >= 0),
        currency            TEXT NOT NULL,
        fields_hash         TEXT NOT NULL,
        failure_code        TEXT,
        failure_message     TEXT,
        double_payment      BOOLEAN NOT NULL,
        expires_at          TEXT COLLATE "C",
        next_check_at       TEXT COLLATE "C",
        check_count         INTEGER NOT NULL,
        created_at          TEXT COLLATE "C" NOT NULL,
        updated_at          TEXT COLLATE "C" NOT NULL,
        ordinal             BIGINT GENERATED ALWAYS AS IDENTITY,
        UNIQUE (provider, provider_order_id)
      );
      CREATE INDEX attempts_by_session ON attempts (session_id, created_at, ordinal);
      CREATE INDEX attempts_due ON attempts (next_check_at, id) WHERE next_check_at IS NOT NULL;

      CREATE TABLE events (
        session_id TEXT COLLATE "C" NOT NULL REFERENCES sessions (id),
        seq        INTEGER NOT NULL,
        data       TEXT NOT NULL,
        PRIMARY KEY (session_id, seq)
      );

      CREATE TABLE idempotency_keys (
        scope        TEXT NOT NULL,
        key          TEXT NOT NULL,
        request_hash TEXT NOT NULL,
        status       INTEGER NOT NULL,
        body         TEXT NOT NULL,
        created_at   TEXT COLLATE "C" NOT NULL,
        PRIMARY KEY (scope, key)
      );

      CREATE TABLE notifications (
        provider    TEXT NOT NULL,
        dedupe_key  TEXT NOT NULL,
        order_id    TEXT NOT NULL,
        body        TEXT NOT NULL,
        received_at TEXT COLLATE "C" NOT NULL,
        PRIMARY KEY (provider, dedupe_key)
      );
    `,
  },
  {
    version: 2,
    sql: `
      CREATE TABLE webhooks (
        id              TEXT COLLATE "C" PRIMARY KEY,
        session_id      TEXT COLLATE "C" NOT NULL REFERENCES sessions (id),
        type            TEXT NOT NULL,
        payload         TEXT NOT NULL,
        attempts        INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT COLLATE "C",
        delivered_at    TEXT COLLATE "C",
        last_error      TEXT,
        created_at      TEXT COLLATE "C" NOT NULL,
        ordinal         BIGINT GENERATED ALWAYS AS IDENTITY
      );
      CREATE INDEX webhooks_due ON webhooks (next_attempt_at, created_at) WHERE next_attempt_at IS NOT NULL;
      CREATE INDEX webhooks_session ON webhooks (session_id, created_at, ordinal);
    `,
  },
  {
    version: 3,
    sql: `
      CREATE INDEX sessions_expiring ON sessions (expires_at) WHERE status IN ('open', 'pending', 'failed');
    `,
  },
  {
    version: 4,
    sql: `
      CREATE TABLE refunds (
        id           TEXT COLLATE "C" PRIMARY KEY,
        session_id   TEXT COLLATE "C" NOT NULL REFERENCES sessions (id),
        attempt_id   TEXT COLLATE "C" NOT NULL REFERENCES attempts (id),
        provider     TEXT NOT NULL,
        amount       BIGINT NOT NULL CHECK (amount > 0),
        currency     TEXT NOT NULL,
        reason       TEXT,
        status       TEXT NOT NULL,
        failure_code TEXT,
        created_at   TEXT COLLATE "C" NOT NULL,
        updated_at   TEXT COLLATE "C" NOT NULL,
        ordinal      BIGINT GENERATED ALWAYS AS IDENTITY
      );
      CREATE INDEX refunds_session ON refunds (session_id, created_at, ordinal);

      CREATE TABLE payouts (
        id             TEXT COLLATE "C" PRIMARY KEY,
        provider       TEXT NOT NULL,
        amount         BIGINT NOT NULL CHECK (amount > 0),
        currency       TEXT NOT NULL,
        bank_id        TEXT NOT NULL,
        bank_branch    TEXT,
        holder_name    TEXT NOT NULL,
        account_number TEXT NOT NULL,
        reference      TEXT,
        status         TEXT NOT NULL,
        failure_code   TEXT,
        next_check_at  TEXT COLLATE "C",
        check_count    INTEGER NOT NULL DEFAULT 0,
        created_at     TEXT COLLATE "C" NOT NULL,
        updated_at     TEXT COLLATE "C" NOT NULL,
        ordinal        BIGINT GENERATED ALWAYS AS IDENTITY
      );
      CREATE INDEX payouts_due ON payouts (next_check_at, ordinal) WHERE next_check_at IS NOT NULL;
    `,
  },
  {
    version: 5,
    sql: `
      ALTER TABLE refunds ADD COLUMN next_check_at TEXT COLLATE "C";
      ALTER TABLE refunds ADD COLUMN check_count INTEGER NOT NULL DEFAULT 0;
      CREATE INDEX refunds_due ON refunds (next_check_at) WHERE next_check_at IS NOT NULL;
    `,
  },
  {
    version: 6,
    sql: `
      CREATE TABLE health (
        id         INTEGER PRIMARY KEY CHECK (id = 1),
        checked_at TEXT NOT NULL
      );
    `,
  },
  {
    // Payout webhooks: an outbox entry belongs to a session or to a payout.
    version: 7,
    sql: `
      ALTER TABLE webhooks ALTER COLUMN session_id DROP NOT NULL;
      ALTER TABLE webhooks ADD COLUMN payout_id TEXT COLLATE "C" REFERENCES payouts (id);
      ALTER TABLE webhooks ADD CONSTRAINT webhooks_one_owner CHECK ((session_id IS NULL) <> (payout_id IS NULL));
      CREATE INDEX webhooks_payout ON webhooks (payout_id, created_at, ordinal) WHERE payout_id IS NOT NULL;
      CREATE INDEX payouts_by_created ON payouts (created_at, id);
    `,
  },
  {
    // Callbacks that name only the provider's own payment id (store.findAttemptByPayment).
    version: 8,
    sql: `
      CREATE INDEX attempts_by_payment ON attempts (provider, provider_payment_id, created_at)
        WHERE provider_payment_id IS NOT NULL;
    `,
  },
];
/**
 * The key of the advisory lock that `migrate()` holds, so BFF instances starting together take turns
 * instead of racing to create the same tables. Advisory locks are per database; any constant will do
 * as long as nothing else in that database uses it.
 */
const MIGRATION_LOCK = 7_316_542_001;

/**
 * `pg` hands BIGINT back as a string, since it can exceed a double. Money is BIGINT (minor units of
 * dong or rupiah outgrow 32 bits) but is a safe integer everywhere in Tender, so it comes back as a
 * number; a value that is not one is refused rather than rounded.
 */
const types = new pg.TypeOverrides();
types.setTypeParser(pg.types.builtins.INT8, (text: string) => {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new RangeError(`integer ${text} is too large for this build`);
  return value;
});

export interface PostgresStoreOptions {
  /** Most connections this store holds open at once; `pg`'s default is 10. */
  maxConnections?: number;
  /** How long opening a connection may take before it fails (`pg` would wait forever); 10 s by default. */
  connectTimeoutMs?: number;
}

/** The store on a PostgreSQL database (see `SqlStore`). */
export class PostgresStore extends SqlStore {
  /** `connectionString` is a `postgres://…` URL; nothing connects until the first query. */
  constructor(connectionString: string, options: PostgresStoreOptions = {}) {
    super(new PostgresEngine(connectionString, options));
  }
}

class PostgresEngine implements Engine {
  readonly dialect = postgresDialect;
  readonly location: StoreLocation;
  readonly #pool: pg.Pool;
  /** The store's `?` texts with numbered placeholders, converted once per text. */
  readonly #numbered = new Map<string, string>();
  #closed = false;

  constructor(connectionString: string, options: PostgresStoreOptions) {
    this.location = { engine: 'postgres', url: connectionString };
    this.#pool = new pg.Pool({
      connectionString,
      types,
      max: options.maxConnections,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
      application_name: 'tender',
    });
    // An idle connection that the server drops (a restart, a failover) is reported here and
    // discarded by the pool; the next query opens a fresh one. Without a listener the process dies.
    this.#pool.on('error', () => undefined);
  }

  async migrate(): Promise<void> {
    const db = await this.#pool.connect();
    await this.#inTransaction(db, async () => {
      await db.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      await db.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version    INTEGER PRIMARY KEY,
        applied_at TEXT NOT NULL
      )`);
      const { rows } = await db.query<{ version: number | null }>(
        'SELECT MAX(version) AS version FROM schema_migrations',
      );
      const current = rows[0]?.version ?? 0;
      const latest = MIGRATIONS.at(-1)?.version ?? 0;
      if (current > latest) {
        throw new Error(
          `database schema is at version ${current} but this build knows only up to ${latest}; ` +
            'it was migrated by a newer Tender',
        );
      }
      for (const migration of MIGRATIONS) {
        if (migration.version <= current) continue;
        await db.query(migration.sql);
        await db.query('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)', [
          migration.version,
          new Date().toISOString(),
        ]);
      }
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.end();
  }

  async rows<R>(sql: string, params: readonly SqlValue[]): Promise<R[]> {
    const result = await this.#pool.query<QueryResultRow>(this.#number(sql), params as SqlValue[]);
    return result.rows as R[];
  }

  async count(sql: string, params: readonly SqlValue[]): Promise<number> {
    const result = await this.#pool.query(this.#number(sql), params as SqlValue[]);
    return result.rowCount ?? 0;
  }

  async transaction<T>(program: Program<T>): Promise<T> {
    const db = await this.#pool.connect();
    return this.#inTransaction(db, async () => {
      let step = program.next();
      while (!step.done) {
        const { sql, params, read } = step.value;
        const result = await db.query<QueryResultRow>(this.#number(sql), params as SqlValue[]);
        step = program.next(read === 'rows' ? result.rows : (result.rowCount ?? 0));
      }
      return step.value;
    });
  }

  /**
   * Runs `work` in one transaction on `db`, rolled back if anything throws, then hands `db` back to
   * the pool. READ COMMITTED is named rather than inherited: `commit()` relies on its re-check of a
   * row it waited for, where a stricter server default would fail the waiter with a serialization
   * error instead.
   */
  async #inTransaction<T>(db: PoolClient, work: () => Promise<T>): Promise<T> {
    let broken: Error | undefined;
    try {
      await db.query('BEGIN ISOLATION LEVEL READ COMMITTED');
      const result = await work();
      await db.query('COMMIT');
      return result;
    } catch (error) {
      await db.query('ROLLBACK').catch((rollbackFailed: unknown) => {
        // The connection is unusable; hand it back as broken so the pool closes it.
        broken = rollbackFailed instanceof Error ? rollbackFailed : new Error(String(rollbackFailed));
      });
      throw error;
    } finally {
      db.release(broken);
    }
  }

  /** `?` placeholders as `$1, $2, …` (see `dialect.ts`). */
  #number(sql: string): string {
    let numbered = this.#numbered.get(sql);
    if (numbered === undefined) {
      let n = 0;
      numbered = sql.replace(/\?/g, () => `$${++n}`);
      this.#numbered.set(sql, numbered);
    }
    return numbered;
  }
}
