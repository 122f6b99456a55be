/**
 * KessPay's own field names (its "Alipay / WeChat" merchant API). Every answer is
 * `{success, data}`; numbers are read as their text (see `parseJsonNumbersAsText`), so amounts
 * arrive as decimal strings.
 */
import { z } from 'zod';

const text = z.string();
const optionalText = text.nullish();

export const tokenAnswer = z.object({
  success: z.literal('true').or(z.literal(true)),
  data: z.object({ token: z.string().min(1), message: optionalText }),
});

/** The envelope of every answer; `data` is read by the schema of each call. */
export const envelope = z.object({
  success: z.union([z.boolean(), z.enum(['true', 'false'])]).transform((value) => value === true || value === 'true'),
  data: z.unknown().optional(),
  message: optionalText,
  msg: optionalText,
  result_code: optionalText,
});

export const nativePayData = z.object({
  qr_code: z.string().min(1),
  amount: optionalText,
  out_trade_no: text,
  result_code: optionalText,
});

/** QUICK PAY and JSAPI PAY answer alike; JSAPI may add the wallet's pay parameters. */
export const chargeData = z
  .object({
    amount: optionalText,
    currency: optionalText,
    out_trade_no: text,
    transaction_id: optionalText,
    result_code: optionalText,
  })
  .passthrough();

export const refundData = z.object({
  refund_amount: optionalText,
  currency: optionalText,
  out_trade_no: optionalText,
  out_refund_no: optionalText,
  transaction_id: optionalText,
  result_code: optionalText,
});

/** CHECK PAYMENT STATUS and CHECK REFUND STATUS. */
export const statusData = z.object({
  is_success: z
    .union([z.boolean(), z.enum(['true', 'false'])])
    .transform((value) => value === true || value === 'true'),
  service_id: optionalText,
  out_trade_no: optionalText,
  out_refund_no: optionalText,
  amount: optionalText,
  refund_amount: optionalText,
  currency: optionalText,
  message: optionalText,
  /** Not in the document's example; read when present (WeChat/Alipay style trade states). */
  status: optionalText,
  trade_state: optionalText,
  result_code: optionalText,
});

export type StatusData = z.output<typeof statusData>;
