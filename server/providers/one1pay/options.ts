/** `providers.one1pay` in the configuration (docs/providers/one1pay.md). */
import { z } from 'zod';
import { baseUrlSchema, pathSchema } from '../options.ts';

export const DEFAULT_PATHS = {
  currency: '/merchant/currency',
  auth: '/merchant/auth',
  generateOrders: '/merchant/generate_orders',
  checkStatus: '/merchant/check_status',
  bankList: '/wallet/bank_list',
  withdrawOrders: '/merchant/withdraw_orders',
  checkWithdrawStatus: '/merchant/check_withdraw_status',
  withdrawBankList: '/wallet/withdraw_bank_list',
  balance: '/wallet/get_balance',
} as const;

export type Endpoint = keyof typeof DEFAULT_PATHS;

const pathsSchema = z
  .strictObject({
    currency: pathSchema.default(DEFAULT_PATHS.currency),
    auth: pathSchema.default(DEFAULT_PATHS.auth),
    generateOrders: pathSchema.default(DEFAULT_PATHS.generateOrders),
    checkStatus: pathSchema.default(DEFAULT_PATHS.checkStatus),
    bankList: pathSchema.default(DEFAULT_PATHS.bankList),
    withdrawOrders: pathSchema.default(DEFAULT_PATHS.withdrawOrders),
    checkWithdrawStatus: pathSchema.default(DEFAULT_PATHS.checkWithdrawStatus),
    withdrawBankList: pathSchema.default(DEFAULT_PATHS.withdrawBankList),
    balance: pathSchema.default(DEFAULT_PATHS.balance),
  })
  // The document's paths, each overridable because a merchant's account may differ (docs/providers/one1pay.md).
  .prefault({});

const secret = z.string().min(1, 'must not be empty');

export const one1payOptionsSchema = z.strictObject({
  /** The provider's root; the document's paths are appended to it. */
  baseUrl: baseUrlSchema,
  username: secret,
  apiKey: secret,
  /** The secret in the callback token; the document does not say which one (docs/providers/one1pay.md). */
  callbackSecret: secret,
  paths: pathsSchema,
  /**
   * `username` in generate_orders: the document's field list calls it the customer's username, its
   * examples send the merchant's. `merchant` (the default) sends `username`; `customerEmail` sends
   * the shopper's email.
   */
  orderUsername: z.enum(['merchant', 'customerEmail']).default('merchant'),
  /** How long currency limits and bank lists are kept before they are asked for again. */
  cacheSeconds: z.number().int().min(0).max(86_400).default(300),
});

export type One1PayOptions = z.infer<typeof one1payOptionsSchema>;
