import { createHash, randomFillSync, timingSafeEqual } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/**
 * Random bytes are drawn from the system's CSPRNG a few KiB at a time and handed out once each, as
 * node's own `randomUUID` does: one call per request's ids instead of one per id.
 */
const pool = Buffer.alloc(4096);
let used = pool.length;

function randomByte(): number {
  if (used === pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  return pool[used++]!;
}

/** `length` random base62 characters (rejection sampling, so every character is equally likely). */
function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    const byte = randomByte();
    if (byte < 248) out += ALPHABET.charAt(byte % 62);
  }
  return out;
}

/** Session ids carry 119 bits of randomness; they name a session but do not open it. */
export const newSessionId = (): string => `ses_${randomBase62(20)}`;

/**
 * Attempt ids double as the order id Tender sends to the provider (`att_` + 20 characters, within
 * every provider's limit of 32 `[A-Za-z0-9_-]`), so a retried create can never make a second order.
 */
export const newAttemptId = (): string => `att_${randomBase62(20)}`;

/** Client secrets: 143 random bits, scoped to one session (at least 128). */
export const newClientSecret = (sessionId: string): string => `${sessionId}_secret_${randomBase62(24)}`;

/** Refund ids double as the refund order id sent to the provider. */
export const newRefundId = (): string => `ref_${randomBase62(20)}`;

export const newWebhookId = (): string => `whk_${randomBase62(20)}`;

export const newRequestId = (): string => `req_${randomBase62(16)}`;

/**
 * Constant-time comparison for a secret whose length is no secret (a client secret's format fixes
 * it): a given string of another length is refused at once, one of the same length is compared in
 * constant time. No hashing per request: this runs on every checkout read.
 */
export function secretsEqual(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Constant-time comparison against one secret known in advance whose length should not be learnt
 * (a configured key): both sides are hashed, so lengths leak nothing either; its hash is taken once.
 */
export function secretMatcher(expected: string): (given: string) => boolean {
  const digest = createHash('sha256').update(expected).digest();
  return (given) => timingSafeEqual(createHash('sha256').update(given).digest(), digest);
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
