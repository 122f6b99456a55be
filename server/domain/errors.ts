/**
 * The errors the domain throws. Each carries a code from a closed set and a message written for the
 * caller (the merchant's server or the shopper's browser): never a provider's raw text, never a
 * secret. The domain knows nothing of HTTP; `http/errors.ts` gives each code its status.
 */
import { ProviderError } from '../providers/provider.ts';

export type DomainErrorCode =
  /** The request cannot be read as it is (a field missing, malformed or not allowed). */
  | 'invalid_request'
  /** The request reads well but names something that cannot be used here (a provider, a bank). */
  | 'unprocessable'
  | 'not_found'
  /** The same `Idempotency-Key` came with a different request. */
  | 'idempotency_mismatch'
  /** The method is not offered for this checkout. */
  | 'method_unavailable'
  | 'amount_out_of_range'
  /** The session takes no new payment attempts (paid, expired, canceled). */
  | 'session_closed'
  /** An attempt the shopper may be paying right now stands in the way (of canceling the session). */
  | 'payment_in_progress'
  /** The session has not been paid, or is refunded already. */
  | 'not_refundable'
  /** The provider that took the payment cannot refund it. */
  | 'refund_unsupported'
  /** A provider callback failed verification. */
  | 'invalid_notification'
  | 'provider_declined'
  | 'provider_refused'
  | 'insufficient_funds'
  /** The provider does not offer the operation. */
  | 'unsupported'
  /** The provider could not be reached; the same request may work later. */
  | 'provider_unavailable'
  /** The provider could not handle the request (our credentials, its answer, its records). */
  | 'provider_error';

export class DomainError extends Error {
  override name = 'DomainError';
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** What a provider failure means to the caller: a code and our own words, never the provider's. */
export function providerFailure(error: ProviderError): DomainError {
  const options = { cause: error };
  switch (error.code) {
    case 'unavailable':
      return new DomainError(
        'provider_unavailable',
        'the payment provider is not reachable right now; please try again',
        options,
      );
    case 'amount_out_of_range':
      return new DomainError('amount_out_of_range', 'the amount is outside what this payment method accepts', options);
    case 'declined':
      return new DomainError('provider_declined', 'the payment provider declined this payment', options);
    case 'insufficient_funds':
      return new DomainError('insufficient_funds', 'the account with the payment provider cannot cover this', options);
    case 'refused':
      return new DomainError('provider_refused', 'the payment provider refused this operation', options);
    case 'unsupported':
      return new DomainError('unsupported', 'the payment provider does not offer this operation', options);
    case 'invalid_request':
    case 'authentication':
    case 'duplicate_order':
    case 'not_found':
    case 'bad_response':
    case 'invalid_signature':
      return new DomainError('provider_error', 'the payment provider could not handle this request', options);
  }
}

/**
 * A failure from a provider call, as the domain passes it on: provider errors become domain errors;
 * anything else (a bug, a store failure) is passed on as it is, for the edge to hide.
 */
export function asDomainError(error: unknown): unknown {
  return error instanceof ProviderError ? providerFailure(error) : error;
}
