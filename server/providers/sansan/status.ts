/**
 * SanSan's statuses and outcomes to Tender's states: the only place they are read. The status list
 * is the document's (webhook page); what each means for Tender is the table in
 * docs/providers/sansan.md, "Order statuses".
 */
import { ProviderError, type PaymentState, type RefundResult } from '../provider.ts';

export const ORDER_STATUSES = [
  'New',
  'Cancelled',
  'Processing',
  'Paid',
  'Failed',
  'Expired',
  'RefundRequest',
  'RefundFailToSubmit',
  'RefundSubmitted',
  'RefundResubmitted',
  'RefundSubmittedError',
  'RefundInProgress',
  'RefundCompleted',
  'RefundFailed',
  'RefundOffsetDealFailed',
  'Chargeback',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export function orderStatus(value: string): OrderStatus {
  if ((ORDER_STATUSES as readonly string[]).includes(value)) return value as OrderStatus;
  throw new ProviderError('sansan', 'bad_response', `unknown order status "${value.slice(0, 40)}"`);
}

/**
 * The payment behind an order. Every refund status belongs to an order that was paid, and so does
 * a chargeback (the money was taken back later; Tender has no state for a dispute, and the
 * adapter logs it).
 */
export function paymentState(status: OrderStatus): PaymentState {
  switch (status) {
    case 'New':
    case 'Processing':
      return 'pending';
    case 'Paid':
    case 'RefundRequest':
    case 'RefundFailToSubmit':
    case 'RefundSubmitted':
    case 'RefundResubmitted':
    case 'RefundSubmittedError':
    case 'RefundInProgress':
    case 'RefundCompleted':
    case 'RefundFailed':
    case 'RefundOffsetDealFailed':
    case 'Chargeback':
      return 'succeeded';
    case 'Failed':
    case 'Cancelled':
      return 'failed';
    case 'Expired':
      return 'expired';
  }
}

/** Whether a status is news about a refund (a webhook of kind `refund`) rather than the payment. */
export function isRefundStatus(status: OrderStatus): boolean {
  switch (status) {
    case 'RefundRequest':
    case 'RefundFailToSubmit':
    case 'RefundSubmitted':
    case 'RefundResubmitted':
    case 'RefundSubmittedError':
    case 'RefundInProgress':
    case 'RefundCompleted':
    case 'RefundFailed':
    case 'RefundOffsetDealFailed':
      return true;
    case 'New':
    case 'Processing':
    case 'Paid':
    case 'Failed':
    case 'Cancelled':
    case 'Expired':
    case 'Chargeback':
      return false;
  }
}

/** One refund's status (refundOrder's answer, queryOrder's `refunds`, a refund webhook). */
export function refundState(status: OrderStatus): RefundResult['state'] {
  switch (status) {
    case 'RefundRequest':
    case 'RefundSubmitted':
    case 'RefundResubmitted':
    case 'RefundInProgress':
      return 'pending';
    case 'RefundCompleted':
      return 'succeeded';
    case 'RefundFailed':
    case 'RefundFailToSubmit':
    case 'RefundSubmittedError':
    case 'RefundOffsetDealFailed':
      return 'failed';
    case 'New':
    case 'Processing':
    case 'Paid':
    case 'Failed':
    case 'Cancelled':
    case 'Expired':
    case 'Chargeback':
      throw new ProviderError('sansan', 'bad_response', `"${status}" is not a refund status`);
  }
}

/** checkoutOrder's and payOrder's `outcome` (docs/providers/sansan.md, "checkoutOrder", "payOrder"). */
export type Outcome = 'initialized' | 'authorized' | 'challenged' | 'refused' | 'authenticationFailed';

export type OutcomeStep =
  /** 3-D Secure follows: call payOrder. */
  'pay' | 'succeeded' | 'challenge' | 'failed';

export function outcomeStep(outcome: string): OutcomeStep {
  switch (outcome as Outcome) {
    case 'initialized':
      return 'pay';
    case 'authorized':
      return 'succeeded';
    case 'challenged':
      return 'challenge';
    case 'refused':
    case 'authenticationFailed':
      return 'failed';
    default:
      throw new ProviderError('sansan', 'bad_response', `unknown outcome "${outcome.slice(0, 40)}"`);
  }
}
