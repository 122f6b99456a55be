/**
 * When Tender next asks a provider about a payment or a refund: a back-off while it is fresh, a slower
 * watch after it expires (a late payment still counts), hourly retries while the provider cannot
 * answer, and an end to asking once an answer can no longer change anything.
 */
import type { PaymentState, Provider } from '../providers/provider.ts';
import type { AttemptRecord } from '../store/store.ts';
import type { Clock } from './clock.ts';

/**
 * How long after an attempt expires Tender keeps asking the provider, to catch late payments (a QR
 * code may stay payable at the provider well after Tender stopped showing it).
 */
export const LATE_PAYMENT_WINDOW_MS = 24 * 3600_000;

/** After an attempt expires its checks are at least this far apart (seconds). */
const LATE_CHECK_MIN_DELAY_S = 15 * 60;

/** While the provider cannot answer, Tender keeps asking (hourly at most) for this long past expiry. */
const ERROR_RETRY_WINDOW_MS = 7 * 24 * 3600_000;

/** Back-off: seconds to wait before the n-th check of a pending attempt or refund. */
const CHECK_DELAYS_S = [5, 5, 10, 15, 30, 60, 120, 300];

const delayBefore = (checkCount: number): number => CHECK_DELAYS_S[Math.min(checkCount, CHECK_DELAYS_S.length - 1)]!;

/** When to make check number `checkCount` (0 is the first), by the back-off alone. */
export function checkAt(clock: Clock, checkCount: number): string {
  return new Date(clock.now().getTime() + delayBefore(checkCount) * 1000).toISOString();
}

/** The provider's own pace where it has one (a provider that never calls back is polled often). */
type Paced = Pick<Provider, 'pollDelayMs'> | undefined;

/** The first check of a new attempt: the provider's own pace, or the back-off. */
export function firstCheckAt(clock: Clock, provider: Paced): string {
  const delayMs = provider?.pollDelayMs?.(0) ?? delayBefore(0) * 1000;
  return new Date(clock.now().getTime() + delayMs).toISOString();
}

/**
 * The next check for an attempt, or null once asking again can no longer change anything. The
 * attempt's provider sets the pace by the attempt's age where it has one; otherwise the back-off.
 */
export function nextCheckAt(
  clock: Clock,
  attempt: AttemptRecord,
  provider: Paced,
  state: PaymentState = 'pending',
): string | null {
  if (state === 'succeeded' || state === 'failed') return null;
  const now = clock.now().getTime();
  let delay = provider?.pollDelayMs
    ? provider.pollDelayMs(now - new Date(attempt.createdAt).getTime()) / 1000
    : delayBefore(attempt.checkCount + 1);
  const expiresAt = attempt.expiresAt ? new Date(attempt.expiresAt).getTime() : Infinity;
  if (expiresAt <= now) delay = Math.max(delay, LATE_CHECK_MIN_DELAY_S);
  const next = now + delay * 1000;
  const deadline = expiresAt + LATE_PAYMENT_WINDOW_MS;
  if (next <= deadline) return new Date(next).toISOString();
  // One last look at the deadline itself, then the watch ends.
  return now < deadline ? new Date(deadline).toISOString() : null;
}

/** Hourly retries while the provider cannot answer, up to a week past expiry. */
export function retryAfterError(clock: Clock, attempt: AttemptRecord): string | null {
  const now = clock.now().getTime();
  const limit = (attempt.expiresAt ? new Date(attempt.expiresAt).getTime() : now) + ERROR_RETRY_WINDOW_MS;
  return now < limit ? new Date(now + 3600_000).toISOString() : null;
}
