/** `providers.ottpay` in the configuration (docs/providers/ottpay.md). */
import { z } from 'zod';
import { baseUrlSchema, methodListSchema, qrExpirySecondsSchema } from '../options.ts';
import { isKnownCurrency } from '../../domain/money.ts';
import type { OttBizType } from './wire.ts';

export type OttPayMethod = 'ottpay.wechat' | 'ottpay.alipay' | 'ottpay.unionpay';

export const OTT_METHODS = [
  'ottpay.wechat',
  'ottpay.alipay',
  'ottpay.unionpay',
] as const satisfies readonly OttPayMethod[];

/** ACTIVEPAY's `biz_type` per method; "ALIPAY" and "UNIONPAY" come from public client code (§1, Actions). */
export const BIZ_TYPES: Record<OttPayMethod, OttBizType> = {
  'ottpay.wechat': 'WECHATPAY',
  'ottpay.alipay': 'ALIPAY',
  'ottpay.unionpay': 'UNIONPAY',
};

export const BRANDS: Record<OttPayMethod, string> = {
  'ottpay.wechat': 'wechat',
  'ottpay.alipay': 'alipay',
  'ottpay.unionpay': 'unionpay',
};

export const LABELS: Record<OttPayMethod, string> = {
  'ottpay.wechat': 'WeChat Pay',
  'ottpay.alipay': 'Alipay',
  'ottpay.unionpay': 'UnionPay',
};

export const ottpayOptionsSchema = z.strictObject({
  /** OTT Pay's root, e.g. "https://frontapi.ottpay.com:443"; `path` is appended. */
  baseUrl: baseUrlSchema,
  merchantId: z.string().min(1),
  /** The 10-digit operator id OTT Pay issues with the account. */
  operatorId: z.string().min(1),
  signKey: z.string().min(1),
  /** The currency of the merchant's OTT Pay account (ACTIVEPAY takes none per order). */
  currency: z.string().refine(isKnownCurrency, 'must be a currency code Tender knows, such as "CAD"'),
  /** `/processV2` is documented; older and card integrations use `/process` and `/processV3`. */
  path: z
    .string()
    .regex(/^\/[A-Za-z0-9._~/-]*$/, 'must be a path such as "/processV2"')
    .default('/processV2'),
  /** OTT Pay states no QR lifetime; Tender stops offering a code after this (docs/providers/ottpay.md, "Conventions"). */
  qrExpirySeconds: qrExpirySecondsSchema,
  methods: methodListSchema(OTT_METHODS),
  /**
   * Methods paid through H5PAY (a link that opens the wallet) when the shopper is on a phone,
   * instead of a QR code they cannot scan with the same phone. The document shows H5PAY for
   * WeChat Pay; add Alipay if the account takes it.
   */
  h5Methods: z.array(z.enum(OTT_METHODS)).default(['ottpay.wechat']),
  /** `shop_id` for H5PAY, when OTT Pay issued one with the account. */
  shopId: z.string().min(1).optional(),
  /** How long an EX_RATE_QUERY answer is kept before it is asked for again. */
  rateCacheSeconds: z.number().int().min(0).max(86_400).default(600),
});

/** What the adapter accepts (defaults may be left out); validated again when the adapter is built. */
export type OttPayOptions = z.input<typeof ottpayOptionsSchema>;
export type ResolvedOptions = z.output<typeof ottpayOptionsSchema>;
