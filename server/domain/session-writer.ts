/**
 * The session writer: every change to a session after its creation goes through `change`. One change
 * is one store transaction (the session, an attempt or a refund, one event for the session's log, and
 * the merchant webhooks it calls for in the outbox), committed against the session's version and
 * retried when another writer got there first. A committed event wakes the session's streams.
 */
import type { SessionStatus } from '../../widget/wire.ts';
import type { Config } from '../config.ts';
import {
  ConflictError,
  type AttemptRecord,
  type RefundRecord,
  type SessionChange,
  type SessionRecord,
  type Store,
  type WebhookRecord,
} from '../store/store.ts';
import { nowIso, type Clock } from './clock.ts';
import type { EventHub } from './events.ts';
import { newWebhookId } from './ids.ts';
import { formatDecimal, moneyOf } from './money.ts';
import { canTransition, hasSucceeded } from './session.ts';

/** A change as a builder writes it; the writer adds the session id and the version it read. */
export type ChangeDraft = Omit<SessionChange, 'sessionId' | 'expectedVersion'>;

/** Builds a change from what is stored now, or returns null when nothing needs to change. */
export type ChangeBuilder = (
  session: SessionRecord,
  attempts: AttemptRecord[],
  refunds: RefundRecord[],
) => ChangeDraft | null;

export interface SessionWriterDeps {
  config: Config;
  store: Store;
  hub: EventHub;
  clock: Clock;
}

/** Session statuses the merchant hears about by webhook. */
const WEBHOOK_STATUSES: ReadonlySet<SessionStatus> = new Set([
  'succeeded',
  'failed',
  'expired',
  'canceled',
  'partially_refunded',
  'refunded',
]);

/** How many times a change is rebuilt when other writers keep committing first. */
const MAX_RETRIES = 10;

export class SessionWriter {
  constructor(private readonly deps: SessionWriterDeps) {}

  /**
   * Reads the session and its attempts (and refunds, once paid), builds a change and commits it;
   * rebuilds and retries when another writer committed first. `build` may throw to refuse the change
   * (nothing is written). Returns the session after the change, or null when there is no such session.
   */
  async change(sessionId: string, build: ChangeBuilder): Promise<SessionRecord | null> {
    const { store, hub } = this.deps;
    for (let tries = 0; ; tries++) {
      const session = await store.getSession(sessionId);
      if (!session) return null;
      const [attempts, refunds] = await Promise.all([
        store.listAttempts(sessionId),
        hasSucceeded(session.status) ? store.listRefunds(sessionId) : Promise.resolve([]),
      ]);
      const change = build(session, attempts, refunds);
      if (!change) return session;
      if (
        change.session?.status &&
        change.session.status !== session.status &&
        !canTransition(session.status, change.session.status)
      ) {
        throw new Error(`illegal session transition ${session.status} → ${change.session.status}`);
      }
      const webhooks = this.#webhooksFor(session, change, refunds);
      try {
        const result = await store.commit({
          ...change,
          ...(webhooks.length ? { webhooks } : {}),
          sessionId,
          expectedVersion: session.version,
        });
        if (result.event) hub.publish(sessionId);
        return result.session;
      } catch (error) {
        if (error instanceof ConflictError && tries < MAX_RETRIES) continue;
        throw error;
      }
    }
  }

  /**
   * The merchant webhooks a change calls for: one when the session's status changes to something the
   * merchant acts on, one for a double payment, one for a wrong amount, one per settled refund. They
   * go into the outbox with the change itself.
   */
  #webhooksFor(session: SessionRecord, change: ChangeDraft, refunds: RefundRecord[]): WebhookRecord[] {
    if (!this.deps.config.merchant.webhookUrl) return [];
    const now = nowIso(this.deps.clock);
    const make = (type: string, attemptId: string | null, status: SessionStatus): WebhookRecord =>
      outboxEntry(session, type, now, {
        session: {
          id: session.id,
          reference: session.reference,
          status,
          amount: formatDecimal(moneyOf(session)),
          currency: session.currency,
          attemptId,
        },
      });
    const out: WebhookRecord[] = [];
    const status = change.session?.status;
    if (status && status !== session.status && WEBHOOK_STATUSES.has(status)) {
      const attemptId =
        status === 'succeeded' ? (change.session?.succeededAttemptId ?? null) : (change.attempt?.id ?? null);
      out.push(make(`session.${status}`, attemptId, status));
    }
    if (change.attempt?.patch.doublePayment) {
      out.push(make('session.double_payment', change.attempt.id, status ?? session.status));
    }
    if (change.attempt?.patch.failureCode === 'amount_mismatch') {
      // Money arrived but not the amount asked for: someone must look at it (refund or top-up).
      out.push(make('session.amount_mismatch', change.attempt.id, status ?? session.status));
    }
    const settled = change.refund?.patch.status;
    if (change.refund && (settled === 'succeeded' || settled === 'failed')) {
      const refund = refunds.find((each) => each.id === change.refund!.id);
      if (refund) out.push(refundWebhook(session, refund, settled, refunds, status ?? session.status, now));
    }
    return out;
  }
}

/** `refund.succeeded` / `refund.failed`: one per refund, with what has been refunded in all. */
function refundWebhook(
  session: SessionRecord,
  refund: RefundRecord,
  settled: 'succeeded' | 'failed',
  refunds: RefundRecord[],
  sessionStatus: SessionStatus,
  now: string,
): WebhookRecord {
  const refunded = refunds
    .filter((each) => each.status === 'succeeded' || (each.id === refund.id && settled === 'succeeded'))
    .reduce((sum, each) => sum + each.amount, 0);
  return outboxEntry(session, `refund.${settled}`, now, {
    refund: {
      id: refund.id,
      status: settled,
      amount: formatDecimal(moneyOf(refund)),
      currency: refund.currency,
      reason: refund.reason,
    },
    session: {
      id: session.id,
      reference: session.reference,
      status: sessionStatus,
      amount: formatDecimal(moneyOf(session)),
      amountRefunded: formatDecimal({ minor: refunded, currency: session.currency }),
      currency: session.currency,
    },
  });
}

/**
 * One webhook for the outbox. `sequence` is the session's version after the change that caused it:
 * deliveries can overtake each other (a retried one arrives after a newer one), so a receiver keeps
 * the highest sequence it has seen per session and ignores anything older.
 */
function outboxEntry(session: SessionRecord, type: string, now: string, data: object): WebhookRecord {
  const id = newWebhookId();
  const payload = JSON.stringify({ id, type, createdAt: now, sequence: session.version + 1, data });
  return {
    id,
    sessionId: session.id,
    payoutId: null,
    type,
    payload,
    attempts: 0,
    nextAttemptAt: now,
    deliveredAt: null,
    lastError: null,
    createdAt: now,
  };
}
