/** Why an attempt failed, in the words the shopper reads; provider wording never reaches them. */
import type { AttemptFailure } from '../../widget/wire.ts';
import type { AttemptRecord } from '../store/store.ts';

const FAILURE_MESSAGES = {
  declined: 'The payment was declined.',
  expired: 'The payment code expired before it was paid.',
  amount_mismatch: 'The amount paid does not match this order. The shop has been told and will be in touch.',
  provider_unavailable: 'The payment provider could not be reached. Please try again.',
  provider_rejected: 'The payment provider could not start this payment.',
  not_found: 'The payment provider has no record of this payment.',
} as const;

export type FailureCode = keyof typeof FAILURE_MESSAGES;

export const failure = (code: FailureCode): AttemptFailure => ({ code, message: FAILURE_MESSAGES[code] });

/** The failure as an attempt record stores it. */
export function failureFields(code: FailureCode): { failureCode: string; failureMessage: string } {
  return { failureCode: code, failureMessage: FAILURE_MESSAGES[code] };
}

/** A stored attempt's failure, as the API shows it. */
export function attemptFailure(attempt: AttemptRecord): AttemptFailure | null {
  return attempt.failureCode ? { code: attempt.failureCode, message: attempt.failureMessage ?? '' } : null;
}
