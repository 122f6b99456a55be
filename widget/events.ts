/**
 * The events `<tender-checkout>` fires, declared once. All bubble and cross shadow roots
 * (`bubbles: true, composed: true`), and all are fired on a shopper's action or on news from the
 * BFF — never because the host set a property.
 *
 * NOTE: browser events are for the page. Only the server-side signal (the merchant webhook or
 * `GET /v1/sessions/:id`) may release goods.
 */
import type { CheckoutError } from './api.ts';
import type { AttemptFailure, AttemptView, CheckoutView, RedirectAction, StatusEvent } from './wire.ts';

export interface TenderReadyDetail {
  view: CheckoutView;
}

export interface TenderAttemptDetail {
  attempt: AttemptView;
}

export interface TenderStatusDetail {
  event: StatusEvent;
}

export interface TenderSucceededDetail {
  sessionId: string;
  /** The attempt that paid, when the BFF said which. */
  attemptId: string | null;
}

export interface TenderFailedDetail {
  sessionId: string;
  attemptId: string | null;
  failure: AttemptFailure | null;
  /** Whether the shopper can still pick another method (the session has not expired). */
  canRetry: boolean;
}

export interface TenderExpiredDetail {
  sessionId: string;
}

/** Cancel the event (`preventDefault()`) to navigate yourself, e.g. in a popup or a router. */
export interface TenderRedirectDetail {
  url: string;
  method: RedirectAction['method'];
  fields: Readonly<Record<string, string>>;
}

export interface TenderErrorDetail {
  error: CheckoutError;
}

export interface TenderEventMap {
  'tender-ready': CustomEvent<TenderReadyDetail>;
  'tender-attempt': CustomEvent<TenderAttemptDetail>;
  'tender-status': CustomEvent<TenderStatusDetail>;
  'tender-succeeded': CustomEvent<TenderSucceededDetail>;
  'tender-failed': CustomEvent<TenderFailedDetail>;
  'tender-expired': CustomEvent<TenderExpiredDetail>;
  'tender-redirect': CustomEvent<TenderRedirectDetail>;
  'tender-error': CustomEvent<TenderErrorDetail>;
}

export type TenderEventName = keyof TenderEventMap;
export type TenderEventDetail<K extends TenderEventName> = TenderEventMap[K]['detail'];

/** Only `tender-redirect` can be canceled; the others report what already happened. */
const cancelable: ReadonlySet<TenderEventName> = new Set(['tender-redirect']);

export function tenderEvent<K extends TenderEventName>(type: K, detail: TenderEventDetail<K>): TenderEventMap[K] {
  return new CustomEvent(type, {
    detail,
    bubbles: true,
    composed: true,
    cancelable: cancelable.has(type),
  }) as TenderEventMap[K];
}

declare global {
  // Typed `addEventListener('tender-…', e => e.detail)` on every element and on window.
  interface GlobalEventHandlersEventMap extends TenderEventMap {}
}
