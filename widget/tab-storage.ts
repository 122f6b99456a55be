/**
 * What this tab keeps for a round trip to a provider's page. Provider return URLs never carry the
 * client secret, so before the element sends the shopper away it keeps the secret, and the values
 * the shopper typed, in this tab's sessionStorage; the hosted page the shopper comes back to
 * (`/pay/:id`, no `?secret=`) finds them there. sessionStorage is per tab and per origin, and is
 * gone when the tab closes.
 */

const SECRET = 'tender:client-secret:';
const FIELDS = 'tender:fields:';

function write(key: string, value: string): void {
  try {
    sessionStorage.setItem(key, value);
  } catch {
    // Storage can be disabled or full; the shopper then returns to a page that asks to start again.
  }
}

function read(key: string): string | null {
  try {
    return sessionStorage.getItem(key);
  } catch {
    return null;
  }
}

export function saveClientSecret(sessionId: string, secret: string): void {
  write(SECRET + sessionId, secret);
}

export function savedClientSecret(sessionId: string): string | null {
  return read(SECRET + sessionId);
}

/** Keeps the values typed for a session's fields (bank, account holder…), never card data. */
export function saveFields(sessionId: string, values: Readonly<Record<string, string>>): void {
  write(FIELDS + sessionId, JSON.stringify(values));
}

/** The values kept for a session, or an empty record; anything but a flat string record is ignored. */
export function savedFields(sessionId: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(read(FIELDS + sessionId) ?? '{}');
  } catch {
    return {};
  }
  const out: Record<string, string> = {};
  if (typeof parsed !== 'object' || parsed === null) return out;
  for (const [name, value] of Object.entries(parsed)) if (typeof value === 'string') out[name] = value;
  return out;
}
