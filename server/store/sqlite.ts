/**
 * The embedded engine: one SQLite file through better-sqlite3. The driver is synchronous: a read
 * runs at once and returns a settled promise; writes are gathered for a group commit (see
 * `transaction`). Callers see the same async `Store` that a networked engine gives them. The store
 * itself (every query, `commit`, the leases) is `SqlStore`; this file holds the connection, the
 * statement cache, the group commit and the migrations.
 */
import { mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import {
  count as statement,
  sqliteDialect,
  type Engine,
  type Program,
  type SqlValue,
  type Statement,
} from './dialect.ts';
import { StoreUnavailableError, type StoreLocation } from './errors.ts';
import { SqlStore } from './sql-store.ts';

/**
 * Applied in order, each once; a database remembers the highest version it has in
 * `schema_migrations`. Append new migrations at the end; never edit one that has shipped.
 */
export const MIGRATIONS: readonly { version: number; sql: string }[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE sessions (
        id                   TEXT PRIMARY KEY,
        client_secret        TEXT NOT NULL,
        amount               INTEGER NOT NULL CHECK (amount >= 0),
        currency             TEXT NOT NULL,
        reference            TEXT NOT NULL,
        description          TEXT,
        return_url           TEXT,
        customer             TEXT NOT NULL,
        methods              TEXT,
        status               TEXT NOT NULL,
        succeeded_attempt_id TEXT,
        expires_at           TEXT NOT NULL,
        created_at           TEXT NOT NULL,
        updated_at           TEXT NOT NULL,
        version              INTEGER NOT NULL
      );
      CREATE INDEX sessions_by_created ON sessions (created_at, id);

      CREATE TABLE attempts (
        id                  TEXT PRIMARY KEY,
        session_id          TEXT NOT NULL REFERENCES sessions (id),
        method              TEXT NOT NULL,
        provider            TEXT NOT NULL,
        provider_order_id   TEXT NOT NULL,
        provider_payment_id TEXT,
        status              TEXT NOT NULL,
        action              TEXT,
        amount              INTEGER NOT NULL CHECK (amount >= 0),
        currency            TEXT NOT NULL,
        fields_hash         TEXT NOT NULL,
        failure_code        TEXT,
        failure_message     TEXT,
        double_payment      INTEGER NOT NULL CHECK (double_payment IN (0, 1)),
        expires_at          TEXT,
        next_check_at       TEXT,
        check_count         INTEGER NOT NULL,
        created_at          TEXT NOT NULL,
        updated_at          TEXT NOT NULL,
        UNIQUE (provider, provider_order_id)
      );
      CREATE INDEX attempts_by_session ON attempts (session_id, created_at);
      CREATE INDEX attempts_due ON attempts (next_check_at) WHERE next_check_at IS NOT NULL;

      CREATE TABLE events (
        session_id TEXT NOT NULL REFERENCES sessions (id),
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
        created_at   TEXT NOT NULL,
        PRIMARY KEY (scope, key)
      );

      CREATE TABLE notifications (
        provider    TEXT NOT NULL,
        dedupe_key  TEXT NOT NULL,
        order_id    TEXT NOT NULL,
        body        TEXT NOT NULL,
        received_at TEXT NOT NULL,
        PRIMARY KEY (provider, dedupe_key)
      );
    `,
  },
  {
    version: 2,
    sql: `
      CREATE TABLE webhooks (
        id              TEXT PRIMARY KEY,
        session_id      TEXT NOT NULL REFERENCES sessions(id),
        type            TEXT NOT NULL,
        payload         TEXT NOT NULL,
        attempts        INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT,
        delivered_at    TEXT,
        last_error      TEXT,
        created_at      TEXT NOT NULL
      );
      CREATE INDEX webhooks_due ON webhooks (next_attempt_at) WHERE next_attempt_at IS NOT NULL;
      CREATE INDEX webhooks_session ON webhooks (session_id, created_at);
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
        id           TEXT PRIMARY KEY,
        session_id   TEXT NOT NULL REFERENCES sessions(id),
        attempt_id   TEXT NOT NULL REFERENCES attempts(id),
        provider     TEXT NOT NULL,
        amount       INTEGER NOT NULL CHECK (amount > 0),
        currency     TEXT NOT NULL,
        reason       TEXT,
        status       TEXT NOT NULL,
        failure_code TEXT,
        created_at   TEXT NOT NULL,
        updated_at   TEXT NOT NULL
      );
      CREATE INDEX refunds_session ON refunds (session_id, created_at);

      CREATE TABLE payouts (
        id             TEXT PRIMARY KEY,
        provider       TEXT NOT NULL,
        amount         INTEGER NOT NULL CHECK (amount > 0),
        currency       TEXT NOT NULL,
        bank_id        TEXT NOT NULL,
        bank_branch    TEXT,
        holder_name    TEXT NOT NULL,
        account_number TEXT NOT NULL,
        reference      TEXT,
        status         TEXT NOT NULL,
        failure_code   TEXT,
        next_check_at  TEXT,
        check_count    INTEGER NOT NULL DEFAULT 0,
        created_at     TEXT NOT NULL,
        updated_at     TEXT NOT NULL
      );
      CREATE INDEX payouts_due ON payouts (next_check_at) WHERE next_check_at IS NOT NULL;
    `,
  },
  {
    version: 5,
    sql: `
      ALTER TABLE refunds ADD COLUMN next_check_at TEXT;
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
    // Payout webhooks: an outbox entry belongs to a session or to a payout. SQLite cannot drop a
    // NOT NULL, so the table is rebuilt (nothing references it; rowids are kept, so the order
    // webhooks were written in survives).
    version: 7,
    sql: `
      CREATE TABLE webhooks_v7 (
        id              TEXT PRIMARY KEY,
        session_id      TEXT REFERENCES sessions(id),
        payout_id       TEXT REFERENCES payouts(id),
        type            TEXT NOT NULL,
        payload         TEXT NOT NULL,
        attempts        INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT,
        delivered_at    TEXT,
        last_error      TEXT,
        created_at      TEXT NOT NULL,
        CHECK ((session_id IS NULL) <> (payout_id IS NULL))
      );
      INSERT INTO webhooks_v7 (rowid, id, session_id, type, payload, attempts, next_attempt_at, delivered_at,
        last_error, created_at)
        SELECT rowid, id, session_id, type, payload, attempts, next_attempt_at, delivered_at, last_error, created_at
        FROM webhooks;
      DROP TABLE webhooks;
      ALTER TABLE webhooks_v7 RENAME TO webhooks;
      CREATE INDEX webhooks_due ON webhooks (next_attempt_at) WHERE next_attempt_at IS NOT NULL;
      CREATE INDEX webhooks_session ON webhooks (session_id, created_at);
      CREATE INDEX webhooks_payout ON webhooks (payout_id, created_at) WHERE payout_id IS NOT NULL;
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
/** The device and inode of a file: the same path holding another file has another identity. */
function identity(path: string): { dev: number; ino: number } {
  const { dev, ino } = statSync(path);
  return { dev, ino };
}

/** How long a statement waits for another connection's lock before it fails with SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5000;

/**
 * Turns on WAL. The switch needs the file to itself for a moment, and SQLite answers SQLITE_BUSY at
 * once instead of waiting out `busy_timeout` when another connection holds it: two BFFs starting on
 * one new file then crash one of them. So it is retried, with growing and jittered pauses, for up to
 * `maxWaitMs`. The constructor is synchronous, so the pauses block; they happen only at start-up and
 * only while another process is opening the same file.
 */
function switchToWal(db: Database.Database, maxWaitMs: number): void {
  const started = Date.now();
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  for (let pause = 2; ; pause = Math.min(pause * 2, 100)) {
    try {
      db.pragma('journal_mode = WAL');
      return;
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      const busy = typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
      const wait = Math.ceil(pause * (0.5 + Math.random()));
      if (!busy || Date.now() - started + wait > maxWaitMs) throw error;
      Atomics.wait(sleeper, 0, 0, wait);
    }
  }
}

/** The store on one SQLite file (see `SqlStore`). */
export class SqliteStore extends SqlStore {
  /** `path` is a file (parent directories are created); `':memory:'` is for throwaway checks only. */
  constructor(path: string) {
    super(new SqliteEngine(path));
  }
}

interface QueuedWrite {
  program: Program<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

class SqliteEngine implements Engine {
  readonly dialect = sqliteDialect;
  readonly location: StoreLocation;
  readonly #db: Database.Database;
  /** The file as opened (null in memory), to notice it being deleted or replaced while we run. */
  readonly #file: { dev: number; ino: number } | null;
  /**
   * Every statement is prepared once and kept, keyed by its SQL text. The texts are a bounded set:
   * fixed queries, one per combination of patched fields, one per lease batch size.
   */
  readonly #statements = new Map<string, Database.Statement>();
  /** Writes waiting for the next group commit (see `transaction`). */
  #queue: QueuedWrite[] = [];
  #flushScheduled = false;
  /** Runs a batch of programs in one transaction, each in a savepoint of its own. */
  readonly #commitBatch: Database.Transaction<(batch: QueuedWrite[]) => Outcome[]>;

  constructor(path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.#db = new Database(path);
    // busy_timeout makes a second process (the CLI, a second BFF on the same file) wait for the
    // write lock instead of failing; WAL lets SSE readers keep reading while a callback writes.
    // `synchronous` stays at its FULL default: a payment recorded must survive a power cut.
    this.#db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    switchToWal(this.#db, BUSY_TIMEOUT_MS);
    this.#db.pragma('foreign_keys = ON');
    this.location = { engine: 'sqlite', path };
    this.#file = path === ':memory:' ? null : identity(path);
    // Called inside the batch's transaction, a better-sqlite3 transaction function is a SAVEPOINT:
    // a program that throws takes back its own writes only.
    const one = this.#db.transaction((program: Program<unknown>) => this.#drive(program));
    this.#commitBatch = this.#db.transaction((batch: QueuedWrite[]) =>
      batch.map((write): Outcome => {
        try {
          return { ok: true, value: one(write.program) };
        } catch (error) {
          return { ok: false, error };
        }
      }),
    );
  }

  async migrate(): Promise<void> {
    const db = this.#db;
    const apply = db.transaction(() => {
      db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version    INTEGER PRIMARY KEY,
        applied_at TEXT NOT NULL
      )`);
      const row = db.prepare('SELECT MAX(version) AS version FROM schema_migrations').get() as {
        version: number | null;
      };
      const current = row.version ?? 0;
      const latest = MIGRATIONS.at(-1)?.version ?? 0;
      if (current > latest) {
        throw new Error(
          `database schema is at version ${current} but this build knows only up to ${latest}; ` +
            'it was migrated by a newer Tender',
        );
      }
      const record = db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)');
      for (const migration of MIGRATIONS) {
        if (migration.version <= current) continue;
        db.exec(migration.sql);
        record.run(migration.version, new Date().toISOString());
      }
    });
    // IMMEDIATE takes the write lock before reading the version, so two processes starting at
    // once cannot both decide to apply the same migration.
    apply.immediate();
  }

  /** SQLite keeps writing to a deleted file, so every write "succeeds" into nothing: check it is there. */
  assertSameDatabase(): void {
    if (!this.#file) return;
    const { path } = this.location as { path: string };
    let now: { dev: number; ino: number };
    try {
      now = identity(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      throw new StoreUnavailableError(
        `the database file ${path} was deleted or moved while Tender was running: stop Tender, put the file ` +
          'back (from a backup if need be) and start Tender again',
      );
    }
    if (now.dev !== this.#file.dev || now.ino !== this.#file.ino) {
      throw new StoreUnavailableError(
        `the database file ${path} was replaced while Tender was running: restart Tender to open the file now there`,
      );
    }
  }

  async close(): Promise<void> {
    // Writes already asked for are written, not dropped.
    this.#flush();
    if (this.#db.open) this.#db.close();
  }

  async rows<R>(sql: string, params: readonly SqlValue[]): Promise<R[]> {
    return this.#prepare(sql).all(...params) as R[];
  }

  /** A write on its own still goes through the group commit; see `transaction`. */
  count(sql: string, params: readonly SqlValue[]): Promise<number> {
    return this.transaction(statement(sql, params));
  }

  /**
   * Group commit: the programs asked for during one turn of the event loop are run together in one
   * IMMEDIATE transaction, so they share one fsync, and each caller is answered only after that
   * COMMIT (durable: `synchronous` is FULL). Each program runs in its own savepoint, so one that
   * throws (a ConflictError, a duplicate id) fails alone; if the COMMIT itself fails, all fail.
   * The driver is synchronous, so while one batch's fsync blocks the process the next requests pile
   * up, and the next batch takes them all.
   *
   * IMMEDIATE takes the write lock before the first read: in WAL mode a read transaction that later
   * wants to write can fail outright with SQLITE_BUSY_SNAPSHOT, which busy_timeout does not retry.
   */
  transaction<T>(program: Program<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ program, resolve, reject });
      if (this.#flushScheduled) return;
      this.#flushScheduled = true;
      setImmediate(() => this.#flush());
    });
  }

  #flush(): void {
    this.#flushScheduled = false;
    const batch = this.#queue;
    if (batch.length === 0) return;
    this.#queue = [];
    let outcomes: Outcome[];
    try {
      if (!this.#db.open) throw new Error('the store is closed');
      outcomes = this.#commitBatch.immediate(batch);
    } catch (error) {
      for (const write of batch) write.reject(error);
      return;
    }
    outcomes.forEach((outcome, i) => {
      const write = batch[i]!;
      if (outcome.ok) write.resolve(outcome.value);
      else write.reject(outcome.error);
    });
  }

  /** Runs a program's statements one after the other, synchronously (inside the transaction). */
  #drive<T>(program: Program<T>): T {
    let step = program.next();
    while (!step.done) step = program.next(this.#execute(step.value));
    return step.value;
  }

  #execute(statement: Statement): unknown {
    const prepared = this.#prepare(statement.sql);
    return statement.read === 'rows' ? prepared.all(...statement.params) : prepared.run(...statement.params).changes;
  }

  #prepare(sql: string): Database.Statement {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }
}
