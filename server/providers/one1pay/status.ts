/** One1Pay's statuses and refusal messages to Tender's: the only place they are read. */
import { ProviderError, type PaymentState, type PayoutStatus, type ProviderErrorCode } from '../provider.ts';

/** Deposit `order_status` (document: completed, fail, pending). */
export function depositState(status: string): PaymentState {
  switch (status) {
    case 'completed':
      return 'succeeded';
    case 'fail':
      return 'failed';
    case 'pending':
      return 'pending';
    default:
      throw new ProviderError('one1pay', 'bad_response', `unknown deposit order_status "${status}"`);
  }
}

/** Withdrawal `order_status` (document: completed, fail, proccess, rejected). */
export function withdrawalState(status: string): PayoutStatus['state'] {
  switch (status) {
    case 'completed':
      return 'succeeded';
    case 'fail':
      return 'failed';
    // One1Pay spells it "proccess" (sic) in every example; the correct spelling is accepted too in
    // case the provider ever fixes it.
    case 'proccess':
    case 'process':
      return 'pending';
    case 'rejected':
      return 'rejected';
    default:
      throw new ProviderError('one1pay', 'bad_response', `unknown withdrawal order_status "${status}"`);
  }
}

/**
 * Maps a `status:false` message to an error code. The document's messages vary in case and in their
 * last character ("Params incorrect" / "Params incorrect.", "Order ID Exist." / "Order id exist!"),
 * so they are compared without either.
 */
export function refusalCode(message: string): ProviderErrorCode {
  const normalized = message
    .trim()
    .toLowerCase()
    .replace(/[.!。]+$/, '');
  switch (normalized) {
    // Every call carries a credential (username or auth code); the document answers this for a
    // wrong api_key and for a wrong or spent auth code.
    case 'params incorrect':
      return 'authentication';
    case 'params missing':
    case 'email incorrect':
      return 'invalid_request';
    // The document gives "Order ID Exist." for an order id that is "wrong or already exists".
    case 'order id exist':
      return 'duplicate_order';
    case 'invalid amount':
    case 'amount invalid':
      return 'amount_out_of_range';
    case 'balance not enough':
      return 'declined';
    // Tender convention: the document shows no answer for an unknown order id; the simulator says
    // "Order not found." and a real account's wording can be added here once seen.
    case 'order not found':
      return 'not_found';
    default:
      // "bank_id invalid." is documented; other "<field> invalid." answers follow the same pattern.
      return / invalid$/.test(normalized) ? 'invalid_request' : 'declined';
  }
}
