/** OTT Pay's statuses and answer codes to Tender's: the only place they are read. */
import { ProviderError, type PaymentState, type ProviderErrorCode } from '../provider.ts';

/**
 * `order_status` of STATUS_QUERY (and callbacks) to Tender's state, in one exhaustive switch. OTT Pay
 * documents only "success" as paid; the rest is the set one public client treats as complete
 * (docs/providers/ottpay.md, "Status values"), plus the values WeChat Pay reports for an unpaid order
 * and "expired", which Tender's simulator uses for a code that timed out. Anything else is unknown and
 * must not be guessed at: it is a `bad_response`.
 */
export function mapOrderStatus(orderStatus: string): PaymentState {
  const status = orderStatus.trim().toLowerCase();
  switch (status) {
    case 'success':
    case 'paid':
    case 'trade_success':
    case 'captured':
    // NOTE: a refunded order was paid; refunds are Tender's own records (session refund states), so
    // the payment itself stays succeeded rather than turning into a failure after the fact.
    case 'refunded':
    case 'fully_refunded':
    case 'partial_refunded':
      return 'succeeded';
    case 'fail':
    case 'failure':
    case 'failed':
    case 'closed':
    case 'orderclose':
    case 'orderclosed':
    case 'cancelled':
    case 'canceled':
    case 'revoked':
    // A reversal cancels the order as a whole and a chargeback takes the money back: neither may
    // count as money received.
    case 'reversed':
    case 'fully_reversal':
    case 'chargeback':
      return 'failed';
    case 'processing':
    case 'pending':
    case 'notpay':
    case 'not paid':
    case 'not_paid':
    case 'unpaid':
    case 'userpaying':
      return 'pending';
    case 'expired':
      return 'expired';
    default:
      throw new ProviderError('ottpay', 'bad_response', `unknown order_status "${orderStatus.slice(0, 40)}"`);
  }
}

/**
 * Appendix B's `rsp_code` (the list is truncated in the docs) to Tender's error codes.
 * `SIGN_ERROR` and `ORDER_NOT_EXIST` are Tender conventions its simulator uses where OTT Pay's list
 * is cut off: a message that does not decrypt or verify (the only sign of a wrong signKey or merchant
 * id), and an order id the provider does not know.
 */
export function errorCodeFor(rspCode: string): ProviderErrorCode {
  switch (rspCode) {
    case 'PARAM_INVALID':
    case 'PARAM_ERROR':
    case 'ORDER_TYPE_ERROR':
      return 'invalid_request';
    case 'PWD_INCORRECT':
    case 'SIGN_ERROR':
      return 'authentication';
    // ORDER_PAID on ACTIVEPAY means the order id was used and already paid: like ORDER_USED, the id
    // cannot make a new order. The payment itself is learned through STATUS_QUERY, never from here.
    case 'ORDER_USED':
    case 'ORDER_PAID':
      return 'duplicate_order';
    case 'ORDER_NOT_EXIST':
      return 'not_found';
    case 'FAIL':
      return 'declined';
    case 'SYSTEM_ERROR':
    case 'TIMEOUT':
    case 'DB_ERROR':
    // PROCESSING on a call that should answer at once: the same call may succeed later.
    case 'PROCESSING':
      return 'unavailable';
    default:
      return 'bad_response';
  }
}
