import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { DomainError, providerFailure, type DomainErrorCode } from '../domain/errors.ts';
import { ProviderError } from '../providers/provider.ts';

/**
 * Errors at the edge. Routes and middleware throw `ApiError` for what only HTTP knows (a missing
 * secret key, a body that is not JSON); the domain throws `DomainError`, and providers'
 * `ProviderError`s may pass through it. `toApiError` turns any of them into one `ApiError`, which
 * `app.onError` writes as the one JSON shape `{ error: { code, message, requestId } }`.
 */

/**
 * The one error the edge answers with. `app.onError` turns it into `{ error: { code, message, requestId } }`;
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
  /** A request body over its named limit (`server/limits.ts`); HTTP 413. */
  | 'too_large'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'idempotency_mismatch'
  | 'method_unavailable'
  | 'amount_out_of_range'
  | 'session_closed'
  | 'payment_in_progress'
  | 'not_refundable'
  | 'refund_unsupported'
  | 'provider_declined'
  | 'provider_refused'
  | 'insufficient_funds'
  | 'unsupported'
  | 'provider_unavailable'
  | 'provider_error'
  | 'invalid_notification'
  /** The instance cannot serve requests now (`/readyz`); HTTP 503. */
  | 'not_ready'
  | 'internal';

/** Each domain error's status. */
const DOMAIN_STATUS: Readonly<Record<DomainErrorCode, ContentfulStatusCode>> = {
  invalid_request: 400,
  unprocessable: 422,
  not_found: 404,
  idempotency_mismatch: 422,
  method_unavailable: 422,
  amount_out_of_range: 422,
  session_closed: 409,
  payment_in_progress: 409,
  not_refundable: 409,
  refund_unsupported: 422,
  invalid_notification: 401,
  provider_declined: 422,
  provider_refused: 422,
  insufficient_funds: 422,
  unsupported: 422,
  provider_unavailable: 503,
  provider_error: 502,
};

/** A domain error's code on the wire: its own, except that both kinds of bad request read `invalid_request`. */
function wireCode(code: DomainErrorCode): ApiErrorCode {
  return code === 'unprocessable' ? 'invalid_request' : code;
}

/** What the caller may see of any error: a status, a code and our own words; unknown errors say nothing. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof ProviderError) return toApiError(providerFailure(error));
  if (error instanceof DomainError) {
    return new ApiError(DOMAIN_STATUS[error.code], wireCode(error.code), error.message, {
      cause: error.cause ?? error,
    });
  }
  return new ApiError(500, 'internal', 'something went wrong on our side', { cause: error });
}
