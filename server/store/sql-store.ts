/**
 * The store, written once for both engines: every query, `commit` and the lease on due work. An
 * `Engine` (`sqlite.ts`, `postgres.ts`) brings the connection, the migrations and the few places
 * where the dialects differ (`dialect.ts`).
 *
 * Times are ISO strings compared as text, which orders them correctly only because every caller
 * writes `Date#toISOString()` (UTC, fixed width); PostgreSQL's time columns use the "C" collation so
 * text compares byte by byte there too.
 */
import type { StatusEvent } from '../../widget/wire.ts';
import type { ProviderId } from '../providers/provider.ts';
import { count, first, rows, type Dialect, type Engine, type Program } from './dialect.ts';
import { storeFailure } from './errors.ts';
import {
  ATTEMPT_COLUMNS,
  ATTEMPT_ROW_COLUMNS,
  PAYOUT_COLUMNS,
  REFUND_COLUMNS,
  SESSION_COLUMNS,
  WEBHOOK_COLUMNS,
  attemptValues,
  encodeAttemptPatch,
  idempotencyValues,
  payoutValues,
  refundValues,
  rowToAttempt,
  rowToEvent,
  rowToIdempotency,
  rowToPayout,
  rowToRefund,
  rowToSession,
  rowToWebhook,
  sessionValues,
  setClause,
  webhookValues,
  type AttemptRow,
  type EventRow,
  type IdempotencyRow,
  type PayoutRow,
  type RefundRow,
  type SessionRow,
  type WebhookRow,
} from './rows.ts';
import {
  ConflictError,
  type AttemptPatch,
  type AttemptRecord,
  type CommitResult,
  type EventRecord,
  type IdempotencyRecord,
  type NewSessionExtras,
  type NotificationRecord,
  type OperationalStats,
  type PayoutPatch,
  type PayoutRecord,
  type RefundRecord,
  type SessionChange,
  type SessionCreated,
  type SessionRecord,
  type Store,
  type WebhookPatch,
  type WebhookRecord,
} from './store.ts';

const INSERT_SESSION = `INSERT INTO sessions (id, client_secret, amount, currency, reference, description, return_url,
  customer, methods, status, succeeded_attempt_id, expires_at, created_at, updated_at, version)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

const INSERT_ATTEMPT = `INSERT INTO attempts (id, session_id, method, provider, provider_order_id, provider_payment_id,
  status, action, amount, currency, fields_hash, failure_code, failure_message, double_payment, expires_at,
  next_check_at, check_count, created_at, updated_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

const INSERT_REFUND = `INSERT INTO refunds (id, session_id, attempt_id, provider, amount, currency, reason, status,
  failure_code, next_check_at, check_count, created_at, updated_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

const INSERT_PAYOUT = `INSERT INTO payouts (id, provider, amount, currency, bank_id, bank_branch, holder_name,
  account_number, reference, status, failure_code, next_check_at, check_count, created_at, updated_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

const INSERT_WEBHOOK = `INSERT INTO webhooks (id, session_id, payout_id, type, payload, attempts, next_attempt_at,
  delivered_at, last_error, created_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

const INSERT_EVENT = 'INSERT INTO events (session_id, seq, data) VALUES (?, ?, ?)';

const INSERT_IDEMPOTENCY = `INSERT INTO idempotency_keys (scope, key, request_hash, status, body, created_at)
  VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (scope, key) DO NOTHING`;

/** A kind of due work: which rows are due, in which order, and which column holds the lease. */
interface DueWork {
  table: 'attempts' | 'refunds' | 'payouts' | 'webhooks';
  /** The schedule column; a lease moves it to the lease's end. */
  column: 'next_check_at' | 'next_attempt_at';
  /** Rows due at `?` (now). */
  due: string;
  order: string;
}

export class SqlStore implements Store {
  readonly #engine: Engine;
  readonly #dialect: Dialect;
  readonly #due: Record<DueWork['table'], DueWork>;

  /** The session and its latest attempt (the one `listAttempts` gives last), in one statement. */
  readonly #sessionWithLatestAttempt: string;

  constructor(engine: Engine) {
    this.#engine = engine;
    this.#dialect = engine.dialect;
    const byInsertion = this.#dialect.insertionOrder;
    this.#sessionWithLatestAttempt = `SELECT s.*, ${ATTEMPT_ROW_COLUMNS.map((column) => `a.${column} AS a_${column}`).join(', ')}
      FROM sessions s LEFT JOIN attempts a ON a.id = (
        SELECT l.id FROM attempts l WHERE l.session_id = s.id ORDER BY l.created_at DESC, l.${byInsertion} DESC LIMIT 1)
      WHERE s.id = ?`;
    this.#due = {
      attempts: {
        table: 'attempts',
        column: 'next_check_at',
        due: 'next_check_at IS NOT NULL AND next_check_at <= ?',
        order: 'next_check_at, id',
      },
      refunds: {
        table: 'refunds',
        column: 'next_check_at',
        due: `status = 'pending' AND next_check_at IS NOT NULL AND next_check_at <= ?`,
        order: `next_check_at, ${byInsertion}`,
      },
      payouts: {
        table: 'payouts',
        column: 'next_check_at',
        due: `status = 'pending' AND next_check_at IS NOT NULL AND next_check_at <= ?`,
        order: `next_check_at, ${byInsertion}`,
      },
      webhooks: {
        table: 'webhooks',
        column: 'next_attempt_at',
        due: 'delivered_at IS NULL AND next_attempt_at IS NOT NULL AND next_attempt_at <= ?',
        order: `next_attempt_at, created_at, ${byInsertion}`,
      },
    };
  }

  migrate(): Promise<void> {
    return this.#engine.migrate();
  }

  close(): Promise<void> {
    return this.#engine.close();
  }

  async checkHealth(): Promise<void> {
    this.#engine.assertSameDatabase?.();
    try {
      await this.#engine.count(
        'INSERT INTO health (id, checked_at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at',
        [new Date().toISOString()],
      );
    } catch (error) {
      throw storeFailure(error, this.#engine.location);
    }
  }

  // ---- sessions --------------------------------------------------------------------------------

  async createSession(session: SessionRecord, extras: NewSessionExtras = {}): Promise<SessionCreated> {
    if (!extras.event && !extras.idempotency) {
      await this.#engine.count(INSERT_SESSION, sessionValues(session));
      return { created: true };
    }
    return this.#engine.transaction(createSessionProgram(session, extras));
  }

  async getSession(id: string): Promise<SessionRecord | null> {
    const [row] = await this.#engine.rows<SessionRow>('SELECT * FROM sessions WHERE id = ?', [id]);
    return row ? rowToSession(row) : null;
  }

  async getSessionWithLatestAttempt(
    id: string,
  ): Promise<{ session: SessionRecord; attempt: AttemptRecord | null } | null> {
    const [row] = await this.#engine.rows<SessionRow & Record<string, unknown>>(this.#sessionWithLatestAttempt, [id]);
    if (!row) return null;
    if (row.a_id === null) return { session: rowToSession(row), attempt: null };
    const attempt = Object.fromEntries(ATTEMPT_ROW_COLUMNS.map((column) => [column, row[`a_${column}`]]));
    return { session: rowToSession(row), attempt: rowToAttempt(attempt as unknown as AttemptRow) };
  }

  async listSessions(options: { limit: number; before?: string }): Promise<SessionRecord[]> {
    return (await this.#newestFirst<SessionRow>('sessions', options)).map(rowToSession);
  }

  async listExpiredSessions(now: string, limit: number): Promise<SessionRecord[]> {
    const found = await this.#engine.rows<SessionRow>(
      `SELECT * FROM sessions WHERE status IN ('open', 'pending', 'failed') AND expires_at <= ?
       ORDER BY expires_at LIMIT ?`,
      [now, limit],
    );
    return found.map(rowToSession);
  }

  // ---- attempts --------------------------------------------------------------------------------

  async getAttempt(id: string): Promise<AttemptRecord | null> {
    const [row] = await this.#engine.rows<AttemptRow>('SELECT * FROM attempts WHERE id = ?', [id]);
    return row ? rowToAttempt(row) : null;
  }

  async findAttemptByOrder(provider: ProviderId, providerOrderId: string): Promise<AttemptRecord | null> {
    const [row] = await this.#engine.rows<AttemptRow>(
      'SELECT * FROM attempts WHERE provider = ? AND provider_order_id = ?',
      [provider, providerOrderId],
    );
    return row ? rowToAttempt(row) : null;
  }

  async findAttemptByPayment(provider: ProviderId, providerPaymentId: string): Promise<AttemptRecord | null> {
    const [row] = await this.#engine.rows<AttemptRow>(
      'SELECT * FROM attempts WHERE provider = ? AND provider_payment_id = ? ORDER BY created_at DESC LIMIT 1',
      [provider, providerPaymentId],
    );
    return row ? rowToAttempt(row) : null;
  }

  async listAttempts(sessionId: string): Promise<AttemptRecord[]> {
    const found = await this.#engine.rows<AttemptRow>(
      `SELECT * FROM attempts WHERE session_id = ? ORDER BY created_at, ${this.#dialect.insertionOrder}`,
      [sessionId],
    );
    return found.map(rowToAttempt);
  }

  async claimDueAttempts(now: string, leaseUntil: string, limit: number): Promise<AttemptRecord[]> {
    return (await this.#claim<AttemptRow>(this.#due.attempts, now, leaseUntil, limit)).map(rowToAttempt);
  }

  /** Throws when the attempt does not exist: a silent no-op would hide a reconciler bug. */
  async updateAttempt(id: string, patch: AttemptPatch): Promise<void> {
    const { sql, values } = setClause(ATTEMPT_COLUMNS, encodeAttemptPatch(patch, this.#dialect));
    const changed = await this.#engine.count(`UPDATE attempts SET ${sql || 'id = id'} WHERE id = ?`, [...values, id]);
    if (changed === 0) throw new Error(`attempt ${id} not found`);
  }

  // ---- the one write path for a session's changes ----------------------------------------------

  commit(change: SessionChange): Promise<CommitResult> {
    return this.#engine.transaction(commitProgram(this.#dialect, change));
  }

  async listEvents(sessionId: string, afterSeq: number): Promise<EventRecord[]> {
    const found = await this.#engine.rows<EventRow>(
      'SELECT session_id, seq, data FROM events WHERE session_id = ? AND seq > ? ORDER BY seq',
      [sessionId, afterSeq],
    );
    return found.map(rowToEvent);
  }

  // ---- idempotency and notifications ------------------------------------------------------------

  async getIdempotency(scope: string, key: string): Promise<IdempotencyRecord | null> {
    const [row] = await this.#engine.rows<IdempotencyRow>(
      'SELECT * FROM idempotency_keys WHERE scope = ? AND key = ?',
      [scope, key],
    );
    return row ? rowToIdempotency(row) : null;
  }

  async putIdempotency(record: IdempotencyRecord): Promise<boolean> {
    return (await this.#engine.count(INSERT_IDEMPOTENCY, idempotencyValues(record))) === 1;
  }

  async releaseIdempotency(record: IdempotencyRecord): Promise<boolean> {
    const deleted = await this.#engine.count(
      'DELETE FROM idempotency_keys WHERE scope = ? AND key = ? AND request_hash = ? AND body = ?',
      [record.scope, record.key, record.requestHash, record.body],
    );
    return deleted === 1;
  }

  async recordNotification(record: NotificationRecord): Promise<boolean> {
    const inserted = await this.#engine.count(
      `INSERT INTO notifications (provider, dedupe_key, order_id, body, received_at)
       VALUES (?, ?, ?, ?, ?) ON CONFLICT (provider, dedupe_key) DO NOTHING`,
      [record.provider, record.dedupeKey, record.orderId, record.body, record.receivedAt],
    );
    return inserted === 1;
  }

  // ---- refunds ---------------------------------------------------------------------------------

  async getRefund(id: string): Promise<RefundRecord | null> {
    const [row] = await this.#engine.rows<RefundRow>('SELECT * FROM refunds WHERE id = ?', [id]);
    return row ? rowToRefund(row) : null;
  }

  async claimDueRefunds(now: string, leaseUntil: string, limit: number): Promise<RefundRecord[]> {
    return (await this.#claim<RefundRow>(this.#due.refunds, now, leaseUntil, limit)).map(rowToRefund);
  }

  async listRefunds(sessionId: string): Promise<RefundRecord[]> {
    const found = await this.#engine.rows<RefundRow>(
      `SELECT * FROM refunds WHERE session_id = ? ORDER BY created_at, ${this.#dialect.insertionOrder}`,
      [sessionId],
    );
    return found.map(rowToRefund);
  }

  // ---- payouts ---------------------------------------------------------------------------------

  async createPayout(payout: PayoutRecord): Promise<void> {
    await this.#engine.count(INSERT_PAYOUT, payoutValues(payout));
  }

  async getPayout(id: string): Promise<PayoutRecord | null> {
    const [row] = await this.#engine.rows<PayoutRow>('SELECT * FROM payouts WHERE id = ?', [id]);
    return row ? rowToPayout(row) : null;
  }

  async updatePayout(id: string, patch: PayoutPatch): Promise<void> {
    const { sql, values } = setClause(PAYOUT_COLUMNS, { ...patch });
    if (!sql) return;
    const changed = await this.#engine.count(`UPDATE payouts SET ${sql} WHERE id = ?`, [...values, id]);
    if (changed === 0) throw new Error(`payout ${id} not found`);
  }

  async listPayouts(options: { limit: number; before?: string }): Promise<PayoutRecord[]> {
    return (await this.#newestFirst<PayoutRow>('payouts', options)).map(rowToPayout);
  }

  settlePayout(id: string, patch: PayoutPatch, webhooks: WebhookRecord[] = []): Promise<boolean> {
    return this.#engine.transaction(settlePayoutProgram(id, patch, webhooks));
  }

  async claimDuePayouts(now: string, leaseUntil: string, limit: number): Promise<PayoutRecord[]> {
    return (await this.#claim<PayoutRow>(this.#due.payouts, now, leaseUntil, limit)).map(rowToPayout);
  }

  // ---- webhooks --------------------------------------------------------------------------------

  async claimDueWebhooks(now: string, leaseUntil: string, limit: number): Promise<WebhookRecord[]> {
    return (await this.#claim<WebhookRow>(this.#due.webhooks, now, leaseUntil, limit)).map(rowToWebhook);
  }

  async listWebhooks(sessionId: string): Promise<WebhookRecord[]> {
    const found = await this.#engine.rows<WebhookRow>(
      `SELECT * FROM webhooks WHERE session_id = ? ORDER BY created_at, ${this.#dialect.insertionOrder}`,
      [sessionId],
    );
    return found.map(rowToWebhook);
  }

  async listPayoutWebhooks(payoutId: string): Promise<WebhookRecord[]> {
    const found = await this.#engine.rows<WebhookRow>(
      `SELECT * FROM webhooks WHERE payout_id = ? ORDER BY created_at, ${this.#dialect.insertionOrder}`,
      [payoutId],
    );
    return found.map(rowToWebhook);
  }

  async operationalStats(now: string): Promise<OperationalStats> {
    const [webhooks] = await this.#engine.rows<{ pending: number | string; failing: number | string }>(
      `SELECT COUNT(*) AS pending, COUNT(last_error) AS failing FROM webhooks
       WHERE next_attempt_at IS NOT NULL AND delivered_at IS NULL`,
      [],
    );
    const [attempts] = await this.#engine.rows<{ oldest: string | null }>(
      `SELECT MIN(next_check_at) AS oldest FROM attempts WHERE ${this.#due.attempts.due}`,
      [now],
    );
    // PostgreSQL answers COUNT(*) as a bigint, which node-postgres hands over as a string.
    return {
      webhooksPending: Number(webhooks?.pending ?? 0),
      webhooksFailing: Number(webhooks?.failing ?? 0),
      oldestDueAttemptAt: attempts?.oldest ?? null,
    };
  }

  async updateWebhook(id: string, patch: WebhookPatch): Promise<void> {
    const { sql, values } = setClause(WEBHOOK_COLUMNS, { ...patch });
    if (!sql) return;
    const changed = await this.#engine.count(`UPDATE webhooks SET ${sql} WHERE id = ?`, [...values, id]);
    if (changed === 0) throw new Error(`webhook ${id} not found`);
  }

  /**
   * A page of a table's rows, newest first, after the row `before` names. Keyset paging on
   * (created_at, id): stable while new rows arrive, and rows created in the same millisecond are
   * neither skipped nor repeated. An unknown cursor yields nothing.
   */
  #newestFirst<Row>(
    table: 'sessions' | 'payouts',
    { limit, before }: { limit: number; before?: string },
  ): Promise<Row[]> {
    if (before === undefined) {
      return this.#engine.rows<Row>(`SELECT * FROM ${table} ORDER BY created_at DESC, id DESC LIMIT ?`, [limit]);
    }
    return this.#engine.rows<Row>(
      `SELECT t.* FROM ${table} t JOIN ${table} c ON c.id = ?
       WHERE (t.created_at, t.id) < (c.created_at, c.id)
       ORDER BY t.created_at DESC, t.id DESC
       LIMIT ?`,
      [before, limit],
    );
  }

  /** The one lease on due work; see `leaseProgram`. */
  #claim<Row extends { id: string }>(work: DueWork, now: string, leaseUntil: string, limit: number): Promise<Row[]> {
    return this.#engine.transaction(leaseProgram<Row>(this.#dialect, work, now, leaseUntil, limit));
  }
}

/**
 * Picks the due rows in order and moves their schedule column to `leaseUntil`, in one transaction:
 * the rows leave "due" for everyone else until the lease runs out, and come back by themselves if
 * the holder dies. Concurrent claimers get disjoint sets (PostgreSQL: the picked rows are locked and
 * skipped by others; SQLite: one writer at a time).
 *
 * NOTE: two statements, not one `UPDATE … RETURNING`: RETURNING gives rows in no set order and, in
 * SQLite, only the new values, so the order the rows were due in would be lost.
 */
function* leaseProgram<Row extends { id: string }>(
  dialect: Dialect,
  work: DueWork,
  now: string,
  leaseUntil: string,
  limit: number,
): Program<Row[]> {
  const due = yield* rows<Row>(
    `SELECT * FROM ${work.table} WHERE ${work.due} ORDER BY ${work.order} LIMIT ?${dialect.lockDue}`,
    [now, limit],
  );
  if (due.length === 0) return due;
  const ids = due.map((row) => row.id);
  yield* count(`UPDATE ${work.table} SET ${work.column} = ? WHERE id IN (${ids.map(() => '?').join(', ')})`, [
    leaseUntil,
    ...ids,
  ]);
  return due.map((row) => ({ ...row, [work.column]: leaseUntil }));
}

function* createSessionProgram(session: SessionRecord, extras: NewSessionExtras): Program<SessionCreated> {
  if (extras.idempotency) {
    const claimed = yield* count(INSERT_IDEMPOTENCY, idempotencyValues(extras.idempotency));
    if (claimed === 0) {
      const { scope, key } = extras.idempotency;
      const earlier = yield* first<IdempotencyRow>('SELECT * FROM idempotency_keys WHERE scope = ? AND key = ?', [
        scope,
        key,
      ]);
      return { created: false, earlier: rowToIdempotency(earlier!) };
    }
  }
  yield* count(INSERT_SESSION, sessionValues(session));
  if (extras.event) {
    const data: StatusEvent = { ...extras.event, seq: 1 };
    yield* count(INSERT_EVENT, [session.id, 1, JSON.stringify(data)]);
  }
  return { created: true };
}

/** `Store#settlePayout`: a pending payout's final state and its webhooks, all or nothing. */
function* settlePayoutProgram(id: string, patch: PayoutPatch, webhooks: WebhookRecord[]): Program<boolean> {
  const { sql, values } = setClause(PAYOUT_COLUMNS, { ...patch });
  const changed = yield* count(`UPDATE payouts SET ${sql || 'id = id'} WHERE id = ? AND status = 'pending'`, [
    ...values,
    id,
  ]);
  if (changed === 0) {
    const exists = yield* first('SELECT 1 AS found FROM payouts WHERE id = ?', [id]);
    if (!exists) throw new Error(`payout ${id} not found`);
    return false;
  }
  for (const webhook of webhooks) {
    if (webhook.payoutId !== id || webhook.sessionId !== null)
      throw new Error(`webhook ${webhook.id} does not belong to payout ${id}`);
    yield* count(INSERT_WEBHOOK, webhookValues(webhook));
  }
  return true;
}

/** `Store#commit`: one session's change, all or nothing (see `SessionChange`). */
function* commitProgram(dialect: Dialect, change: SessionChange): Program<CommitResult> {
  const { sessionId } = change;

  // Checking the version and bumping it in one statement is the optimistic lock itself. On
  // PostgreSQL the row lock it takes is held until COMMIT, so writers of one session queue here: a
  // writer that waited finds the version moved on (READ COMMITTED re-checks the WHERE against the
  // row the first writer committed), matches nothing and gets a ConflictError. SQLite has one writer.
  const patch = setClause(SESSION_COLUMNS, { ...change.session });
  const row = yield* first<SessionRow>(
    `UPDATE sessions SET version = version + 1${patch.sql ? `, ${patch.sql}` : ''}
     WHERE id = ? AND version = ?
     RETURNING *`,
    [...patch.values, sessionId, change.expectedVersion],
  );
  if (!row) {
    const exists = yield* first('SELECT 1 AS found FROM sessions WHERE id = ?', [sessionId]);
    if (!exists) throw new Error(`session ${sessionId} not found`);
    throw new ConflictError(
      `session ${sessionId} changed since version ${change.expectedVersion}; re-read it and retry`,
    );
  }

  if (change.newAttempt) {
    const attempt = change.newAttempt;
    if (attempt.sessionId !== sessionId)
      throw new Error(`attempt ${attempt.id} belongs to session ${attempt.sessionId}`);
    yield* count(INSERT_ATTEMPT, attemptValues(attempt, dialect));
  }

  if (change.attempt) {
    const { id, patch: attemptPatch } = change.attempt;
    const { sql, values } = setClause(ATTEMPT_COLUMNS, encodeAttemptPatch(attemptPatch, dialect));
    const changed = yield* count(`UPDATE attempts SET ${sql || 'id = id'} WHERE id = ? AND session_id = ?`, [
      ...values,
      id,
      sessionId,
    ]);
    if (changed === 0) throw new Error(`attempt ${id} is not an attempt of session ${sessionId}`);
  }

  let event: EventRecord | null = null;
  if (change.event) {
    // Safe only because this transaction holds the session's row (PostgreSQL) or the write lock
    // (SQLite): no other writer of this session can read the same MAX(seq) before this one commits.
    // The primary key on (session_id, seq) would turn any slip into a failed commit, never a repeat.
    const next = yield* first<{ seq: number }>(
      'SELECT COALESCE(MAX(seq), 0) + 1 AS seq FROM events WHERE session_id = ?',
      [sessionId],
    );
    const seq = next!.seq;
    const data: StatusEvent = { ...change.event, seq };
    yield* count(INSERT_EVENT, [sessionId, seq, JSON.stringify(data)]);
    event = { sessionId, seq, data };
  }

  if (change.newRefund) {
    const refund = change.newRefund;
    if (refund.sessionId !== sessionId) throw new Error(`refund ${refund.id} belongs to session ${refund.sessionId}`);
    yield* count(INSERT_REFUND, refundValues(refund));
  }

  if (change.refund) {
    const { id, patch: refundPatch } = change.refund;
    const { sql, values } = setClause(REFUND_COLUMNS, { ...refundPatch });
    const changed = yield* count(`UPDATE refunds SET ${sql || 'id = id'} WHERE id = ? AND session_id = ?`, [
      ...values,
      id,
      sessionId,
    ]);
    if (changed === 0) throw new Error(`refund ${id} is not a refund of session ${sessionId}`);
  }

  for (const webhook of change.webhooks ?? []) {
    if (webhook.sessionId !== sessionId || webhook.payoutId !== null)
      throw new Error(`webhook ${webhook.id} belongs to session ${webhook.sessionId}`);
    yield* count(INSERT_WEBHOOK, webhookValues(webhook));
  }

  // Nothing after the UPDATE touches the session row, so RETURNING already shows it as stored.
  return { session: rowToSession(row), event };
}
