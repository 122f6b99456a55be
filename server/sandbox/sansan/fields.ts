/**
 * Reading bizContent fields strictly, and writing USD amounts the way the answers carry them.
 * Error codes are Tender conventions (SanSan's list is not public); docs/providers/sansan.md lists them.
 */

export type ErrorCode =
  | 'DECRYPT_FAILED'
  | 'SIGN_INVALID'
  | 'BIZCONTENT_INVALID'
  | 'SERVICE_UNKNOWN'
  | 'PARAM_MISSING'
  | 'PARAM_INVALID'
  | 'PAYER_NOT_FOUND'
  | 'ORDER_EXISTS'
  | 'ORDER_NOT_FOUND'
  | 'LINK_INVALID'
  | 'ORDER_STATUS_INVALID'
  | 'ORDER_EXPIRED'
  | 'CARD_SESSION_INVALID'
  | 'DEVICE_SESSION_INVALID'
  | 'TRANSACTION_INVALID'
  | 'REFUND_EXISTS'
  | 'REFUND_IN_PROGRESS'
  | 'REFUND_AMOUNT_EXCEEDED';

/** A business refusal: answered sealed, `{status:-1, errorCode, errorMessage, data:null}`. */
export class Refusal extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export type Fields = Record<string, unknown>;

function present(fields: Fields, name: string): unknown {
  const value = fields[name];
  if (value === undefined || value === null || value === '') throw new Refusal('PARAM_MISSING', `${name} is required`);
  return value;
}

/** A required string of 1..max characters, optionally matching a pattern. */
export function requiredText(fields: Fields, name: string, max = 255, pattern?: RegExp): string {
  const value = present(fields, name);
  if (typeof value !== 'string') throw new Refusal('PARAM_INVALID', `${name} must be a string`);
  if (value.length > max) throw new Refusal('PARAM_INVALID', `${name} must be at most ${max} characters`);
  if (pattern && !pattern.test(value)) throw new Refusal('PARAM_INVALID', `${name} is not valid`);
  return value;
}

export function optionalText(fields: Fields, name: string, max = 255, pattern?: RegExp): string | null {
  const value = fields[name];
  if (value === undefined || value === null || value === '') return null;
  return requiredText(fields, name, max, pattern);
}

/** A required JSON integer (never a string of digits) within bounds. */
export function requiredInteger(fields: Fields, name: string, min: number, max: number): number {
  const value = present(fields, name);
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new Refusal('PARAM_INVALID', `${name} must be an integer from ${min} to ${max}`);
  }
  return value;
}

export function requiredEnum<T extends string>(fields: Fields, name: string, values: readonly T[]): T {
  const value = present(fields, name);
  if (typeof value !== 'string' || !(values as readonly string[]).includes(value)) {
    throw new Refusal('PARAM_INVALID', `${name} must be one of ${values.join(', ')}`);
  }
  return value as T;
}

/**
 * A USD amount: a JSON number of dollars (the document types `amount` as number) with at most two
 * decimals, read exactly into cents. A string, a negative, zero or a third decimal is refused, as is
 * a binary float artefact such as 0.30000000000000004.
 */
export function requiredAmount(fields: Fields, name: string, maxCents: number): number {
  const value = present(fields, name);
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new Refusal('PARAM_INVALID', `${name} must be a number`);
  const text = value.toString();
  const match = /^(\d{1,13})(?:\.(\d{1,2}))?$/.exec(text);
  if (!match) throw new Refusal('PARAM_INVALID', `${name} must be a positive amount with at most 2 decimals`);
  const cents = Number(match[1]! + (match[2] ?? '').padEnd(2, '0'));
  if (cents < 1 || cents > maxCents) {
    throw new Refusal('PARAM_INVALID', `${name} must be from 0.01 to ${dollars(maxCents)}`);
  }
  return cents;
}

export function dollars(cents: number): string {
  const digits = String(cents).padStart(3, '0');
  return `${digits.slice(0, -2)}.${digits.slice(-2)}`;
}

/** An amount written into the JSON as a number with exactly two decimals (`12.50`). */
export class UsdAmount {
  constructor(readonly cents: number) {}
  toJSON(): string {
    return `\u0000usd:${dollars(this.cents)}`;
  }
}

/** JSON.stringify, with every UsdAmount written as a bare number such as 12.50. */
export function toJson(value: unknown): string {
  return JSON.stringify(value).replace(/"\\u0000usd:(\d+\.\d{2})"/g, '$1');
}

export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** `scheme://host[:port]` of an http(s) URL written as a bare origin, or null. */
export function httpOrigin(value: string | undefined | null): string | null {
  if (!value) return null;
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
    return url.origin === value ? value : null;
  } catch {
    return null;
  }
}

/** ISO 8601 in Hong Kong time (UTC+8; the webhook's `region` is "HKG"), e.g. 2026-11-21T16:00:00+08:00. */
export function hongKongTime(at: Date): string {
  return `${new Date(at.getTime() + 8 * 3_600_000).toISOString().slice(0, 19)}+08:00`;
}
