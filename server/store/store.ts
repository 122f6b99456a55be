/**
 * The one storage interface. Routes and domain code speak only to this; SQLite (embedded default)
 * and PostgreSQL (scale-out) implement it, and one contract suite (test/server/store/contract.ts)
 * holds both to the same behaviour.
 * Every method is async so either engine fits. Money is integer minor units; times are ISO strings.
 */
import type { Action, AttemptStatus, MethodId, SessionStatus, StatusEvent } from '../../widget/wire.ts';
import type { Customer, ProviderId } from '../providers/provider.ts';

export interface SessionRecord {
  id: string;
  clientSecret: string;
  /** Minor units. */
  amount: number;
  currency: string;
  reference: string;
  description: string | null;
  returnUrl: string | null;
  customer: Customer;
  /** Methods the merchant allowed for this session; null means every method that fits. */
  methods: MethodId[] | null;
  status: SessionStatus;
  /** The attempt whose payment counts, once one succeeded. */
  succeededAttemptId: string | null;
  expiresAt: string;
  createdAt: string;
  updatedAt: string;
  /** Optimistic-concurrency counter; every committed change bumps it. */
  version: number;
}

export interface AttemptRecord {
  id: string;
  sessionId: string;
  method: MethodId;
  provider: ProviderId;
  /** The order id sent to the provider; unique per provider. */
  providerOrderId: string;
  providerPaymentId: string | null;
  status: AttemptStatus;
  action: Action | null;
  /** Minor units, copied from the session when the attempt was made. */
  amount: number;
  currency: string;
  /** Hash of the shopper's fields, so a repeated POST with the same choice returns the same attempt. */
  fieldsHash: string;
  failureCode: string | null;
  failureMessage: string | null;
  /** A second success on a session that had already succeeded: money to refund, never lost. */
  doublePayment: boolean;
  expiresAt: string | null;
  /** When the reconciler should next ask the provider; null when there is nothing left to ask. */
  nextCheckAt: string | null;
  checkCount: number;
  createdAt: string;
  updatedAt: string;
}

/**
 * One signed notice to the merchant's server (`merchant.webhookUrl`), kept in an outbox and retried
 * until acknowledged. `payload` is the exact body that is signed and sent.
 */
export interface WebhookRecord {
  id: string;
  /** The session it reports on; null for a payout's webhook. Exactly one of the two is set. */
  sessionId: string | null;
  /** The payout it reports on; null for a session's webhook. */
  payoutId: string | null;
  type: string;
  payload: string;
  /** Deliveries tried so far. */
  attempts: number;
  /** When to try next; null once delivered or given up. */
  nextAttemptAt: string | null;
  deliveredAt: string | null;
  lastError: string | null;
  createdAt: string;
}

export type WebhookPatch = Partial<Pick<WebhookRecord, 'attempts' | 'nextAttemptAt' | 'deliveredAt' | 'lastError'>>;

/** Money sent back to the shopper for a session's successful attempt. */
export interface RefundRecord {
  /** Also the refund order id sent to the provider. */
  id: string;
  sessionId: string;
  attemptId: string;
  provider: ProviderId;
  /** Minor units. */
  amount: number;
  currency: string;
  reason: string | null;
  status: 'pending' | 'succeeded' | 'failed';
  failureCode: string | null;
  /** When to ask the provider again while the outcome is unknown; null when final. */
  nextCheckAt: string | null;
  checkCount: number;
  createdAt: string;
  updatedAt: string;
}

export type RefundPatch = Partial<
  Pick<RefundRecord, 'status' | 'failureCode' | 'nextCheckAt' | 'checkCount' | 'updatedAt'>
>;

/** Money sent from the merchant's provider balance to a bank account (One1Pay withdrawals). */
export interface PayoutRecord {
  /** Also the order id sent to the provider. */
  id: string;
  provider: ProviderId;
  /** Minor units. */
  amount: number;
  currency: string;
  bankId: string;
  bankBranch: string | null;
  holderName: string;
  accountNumber: string;
  reference: string | null;
  status: 'pending' | 'succeeded' | 'failed' | 'rejected';
  failureCode: string | null;
  /** When to ask the provider again while pending; null when final. */
  nextCheckAt: string | null;
  checkCount: number;
  createdAt: string;
  updatedAt: string;
}

export type PayoutPatch = Partial<
  Pick<PayoutRecord, 'status' | 'failureCode' | 'nextCheckAt' | 'checkCount' | 'updatedAt'>
>;

export interface EventRecord {
  sessionId: string;
  seq: number;
  data: StatusEvent;
}

export type SessionPatch = Partial<Pick<SessionRecord, 'status' | 'succeededAttemptId' | 'updatedAt'>>;
export type AttemptPatch = Partial<
  Pick<
    AttemptRecord,
    | 'status'
    | 'action'
    | 'providerPaymentId'
    | 'failureCode'
    | 'failureMessage'
    | 'doublePayment'
    | 'expiresAt'
    | 'nextCheckAt'
    | 'checkCount'
    | 'updatedAt'
  >
>;

/**
 * One atomic change to a session: optional session and attempt updates plus, when `event` is set,
 * one appended event whose `seq` the store assigns. Fails with `ConflictError` when the session's
 * version is no longer `expectedVersion` (another writer got there first; re-read and retry).
 */
export interface SessionChange {
  sessionId: string;
  expectedVersion: number;
  session?: SessionPatch;
  attempt?: { id: string; patch: AttemptPatch };
  newAttempt?: AttemptRecord;
  /** The event's body without `seq`, which the store assigns. */
  event?: Omit<StatusEvent, 'seq'>;
  /** Webhooks to put in the outbox in the same transaction, so none is lost or sent for nothing. */
  webhooks?: WebhookRecord[];
  newRefund?: RefundRecord;
  refund?: { id: string; patch: RefundPatch };
}

export interface CommitResult {
  session: SessionRecord;
  event: EventRecord | null;
}

export interface IdempotencyRecord {
  scope: string;
  key: string;
  requestHash: string;
  status: number;
  body: string;
  createdAt: string;
}

export interface NotificationRecord {
  provider: ProviderId;
  dedupeKey: string;
  orderId: string;
  body: string;
  receivedAt: string;
}

/** What `createSession` writes with the session, in the same transaction. */
export interface NewSessionExtras {
  /** The session's first event (seq 1). */
  event?: Omit<StatusEvent, 'seq'>;
  /**
   * The merchant's `Idempotency-Key` record, answer included. When a record for (scope, key) exists
   * already, nothing at all is written and the earlier record comes back instead.
   */
  idempotency?: IdempotencyRecord;
}

export type SessionCreated = { created: true } | { created: false; earlier: IdempotencyRecord };

export class ConflictError extends Error {
  override name = 'ConflictError';
}

export interface Store {
  /** Creates missing tables and applies pending migrations. Safe to call on every start. */
  migrate(): Promise<void>;
  close(): Promise<void>;
  /**
   * Proves the store can take a write now (a one-row write to its health table; SQLite also checks
   * that its file is still the one it opened). Throws `StoreUnavailableError` with one line naming the
   * cause and the fix. For `/readyz`.
   */
  checkHealth(): Promise<void>;

  /**
   * Writes a new session and, in the same transaction, what `extras` names. Resolves
   * `{ created: false, earlier }` (and writes nothing) when the idempotency key was taken first.
   */
  createSession(session: SessionRecord, extras?: NewSessionExtras): Promise<SessionCreated>;
  getSession(id: string): Promise<SessionRecord | null>;
  /** The session with its latest attempt (the last `listAttempts` gives), read at once; null without the session. */
  getSessionWithLatestAttempt(id: string): Promise<{ session: SessionRecord; attempt: AttemptRecord | null } | null>;
  /** Newest first; `before` is a session id for paging. */
  listSessions(options: { limit: number; before?: string }): Promise<SessionRecord[]>;

  getAttempt(id: string): Promise<AttemptRecord | null>;
  findAttemptByOrder(provider: ProviderId, providerOrderId: string): Promise<AttemptRecord | null>;
  /** The attempt a provider knows by its own payment id (for callbacks that name only that id). */
  findAttemptByPayment(provider: ProviderId, providerPaymentId: string): Promise<AttemptRecord | null>;
  /** Oldest first; attempts made in the same instant come in the order they were created. */
  listAttempts(sessionId: string): Promise<AttemptRecord[]>;
  /** Sessions still taking attempts (open, pending, failed) whose `expiresAt` is at or before `now`. */
  listExpiredSessions(now: string, limit: number): Promise<SessionRecord[]>;
  /**
   * Attempts whose `nextCheckAt` is at or before `now`, soonest first. Each is leased: its
   * `nextCheckAt` moves to `leaseUntil` in the same step, so two reconcilers never ask a provider
   * about the same attempt at once. A lease that runs out (its holder died) makes it due again.
   */
  claimDueAttempts(now: string, leaseUntil: string, limit: number): Promise<AttemptRecord[]>;
  /** Updates an attempt outside a session change (reconciler bookkeeping only; no event). */
  updateAttempt(id: string, patch: AttemptPatch): Promise<void>;

  /** Applies one change atomically (see `SessionChange`). */
  commit(change: SessionChange): Promise<CommitResult>;

  /** Events with `seq > afterSeq`, in order. */
  listEvents(sessionId: string, afterSeq: number): Promise<EventRecord[]>;

  getIdempotency(scope: string, key: string): Promise<IdempotencyRecord | null>;
  /** Returns false when a record for (scope, key) already exists; the first writer wins. */
  putIdempotency(record: IdempotencyRecord): Promise<boolean>;
  /**
   * Deletes the record for (scope, key) if it is still exactly `record` (same request hash and body),
   * so a claim made before the work is released when the work was refused before anything was
   * written; a record another request wrote stays. Returns whether a record was deleted.
   */
  releaseIdempotency(record: IdempotencyRecord): Promise<boolean>;

  /** Returns false when (provider, dedupeKey) was recorded before. */
  recordNotification(record: NotificationRecord): Promise<boolean>;

  getRefund(id: string): Promise<RefundRecord | null>;
  /**
   * Pending refunds whose `nextCheckAt` is at or before `now`, soonest first. Each is leased: its
   * `nextCheckAt` moves to `leaseUntil` in the same step, so another instance does not take it too.
   */
  claimDueRefunds(now: string, leaseUntil: string, limit: number): Promise<RefundRecord[]>;
  /** A session's refunds, oldest first. */
  listRefunds(sessionId: string): Promise<RefundRecord[]>;

  createPayout(payout: PayoutRecord): Promise<void>;
  getPayout(id: string): Promise<PayoutRecord | null>;
  updatePayout(id: string, patch: PayoutPatch): Promise<void>;
  /** Newest first; `before` is a payout id for paging (an unknown one yields nothing). */
  listPayouts(options: { limit: number; before?: string }): Promise<PayoutRecord[]>;
  /**
   * Moves a payout that is still pending to `patch` (its final state) and, in the same transaction,
   * puts `webhooks` (each naming this payout) in the outbox. Returns false, writing nothing, when the
   * payout is no longer pending (another check settled it first), so an outcome is announced once.
   */
  settlePayout(id: string, patch: PayoutPatch, webhooks?: WebhookRecord[]): Promise<boolean>;
  /** Pending payouts whose `nextCheckAt` is at or before `now`, soonest first; leased as above. */
  claimDuePayouts(now: string, leaseUntil: string, limit: number): Promise<PayoutRecord[]>;

  /** Undelivered webhooks whose `nextAttemptAt` is at or before `now`, oldest first; leased as above. */
  claimDueWebhooks(now: string, leaseUntil: string, limit: number): Promise<WebhookRecord[]>;
  /** A session's webhooks, oldest first. */
  listWebhooks(sessionId: string): Promise<WebhookRecord[]>;
  /** A payout's webhooks, oldest first. */
  listPayoutWebhooks(payoutId: string): Promise<WebhookRecord[]>;
  updateWebhook(id: string, patch: WebhookPatch): Promise<void>;

  /** Figures for `/metrics`, read with the due-work indexes (cheap enough for every scrape). */
  operationalStats(now: string): Promise<OperationalStats>;
}

export interface OperationalStats {
  /** Webhooks not delivered yet. */
  webhooksPending: number;
  /** Of those, the ones whose last delivery failed. */
  webhooksFailing: number;
  /** The earliest `nextCheckAt` among attempts due at `now`; null when none is due. */
  oldestDueAttemptAt: string | null;
}
