/**
 * The session state machine:
 *
 *   open → pending → succeeded | failed | expired | canceled, then partially_refunded | refunded
 *
 * Two readings Tender adds where the design is silent, both for the shopper's sake:
 * - `failed` means the latest attempt failed; the shopper may choose a method again (failed → pending)
 *   until the session expires. Only `succeeded` releases goods.
 * - When an attempt's code expires while the session still has time, the session returns to `open`.
 * A confirmed payment always counts: succeeded is reachable from every state that has not succeeded,
 * so money that arrives late is never lost.
 */
import type { AttemptStatus, SessionStatus } from '../../widget/wire.ts';

const TRANSITIONS: Readonly<Record<SessionStatus, readonly SessionStatus[]>> = {
  open: ['pending', 'succeeded', 'expired', 'canceled'],
  pending: ['pending', 'open', 'succeeded', 'failed', 'expired', 'canceled'],
  failed: ['pending', 'succeeded', 'expired', 'canceled'],
  expired: ['succeeded'],
  canceled: ['succeeded'],
  succeeded: ['partially_refunded', 'refunded'],
  partially_refunded: ['partially_refunded', 'refunded'],
  refunded: [],
};

export function canTransition(from: SessionStatus, to: SessionStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Whether the shopper can still start an attempt. */
export function acceptsAttempts(status: SessionStatus): boolean {
  return status === 'open' || status === 'pending' || status === 'failed';
}

export function hasSucceeded(status: SessionStatus): boolean {
  return status === 'succeeded' || status === 'partially_refunded' || status === 'refunded';
}

/** Attempt states in which Tender still waits for the provider. */
export function isAttemptLive(status: AttemptStatus): boolean {
  return status === 'requires_action' || status === 'pending';
}
