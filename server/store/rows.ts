/**
 * The tables' row shapes and their mapping to records, shared by the SQLite and PostgreSQL stores:
 * both keep the same columns (one set of migrations per dialect, one schema).
 */
import type { Action, MethodId } from '../../widget/wire.ts';
import type { Customer, ProviderId } from '../providers/provider.ts';
import type {
  AttemptPatch,
  AttemptRecord,
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

export interface WebhookRow {
  id: string;
  session_id: string;
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
    provider: row.provider as AttemptRecord['provider'],
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
    provider: row.provider as ProviderId,
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
    provider: row.provider as ProviderId,
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
    type: row.type,
    payload: row.payload,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    deliveredAt: row.delivered_at,
    lastError: row.last_error,
    createdAt: row.created_at,
  };
}
