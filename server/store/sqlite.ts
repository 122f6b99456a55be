/**
 * The embedded store: one SQLite file through better-sqlite3. The driver is synchronous; each method
 * does its work in one go and returns a settled promise, so callers see the same async `Store` that a
 * networked engine would give them.
 *
 * Times are ISO strings compared as text, which orders them correctly only because every caller
 * writes `Date#toISOString()` (UTC, fixed width).
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
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
  type SessionChange,
  type SessionRecord,
  type PayoutPatch,
  type PayoutRecord,
  type RefundRecord,
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
 * Applied in order, each once; a database remembers the highest version it has in
 * `schema_migrations`. Append new migrations at the end; never edit one that has shipped.
 */
const MIGRATIONS: readonly { version: number; sql: string }[] = [
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
];

type SqlValue = string | number | null;

export class SqliteStore implements Store {
  readonly #db: Database.Database;

  /** `path` is a file (parent directories are created); `':memory:'` is for throwaway checks only. */
  constructor(path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.#db = new Database(path);
    // WAL lets SSE readers keep reading while a callback writes; busy_timeout makes a second
    // process (the CLI, a second BFF on the same file) wait for the write lock instead of failing.
    // `synchronous` stays at its FULL default: a payment recorded must survive a power cut.
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('foreign_keys = ON');
    this.#db.pragma('busy_timeout = 5000');
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

  async close(): Promise<void> {
    if (this.#db.open) this.#db.close();
  }

  async createSession(session: SessionRecord): Promise<void> {
    this.#db
      .prepare(
        `INSERT INTO sessions (id, client_secret, amount, currency, reference, description, return_url,
           customer, methods, status, succeeded_attempt_id, expires_at, created_at, updated_at, version)
         VALUES (@id, @client_secret, @amount, @currency, @reference, @description, @return_url,
           @customer, @methods, @status, @succeeded_attempt_id, @expires_at, @created_at, @updated_at, @version)`,
      )
      .run(sessionToRow(session));
  }

  async getSession(id: string): Promise<SessionRecord | null> {
    return this.#readSession(id);
  }

  async listSessions(options: { limit: number; before?: string }): Promise<SessionRecord[]> {
    let rows: SessionRow[];
    if (options.before === undefined) {
      rows = this.#db
        .prepare<[number], SessionRow>('SELECT * FROM sessions ORDER BY created_at DESC, id DESC LIMIT ?')
        .all(options.limit);
    } else {
      // Keyset paging on (created_at, id): stable while new sessions arrive, and sessions created
      // in the same millisecond are neither skipped nor repeated. An unknown cursor yields nothing.
      rows = this.#db
        .prepare<{ before: string; limit: number }, SessionRow>(
          `SELECT s.* FROM sessions s, sessions cursor
           WHERE cursor.id = @before
             AND (s.created_at < cursor.created_at OR (s.created_at = cursor.created_at AND s.id < cursor.id))
           ORDER BY s.created_at DESC, s.id DESC
           LIMIT @limit`,
        )
        .all({ before: options.before, limit: options.limit });
    }
    return rows.map(rowToSession);
  }

  async getAttempt(id: string): Promise<AttemptRecord | null> {
    const row = this.#db.prepare<[string], AttemptRow>('SELECT * FROM attempts WHERE id = ?').get(id);
    return row ? rowToAttempt(row) : null;
  }

  async findAttemptByOrder(provider: ProviderId, providerOrderId: string): Promise<AttemptRecord | null> {
    const row = this.#db
      .prepare<[string, string], AttemptRow>('SELECT * FROM attempts WHERE provider = ? AND provider_order_id = ?')
      .get(provider, providerOrderId);
    return row ? rowToAttempt(row) : null;
  }

  async listAttempts(sessionId: string): Promise<AttemptRecord[]> {
    return this.#db
      .prepare<[string], AttemptRow>('SELECT * FROM attempts WHERE session_id = ? ORDER BY created_at, rowid')
      .all(sessionId)
      .map(rowToAttempt);
  }

  async listExpiredSessions(now: string, limit: number): Promise<SessionRecord[]> {
    return this.#db
      .prepare<[string, number], SessionRow>(
        `SELECT * FROM sessions WHERE status IN ('open', 'pending', 'failed') AND expires_at <= ?
         ORDER BY expires_at LIMIT ?`,
      )
      .all(now, limit)
      .map(rowToSession);
  }

  async listDueAttempts(now: string, limit: number): Promise<AttemptRecord[]> {
    return this.#db
      .prepare<[string, number], AttemptRow>(
        `SELECT * FROM attempts
         WHERE next_check_at IS NOT NULL AND next_check_at <= ?
         ORDER BY next_check_at, id
         LIMIT ?`,
      )
      .all(now, limit)
      .map(rowToAttempt);
  }

  /** Throws when the attempt does not exist: a silent no-op would hide a reconciler bug. */
  async updateAttempt(id: string, patch: AttemptPatch): Promise<void> {
    if (!this.#patchAttempt(id, patch)) throw new Error(`attempt ${id} not found`);
  }

  async commit(change: SessionChange): Promise<CommitResult> {
    const apply = this.#db.transaction((): CommitResult => {
      const { sessionId } = change;

      // Checking the version and bumping it in one statement is the optimistic lock itself.
      const { sql: patchSql, values: patchValues } = setClause(SESSION_COLUMNS, { ...change.session });
      const bumped = this.#db
        .prepare(
          `UPDATE sessions SET version = version + 1${patchSql ? `, ${patchSql}` : ''}
           WHERE id = @__id AND version = @__expected`,
        )
        .run({ ...patchValues, __id: sessionId, __expected: change.expectedVersion });
      if (bumped.changes === 0) {
        if (!this.#readSession(sessionId)) throw new Error(`session ${sessionId} not found`);
        throw new ConflictError(
          `session ${sessionId} changed since version ${change.expectedVersion}; re-read it and retry`,
        );
      }

      if (change.newAttempt) {
        if (change.newAttempt.sessionId !== sessionId) {
          throw new Error(`attempt ${change.newAttempt.id} belongs to session ${change.newAttempt.sessionId}`);
        }
        this.#insertAttempt(change.newAttempt);
      }

      if (change.attempt) {
        const owner = this.#db
          .prepare<[string], { session_id: string }>('SELECT session_id FROM attempts WHERE id = ?')
          .get(change.attempt.id);
        if (owner?.session_id !== sessionId) {
          throw new Error(`attempt ${change.attempt.id} is not an attempt of session ${sessionId}`);
        }
        this.#patchAttempt(change.attempt.id, change.attempt.patch);
      }

      let event: EventRecord | null = null;
      if (change.event) {
        const { seq } = this.#db
          .prepare<[string], { seq: number }>(
            'SELECT COALESCE(MAX(seq), 0) + 1 AS seq FROM events WHERE session_id = ?',
          )
          .get(sessionId)!;
        const data: StatusEvent = { ...change.event, seq };
        this.#db
          .prepare('INSERT INTO events (session_id, seq, data) VALUES (?, ?, ?)')
          .run(sessionId, seq, JSON.stringify(data));
        event = { sessionId, seq, data };
      }

      if (change.newRefund) {
        const refund = change.newRefund;
        if (refund.sessionId !== sessionId)
          throw new Error(`refund ${refund.id} belongs to session ${refund.sessionId}`);
        this.#db
          .prepare(
            `INSERT INTO refunds (id, session_id, attempt_id, provider, amount, currency, reason, status, failure_code,
                                  next_check_at, check_count, created_at, updated_at)
             VALUES (@id, @sessionId, @attemptId, @provider, @amount, @currency, @reason, @status, @failureCode,
                     @nextCheckAt, @checkCount, @createdAt, @updatedAt)`,
          )
          .run(refund);
      }

      if (change.refund) {
        const { sql, values } = setClause(REFUND_COLUMNS, { ...change.refund.patch });
        const result = this.#db
          .prepare(`UPDATE refunds SET ${sql || 'id = id'} WHERE id = @__id AND session_id = @__session`)
          .run({ ...values, __id: change.refund.id, __session: sessionId });
        if (result.changes === 0) throw new Error(`refund ${change.refund.id} is not a refund of session ${sessionId}`);
      }

      for (const webhook of change.webhooks ?? []) {
        if (webhook.sessionId !== sessionId) {
          throw new Error(`webhook ${webhook.id} belongs to session ${webhook.sessionId}`);
        }
        this.#db
          .prepare(
            `INSERT INTO webhooks (id, session_id, type, payload, attempts, next_attempt_at, delivered_at, last_error, created_at)
             VALUES (@id, @sessionId, @type, @payload, @attempts, @nextAttemptAt, @deliveredAt, @lastError, @createdAt)`,
          )
          .run(webhook);
      }

      return { session: this.#readSession(sessionId)!, event };
    });
    // IMMEDIATE: in WAL mode a read transaction that later wants to write can fail outright with
    // SQLITE_BUSY_SNAPSHOT, which busy_timeout does not retry; taking the write lock first avoids it.
    return apply.immediate();
  }

  async listEvents(sessionId: string, afterSeq: number): Promise<EventRecord[]> {
    return this.#db
      .prepare<[string, number], { session_id: string; seq: number; data: string }>(
        'SELECT session_id, seq, data FROM events WHERE session_id = ? AND seq > ? ORDER BY seq',
      )
      .all(sessionId, afterSeq)
      .map((row) => ({ sessionId: row.session_id, seq: row.seq, data: JSON.parse(row.data) as StatusEvent }));
  }

  async getIdempotency(scope: string, key: string): Promise<IdempotencyRecord | null> {
    const row = this.#db
      .prepare<[string, string], IdempotencyRow>('SELECT * FROM idempotency_keys WHERE scope = ? AND key = ?')
      .get(scope, key);
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
    const result = this.#db
      .prepare(
        `INSERT INTO idempotency_keys (scope, key, request_hash, status, body, created_at)
         VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (scope, key) DO NOTHING`,
      )
      .run(record.scope, record.key, record.requestHash, record.status, record.body, record.createdAt);
    return result.changes === 1;
  }

  async recordNotification(record: NotificationRecord): Promise<boolean> {
    const result = this.#db
      .prepare(
        `INSERT INTO notifications (provider, dedupe_key, order_id, body, received_at)
         VALUES (?, ?, ?, ?, ?) ON CONFLICT (provider, dedupe_key) DO NOTHING`,
      )
      .run(record.provider, record.dedupeKey, record.orderId, record.body, record.receivedAt);
    return result.changes === 1;
  }

  async getRefund(id: string): Promise<RefundRecord | null> {
    const row = this.#db.prepare<[string], RefundRow>('SELECT * FROM refunds WHERE id = ?').get(id);
    return row ? rowToRefund(row) : null;
  }

  async listRefunds(sessionId: string): Promise<RefundRecord[]> {
    return this.#db
      .prepare<[string], RefundRow>('SELECT * FROM refunds WHERE session_id = ? ORDER BY created_at, rowid')
      .all(sessionId)
      .map(rowToRefund);
  }

  async createPayout(payout: PayoutRecord): Promise<void> {
    this.#db
      .prepare(
        `INSERT INTO payouts (id, provider, amount, currency, bank_id, bank_branch, holder_name, account_number, reference,
                              status, failure_code, next_check_at, check_count, created_at, updated_at)
         VALUES (@id, @provider, @amount, @currency, @bankId, @bankBranch, @holderName, @accountNumber, @reference,
                 @status, @failureCode, @nextCheckAt, @checkCount, @createdAt, @updatedAt)`,
      )
      .run(payout);
  }

  async getPayout(id: string): Promise<PayoutRecord | null> {
    const row = this.#db.prepare<[string], PayoutRow>('SELECT * FROM payouts WHERE id = ?').get(id);
    return row ? rowToPayout(row) : null;
  }

  async updatePayout(id: string, patch: PayoutPatch): Promise<void> {
    const { sql, values } = setClause(PAYOUT_COLUMNS, { ...patch });
    if (!sql) return;
    const result = this.#db.prepare(`UPDATE payouts SET ${sql} WHERE id = @__id`).run({ ...values, __id: id });
    if (result.changes === 0) throw new Error(`payout ${id} not found`);
  }

  async claimDuePayouts(now: string, leaseUntil: string, limit: number): Promise<PayoutRecord[]> {
    return this.#claim<PayoutRow>(
      'payouts',
      'next_check_at',
      `status = 'pending' AND next_check_at IS NOT NULL AND next_check_at <= @now ORDER BY next_check_at, rowid`,
      now,
      leaseUntil,
      limit,
    ).map(rowToPayout);
  }

  async claimDueWebhooks(now: string, leaseUntil: string, limit: number): Promise<WebhookRecord[]> {
    return this.#claim<WebhookRow>(
      'webhooks',
      'next_attempt_at',
      `delivered_at IS NULL AND next_attempt_at IS NOT NULL AND next_attempt_at <= @now ORDER BY next_attempt_at, created_at, rowid`,
      now,
      leaseUntil,
      limit,
    ).map(rowToWebhook);
  }

  async claimDueRefunds(now: string, leaseUntil: string, limit: number): Promise<RefundRecord[]> {
    return this.#claim<RefundRow>(
      'refunds',
      'next_check_at',
      `status = 'pending' AND next_check_at IS NOT NULL AND next_check_at <= @now ORDER BY next_check_at, rowid`,
      now,
      leaseUntil,
      limit,
    ).map(rowToRefund);
  }

  /** Selects due rows and moves their schedule column to `leaseUntil`, in one transaction. */
  #claim<Row extends { id: string }>(
    table: 'payouts' | 'webhooks' | 'refunds',
    column: 'next_check_at' | 'next_attempt_at',
    where: string,
    now: string,
    leaseUntil: string,
    limit: number,
  ): Row[] {
    return this.#db
      .transaction((): Row[] => {
        const rows = this.#db
          .prepare(`SELECT * FROM ${table} WHERE ${where} LIMIT @limit`)
          .all({ now, limit }) as Row[];
        const lease = this.#db.prepare(`UPDATE ${table} SET ${column} = ? WHERE id = ?`);
        for (const row of rows) lease.run(leaseUntil, row.id);
        return rows.map((row) => ({ ...row, [column]: leaseUntil }));
      })
      .immediate();
  }

  async listWebhooks(sessionId: string): Promise<WebhookRecord[]> {
    return this.#db
      .prepare<[string], WebhookRow>('SELECT * FROM webhooks WHERE session_id = ? ORDER BY created_at, rowid')
      .all(sessionId)
      .map(rowToWebhook);
  }

  async updateWebhook(id: string, patch: WebhookPatch): Promise<void> {
    const { sql, values } = setClause(WEBHOOK_COLUMNS, { ...patch });
    if (!sql) return;
    const result = this.#db.prepare(`UPDATE webhooks SET ${sql} WHERE id = @__id`).run({ ...values, __id: id });
    if (result.changes === 0) throw new Error(`webhook ${id} not found`);
  }

  #readSession(id: string): SessionRecord | null {
    const row = this.#db.prepare<[string], SessionRow>('SELECT * FROM sessions WHERE id = ?').get(id);
    return row ? rowToSession(row) : null;
  }

  #insertAttempt(attempt: AttemptRecord): void {
    this.#db
      .prepare(
        `INSERT INTO attempts (id, session_id, method, provider, provider_order_id, provider_payment_id,
           status, action, amount, currency, fields_hash, failure_code, failure_message, double_payment,
           expires_at, next_check_at, check_count, created_at, updated_at)
         VALUES (@id, @session_id, @method, @provider, @provider_order_id, @provider_payment_id,
           @status, @action, @amount, @currency, @fields_hash, @failure_code, @failure_message, @double_payment,
           @expires_at, @next_check_at, @check_count, @created_at, @updated_at)`,
      )
      .run(attemptToRow(attempt));
  }

  /** Returns false when no attempt has that id. */
  #patchAttempt(id: string, patch: AttemptPatch): boolean {
    const { sql, values } = setClause(ATTEMPT_COLUMNS, encodeAttemptPatch(patch));
    const result = this.#db
      .prepare(`UPDATE attempts SET ${sql || 'id = id'} WHERE id = @__id`)
      .run({ ...values, __id: id });
    return result.changes === 1;
  }
}

function sessionToRow(session: SessionRecord): SessionRow {
  return {
    id: session.id,
    client_secret: session.clientSecret,
    amount: session.amount,
    currency: session.currency,
    reference: session.reference,
    description: session.description,
    return_url: session.returnUrl,
    customer: JSON.stringify(session.customer),
    methods: session.methods === null ? null : JSON.stringify(session.methods),
    status: session.status,
    succeeded_attempt_id: session.succeededAttemptId,
    expires_at: session.expiresAt,
    created_at: session.createdAt,
    updated_at: session.updatedAt,
    version: session.version,
  };
}

function attemptToRow(attempt: AttemptRecord): AttemptRow {
  return {
    id: attempt.id,
    session_id: attempt.sessionId,
    method: attempt.method,
    provider: attempt.provider,
    provider_order_id: attempt.providerOrderId,
    provider_payment_id: attempt.providerPaymentId,
    status: attempt.status,
    action: attempt.action === null ? null : JSON.stringify(attempt.action),
    amount: attempt.amount,
    currency: attempt.currency,
    fields_hash: attempt.fieldsHash,
    failure_code: attempt.failureCode,
    failure_message: attempt.failureMessage,
    double_payment: attempt.doublePayment ? 1 : 0,
    expires_at: attempt.expiresAt,
    next_check_at: attempt.nextCheckAt,
    check_count: attempt.checkCount,
    created_at: attempt.createdAt,
    updated_at: attempt.updatedAt,
  };
}

function encodeAttemptPatch(patch: AttemptPatch): Partial<Record<keyof AttemptPatch, SqlValue>> {
  const { action, doublePayment, ...plain } = patch;
  const encoded: Partial<Record<keyof AttemptPatch, SqlValue>> = { ...plain };
  if (action !== undefined) encoded.action = action === null ? null : JSON.stringify(action);
  if (doublePayment !== undefined) encoded.doublePayment = doublePayment ? 1 : 0;
  return encoded;
}

/**
 * `a = @a, b = @b` for the fields present in `values` (an `undefined` field means "leave as is"),
 * with the bound values keyed by field name.
 */
function setClause<K extends string>(
  columns: Record<K, string>,
  values: Partial<Record<K, SqlValue>>,
): { sql: string; values: Record<string, SqlValue> } {
  const parts: string[] = [];
  const bound: Record<string, SqlValue> = {};
  for (const field of Object.keys(columns) as K[]) {
    const value = values[field];
    if (value === undefined) continue;
    parts.push(`${columns[field]} = @${field}`);
    bound[field] = value;
  }
  return { sql: parts.join(', '), values: bound };
}
