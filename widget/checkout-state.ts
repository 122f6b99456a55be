/**
 * The checkout's states and the rules that read the BFF's statuses, apart from the element that
 * renders them.
 */
import type { CheckoutError } from './api.ts';
import type {
  AppAction,
  AttemptFailure,
  AttemptStatus,
  AttemptView,
  ChallengeAction,
  CheckoutOutcome,
  CheckoutView,
  MethodId,
  QrAction,
  SessionStatus,
} from './wire.ts';

/**
 * Where the checkout is. One value at a time: each carries exactly what its screen needs.
 * - `choosing`: the method list (in `mode="pos"`, the till waiting for a buyer's code);
 * - `scanning`: a QR code is on screen; `redirecting`: the browser is leaving for the provider;
 * - `in-app`: the wallet app the page runs in is asking the shopper to confirm;
 * - `challenge`: the card issuer's 3-D Secure page is in a frame;
 * - `awaiting`: nothing left to do but wait (back from the provider's page, a `none` action, a
 *   buyer entering their PIN at the till);
 * - `code-expired`: the QR countdown ran out while the session is still open;
 * - `outcome`: the link was opened without the client secret: what became of the payment, only.
 */
export type CheckoutState =
  | { name: 'loading' }
  | { name: 'unavailable'; error: CheckoutError }
  | { name: 'choosing'; error: CheckoutError | null }
  | { name: 'submitting' }
  | { name: 'scanning'; attempt: AttemptView; qr: QrAction }
  | { name: 'redirecting'; attempt: AttemptView }
  | { name: 'in-app'; attempt: AttemptView; action: AppAction }
  | { name: 'challenge'; attempt: AttemptView; action: ChallengeAction }
  | { name: 'awaiting'; attempt: AttemptView }
  | { name: 'unsupported'; attempt: AttemptView }
  | { name: 'code-expired'; attempt: AttemptView }
  | { name: 'succeeded'; attemptId: string | null }
  | { name: 'failed'; attemptId: string | null; failure: AttemptFailure | null; canRetry: boolean }
  | { name: 'expired' }
  | { name: 'canceled' }
  | { name: 'outcome'; outcome: CheckoutOutcome };

export type CheckoutStateName = CheckoutState['name'];

export type Settled = 'succeeded' | 'expired' | 'canceled';

/** Session statuses after which the shopper has nothing left to do (refunds count as paid). */
export function settledAs(status: SessionStatus): Settled | null {
  switch (status) {
    case 'succeeded':
    case 'partially_refunded':
    case 'refunded':
      return 'succeeded';
    case 'expired':
      return 'expired';
    case 'canceled':
      return 'canceled';
    case 'open':
    case 'pending':
    case 'failed':
      return null;
  }
}

/**
 * Whether news can still change the outcome. An expired session can still be paid: a shopper who
 * scanned just before the deadline is confirmed after it, so the stream stays open then.
 */
export function isFinal(status: SessionStatus): boolean {
  const settled = settledAs(status);
  return settled === 'succeeded' || settled === 'canceled';
}

/** An attempt only moves forward; a replayed older status must not pull it back. */
export function attemptRank(status: AttemptStatus): number {
  switch (status) {
    case 'requires_action':
      return 0;
    case 'pending':
      return 1;
    case 'succeeded':
    case 'failed':
    case 'expired':
    case 'canceled':
      return 2;
  }
}

/**
 * Screens that take focus when they replace the one the shopper was using, so focus does not fall
 * back to the page's <body> (WCAG 2.4.3). `choosing` after "choose again" focuses the method itself.
 */
export function takesFocus(state: CheckoutState): boolean {
  switch (state.name) {
    case 'loading':
    case 'submitting':
    case 'redirecting':
      return false;
    case 'choosing':
      return state.error !== null;
    default:
      return true;
  }
}

/** Fills what an older or leaner BFF may leave out, so the rest of the element can trust the shape. */
export function normalizeView(view: CheckoutView): CheckoutView {
  return {
    ...view,
    description: view.description ?? null,
    returnUrl: view.returnUrl ?? null,
    attempt: view.attempt ?? null,
    methods: view.methods.map((method) => ({ ...method, fields: method.fields ?? [] })),
  };
}

/** The attempt's method when coming back to one; the only method when there is one; else none. */
export function pickInitialMethod(view: CheckoutView, methods = view.methods): MethodId | null {
  const fromAttempt = view.attempt?.method;
  if (fromAttempt && methods.some((method) => method.id === fromAttempt)) return fromAttempt;
  return methods.length === 1 ? (methods[0]?.id ?? null) : null;
}
