/**
 * Money inside Tender is an integer count of minor units plus a currency code. Decimal strings exist
 * only at the edges (the public API and each provider's wire format); floats never hold money.
 */

/** Digits after the decimal point, per currency (ISO 4217, plus USDT with 6). */
export const CURRENCY_EXPONENTS: Readonly<Record<string, number>> = {
  AUD: 2,
  BDT: 2,
  CAD: 2,
  CNY: 2,
  EUR: 2,
  GBP: 2,
  HKD: 2,
  IDR: 2,
  INR: 2,
  JPY: 0,
  KHR: 2,
  KRW: 0,
  MYR: 2,
  PHP: 2,
  SGD: 2,
  THB: 2,
  TWD: 2,
  USD: 2,
  VND: 0,
  USDT: 6,
};

export interface Money {
  /** Integer minor units (a safe integer, never negative). */
  minor: number;
  currency: string;
}

export class MoneyError extends Error {
  override name = 'MoneyError';
}

export function isKnownCurrency(currency: string): boolean {
  return Object.hasOwn(CURRENCY_EXPONENTS, currency);
}

export function exponentOf(currency: string): number {
  // hasOwn, not a plain lookup: "toString" and friends are not currencies.
  if (!isKnownCurrency(currency)) throw new MoneyError(`unsupported currency "${currency}"`);
  return CURRENCY_EXPONENTS[currency]!;
}

/**
 * Parses a decimal string ("100", "100.5", "100.50") into minor units. More decimals than the
 * currency has is an error, never a rounding.
 */
export function parseDecimal(value: string, currency: string): Money {
  const exponent = exponentOf(currency);
  const match = /^(\d{1,15})(?:\.(\d+))?$/.exec(value);
  if (!match) throw new MoneyError(`"${value}" is not a decimal amount like "100.00"`);
  const whole = match[1]!;
  const fraction = match[2] ?? '';
  if (fraction.length > exponent) {
    throw new MoneyError(`${currency} takes at most ${exponent} decimal places`);
  }
  const minor = Number(whole + fraction.padEnd(exponent, '0'));
  if (!Number.isSafeInteger(minor)) throw new MoneyError(`"${value}" is too large`);
  return { minor, currency };
}

/** Formats minor units as a decimal string with exactly the currency's number of decimals. */
export function formatDecimal(money: Money): string {
  const exponent = exponentOf(money.currency);
  assertMinor(money.minor);
  if (exponent === 0) return String(money.minor);
  const digits = String(money.minor).padStart(exponent + 1, '0');
  return `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}

/**
 * Parses a provider's number-ish amount ("300.0000", 300, "1") in major units into minor units,
 * exactly: trailing zeros beyond the currency's exponent are accepted, other digits are not.
 */
export function parseProviderDecimal(value: string | number, currency: string): Money {
  const text = typeof value === 'number' ? numberToPlainString(value) : value.trim();
  const match = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) throw new MoneyError(`"${text}" is not a decimal amount`);
  const exponent = exponentOf(currency);
  const fraction = (match[2] ?? '').replace(/0+$/, '');
  if (fraction.length > exponent) throw new MoneyError(`"${text}" has more precision than ${currency}`);
  return parseDecimal(fraction ? `${match[1]}.${fraction}` : match[1]!, currency);
}

function numberToPlainString(value: number): string {
  if (!Number.isFinite(value) || value < 0) throw new MoneyError(`"${value}" is not an amount`);
  // Provider JSON numbers such as 300.0000 arrive as 300; toString gives the shortest exact form.
  const text = value.toString();
  if (/e/i.test(text)) throw new MoneyError(`"${text}" is not a plain decimal`);
  return text;
}

/** The money of a stored record (a session, attempt, refund or payout: `amount` in minor units). */
export function moneyOf(record: { amount: number; currency: string }): Money {
  return { minor: record.amount, currency: record.currency };
}

export function sameMoney(a: Money, b: Money): boolean {
  return a.minor === b.minor && a.currency === b.currency;
}

function assertMinor(minor: number): void {
  if (!Number.isSafeInteger(minor) || minor < 0) throw new MoneyError(`invalid minor amount ${minor}`);
}
