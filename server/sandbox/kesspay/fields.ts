/**
 * Reading KessPay request bodies strictly: the document's field names and types, nothing else.
 * Amounts are read from the JSON text (a number or a numeric string), never through a float.
 */
import { JsonNumber, JsonSyntaxError, parseJson, type JsonValue } from './json.ts';

export type Body = { [key: string]: JsonValue };

/** A request refused: `{success:false, result_code, message}` with this HTTP status. */
export class Refusal extends Error {
  constructor(
    readonly resultCode: string,
    message: string,
    readonly httpStatus: 400 | 401 | 404 = 400,
  ) {
    super(message);
  }
}

const invalid = (message: string) => new Refusal('INVALID_PARAMS', message);

/** Largest request body read; a KessPay request is a few hundred bytes. */
export const MAX_BODY_BYTES = 16 * 1024;

export function readBody(contentType: string | undefined, text: string): Body {
  if (!contentType || !/^application\/json\s*(;|$)/i.test(contentType)) {
    throw invalid('Content-Type must be application/json.');
  }
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) throw invalid('The request body is too large.');
  let parsed: JsonValue;
  try {
    parsed = parseJson(text);
  } catch (error) {
    if (error instanceof JsonSyntaxError) throw invalid(`The request body is not valid JSON: ${error.message}.`);
    throw error;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed) || parsed instanceof JsonNumber) {
    throw invalid('The request body must be a JSON object.');
  }
  return parsed;
}

/** Refuses any field the document does not define for this call (a misspelt optional field would otherwise vanish). */
export function onlyFields(body: Body, allowed: readonly string[]): void {
  const unknown = Object.keys(body).filter((key) => !allowed.includes(key));
  if (unknown.length) throw invalid(`Unknown field: ${unknown.join(', ')}.`);
}

function present(body: Body, key: string): JsonValue | undefined {
  const value = body[key];
  return value === null || value === undefined ? undefined : value;
}

/** A required string field. */
export function requiredText(body: Body, key: string): string {
  const value = present(body, key);
  if (value === undefined) throw invalid(`The ${key} field is required.`);
  if (typeof value !== 'string') throw invalid(`The ${key} must be a string.`);
  if (value === '') throw invalid(`The ${key} field is required.`);
  return value;
}

/** An optional (nullable) string field; "" reads as absent. */
export function optionalText(body: Body, key: string, maxLength: number): string | null {
  const value = present(body, key);
  if (value === undefined || value === '') return null;
  if (typeof value !== 'string') throw invalid(`The ${key} must be a string.`);
  if (value.length > maxLength) throw invalid(`The ${key} may not be greater than ${maxLength} characters.`);
  return value;
}

/** A field the document shows as a string in one place and a number in another (ids, codes): its text. */
export function textOrInteger(body: Body, key: string): string | null {
  const value = present(body, key);
  if (value === undefined || value === '') return null;
  if (typeof value === 'string') return value;
  if (value instanceof JsonNumber && /^\d+$/.test(value.raw)) return value.raw;
  throw invalid(`The ${key} must be a string or an integer.`);
}

/** `service_id`: an integer (a JSON number, as in the document) naming WeChat Pay or Alipay. */
export function readServiceId(body: Body, ids: { wechat: number; alipay: number }): 'wechat' | 'alipay' {
  const value = present(body, 'service_id');
  if (value === undefined) throw invalid('The service_id field is required.');
  if (!(value instanceof JsonNumber) || !/^\d{1,9}$/.test(value.raw))
    throw invalid('The service_id must be an integer.');
  const id = Number(value.raw);
  if (id === ids.wechat) return 'wechat';
  if (id === ids.alipay) return 'alipay';
  throw new Refusal('SERVICE_NOT_SUPPORTED', `The service_id ${id} is not enabled for this store.`);
}

/** `store_id` (a string in the pay requests, a number in the status requests) must be the merchant's own. */
export function readStoreId(body: Body, storeId: string): void {
  const value = textOrInteger(body, 'store_id');
  if (value === null) throw invalid('The store_id field is required.');
  if (value !== storeId) throw new Refusal('STORE_INVALID', 'The store_id does not belong to this account.');
}

const ORDER_NO = /^[A-Za-z0-9_-]{1,32}$/;

/** `out_trade_no` / `out_refund_no`: 1–32 of [A-Za-z0-9_-]. */
export function readOrderNo(body: Body, key: 'out_trade_no' | 'out_refund_no'): string {
  const value = requiredText(body, key);
  if (!ORDER_NO.test(value)) throw invalid(`The ${key} must be 1 to 32 letters, digits, "_" or "-".`);
  return value;
}

const DECIMAL = /^(0|[1-9]\d{0,11})(?:\.(\d{1,2}))?$/;

/** The text of a JSON number or numeric string, as written. */
function decimalText(value: JsonValue, key: string): string {
  if (value instanceof JsonNumber) return value.raw;
  if (typeof value === 'string') return value;
  throw invalid(`The ${key} must be a number.`);
}

/** A positive amount with at most two decimals, in cents. */
export function readAmount(body: Body, key: 'amount' | 'refund_amount'): number {
  const value = present(body, key);
  if (value === undefined) throw invalid(`The ${key} field is required.`);
  const match = DECIMAL.exec(decimalText(value, key));
  if (!match) throw invalid(`The ${key} must be a decimal with at most 2 decimal places.`);
  const cents = Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
  if (cents <= 0) throw invalid(`The ${key} must be greater than 0.`);
  return cents;
}

/**
 * `fee_rate`: "2 is over charge buyer 2% of include total amount". A percentage from 0 to 100 with at
 * most two decimals; returned in hundredths of a percent (2 → 200, 2.5 → 250), or null when absent.
 */
export function readFeeRate(body: Body): number | null {
  const value = present(body, 'fee_rate');
  if (value === undefined) return null;
  const match = DECIMAL.exec(decimalText(value, 'fee_rate'));
  if (!match) throw invalid('The fee_rate must be a number from 0 to 100 with at most 2 decimal places.');
  const hundredths = Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
  if (hundredths > 100_00) throw invalid('The fee_rate must be a number from 0 to 100 with at most 2 decimal places.');
  return hundredths;
}

/** What the buyer is charged: amount × (1 + fee_rate/100), the surcharge rounded half up to a cent. */
export function chargedTotal(cents: number, feeHundredths: number | null): number {
  if (!feeHundredths) return cents;
  const fee = (BigInt(cents) * BigInt(feeHundredths) + 5000n) / 10000n;
  return cents + Number(fee);
}

/** Cents as the document writes amounts: a JSON number with two decimals (`0.01`). */
export function money(cents: number): JsonNumber {
  const digits = String(cents).padStart(3, '0');
  return new JsonNumber(`${digits.slice(0, -2)}.${digits.slice(-2)}`);
}

/** Cents as a decimal string, for pages. */
export function moneyText(cents: number): string {
  return money(cents).raw;
}
