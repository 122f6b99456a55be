/** `providers.kesspay` in the configuration (docs/providers/kesspay.md). */
import { z } from 'zod';
import { baseUrlSchema, methodListSchema, pathSchema, qrExpirySecondsSchema } from '../options.ts';
import { isKnownCurrency } from '../../domain/money.ts';

/** KessPay does not publish its paths; these are Tender's defaults, each overridable. */
export const KESSPAY_DEFAULT_PATHS = {
  getToken: '/api/get_token',
  nativePay: '/api/native_pay',
  quickPay: '/api/quick_pay',
  jsapiPay: '/api/jsapi_pay',
  refund: '/api/refund',
  checkPaymentStatus: '/api/check_payment_status',
  checkRefundStatus: '/api/check_refund_status',
} as const;

export type KessPayEndpoint = keyof typeof KESSPAY_DEFAULT_PATHS;

export const KESSPAY_METHODS = ['kesspay.wechat', 'kesspay.alipay'] as const;
export type KessPayMethod = (typeof KESSPAY_METHODS)[number];

export const kesspayOptionsSchema = z.strictObject({
  /** KessPay's root; the paths below are appended to it. */
  baseUrl: baseUrlSchema,
  user: z.string().min(1, 'must not be empty'),
  password: z.string().min(1, 'must not be empty'),
  storeId: z.string().min(1, 'must not be empty'),
  /** The currency of the merchant's KessPay store (the API takes none per order). */
  currency: z.string().refine(isKnownCurrency, 'must be a currency code Tender knows, such as "USD"').default('USD'),
  paths: z
    .strictObject({
      getToken: pathSchema.default(KESSPAY_DEFAULT_PATHS.getToken),
      nativePay: pathSchema.default(KESSPAY_DEFAULT_PATHS.nativePay),
      quickPay: pathSchema.default(KESSPAY_DEFAULT_PATHS.quickPay),
      jsapiPay: pathSchema.default(KESSPAY_DEFAULT_PATHS.jsapiPay),
      refund: pathSchema.default(KESSPAY_DEFAULT_PATHS.refund),
      checkPaymentStatus: pathSchema.default(KESSPAY_DEFAULT_PATHS.checkPaymentStatus),
      checkRefundStatus: pathSchema.default(KESSPAY_DEFAULT_PATHS.checkRefundStatus),
    })
    .prefault({}),
  /** `service_id` per wallet: 2 is Alipay in KessPay's document; 30 for WeChat Pay is inferred. */
  serviceIds: z
    .strictObject({
      wechat: z.number().int().positive().default(30),
      alipay: z.number().int().positive().default(2),
    })
    .prefault({}),
  /** Passed through as `fee_rate`: the buyer is overcharged this percentage of the amount. */
  feeRate: z.number().int().min(1).max(100).optional(),
  /** Shown to the payer instead of the store's name (`sub_store_name`). */
  subStoreName: z.string().min(1).max(64).optional(),
  /**
   * The document says to fetch a token before every request (it lives a minute). Set this to keep
   * one for up to that many seconds instead; a 401 always fetches a fresh one and retries once.
   */
  tokenReuseSeconds: z.number().int().min(1).max(59).optional(),
  /** KessPay states no QR lifetime; Tender stops offering a code after this. */
  qrExpirySeconds: qrExpirySecondsSchema,
  methods: methodListSchema(KESSPAY_METHODS),
});

export type KessPayOptions = z.output<typeof kesspayOptionsSchema>;
