/**
 * The tables' row shapes and their mapping to records, shared by the SQLite and PostgreSQL stores:
 * both keep the same columns (one set of migrations per dialect, one schema).
 */
import type { Action, MethodId, StatusEvent } from '../../widget/wire.ts';
import type { Customer } from '../providers/provider.ts';
import type { Dialect, SqlValue } from './dialect.ts';
import type {
  AttemptPatch,
  AttemptRecord,
  EventRecord,
  IdempotencyRecord,
  PayoutPatch,
  PayoutRecord,
  RefundPatch,
  RefundRecord,
  SessionPatch,
  SessionRecord,
  WebhookPatch,
  WebhookRecord,
} from './store.ts';

export interface SessionRow {
  id: string;
  client_secret: string;
  amount: number;
  currency: string;
  reference: string;
  description: string | null;
  return_url: string | null;
  customer: string;
  methods: string | null;
  status: string;
  succeeded_attempt_id: string | null;
  expires_at: string;
  created_at: string;
  updated_at: string;
  version: number;
}

export interface AttemptRow {
  id: string;
  session_id: string;
  method: string;
  provider: string;
  provider_order_id: string;
  provider_payment_id: string | null;
  status: string;
  action: string | null;
  amount: number;
  currency: string;
  fields_hash: string;
  failure_code: string | null;
  failure_message: string | null;
  /** 0/1 in SQLite, a boolean in PostgreSQL. */
  double_payment: number | boolean;
  expires_at: string | null;
  next_check_at: string | null;
  check_count: number;
  created_at: string;
  updated_at: string;
}

/** Every column of `attempts`; the type fails to check when a column of `AttemptRow` is missing. */
export const ATTEMPT_ROW_COLUMNS = allColumns<AttemptRow>()([
  'id',
  'session_id',
  'method',
  'provider',
  'provider_order_id',
  'provider_payment_id',
  'status',
  'action',
  'amount',
  'currency',
  'fields_hash',
  'failure_code',
  'failure_message',
  'double_payment',
  'expires_at',
  'next_check_at',
  'check_count',
  'created_at',
  'updated_at',
]);

/** A list of a row type's columns, checked to name every one of them. */
function allColumns<Row>() {
  return <const Names extends readonly (keyof Row & string)[]>(
    names: Exclude<keyof Row, Names[number]> extends never ? Names : never,
  ): Names => names;
}

export interface WebhookRow {
  id: string;
  session_id: string | null;
  payout_id: string | null;
  type: string;
  payload: string;
  attempts: number;
  next_attempt_at: string | null;
  delivered_at: string | null;
  last_error: string | null;
  created_at: string;
}

export interface RefundRow {
  id: string;
  session_id: string;
  attempt_id: string;
  provider: string;
  amount: number;
  currency: string;
  reason: string | null;
  status: string;
  failure_code: string | null;
  next_check_at: string | null;
  check_count: number;
  created_at: string;
  updated_at: string;
}

export interface PayoutRow {
  id: string;
  provider: string;
  amount: number;
  currency: string;
  bank_id: string;
  bank_branch: string | null;
  holder_name: string;
  account_number: string;
  reference: string | null;
  status: string;
  failure_code: string | null;
  next_check_at: string | null;
  check_count: number;
  created_at: string;
  updated_at: string;
}

export interface IdempotencyRow {
  scope: string;
  key: string;
  request_hash: string;
  status: number;
  body: string;
  created_at: string;
}

export interface EventRow {
  session_id: string;
  seq: number;
  data: string;
}

/** Patchable fields and their columns; the only names ever spliced into SQL text. */
export const SESSION_COLUMNS: { [K in keyof Required<SessionPatch>]: string } = {
  status: 'status',
  succeededAttemptId: 'succeeded_attempt_id',
  updatedAt: 'updated_at',
};

export const ATTEMPT_COLUMNS: { [K in keyof Required<AttemptPatch>]: string } = {
  status: 'status',
  action: 'action',
  providerPaymentId: 'provider_payment_id',
  failureCode: 'failure_code',
  failureMessage: 'failure_message',
  doublePayment: 'double_payment',
  expiresAt: 'expires_at',
  nextCheckAt: 'next_check_at',
  checkCount: 'check_count',
  updatedAt: 'updated_at',
};

export const WEBHOOK_COLUMNS: { [K in keyof Required<WebhookPatch>]: string } = {
  attempts: 'attempts',
  nextAttemptAt: 'next_attempt_at',
  deliveredAt: 'delivered_at',
  lastError: 'last_error',
};

export const REFUND_COLUMNS: { [K in keyof Required<RefundPatch>]: string } = {
  status: 'status',
  failureCode: 'failure_code',
  nextCheckAt: 'next_check_at',
  checkCount: 'check_count',
  updatedAt: 'updated_at',
};

export const PAYOUT_COLUMNS: { [K in keyof Required<PayoutPatch>]: string } = {
  status: 'status',
  failureCode: 'failure_code',
  nextCheckAt: 'next_check_at',
  checkCount: 'check_count',
  updatedAt: 'updated_at',
};

export function rowToSession(row: SessionRow): SessionRecord {
  return {
    id: row.id,
    clientSecret: row.client_secret,
    amount: row.amount,
    currency: row.currency,
    reference: row.reference,
    description: row.description,
    returnUrl: row.return_url,
    customer: JSON.parse(row.customer) as Customer,
    methods: row.methods === null ? null : (JSON.parse(row.methods) as MethodId[]),
    status: row.status as SessionRecord['status'],
    succeededAttemptId: row.succeeded_attempt_id,
    expiresAt: row.expires_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    version: row.version,
  };
}

export function rowToAttempt(row: AttemptRow): AttemptRecord {
  return {
    id: row.id,
    sessionId: row.session_id,
    method: row.method as MethodId,
    provider: row.provider,
    providerOrderId: row.provider_order_id,
    providerPaymentId: row.provider_payment_id,
    status: row.status as AttemptRecord['status'],
    action: row.action === null ? null : (JSON.parse(row.action) as Action),
    amount: row.amount,
    currency: row.currency,
    fieldsHash: row.fields_hash,
    failureCode: row.failure_code,
    failureMessage: row.failure_message,
    doublePayment: row.double_payment === true || row.double_payment === 1,
    expiresAt: row.expires_at,
    nextCheckAt: row.next_check_at,
    checkCount: row.check_count,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function rowToRefund(row: RefundRow): RefundRecord {
  return {
    id: row.id,
    sessionId: row.session_id,
    attemptId: row.attempt_id,
    provider: row.provider,
    amount: row.amount,
    currency: row.currency,
    reason: row.reason,
    status: row.status as RefundRecord['status'],
    failureCode: row.failure_code,
    nextCheckAt: row.next_check_at,
    checkCount: row.check_count,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function rowToPayout(row: PayoutRow): PayoutRecord {
  return {
    id: row.id,
    provider: row.provider,
    amount: row.amount,
    currency: row.currency,
    bankId: row.bank_id,
    bankBranch: row.bank_branch,
    holderName: row.holder_name,
    accountNumber: row.account_number,
    reference: row.reference,
    status: row.status as PayoutRecord['status'],
    failureCode: row.failure_code,
    nextCheckAt: row.next_check_at,
    checkCount: row.check_count,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function rowToWebhook(row: WebhookRow): WebhookRecord {
  return {
    id: row.id,
    sessionId: row.session_id,
    payoutId: row.payout_id,
    type: row.type,
    payload: row.payload,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    deliveredAt: row.delivered_at,
    lastError: row.last_error,
    createdAt: row.created_at,
  };
}

export function rowToIdempotency(row: IdempotencyRow): IdempotencyRecord {
  return {
    scope: row.scope,
    key: row.key,
    requestHash: row.request_hash,
    status: row.status,
    body: row.body,
    createdAt: row.created_at,
  };
}

export function rowToEvent(row: EventRow): EventRecord {
  return { sessionId: row.session_id, seq: row.seq, data: JSON.parse(row.data) as StatusEvent };
}

// ---- records to bound values, in the column order of the INSERTs in sql-store.ts ----------------

export function sessionValues(session: SessionRecord): SqlValue[] {
  return [
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
  ];
}

export function attemptValues(attempt: AttemptRecord, dialect: Dialect): SqlValue[] {
  return [
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
    dialect.bool(attempt.doublePayment),
    attempt.expiresAt,
    attempt.nextCheckAt,
    attempt.checkCount,
    attempt.createdAt,
    attempt.updatedAt,
  ];
}

export function refundValues(refund: RefundRecord): SqlValue[] {
  return [
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
  ];
}

export function payoutValues(payout: PayoutRecord): SqlValue[] {
  return [
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
  ];
}

export function webhookValues(webhook: WebhookRecord): SqlValue[] {
  return [
    webhook.id,
    webhook.sessionId,
    webhook.payoutId,
    webhook.type,
    webhook.payload,
    webhook.attempts,
    webhook.nextAttemptAt,
    webhook.deliveredAt,
    webhook.lastError,
    webhook.createdAt,
  ];
}

export function idempotencyValues(record: IdempotencyRecord): SqlValue[] {
  return [record.scope, record.key, record.requestHash, record.status, record.body, record.createdAt];
}

/** An attempt patch with its JSON and boolean fields in the engine's column types. */
export function encodeAttemptPatch(
  patch: AttemptPatch,
  dialect: Dialect,
): Partial<Record<keyof AttemptPatch, SqlValue>> {
  const { action, doublePayment, ...plain } = patch;
  const encoded: Partial<Record<keyof AttemptPatch, SqlValue>> = { ...plain };
  if (action !== undefined) encoded.action = action === null ? null : JSON.stringify(action);
  if (doublePayment !== undefined) encoded.doublePayment = dialect.bool(doublePayment);
  return encoded;
}

/**
 * `a = ?, b = ?` for the fields present in `values` (an `undefined` field means "leave as is"), with
 * the bound values in the same order. Column names come from the `*_COLUMNS` tables only.
 */
export function setClause<K extends string>(
  columns: Record<K, string>,
  values: Partial<Record<K, SqlValue>>,
): { sql: string; values: SqlValue[] } {
  const parts: string[] = [];
  const bound: SqlValue[] = [];
  for (const field of Object.keys(columns) as K[]) {
    const value = values[field];
    if (value === undefined) continue;
    parts.push(`${columns[field]} = ?`);
    bound.push(value);
  }
  return { sql: parts.join(', '), values: bound };
}
