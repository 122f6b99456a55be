/**
 * A session's outcome for its link opened without the client secret (another browser, a wallet's
 * in-app browser after paying there), loaded on demand (`parts.ts`): the merchant, the amount,
 * paid or not, and the way back to the merchant, from `GET /v1/checkout/:id/outcome`, and nothing
 * more. There is no secret, so there is no method list and no live status.
 */
import { html, nothing, type TemplateResult } from 'lit/html.js';
import { CheckoutError, toCheckoutError } from './api.ts';
import { formatAmount } from './format.ts';
import type { Translator } from './i18n.ts';
import { isNavigableUrl } from './redirect.ts';
import type { CheckoutOutcome } from './wire.ts';

const TIMEOUT_MS = 15_000;

/** Reads the outcome from the BFF at `base`; fails with a `CheckoutError` as the element's other reads do. */
export async function fetchOutcome(base: string, sessionId: string, signal?: AbortSignal): Promise<CheckoutOutcome> {
  const url = new URL(`v1/checkout/${encodeURIComponent(sessionId)}/outcome`, base.endsWith('/') ? base : `${base}/`);
  let response: Response;
  let body: unknown;
  try {
    const timeout = AbortSignal.timeout(TIMEOUT_MS);
    response = await fetch(url, {
      credentials: 'omit',
      cache: 'no-store',
      headers: { Accept: 'application/json' },
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
    body = await response.json().catch(() => undefined);
  } catch (cause) {
    throw new CheckoutError('network', `could not reach ${url.origin}`, { cause, recoverable: true });
  }
  if (response.status === 404) {
    throw new CheckoutError('not_found', 'this checkout session does not exist', { recoverable: false, status: 404 });
  }
  if (!response.ok || !isOutcome(body)) {
    throw new CheckoutError('bad_response', `${url.pathname} answered ${response.status}`, {
      recoverable: response.status >= 500,
      status: response.status,
    });
  }
  return body;
}

/**
 * The outcome as the element reads it without the client secret. An error that trying again will
 * not mend means the link is not this browser's, and says so: `not_found` or `unauthorized`.
 */
export async function outcomeWithoutSecret(
  base: string,
  sessionId: string,
  signal?: AbortSignal,
): Promise<CheckoutOutcome> {
  try {
    return await fetchOutcome(base, sessionId, signal);
  } catch (caught) {
    const found = toCheckoutError(caught);
    if (found.recoverable) throw found;
    const code = found.code === 'not_found' ? 'not_found' : 'unauthorized';
    throw new CheckoutError(code, 'no client secret for this session', { recoverable: false, cause: found });
  }
}

function isOutcome(value: unknown): value is CheckoutOutcome {
  const outcome = value as Partial<CheckoutOutcome> | null;
  return (
    typeof outcome === 'object' &&
    outcome !== null &&
    typeof outcome.merchant?.name === 'string' &&
    typeof outcome.amount === 'string' &&
    typeof outcome.currency === 'string' &&
    ['paid', 'not_paid', 'expired', 'canceled'].includes(outcome.status as string)
  );
}

/** The heading: what became of the payment. */
export function outcomeStatus(t: Translator, outcome: CheckoutOutcome): { text: string; tone: 'error' | 'success' } {
  switch (outcome.status) {
    case 'paid':
      return { text: t('succeeded'), tone: 'success' };
    case 'not_paid':
      return { text: t('notPaid'), tone: 'error' };
    case 'expired':
      return { text: t('expired'), tone: 'error' };
    case 'canceled':
      return { text: t('canceled'), tone: 'error' };
  }
}

/** Merchant and amount above the heading. */
export function renderOutcomeHeader(t: Translator, outcome: CheckoutOutcome): TemplateResult {
  return html`<div class="header" part="header">
    <p class="merchant" part="merchant">${outcome.merchant.name}</p>
    <p class="amount" part="amount">${formatAmount(outcome.amount, outcome.currency, t.locale)}</p>
  </div>`;
}

/** Under the heading: the way back to the merchant, and for an unpaid session where to pay. */
export function renderOutcome(t: Translator, outcome: CheckoutOutcome): TemplateResult {
  const back = outcome.returnUrl && isNavigableUrl(outcome.returnUrl) ? outcome.returnUrl : null;
  return html`${outcome.status === 'paid' ? nothing : html`<p class="hint" part="hint">${t('startAgainHint')}</p>`}
  ${
    back
      ? html`<a
          class="link-button ${outcome.status === 'paid' ? 'primary' : 'secondary'}"
          part="return-link"
          href=${back}
          >${t('returnToShop', { merchant: outcome.merchant.name })}</a
        >`
      : nothing
  }`;
}
