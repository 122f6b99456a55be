import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ProviderError } from '../providers/provider.ts';

/**
 * The one error a route throws. `app.onError` turns it into `{ error: { code, message, requestId } }`;
 * the message is written for the caller and must never carry a provider's raw text or a secret.
 */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: ApiErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export type ApiErrorCode =
  | 'invalid_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'idempotency_mismatch'
  | 'method_unavailable'
  | 'amount_out_of_range'
  | 'session_closed'
  | 'not_refundable'
  | 'refund_unsupported'
  | 'provider_declined'
  | 'provider_refused'
  | 'insufficient_funds'
  | 'unsupported'
  | 'provider_unavailable'
  | 'provider_error'
  | 'invalid_notification'
  | 'internal';

/** Maps a provider failure to what the caller may see: a code and our own words, never theirs. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (!(error instanceof ProviderError)) {
    return new ApiError(500, 'internal', 'something went wrong on our side', { cause: error });
  }
  switch (error.code) {
    case 'unavailable':
      return new ApiError(
        503,
        'provider_unavailable',
        'the payment provider is not reachable right now; please try again',
        { cause: error },
      );
    case 'amount_out_of_range':
      return new ApiError(422, 'amount_out_of_range', 'the amount is outside what this payment method accepts', {
        cause: error,
      });
    case 'declined':
      return new ApiError(422, 'provider_declined', 'the payment provider declined this payment', { cause: error });
    case 'insufficient_funds':
      return new ApiError(422, 'insufficient_funds', 'the account with the payment provider cannot cover this', {
        cause: error,
      });
    case 'refused':
      return new ApiError(422, 'provider_refused', 'the payment provider refused this operation', { cause: error });
    case 'unsupported':
      return new ApiError(422, 'unsupported', 'the payment provider does not offer this operation', { cause: error });
    case 'invalid_request':
    case 'authentication':
    case 'duplicate_order':
    case 'not_found':
    case 'bad_response':
    case 'invalid_signature':
      return new ApiError(502, 'provider_error', 'the payment provider could not handle this request', {
        cause: error,
      });
  }
}
