import type { ContentfulStatusCode } from 'hono/utils/http-status';

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
