/**
 * The forms OTT Pay's messages may take where its document leaves them open, so the simulator can
 * send each one and the adapter is tested against all of them (docs/providers/ottpay.md, "Open
 * questions"). Set with `POST /_control/dialect` (any subset of the fields); `GET` shows it.
 *
 * - `statusStyle`: how `order_status` is spelled in STATUS_QUERY answers and callbacks:
 *   `lower` success / closed / processing / expired (the default; "success" is the one value
 *   public client code reads), `upper` SUCCESS / ORDERCLOSE / PROCESSING / EXPIRED (the spellings
 *   PREPAY_QUERY documents), `alt` trade_success / orderclosed / notpay / expired.
 *   `paid`, `failed` and `pending` pick one spelling each, overriding the style.
 * - `callbackOrderStatus`: `present`, or `absent` as in the v1 callback's documented field list
 *   (then a callback about an unpaid order says so only through `rsp_code` "FAIL").
 * - `amounts`: cent amounts (and the exchange rate) as JSON strings (default), JSON numbers hashed
 *   as written, or JSON numbers hashed in Java's `Double.toString` form ("1999.0").
 * - `wrap`: `newlines` wraps `data` every 60 characters, as the document's examples show it.
 * - `convenienceFee`: cents H5PAY adds to the amount it answers (its example shows 1).
 */
import { z } from 'zod';

export const PAID_FORMS = ['success', 'paid', 'trade_success', 'captured', 'SUCCESS'] as const;
export const FAILED_FORMS = ['closed', 'fail', 'orderclosed', 'ORDERCLOSE', 'cancelled', 'revoked'] as const;
export const PENDING_FORMS = ['processing', 'notpay', 'PROCESSING', 'pending', 'userpaying'] as const;
export const EXPIRED_FORMS = ['expired', 'EXPIRED'] as const;

export const ottDialectSchema = z.strictObject({
  statusStyle: z.enum(['lower', 'upper', 'alt']),
  paid: z.enum(PAID_FORMS).nullable(),
  failed: z.enum(FAILED_FORMS).nullable(),
  pending: z.enum(PENDING_FORMS).nullable(),
  callbackOrderStatus: z.enum(['present', 'absent']),
  amounts: z.enum(['string', 'number', 'javaNumber']),
  wrap: z.enum(['none', 'newlines']),
  convenienceFee: z.number().int().min(0).max(100),
});

export type OttDialect = z.output<typeof ottDialectSchema>;

export const DEFAULT_DIALECT: Readonly<OttDialect> = {
  statusStyle: 'lower',
  paid: null,
  failed: null,
  pending: null,
  callbackOrderStatus: 'present',
  amounts: 'string',
  wrap: 'none',
  convenienceFee: 0,
};

/** The simulator's own states. */
export type OrderState = 'processing' | 'success' | 'closed' | 'expired';

const STYLES: Record<OttDialect['statusStyle'], Record<OrderState, string>> = {
  lower: { success: 'success', closed: 'closed', processing: 'processing', expired: 'expired' },
  upper: { success: 'SUCCESS', closed: 'ORDERCLOSE', processing: 'PROCESSING', expired: 'EXPIRED' },
  alt: { success: 'trade_success', closed: 'orderclosed', processing: 'notpay', expired: 'expired' },
};

/** `order_status` as the dialect spells a state. */
export function statusText(dialect: OttDialect, state: OrderState): string {
  const chosen = { success: dialect.paid, closed: dialect.failed, processing: dialect.pending, expired: null }[state];
  return chosen ?? STYLES[dialect.statusStyle][state];
}

/** A whole number of cents (or a rate) as the dialect writes it. */
export function amountValue(dialect: OttDialect, value: number): string | number {
  return dialect.amounts === 'string' ? String(value) : value;
}

/** `data` as the dialect lays it out. */
export function wrapData(dialect: OttDialect, base64: string): string {
  return dialect.wrap === 'newlines' ? base64.replace(/(.{60})(?=.)/g, '$1\n') : base64;
}
