/**
 * The client secret kept for a return trip. Provider return URLs never carry the secret, so before
 * the element sends the shopper to a provider's page it keeps the secret in this tab's
 * sessionStorage; the hosted page the shopper comes back to (`/pay/:id`, no `?secret=`) finds it
 * there. sessionStorage is per tab and per origin, and is gone when the tab closes.
 */

const KEY_PREFIX = 'tender:client-secret:';

export function saveClientSecret(sessionId: string, secret: string): void {
  try {
    sessionStorage.setItem(KEY_PREFIX + sessionId, secret);
  } catch {
    // Storage can be disabled or full; the shopper then returns to a page that asks to start again.
  }
}

export function savedClientSecret(sessionId: string): string | null {
  try {
    return sessionStorage.getItem(KEY_PREFIX + sessionId);
  } catch {
    return null;
  }
}
