/** What each audience sees of a session: the shopper's browser, and the merchant's server. */
import type { AttemptView, CheckoutView, MethodView } from '../../widget/wire.ts';
import type { AttemptRecord, RefundRecord, SessionRecord } from '../store/store.ts';
import { attemptFailure } from './failures.ts';
import { formatDecimal, moneyOf } from './money.ts';

export function attemptView(attempt: AttemptRecord): AttemptView {
  return {
    id: attempt.id,
    method: attempt.method,
    status: attempt.status,
    action: attempt.action,
    failure: attemptFailure(attempt),
  };
}

/** The public view for the browser: nothing here may be secret. */
export function checkoutView(
  session: SessionRecord,
  /** The session's latest attempt, if any. */
  current: AttemptRecord | null,
  methods: MethodView[],
  merchantName: string,
  now: Date,
): CheckoutView {
  return {
    id: session.id,
    status: session.status,
    amount: formatDecimal(moneyOf(session)),
    currency: session.currency,
    merchant: { name: merchantName },
    description: session.description,
    expiresAt: session.expiresAt,
    returnUrl: session.returnUrl,
    methods,
    attempt: current ? attemptView(current) : null,
    serverTime: now.toISOString(),
  };
}

/** The merchant's view (secret-key API): full session with attempts and refunds. */
export function refundView(refund: RefundRecord) {
  return {
    id: refund.id,
    object: 'refund' as const,
    sessionId: refund.sessionId,
    status: refund.status,
    amount: formatDecimal(moneyOf(refund)),
    currency: refund.currency,
    reason: refund.reason,
    failure: refund.failureCode ? { code: refund.failureCode } : null,
    createdAt: refund.createdAt,
    updatedAt: refund.updatedAt,
  };
}

export function merchantSessionView(
  session: SessionRecord,
  attempts: AttemptRecord[],
  refunds: RefundRecord[],
  hostedUrl: string,
) {
  const refunded = refunds
    .filter((refund) => refund.status === 'succeeded')
    .reduce((sum, refund) => sum + refund.amount, 0);
  return {
    id: session.id,
    object: 'session' as const,
    status: session.status,
    amount: formatDecimal(moneyOf(session)),
    currency: session.currency,
    reference: session.reference,
    description: session.description,
    returnUrl: session.returnUrl,
    customer: session.customer,
    methods: session.methods,
    clientSecret: session.clientSecret,
    url: hostedUrl,
    expiresAt: session.expiresAt,
    createdAt: session.createdAt,
    updatedAt: session.updatedAt,
    succeededAttemptId: session.succeededAttemptId,
    attempts: attempts.map((attempt) => ({
      id: attempt.id,
      method: attempt.method,
      provider: attempt.provider,
      status: attempt.status,
      amount: formatDecimal(moneyOf(attempt)),
      currency: attempt.currency,
      providerOrderId: attempt.providerOrderId,
      providerPaymentId: attempt.providerPaymentId,
      failure: attemptFailure(attempt),
      doublePayment: attempt.doublePayment,
      createdAt: attempt.createdAt,
      updatedAt: attempt.updatedAt,
    })),
    amountRefunded: formatDecimal({ minor: refunded, currency: session.currency }),
    refunds: refunds.map(refundView),
  };
}
