/** KessPay's answers to Tender's states: the only place they are read (docs/providers/kesspay.md). */
import { ProviderError, type PaymentState, type RefundResult } from '../provider.ts';
import type { StatusData } from './wire.ts';

/**
 * The document shows only a paid order (`is_success: true`, "Payment Successful!"). A trade state
 * is read when the answer carries one (`status`, `trade_state` or `result_code`, WeChat and Alipay
 * style); without one, an order that is not paid is still pending and Tender keeps asking until
 * the attempt expires.
 */
export function paymentState(data: StatusData): PaymentState {
  const state = (data.status ?? data.trade_state ?? data.result_code ?? '').trim().toUpperCase();
  if (data.is_success) return 'succeeded';
  switch (state) {
    case '':
    case 'WAITING':
    case 'NOTPAY':
    case 'USERPAYING':
    case 'WAIT_BUYER_PAY':
    case 'PROCESSING':
    case 'PENDING':
    // A paid state without `is_success` contradicts itself: not counted, asked again.
    case 'SUCCESS':
    case 'TRADE_SUCCESS':
      return 'pending';
    case 'CLOSED':
    case 'TRADE_CLOSED':
    case 'FAIL':
    case 'FAILED':
    case 'PAYERROR':
    case 'REVOKED':
    case 'CANCELLED':
    case 'CANCELED':
      return 'failed';
    case 'EXPIRED':
      return 'expired';
    default:
      throw new ProviderError('kesspay', 'bad_response', `unknown payment state "${state.slice(0, 40)}"`);
  }
}

/** QUICK PAY's `result_code`: final at once, or waiting for the buyer's PIN (then polled). */
export function chargeState(resultCode: string | null | undefined): PaymentState {
  switch ((resultCode ?? '').trim().toUpperCase()) {
    case 'SUCCESS':
      return 'succeeded';
    case 'USERPAYING':
    case 'WAIT_BUYER_PAY':
    case 'PROCESSING':
    case '':
      return 'pending';
    default:
      return 'failed';
  }
}

/** CHECK REFUND STATUS: "Refund Successful!" with `is_success`, else pending or refused. */
export function refundState(data: StatusData): RefundResult['state'] {
  if (data.is_success) return 'succeeded';
  switch ((data.status ?? data.result_code ?? '').trim().toUpperCase()) {
    case 'FAIL':
    case 'FAILED':
    case 'CLOSED':
    case 'REFUNDCLOSE':
    case 'CHANGE':
      return 'failed';
    default:
      return 'pending';
  }
}
