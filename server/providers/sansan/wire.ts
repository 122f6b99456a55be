/**
 * SanSan's own field names (docs/providers/sansan.md). Decrypted JSON is read with every number as
 * its text (`parseJsonNumbersAsText`), so amounts such as `12.50` arrive as "12.50" and integers
 * such as `payerID` as digit strings; nothing passes through a float.
 */
import { z } from 'zod';

/** The services Tender calls; names are case-sensitive. */
export type Service = 'createPayer' | 'createOrder' | 'checkoutOrder' | 'payOrder' | 'queryOrder' | 'refundOrder';

export interface CreatePayerRequest {
  firstName: string;
  lastName: string;
  email: string;
  areaCode: number;
  phone: string;
  address: string;
  city: string;
  province: string;
  postcode: string;
  country: string;
}

export interface CreateOrderRequest {
  order_sn: string;
  currency: 'USD';
  /** Decimal text, written into the JSON as a bare number with exactly these digits. */
  amount: string;
  payerID: number;
  purposeOfTransaction: string;
  description?: string;
  skip3ds: 'True' | 'False';
  domain?: string;
}

export interface CheckoutOrderRequest {
  order_sn: string;
  linkID: string;
  cardHolderName: string;
  sessionCard: string;
  sessionCvc: string;
  relationship: string;
}

export interface PayOrderRequest {
  order_sn: string;
  linkID: string;
  transactionReference: string;
  sessionId: string;
  userAgent: string;
  returnUrl?: string;
}

export interface RefundOrderRequest {
  order_sn: string;
  refund_sn: string;
  amount: string;
  reason?: string;
}

/** Keys whose values SanSan takes as JSON numbers of dollars. */
export const DECIMAL_KEYS = ['amount'] as const;

const text = z.string();
const digits = z.string().regex(/^\d+$/);

/** The outer answer: HTTP 200 `{statusCode: 0, bizContent, sign}` (some pages say `status`). */
export const envelope = z.object({
  statusCode: z.union([z.number(), z.string()]).optional(),
  status: z.union([z.number(), z.string()]).optional(),
  bizContent: z.string().min(1),
  sign: z.string().min(1),
});

/** The decrypted answer: `{status: 0 | -1, errorCode, errorMessage, data}`. */
export const answer = z.object({
  status: z.enum(['0', '-1']),
  errorCode: text.nullish(),
  errorMessage: text.nullish(),
  data: z.unknown().optional(),
});

export const payerData = z.object({ payerID: digits });

export const orderData = z.object({
  order_sn: text,
  linkID: z.string().min(1),
  status: text,
  platform_order_sn: text.nullish(),
});

export const checkoutData = z.object({
  outcome: text,
  transactionReference: z.string().min(1),
});

export const payData = z.object({
  outcome: text,
  transactionReference: text.nullish(),
  challenge: z.object({ reference: text.nullish(), url: z.string().url() }).nullish(),
});

const refundEntry = z.object({ refund_sn: text, amount: text, status: text });

export const queryData = z.object({
  order_sn: text,
  platform_order_sn: text.nullish(),
  status: text,
  currency: text,
  amount: text,
  refundedAmount: text.nullish(),
  refunds: z.array(refundEntry).nullish(),
});

export const refundData = z.object({ order_sn: text, refund_sn: text, amount: text, status: text });

/** The webhook's outer body. */
export const noticeEnvelope = z.object({
  noticeType: z.literal('PaymentOrderStatus'),
  bizContent: z.string().min(1),
  sign: z.string().min(1),
});

/** The webhook's decrypted payload. */
export const notice = z.object({
  PaymentOrderStatus: z.object({
    order_sn: z.string().min(1),
    platform_order_sn: text.nullish(),
    requestID: text.nullish(),
    requestTime: text.nullish(),
    currency: text,
    amount: text,
    status: text,
    comment: text.nullish(),
    failTimes: text.nullish(),
  }),
});
