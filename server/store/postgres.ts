/**
 * The scale-out store: PostgreSQL through a `pg` pool, shared by every BFF instance. It keeps the
 * SQLite store's semantics exactly, so the one contract suite holds on both.
 *
 * Times stay ISO text, compared as text like in SQLite; the columns that are compared or ordered use
 * the "C" collation so the order is the bytes' order whatever the database's default collation is
 * (a linguistic collation would, for one, skip the punctuation in ids). JSON values are stored as
 * text, not jsonb: text gives back exactly what was written, and jsonb refuses `\u0000` in strings.
 */
import pg from 'pg';
import type { PoolClient, QueryResultRow } from 'pg';
import type { StatusEvent } from '../../widget/wire.ts';
import type { ProviderId } from '../providers/provider.ts';
import {
  ConflictError,
  type AttemptPatch,
  type AttemptRecord,
  type CommitResult,
  type EventRecord,
  type IdempotencyRecord,
  type NotificationRecord,
  type PayoutPatch,
  type PayoutRecord,
  type RefundRecord,
  type SessionChange,
  type SessionRecord,
  type Store,
  type WebhookPatch,
  type WebhookRecord,
} from './store.ts';
import {
  ATTEMPT_COLUMNS,
  PAYOUT_COLUMNS,
  REFUND_COLUMNS,
  SESSION_COLUMNS,
  WEBHOOK_COLUMNS,
  rowToAttempt,
  rowToPayout,
  rowToRefund,
  rowToSession,
  rowToWebhook,
  type AttemptRow,
  type IdempotencyRow,
  type PayoutRow,
  type RefundRow,
  type SessionRow,
  type WebhookRow,
} from './rows.ts';

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
];

/**
 * The key of the advisory lock that `migrate()` holds, so BFF instances starting together take turns
 * instead of racing to create the same tables. Advisory locks are per database; any constant will do
 * as long as nothing else in that database uses it.
 */
const MIGRATION_LOCK = 7_316_542_001;

type SqlValue = string | number | boolean | null;

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
}

export class PostgresStore implements Store {
  readonly #pool: pg.Pool;
  #closed = false;

  /** `connectionString` is a `postgres://…` URL; nothing connects until the first query. */
  constructor(connectionString: string, options: PostgresStoreOptions = {}) {
    this.#pool = new pg.Pool({
      connectionString,
      types,
      max: options.maxConnections,
      application_name: 'tender',
    });
    // An idle connection that the server drops (a restart, a failover) is reported here and
    // discarded by the pool; the next query opens a fresh one. Without a listener the process dies.
    this.#pool.on('error', () => undefined);
  }

  async migrate(): Promise<void> {
    await this.#transaction(async (db) => {
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

  async createSession(session: SessionRecord): Promise<void> {
    await this.#pool.query(
      `INSERT INTO sessions (id, client_secret, amount, currency, reference, description, return_url,
         customer, methods, status, succeeded_attempt_id, expires_at, created_at, updated_at, version)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
      [
        session.id,
        session.clientSecret,
        session.amount,
        session.currency,
        session.reference,
        session.description,
        session.returnUrl,
        JSON.stringify(session.customer),
        session.methods === null ? null : JSON.stringify(session.methods),
        session.status,
        session.succeededAttemptId,
        session.expiresAt,
        session.createdAt,
        session.updatedAt,
        session.version,
      ],
    );
  }

  async getSession(id: string): Promise<SessionRecord | null> {
    const row = await this.#one<SessionRow>('SELECT * FROM sessions WHERE id = $1', [id]);
    return row ? rowToSession(row) : null;
  }

  async listSessions(options: { limit: number; before?: string }): Promise<SessionRecord[]> {
    if (options.before === undefined) {
      return this.#all(
        'SELECT * FROM sessions ORDER BY created_at DESC, id DESC LIMIT $1',
        [options.limit],
        rowToSession,
      );
    }
    // Keyset paging on (created_at, id): stable while new sessions arrive, and sessions created in
    // the same millisecond are neither skipped nor repeated. An unknown cursor yields nothing.
    return this.#all(
      `SELECT s.* FROM sessions s JOIN sessions c ON c.id = $1
       WHERE (s.created_at, s.id) < (c.created_at, c.id)
       ORDER BY s.created_at DESC, s.id DESC
       LIMIT $2`,
      [options.before, options.limit],
      rowToSession,
    );
  }

  async getAttempt(id: string): Promise<AttemptRecord | null> {
    const row = await this.#one<AttemptRow>('SELECT * FROM attempts WHERE id = $1', [id]);
    return row ? rowToAttempt(row) : null;
  }

  async findAttemptByOrder(provider: ProviderId, providerOrderId: string): Promise<AttemptRecord | null> {
    const row = await this.#one<AttemptRow>('SELECT * FROM attempts WHERE provider = $1 AND provider_order_id = $2', [
      provider,
      providerOrderId,
    ]);
    return row ? rowToAttempt(row) : null;
  }

  async listAttempts(sessionId: string): Promise<AttemptRecord[]> {
    return this.#all(
      'SELECT * FROM attempts WHERE session_id = $1 ORDER BY created_at, ordinal',
      [sessionId],
      rowToAttempt,
    );
  }

  async listExpiredSessions(now: string, limit: number): Promise<SessionRecord[]> {
    return this.#all(
      `SELECT * FROM sessions WHERE status IN ('open', 'pending', 'failed') AND expires_at <= $1
       ORDER BY expires_at LIMIT $2`,
      [now, limit],
      rowToSession,
    );
  }

  async listDueAttempts(now: string, limit: number): Promise<AttemptRecord[]> {
    return this.#all(
      `SELECT * FROM attempts
       WHERE next_check_at IS NOT NULL AND next_check_at <= $1
       ORDER BY next_check_at, id
       LIMIT $2`,
      [now, limit],
      rowToAttempt,
    );
  }

  /** Throws when the attempt does not exist: a silent no-op would hide a reconciler bug. */
  async updateAttempt(id: string, patch: AttemptPatch): Promise<void> {
    const { sql, values } = assignments(ATTEMPT_COLUMNS, encodeAttemptPatch(patch), 2);
    const result = await this.#pool.query(`UPDATE attempts SET ${sql || 'id = id'} WHERE id = $1`, [id, ...values]);
    if (result.rowCount === 0) throw new Error(`attempt ${id} not found`);
  }

  async commit(change: SessionChange): Promise<CommitResult> {
    return this.#transaction(async (db) => {
      const { sessionId } = change;

      // Checking the version and bumping it in one statement is the optimistic lock itself. The row
      // lock it takes is held until COMMIT, so writers of one session queue here: a writer that
      // waited finds the version moved on (READ COMMITTED re-checks the WHERE against the row the
      // first writer committed), matches nothing and gets a ConflictError.
      const patch = assignments(SESSION_COLUMNS, { ...change.session }, 3);
      const bumped = await db.query<SessionRow>(
        `UPDATE sessions SET version = version + 1${patch.sql ? `, ${patch.sql}` : ''}
         WHERE id = $1 AND version = $2
         RETURNING *`,
        [sessionId, change.expectedVersion, ...patch.values],
      );
      const row = bumped.rows[0];
      if (!row) {
        const exists = await db.query('SELECT 1 FROM sessions WHERE id = $1', [sessionId]);
        if (exists.rowCount === 0) throw new Error(`session ${sessionId} not found`);
        throw new ConflictError(
          `session ${sessionId} changed since version ${change.expectedVersion}; re-read it and retry`,
        );
      }

      if (change.newAttempt) {
        if (change.newAttempt.sessionId !== sessionId) {
          throw new Error(`attempt ${change.newAttempt.id} belongs to session ${change.newAttempt.sessionId}`);
        }
        await insertAttempt(db, change.newAttempt);
      }

      if (change.attempt) {
        const { sql, values } = assignments(ATTEMPT_COLUMNS, encodeAttemptPatch(change.attempt.patch), 3);
        const result = await db.query(`UPDATE attempts SET ${sql || 'id = id'} WHERE id = $1 AND session_id = $2`, [
          change.attempt.id,
          sessionId,
          ...values,
        ]);
        if (result.rowCount === 0) {
          throw new Error(`attempt ${change.attempt.id} is not an attempt of session ${sessionId}`);
        }
      }

      let event: EventRecord | null = null;
      if (change.event) {
        // Safe only because this transaction holds the session's row lock (above): no other writer
        // of this session can read the same MAX(seq) before this one commits. The primary key on
        // (session_id, seq) would turn any slip into a failed commit, never a repeated seq.
        const next = await db.query<{ seq: number }>(
          'SELECT COALESCE(MAX(seq), 0) + 1 AS seq FROM events WHERE session_id = $1',
          [sessionId],
        );
        const seq = next.rows[0]!.seq;
        const data: StatusEvent = { ...change.event, seq };
        await db.query('INSERT INTO events (session_id, seq, data) VALUES ($1, $2, $3)', [
          sessionId,
          seq,
          JSON.stringify(data),
        ]);
        event = { sessionId, seq, data };
      }

      if (change.newRefund) {
        const refund = change.newRefund;
        if (refund.sessionId !== sessionId)
          throw new Error(`refund ${refund.id} belongs to session ${refund.sessionId}`);
        await db.query(
          `INSERT INTO refunds (id, session_id, attempt_id, provider, amount, currency, reason, status, failure_code,
             next_check_at, check_count, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
          [
            refund.id,
            refund.sessionId,
            refund.attemptId,
            refund.provider,
            refund.amount,
            refund.currency,
            refund.reason,
            refund.status,
            refund.failureCode,
            refund.nextCheckAt,
            refund.checkCount,
            refund.createdAt,
            refund.updatedAt,
          ],
        );
      }

      if (change.refund) {
        const { sql, values } = assignments(REFUND_COLUMNS, { ...change.refund.patch }, 3);
        const result = await db.query(`UPDATE refunds SET ${sql || 'id = id'} WHERE id = $1 AND session_id = $2`, [
          change.refund.id,
          sessionId,
          ...values,
        ]);
        if (result.rowCount === 0)
          throw new Error(`refund ${change.refund.id} is not a refund of session ${sessionId}`);
      }

      for (const webhook of change.webhooks ?? []) {
        if (webhook.sessionId !== sessionId) {
          throw new Error(`webhook ${webhook.id} belongs to session ${webhook.sessionId}`);
        }
        await db.query(
          `INSERT INTO webhooks (id, session_id, type, payload, attempts, next_attempt_at, delivered_at, last_error,
             created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
          [
            webhook.id,
            webhook.sessionId,
            webhook.type,
            webhook.payload,
            webhook.attempts,
            webhook.nextAttemptAt,
            webhook.deliveredAt,
            webhook.lastError,
            webhook.createdAt,
          ],
        );
      }

      // Nothing after the UPDATE touches the session row, so RETURNING already shows it as stored.
      return { session: rowToSession(row), event };
    });
  }

  async listEvents(sessionId: string, afterSeq: number): Promise<EventRecord[]> {
    return this.#all(
      'SELECT session_id, seq, data FROM events WHERE session_id = $1 AND seq > $2 ORDER BY seq',
      [sessionId, afterSeq],
      (row: { session_id: string; seq: number; data: string }) => ({
        sessionId: row.session_id,
        seq: row.seq,
        data: JSON.parse(row.data) as StatusEvent,
      }),
    );
  }

  async getIdempotency(scope: string, key: string): Promise<IdempotencyRecord | null> {
    const row = await this.#one<IdempotencyRow>('SELECT * FROM idempotency_keys WHERE scope = $1 AND key = $2', [
      scope,
      key,
    ]);
    if (!row) return null;
    return {
      scope: row.scope,
      key: row.key,
      requestHash: row.request_hash,
      status: row.status,
      body: row.body,
      createdAt: row.created_at,
    };
  }

  async putIdempotency(record: IdempotencyRecord): Promise<boolean> {
    const result = await this.#pool.query(
      `INSERT INTO idempotency_keys (scope, key, request_hash, status, body, created_at)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (scope, key) DO NOTHING`,
      [record.scope, record.key, record.requestHash, record.status, record.body, record.createdAt],
    );
    return result.rowCount === 1;
  }

  async recordNotification(record: NotificationRecord): Promise<boolean> {
    const result = await this.#pool.query(
      `INSERT INTO notifications (provider, dedupe_key, order_id, body, received_at)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT (provider, dedupe_key) DO NOTHING`,
      [record.provider, record.dedupeKey, record.orderId, record.body, record.receivedAt],
    );
    return result.rowCount === 1;
  }

  async getRefund(id: string): Promise<RefundRecord | null> {
    const row = await this.#one<RefundRow>('SELECT * FROM refunds WHERE id = $1', [id]);
    return row ? rowToRefund(row) : null;
  }

  async listRefunds(sessionId: string): Promise<RefundRecord[]> {
    return this.#all(
      'SELECT * FROM refunds WHERE session_id = $1 ORDER BY created_at, ordinal',
      [sessionId],
      rowToRefund,
    );
  }

  async createPayout(payout: PayoutRecord): Promise<void> {
    await this.#pool.query(
      `INSERT INTO payouts (id, provider, amount, currency, bank_id, bank_branch, holder_name, account_number,
         reference, status, failure_code, next_check_at, check_count, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
      [
        payout.id,
        payout.provider,
        payout.amount,
        payout.currency,
        payout.bankId,
        payout.bankBranch,
        payout.holderName,
        payout.accountNumber,
        payout.reference,
        payout.status,
        payout.failureCode,
        payout.nextCheckAt,
        payout.checkCount,
        payout.createdAt,
        payout.updatedAt,
      ],
    );
  }

  async getPayout(id: string): Promise<PayoutRecord | null> {
    const row = await this.#one<PayoutRow>('SELECT * FROM payouts WHERE id = $1', [id]);
    return row ? rowToPayout(row) : null;
  }

  async updatePayout(id: string, patch: PayoutPatch): Promise<void> {
    const { sql, values } = assignments(PAYOUT_COLUMNS, { ...patch }, 2);
    if (!sql) return;
    const result = await this.#pool.query(`UPDATE payouts SET ${sql} WHERE id = $1`, [id, ...values]);
    if (result.rowCount === 0) throw new Error(`payout ${id} not found`);
  }

  async claimDuePayouts(now: string, leaseUntil: string, limit: number): Promise<PayoutRecord[]> {
    const rows = await this.#claim<PayoutRow & { ordinal: string }>(
      'payouts',
      'next_check_at',
      `status = 'pending' AND next_check_at IS NOT NULL AND next_check_at <= $1`,
      'next_check_at, ordinal',
      now,
      leaseUntil,
      limit,
    );
    return rows.map(rowToPayout);
  }

  async claimDueWebhooks(now: string, leaseUntil: string, limit: number): Promise<WebhookRecord[]> {
    const rows = await this.#claim<WebhookRow & { ordinal: string }>(
      'webhooks',
      'next_attempt_at',
      'delivered_at IS NULL AND next_attempt_at IS NOT NULL AND next_attempt_at <= $1',
      'next_attempt_at, created_at, ordinal',
      now,
      leaseUntil,
      limit,
    );
    return rows.map(rowToWebhook);
  }

  async claimDueRefunds(now: string, leaseUntil: string, limit: number): Promise<RefundRecord[]> {
    const rows = await this.#claim<RefundRow & { ordinal: string }>(
      'refunds',
      'next_check_at',
      `status = 'pending' AND next_check_at IS NOT NULL AND next_check_at <= $1`,
      'next_check_at, ordinal',
      now,
      leaseUntil,
      limit,
    );
    return rows.map(rowToRefund);
  }

  /**
   * Leases due rows in one statement. SKIP LOCKED lets several instances claim at once without
   * waiting on each other or taking the same row; the lease moves the row out of "due".
   */
  async #claim<Row extends QueryResultRow>(
    table: 'payouts' | 'webhooks' | 'refunds',
    column: 'next_check_at' | 'next_attempt_at',
    where: string,
    order: string,
    now: string,
    leaseUntil: string,
    limit: number,
  ): Promise<Row[]> {
    type Claimed = Row & { claim_next: string; claim_created: string; claim_ordinal: string };
    const result = await this.#pool.query<Claimed>(
      `WITH due AS (
         SELECT id, ${column} AS claim_next, created_at AS claim_created, ordinal AS claim_ordinal FROM ${table}
         WHERE ${where} ORDER BY ${order} LIMIT $3 FOR UPDATE SKIP LOCKED
       )
       UPDATE ${table} AS t SET ${column} = $2 FROM due WHERE t.id = due.id
       RETURNING t.*, due.claim_next, due.claim_created, due.claim_ordinal`,
      [now, leaseUntil, limit],
    );
    // UPDATE … RETURNING keeps no order: put the rows back in the order they were due.
    return result.rows.sort(
      (a, b) =>
        compareText(a.claim_next, b.claim_next) ||
        compareText(a.claim_created, b.claim_created) ||
        Number(a.claim_ordinal) - Number(b.claim_ordinal),
    );
  }

  async listWebhooks(sessionId: string): Promise<WebhookRecord[]> {
    return this.#all(
      'SELECT * FROM webhooks WHERE session_id = $1 ORDER BY created_at, ordinal',
      [sessionId],
      rowToWebhook,
    );
  }

  async updateWebhook(id: string, patch: WebhookPatch): Promise<void> {
    const { sql, values } = assignments(WEBHOOK_COLUMNS, { ...patch }, 2);
    if (!sql) return;
    const result = await this.#pool.query(`UPDATE webhooks SET ${sql} WHERE id = $1`, [id, ...values]);
    if (result.rowCount === 0) throw new Error(`webhook ${id} not found`);
  }

  async #one<R extends QueryResultRow>(sql: string, values: SqlValue[]): Promise<R | null> {
    const { rows } = await this.#pool.query<R>(sql, values);
    return rows[0] ?? null;
  }

  async #all<R extends QueryResultRow, T>(sql: string, values: SqlValue[], map: (row: R) => T): Promise<T[]> {
    const { rows } = await this.#pool.query<R>(sql, values);
    return rows.map(map);
  }

  /**
   * Runs `work` in one transaction on one connection, rolled back if anything throws. READ COMMITTED
   * is named rather than inherited: `commit()` relies on its re-check of a row it waited for, where
   * a stricter server default would fail the waiter with a serialization error instead.
   */
  async #transaction<T>(work: (db: PoolClient) => Promise<T>): Promise<T> {
    const db = await this.#pool.connect();
    let broken: Error | undefined;
    try {
      await db.query('BEGIN ISOLATION LEVEL READ COMMITTED');
      const result = await work(db);
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
}

async function insertAttempt(db: PoolClient, attempt: AttemptRecord): Promise<void> {
  await db.query(
    `INSERT INTO attempts (id, session_id, method, provider, provider_order_id, provider_payment_id, status, action,
       amount, currency, fields_hash, failure_code, failure_message, double_payment, expires_at, next_check_at,
       check_count, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)`,
    [
      attempt.id,
      attempt.sessionId,
      attempt.method,
      attempt.provider,
      attempt.providerOrderId,
      attempt.providerPaymentId,
      attempt.status,
      attempt.action === null ? null : JSON.stringify(attempt.action),
      attempt.amount,
      attempt.currency,
      attempt.fieldsHash,
      attempt.failureCode,
      attempt.failureMessage,
      attempt.doublePayment,
      attempt.expiresAt,
      attempt.nextCheckAt,
      attempt.checkCount,
      attempt.createdAt,
      attempt.updatedAt,
    ],
  );
}

function encodeAttemptPatch(patch: AttemptPatch): Partial<Record<keyof AttemptPatch, SqlValue>> {
  const { action, ...plain } = patch;
  const encoded: Partial<Record<keyof AttemptPatch, SqlValue>> = { ...plain };
  if (action !== undefined) encoded.action = action === null ? null : JSON.stringify(action);
  return encoded;
}

/**
 * `a = $n, b = $n+1` for the fields present in `values` (an `undefined` field means "leave as is"),
 * numbering placeholders from `first`, with the bound values in the same order.
 */
function assignments<K extends string>(
  columns: Record<K, string>,
  values: Partial<Record<K, SqlValue>>,
  first: number,
): { sql: string; values: SqlValue[] } {
  const parts: string[] = [];
  const bound: SqlValue[] = [];
  for (const field of Object.keys(columns) as K[]) {
    const value = values[field];
    if (value === undefined) continue;
    bound.push(value);
    parts.push(`${columns[field]} = $${first + bound.length - 1}`);
  }
  return { sql: parts.join(', '), values: bound };
}

/** Byte order, as the `COLLATE "C"` columns sort. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
