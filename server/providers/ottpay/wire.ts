/** OTT Pay's own field names: the envelope and each action's data (docs/providers/ottpay.md). */
import { z } from 'zod';

export type OttAction = 'ACTIVEPAY' | 'H5PAY' | 'STATUS_QUERY' | 'REFUND' | 'EX_RATE_QUERY';
export type OttBizType = 'WECHATPAY' | 'ALIPAY' | 'UNIONPAY';

/** The plain-JSON first level of every request (common rules); only `data` is Base64. */
export interface OttRequestEnvelope {
  action: OttAction;
  /** "1.0" for most actions; H5PAY is documented as "2.0". */
  version: '1.0' | '2.0';
  merchant_id: string;
  data: string;
  md5: string;
}

/** Decrypted ACTIVEPAY request data; every value a string, empty ones left out (docs/providers/ottpay.md, "Conventions"). */
export interface ActivePayRequest extends Record<string, string> {
  order_id: string;
  operator_id: string;
  /** Minor units of the account currency ("cents"): "100" is 1.00 CAD. */
  amount: string;
  biz_type: OttBizType;
  call_back_url: string;
}

export interface StatusQueryRequest extends Record<string, string> {
  order_id: string;
}

export interface RefundRequest extends Record<string, string> {
  /** Our id for the refund (optional on OTT Pay's side; Tender always sends one). */
  order_id: string;
  ori_order_id: string;
  refund_amt: string;
}

/** OTT Pay may send numbers where Tender sends strings; both are read as text. */
export const wireText = z.union([z.string(), z.number()]).transform((value) => String(value));

/** Envelope of every answer: `{rsp_code, rsp_msg, data, md5}` (the docs misspell rsp_code "rep_code"). */
export const responseEnvelopeSchema = z.object({
  rsp_code: z.string().min(1),
  rsp_msg: z.string().nullish(),
  data: z.string().nullish(),
  md5: z.string().nullish(),
});

/** Callback body: the response envelope plus `merchant_id` (§1, Callback). */
export const callbackEnvelopeSchema = z.object({
  rsp_code: z.string().min(1),
  rsp_msg: z.string().nullish(),
  merchant_id: z.string().min(1),
  data: z.string().min(1),
  md5: z.string().min(1),
});

/**
 * ACTIVEPAY answer; the docs lost the QR field's name, public code reads `code_url` (§1, Actions).
 * Its `amount` is not compared with ours: OTT Pay's H5PAY example adds a 1-cent convenience fee, and
 * what counts is the amount STATUS_QUERY reports, which the caller compares with the attempt.
 */
export const activePayResponseSchema = z.object({
  order_id: wireText,
  code_url: z.string().min(1),
  bizpay_order_id: wireText.nullish(),
  amount: wireText.nullish(),
});

/** H5PAY answer: `payinfo` is the link that opens the wallet (WeChat's MWEB URL). */
export const h5PayResponseSchema = z.object({
  order_id: wireText,
  payinfo: z.string().min(1),
  amount: wireText.nullish(),
});

/** EX_RATE_QUERY answer: `rate` is the rate to CNY × 10^8 (650000000 is 6.5). */
export const exRateResponseSchema = z.object({
  rate: wireText,
  feeType: z.string().nullish(),
  fee_type: z.string().nullish(),
});

/** STATUS_QUERY answer; the full field list is not public, these are the fields Tender reads. */
export const statusQueryResponseSchema = z.object({
  order_id: wireText.nullish(),
  order_status: z.string().min(1),
  amount: wireText.nullish(),
  bizpay_order_id: wireText.nullish(),
  // INFERRED: the running total refunded on the order, in cents (CC_QUERYPAY documents
  // `refund_amount`; STATUS_QUERY's field list is cut from the page, §1).
  refund_amount: wireText.nullish(),
});

/** Decrypted callback data (§1, Callback); `order_status` is documented for the newer API only. */
export const callbackDataSchema = z.object({
  order_id: wireText,
  amount: wireText.nullish(),
  merchant_id: wireText.nullish(),
  order_status: z.string().nullish(),
  bizpay_order_id: wireText.nullish(),
});
