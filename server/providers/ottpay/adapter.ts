/**
 * OTT Pay "Payment Web API" (PROVIDERS.md §1, seed 002): PC-browser QR payments through WeChat Pay,
 * Alipay and UnionPay (`ACTIVEPAY`), status query (`STATUS_QUERY`), refunds (`REFUND`) and the
 * encrypted callback. Every message carries its transaction data AES-encrypted under a key derived
 * from an unkeyed MD5 of the data and the merchant's sign key (Appendix A); the crypto, the wire
 * types and the status mapping all live in this file.
 *
 * OTT Pay's account has one currency and ACTIVEPAY takes none per order, so methods are offered only
 * for sessions in `options.currency` (DESIGN.md, Configuration).
 */
import { createCipheriv, createDecipheriv, createHash } from 'node:crypto';
import { z } from 'zod';
import type { MethodId } from '../../../widget/wire.ts';
import { exponentOf, isKnownCurrency, type Money } from '../../domain/money.ts';
import {
  ProviderError,
  providerFetch,
  readJson,
  type CreatePaymentInput,
  type CreatePaymentResult,
  type MethodOffer,
  type NotificationAck,
  type NotificationInput,
  type OfferInput,
  type PaymentState,
  type PaymentStatus,
  type Provider,
  type ProviderContext,
  type ProviderErrorCode,
  type QueryPaymentInput,
  type QueryRefundInput,
  type RefundInput,
  type RefundResult,
  type VerifiedNotification,
} from '../provider.ts';

// ---------------------------------------------------------------------------------------------
// Appendix A — exact crypto (VERIFIED against the documented worked example; see the tests)
// ---------------------------------------------------------------------------------------------

/**
 * The "md5" of a transaction-data object: the values concatenated in ASCII key order, with no
 * separators and no key names, then MD5 as upper-case hex (Appendix A, steps 1–2).
 * NOTE: an empty value adds nothing to the concatenation, so "omit empty keys" (Tender's convention)
 * and "send them empty" hash alike; PROVIDERS.md leaves open which one the server expects.
 */
export function ottMd5(data: Record<string, string>): string {
  const concat = Object.keys(data)
    .sort(compareAscii)
    .map((key) => data[key])
    .join('');
  return createHash('md5').update(concat, 'utf8').digest('hex').toUpperCase();
}

/**
 * The AES key: the middle 16 hex characters of UPPER(MD5(md5 + signKey)), used as 16 ASCII bytes
 * (not hex-decoded) — OTT Pay's "16-bit MD5" (Appendix A, step 3).
 */
export function ottAesKey(md5: string, signKey: string): string {
  return createHash('md5')
    .update(md5 + signKey, 'utf8')
    .digest('hex')
    .toUpperCase()
    .slice(8, 24);
}

/**
 * Encrypts transaction data for an envelope: AES-128-ECB with PKCS#7 padding over the compact JSON
 * of the object in the order its keys were built, non-ASCII left raw (Appendix A, step 4).
 */
export function ottEncrypt(data: Record<string, string>, signKey: string): { data: string; md5: string } {
  const md5 = ottMd5(data);
  const cipher = createCipheriv('aes-128-ecb', Buffer.from(ottAesKey(md5, signKey), 'utf8'), null);
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(data), 'utf8'), cipher.final()]);
  return { data: ciphertext.toString('base64'), md5 };
}

/**
 * Decrypts an envelope's `data` and checks it against `md5`. The key is derived from the md5 the
 * sender chose, so decrypting alone proves little: the md5 recomputed over the decrypted values must
 * match too, or a captured (data, md5) pair could be replayed with other contents (PROVIDERS.md §1,
 * "Integrity check"). Keys `md5` and `code` are left out of the recompute, as OTT Pay's own plugins do.
 *
 * `failure` is the error code for anything that does not decrypt or verify: `invalid_signature` for
 * callbacks, `bad_response` for answers to our own requests.
 */
export function ottDecrypt(
  dataB64: string,
  md5: string,
  signKey: string,
  failure: Extract<ProviderErrorCode, 'invalid_signature' | 'bad_response'> = 'invalid_signature',
): Record<string, unknown> {
  if (!/^[0-9A-Fa-f]{32}$/.test(md5)) {
    throw new ProviderError('ottpay', failure, 'md5 is not 32 hex characters');
  }
  const key = Buffer.from(ottAesKey(md5, signKey), 'utf8');
  const expected = md5.toUpperCase();
  let lastError: unknown = null;
  for (const candidate of base64Candidates(dataB64)) {
    let decrypted: Record<string, unknown>;
    try {
      decrypted = decryptObject(candidate, key);
    } catch (cause) {
      lastError = cause;
      continue;
    }
    const hashed = Object.fromEntries(Object.entries(decrypted).filter(([name]) => name !== 'md5' && name !== 'code'));
    if (md5Forms(hashed).includes(expected)) return decrypted;
    lastError = new Error('md5 does not match the decrypted data');
  }
  throw new ProviderError('ottpay', failure, 'data does not decrypt and verify under the sign key', {
    cause: lastError,
  });
}

/**
 * Decoders must ignore whitespace: the docs show `data` wrapped every 60 characters, and some
 * channels hand it over form-decoded with '+' turned into ' ' (PROVIDERS.md §1, quirks). The two
 * readings of a space differ, so both are tried; the md5 check decides which one was meant.
 */
function base64Candidates(dataB64: string): string[] {
  const plusRestored = dataB64.replace(/ /g, '+').replace(/\s/g, '');
  const whitespaceRemoved = dataB64.replace(/\s/g, '');
  return [...new Set([plusRestored, whitespaceRemoved])].filter(
    (candidate) => candidate.length > 0 && candidate.length % 4 === 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(candidate),
  );
}

function decryptObject(base64: string, key: Buffer): Record<string, unknown> {
  const ciphertext = Buffer.from(base64, 'base64');
  if (ciphertext.length === 0 || ciphertext.length % 16 !== 0) throw new Error('ciphertext is not whole AES blocks');
  const decipher = createDecipheriv('aes-128-ecb', key, null);
  const plaintext = Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
  const parsed: unknown = JSON.parse(plaintext);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new Error('data is not a JSON object');
  return parsed as Record<string, unknown>;
}

/**
 * The md5 forms a decrypted object may legitimately have. Tender and its simulator send every value
 * as a string (conventions table), and then there is exactly one form. OTT Pay's server may answer
 * with JSON numbers, and one public client appends ".0" to numeric values before hashing, which
 * reads as the server hashing Java `Double.toString` (PROVIDERS.md §1, quirks). We therefore accept
 * the number as written or in that Java form — both are only the *unkeyed* md5 of the same values,
 * so accepting either adds no room for forgery: authenticity rests on decrypting under the signKey
 * derived key. `null` counts as empty (it adds nothing to the concatenation either way).
 */
function md5Forms(data: Record<string, unknown>): string[] {
  const plain: Record<string, string> = {};
  const javaDouble: Record<string, string> = {};
  for (const [key, value] of Object.entries(data)) {
    plain[key] = valueText(value, false);
    javaDouble[key] = valueText(value, true);
  }
  return [...new Set([ottMd5(plain), ottMd5(javaDouble)])];
}

function valueText(value: unknown, javaDouble: boolean): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return javaDouble && Number.isInteger(value) ? `${value}.0` : String(value);
  if (typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** ASCII (code unit) order, which is what OTT Pay's "dictionary order" means for its ASCII keys. */
function compareAscii(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------------------------

export type OttPayMethod = 'ottpay.wechat' | 'ottpay.alipay' | 'ottpay.unionpay';

const OTT_METHODS = ['ottpay.wechat', 'ottpay.alipay', 'ottpay.unionpay'] as const satisfies readonly OttPayMethod[];

/** ACTIVEPAY's `biz_type` per method; "ALIPAY" and "UNIONPAY" come from public client code (§1, Actions). */
const BIZ_TYPES: Record<OttPayMethod, OttBizType> = {
  'ottpay.wechat': 'WECHATPAY',
  'ottpay.alipay': 'ALIPAY',
  'ottpay.unionpay': 'UNIONPAY',
};

const BRANDS: Record<OttPayMethod, string> = {
  'ottpay.wechat': 'wechat',
  'ottpay.alipay': 'alipay',
  'ottpay.unionpay': 'unionpay',
};

const LABELS: Record<OttPayMethod, string> = {
  'ottpay.wechat': 'WeChat Pay',
  'ottpay.alipay': 'Alipay',
  'ottpay.unionpay': 'UnionPay',
};

export const ottpayOptionsSchema = z.strictObject({
  /** OTT Pay's root, e.g. "https://frontapi.ottpay.com:443"; `path` is appended. */
  baseUrl: z
    .string()
    .url()
    .refine((value) => /^https?:$/.test(new URL(value).protocol), 'must be an http(s) URL')
    .transform((value) => value.replace(/\/+$/, '')),
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
  /** OTT Pay states no QR lifetime; Tender stops offering a code after this (conventions table). */
  qrExpirySeconds: z
    .number()
    .int()
    .min(60)
    .max(24 * 3600)
    .default(900),
  methods: z
    .array(z.enum(OTT_METHODS))
    .min(1)
    .refine((list) => new Set(list).size === list.length, 'must not repeat a method')
    .default([...OTT_METHODS]),
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
type ResolvedOptions = z.output<typeof ottpayOptionsSchema>;

// ---------------------------------------------------------------------------------------------
// Wire types
// ---------------------------------------------------------------------------------------------

type OttAction = 'ACTIVEPAY' | 'H5PAY' | 'STATUS_QUERY' | 'REFUND' | 'EX_RATE_QUERY';
type OttBizType = 'WECHATPAY' | 'ALIPAY' | 'UNIONPAY';

/** The plain-JSON first level of every request (common rules); only `data` is Base64. */
export interface OttRequestEnvelope {
  action: OttAction;
  /** "1.0" for most actions; H5PAY is documented as "2.0". */
  version: '1.0' | '2.0';
  merchant_id: string;
  data: string;
  md5: string;
}

/** Decrypted ACTIVEPAY request data; every value a string, empty ones left out (conventions table). */
interface ActivePayRequest extends Record<string, string> {
  order_id: string;
  operator_id: string;
  /** Minor units of the account currency ("cents"): "100" is 1.00 CAD. */
  amount: string;
  biz_type: OttBizType;
  call_back_url: string;
}

interface StatusQueryRequest extends Record<string, string> {
  order_id: string;
}

interface RefundRequest extends Record<string, string> {
  /** Our id for the refund (optional on OTT Pay's side; Tender always sends one). */
  order_id: string;
  ori_order_id: string;
  refund_amt: string;
}

/** OTT Pay may send numbers where Tender sends strings; both are read as text. */
const wireText = z.union([z.string(), z.number()]).transform((value) => String(value));

/** Envelope of every answer: `{rsp_code, rsp_msg, data, md5}` (the docs misspell rsp_code "rep_code"). */
const responseEnvelopeSchema = z.object({
  rsp_code: z.string().min(1),
  rsp_msg: z.string().nullish(),
  data: z.string().nullish(),
  md5: z.string().nullish(),
});

/** Callback body: the response envelope plus `merchant_id` (§1, Callback). */
const callbackEnvelopeSchema = z.object({
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
const activePayResponseSchema = z.object({
  order_id: wireText,
  code_url: z.string().min(1),
  bizpay_order_id: wireText.nullish(),
  amount: wireText.nullish(),
});

/** H5PAY answer: `payinfo` is the link that opens the wallet (WeChat's MWEB URL). */
const h5PayResponseSchema = z.object({
  order_id: wireText,
  payinfo: z.string().min(1),
  amount: wireText.nullish(),
});

/** EX_RATE_QUERY answer: `rate` is the rate to CNY × 10^8 (650000000 is 6.5). */
const exRateResponseSchema = z.object({
  rate: wireText,
  feeType: z.string().nullish(),
  fee_type: z.string().nullish(),
});

/** STATUS_QUERY answer; the full field list is not public, these are the fields Tender reads. */
const statusQueryResponseSchema = z.object({
  order_id: wireText.nullish(),
  order_status: z.string().min(1),
  amount: wireText.nullish(),
  bizpay_order_id: wireText.nullish(),
  // INFERRED: the running total refunded on the order, in cents (CC_QUERYPAY documents
  // `refund_amount`; STATUS_QUERY's field list is cut from the page, §1).
  refund_amount: wireText.nullish(),
});

/** Decrypted callback data (§1, Callback); `order_status` is documented for the newer API only. */
const callbackDataSchema = z.object({
  order_id: wireText,
  amount: wireText.nullish(),
  merchant_id: wireText.nullish(),
  order_status: z.string().nullish(),
  bizpay_order_id: wireText.nullish(),
});

// ---------------------------------------------------------------------------------------------
// Status and response-code mapping
// ---------------------------------------------------------------------------------------------

/**
 * `order_status` of STATUS_QUERY (and callbacks) to Tender's state, in one exhaustive switch. OTT Pay
 * documents only "success" as paid; the rest is the set one public client treats as complete
 * (PROVIDERS.md §1, Status enums — INFERRED), plus the values WeChat Pay reports for an unpaid order
 * and "expired", which Tender's simulator uses for a code that timed out. Anything else is unknown and
 * must not be guessed at: it is a `bad_response`.
 */
export function mapOrderStatus(orderStatus: string): PaymentState {
  const status = orderStatus.trim().toLowerCase();
  switch (status) {
    case 'success':
    case 'paid':
    case 'trade_success':
    case 'captured':
    // NOTE: a refunded order was paid; refunds are Tender's own records (session refund states), so
    // the payment itself stays succeeded rather than turning into a failure after the fact.
    case 'refunded':
    case 'fully_refunded':
    case 'partial_refunded':
      return 'succeeded';
    case 'fail':
    case 'failure':
    case 'failed':
    case 'closed':
    case 'orderclose':
    case 'orderclosed':
    case 'cancelled':
    case 'canceled':
    case 'revoked':
    // A reversal cancels the order as a whole and a chargeback takes the money back: neither may
    // count as money received.
    case 'reversed':
    case 'fully_reversal':
    case 'chargeback':
      return 'failed';
    case 'processing':
    case 'pending':
    case 'notpay':
    case 'not paid':
    case 'not_paid':
    case 'unpaid':
    case 'userpaying':
      return 'pending';
    case 'expired':
      return 'expired';
    default:
      throw new ProviderError('ottpay', 'bad_response', `unknown order_status "${orderStatus.slice(0, 40)}"`);
  }
}

/**
 * Appendix B's `rsp_code` (the list is truncated in the docs) to Tender's error codes.
 * `SIGN_ERROR` and `ORDER_NOT_EXIST` are Tender conventions its simulator uses where OTT Pay's list
 * is cut off: a message that does not decrypt or verify (the only sign of a wrong signKey or merchant
 * id), and an order id the provider does not know.
 */
function errorCodeFor(rspCode: string): ProviderErrorCode {
  switch (rspCode) {
    case 'PARAM_INVALID':
    case 'PARAM_ERROR':
    case 'ORDER_TYPE_ERROR':
      return 'invalid_request';
    case 'PWD_INCORRECT':
    case 'SIGN_ERROR':
      return 'authentication';
    // ORDER_PAID on ACTIVEPAY means the order id was used and already paid: like ORDER_USED, the id
    // cannot make a new order. The payment itself is learned through STATUS_QUERY, never from here.
    case 'ORDER_USED':
    case 'ORDER_PAID':
      return 'duplicate_order';
    case 'ORDER_NOT_EXIST':
      return 'not_found';
    case 'FAIL':
      return 'declined';
    case 'SYSTEM_ERROR':
    case 'TIMEOUT':
    case 'DB_ERROR':
    // PROCESSING on a call that should answer at once: the same call may succeed later.
    case 'PROCESSING':
      return 'unavailable';
    default:
      return 'bad_response';
  }
}

// ---------------------------------------------------------------------------------------------
// The adapter
// ---------------------------------------------------------------------------------------------

/** OTT Pay does not document the acknowledgement; Tender answers HTTP 200 "SUCCESS" (docs/providers/ottpay.md). */
const OTTPAY_NOTIFICATION_ACK: NotificationAck = { status: 200, body: 'SUCCESS', contentType: 'text/plain' };

interface OttReply {
  code: string;
  message: string;
  /** Decrypted and md5-verified data, or null when the answer carried none. */
  data: Record<string, unknown> | null;
}

export function createOttPayProvider(options: OttPayOptions, ctx: ProviderContext): Provider {
  const config = resolveOptions(options);
  const endpoint = `${config.baseUrl}${config.path}`;

  async function send(action: OttAction, data: Record<string, string>): Promise<OttReply> {
    const sealed = ottEncrypt(data, config.signKey);
    const envelope: OttRequestEnvelope = {
      action,
      version: action === 'H5PAY' ? '2.0' : '1.0',
      merchant_id: config.merchantId,
      data: sealed.data,
      md5: sealed.md5,
    };
    const response = await providerFetch('ottpay', ctx, endpoint, {
      method: 'POST',
      headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
      body: JSON.stringify(envelope),
    });
    const parsed = responseEnvelopeSchema.safeParse(await readJson('ottpay', response));
    if (!parsed.success) {
      throw new ProviderError(
        'ottpay',
        'bad_response',
        `${action}: HTTP ${response.status} without an OTT Pay envelope`,
      );
    }
    const reply = parsed.data;
    let decrypted: Record<string, unknown> | null = null;
    if (reply.data) {
      if (!reply.md5) throw new ProviderError('ottpay', 'bad_response', `${action}: data without md5`);
      decrypted = ottDecrypt(reply.data, reply.md5, config.signKey, 'bad_response');
    }
    if (reply.rsp_code === 'SUCCESS' && !response.ok) {
      throw new ProviderError('ottpay', 'bad_response', `${action}: SUCCESS with HTTP ${response.status}`);
    }
    return { code: reply.rsp_code, message: (reply.rsp_msg ?? '').slice(0, 200), data: decrypted };
  }

  function failure(action: OttAction, reply: OttReply): ProviderError {
    return new ProviderError('ottpay', errorCodeFor(reply.code), `${action} answered ${reply.code}: ${reply.message}`);
  }

  function successData(action: OttAction, reply: OttReply): Record<string, unknown> {
    if (reply.code !== 'SUCCESS') throw failure(action, reply);
    if (!reply.data) throw new ProviderError('ottpay', 'bad_response', `${action}: SUCCESS without data`);
    return reply.data;
  }

  function checkMethod(method: MethodId): OttPayMethod {
    const known = (config.methods as readonly string[]).includes(method);
    if (!known) throw new ProviderError('ottpay', 'invalid_request', `method ${method} is not enabled`);
    return method as OttPayMethod;
  }

  function checkMoney(money: Money): void {
    if (money.currency !== config.currency) {
      throw new ProviderError(
        'ottpay',
        'invalid_request',
        `the account takes ${config.currency}, not ${money.currency}`,
      );
    }
    if (!Number.isSafeInteger(money.minor) || money.minor < 1) {
      throw new ProviderError('ottpay', 'amount_out_of_range', `amount ${money.minor} is not a positive amount`);
    }
  }

  /** `amount` is in "cents": the account currency's minor unit, whatever its exponent (§1, ACTIVEPAY). */
  function moneyFromCents(value: string, what: string): Money {
    // Tolerates the ".0" of a Java double, the only non-integer form OTT Pay is known to produce.
    const match = /^(\d{1,15})(?:\.0+)?$/.exec(value.trim());
    if (!match)
      throw new ProviderError('ottpay', 'bad_response', `${what} "${value.slice(0, 20)}" is not a cent amount`);
    return { minor: Number(match[1]), currency: config.currency };
  }

  /** H5PAY: a link the phone opens in the wallet app; paid orders are learned as for ACTIVEPAY. */
  async function h5Pay(method: OttPayMethod, input: CreatePaymentInput): Promise<CreatePaymentResult> {
    const request: Record<string, string> = {
      merchant_id: config.merchantId,
      shop_id: config.shopId ?? '',
      amount: String(input.money.minor),
      order_id: input.orderId,
      currency_type: input.money.currency,
      biz_type: BIZ_TYPES[method],
      open_id: input.client?.openId ?? '',
      operator_id: config.operatorId,
      submit_type: 'form',
      call_back_url: input.notifyUrl,
    };
    const data = successData('H5PAY', await send('H5PAY', withoutEmpty(request)));
    const parsed = h5PayResponseSchema.safeParse(data);
    if (!parsed.success) throw new ProviderError('ottpay', 'bad_response', 'H5PAY: answer without payinfo or order_id');
    if (parsed.data.order_id !== input.orderId) {
      throw new ProviderError('ottpay', 'bad_response', 'H5PAY: answer is for another order_id');
    }
    let link: URL;
    try {
      link = new URL(parsed.data.payinfo.trim());
    } catch {
      throw new ProviderError('ottpay', 'bad_response', 'H5PAY: payinfo is not a link');
    }
    if (!/^https?:$/.test(link.protocol))
      throw new ProviderError('ottpay', 'bad_response', 'H5PAY: payinfo is not http(s)');
    return { action: { type: 'redirect', url: link.toString(), method: 'GET', fields: {} }, providerPaymentId: null };
  }

  /** The amount in CNY the wallet will show, from EX_RATE_QUERY (kept `rateCacheSeconds`). */
  async function cnyEstimate(money: Money): Promise<Money> {
    const rate = await ctx.cache.getOrLoad(
      `ottpay:rate:${money.currency}`,
      config.rateCacheSeconds * 1000,
      async () => {
        const data = successData('EX_RATE_QUERY', await send('EX_RATE_QUERY', { fee_type: money.currency }));
        const parsed = exRateResponseSchema.safeParse(data);
        const match = parsed.success ? /^(\d{1,18})(?:\.0+)?$/.exec(parsed.data.rate.trim()) : null;
        if (!match || BigInt(match[1]!) === 0n)
          throw new ProviderError('ottpay', 'bad_response', 'EX_RATE_QUERY: no rate');
        return BigInt(match[1]!);
      },
    );
    // Both currencies count in hundredths here (see `offers`): CNY fen = cents × rate / 10^8, rounded.
    const fen = (BigInt(money.minor) * rate + 50_000_000n) / 100_000_000n;
    return { minor: Number(fen), currency: 'CNY' };
  }

  const provider: Provider = {
    id: 'ottpay',

    async offers({ money }: OfferInput): Promise<MethodOffer[]> {
      // Amounts go over the wire in "cents": only currencies whose minor unit is a hundredth fit.
      if (money.currency !== config.currency || money.minor < 1 || exponentOf(money.currency) !== 2) return [];
      const estimate = money.currency === 'CNY' ? null : await cnyEstimate(money).catch(() => null);
      return config.methods.map((method) => ({
        method,
        label: LABELS[method],
        brand: BRANDS[method],
        kind: 'qr' as const,
        fields: [],
        estimate,
      }));
    },

    async createPayment(input: CreatePaymentInput): Promise<CreatePaymentResult> {
      const method = checkMethod(input.method);
      checkMoney(input.money);
      if (input.client?.device === 'phone' && config.h5Methods.includes(method)) return h5Pay(method, input);
      const request: ActivePayRequest = {
        order_id: input.orderId,
        operator_id: config.operatorId,
        amount: String(input.money.minor),
        biz_type: BIZ_TYPES[method],
        call_back_url: input.notifyUrl,
      };
      const data = successData('ACTIVEPAY', await send('ACTIVEPAY', withoutEmpty(request)));
      const parsed = activePayResponseSchema.safeParse(data);
      if (!parsed.success)
        throw new ProviderError('ottpay', 'bad_response', 'ACTIVEPAY: answer without code_url or order_id');
      if (parsed.data.order_id !== input.orderId) {
        throw new ProviderError('ottpay', 'bad_response', 'ACTIVEPAY: answer is for another order_id');
      }
      const codeUrl = parsed.data.code_url;
      const qrDeadline = new Date(ctx.now().getTime() + config.qrExpirySeconds * 1000);
      return {
        action: {
          type: 'qr',
          content: codeUrl,
          // Production codes are wallet scheme links ("weixin://wxpay/bizpayurl?pr=…", §1 newer API)
          // that open the wallet on the same phone; an http(s) code is only for scanning.
          deepLink: /^(weixin|alipays?):\/\//i.test(codeUrl) ? codeUrl : null,
          expiresAt: qrDeadline < input.expiresAt ? qrDeadline : input.expiresAt,
        },
        providerPaymentId: parsed.data.bizpay_order_id || null,
      };
    },

    async queryPayment(input: QueryPaymentInput): Promise<PaymentStatus> {
      const request: StatusQueryRequest = { order_id: input.orderId };
      const data = successData('STATUS_QUERY', await send('STATUS_QUERY', withoutEmpty(request)));
      const parsed = statusQueryResponseSchema.safeParse(data);
      if (!parsed.success)
        throw new ProviderError('ottpay', 'bad_response', 'STATUS_QUERY: answer without order_status');
      if (parsed.data.order_id && parsed.data.order_id !== input.orderId) {
        throw new ProviderError('ottpay', 'bad_response', 'STATUS_QUERY: answer is for another order_id');
      }
      return {
        state: mapOrderStatus(parsed.data.order_status),
        // Reported as OTT Pay says it: comparing it with the attempt is the caller's job.
        money: parsed.data.amount ? moneyFromCents(parsed.data.amount, 'STATUS_QUERY amount') : null,
        providerPaymentId: parsed.data.bizpay_order_id || null,
      };
    },

    async parseNotification(input: NotificationInput): Promise<VerifiedNotification> {
      const envelope = callbackEnvelopeSchema.safeParse(readCallbackBody(input));
      if (!envelope.success)
        throw new ProviderError('ottpay', 'invalid_signature', 'callback is not an OTT Pay envelope');
      const { merchant_id: merchantId, md5, rsp_code: rspCode } = envelope.data;
      if (merchantId !== config.merchantId) {
        throw new ProviderError('ottpay', 'invalid_signature', 'callback is for another merchant_id');
      }
      const decrypted = ottDecrypt(envelope.data.data, md5, config.signKey, 'invalid_signature');
      const data = callbackDataSchema.safeParse(decrypted);
      if (!data.success) throw new ProviderError('ottpay', 'invalid_signature', 'callback data without order_id');
      if (data.data.merchant_id && data.data.merchant_id !== config.merchantId) {
        throw new ProviderError('ottpay', 'invalid_signature', 'callback data is for another merchant_id');
      }
      let money: Money | null = null;
      if (data.data.amount) {
        const match = /^(\d{1,15})(?:\.0+)?$/.exec(data.data.amount.trim());
        if (!match) throw new ProviderError('ottpay', 'invalid_signature', 'callback amount is not a cent amount');
        money = { minor: Number(match[1]), currency: config.currency };
      }
      // OTT Pay calls back when an order is paid (ACTIVEPAY page); `order_status` is documented only
      // for the newer API, so without it the claim is a success — to be confirmed by STATUS_QUERY.
      const claimed = data.data.order_status
        ? mapOrderStatus(data.data.order_status)
        : rspCode === 'SUCCESS'
          ? 'succeeded'
          : 'failed';
      return {
        kind: 'payment',
        orderId: data.data.order_id,
        claimed,
        money,
        dedupeKey: `${md5.toUpperCase()}:${data.data.order_id}`,
        ack: OTTPAY_NOTIFICATION_ACK,
      };
    },

    async refund(input: RefundInput): Promise<RefundResult> {
      checkMoney(input.money);
      const request: RefundRequest = {
        order_id: input.refundId,
        ori_order_id: input.orderId,
        refund_amt: String(input.money.minor),
      };
      const reply = await send('REFUND', withoutEmpty(request));
      // REFUND's answer fields are not public (§1, Open questions): rsp_code is all Tender reads.
      switch (reply.code) {
        case 'SUCCESS':
          return { state: 'succeeded' };
        case 'PROCESSING':
          return { state: 'pending' };
        case 'FAIL':
          return { state: 'failed' };
        default:
          throw failure('REFUND', reply);
      }
    },
    /**
     * The refund-query action's name is cut from OTT Pay's page (§1, Actions), so a refund is read
     * from the order's running `refund_amount` in STATUS_QUERY: it has gone through once the total
     * covers what was refunded before plus this refund. Until then it is pending (a shortfall cannot
     * tell "refused" from "not yet"), and Tender's refund checks keep asking.
     */
    async queryRefund(input: QueryRefundInput): Promise<RefundResult> {
      checkMoney(input.money);
      const data = successData('STATUS_QUERY', await send('STATUS_QUERY', { order_id: input.orderId }));
      const parsed = statusQueryResponseSchema.safeParse(data);
      if (!parsed.success)
        throw new ProviderError('ottpay', 'bad_response', 'STATUS_QUERY: answer without order_status');
      if (parsed.data.order_id && parsed.data.order_id !== input.orderId) {
        throw new ProviderError('ottpay', 'bad_response', 'STATUS_QUERY: answer is for another order_id');
      }
      if (!parsed.data.refund_amount) return { state: 'pending' };
      const refunded = moneyFromCents(parsed.data.refund_amount, 'STATUS_QUERY refund_amount');
      return { state: refunded.minor >= input.refundedBefore.minor + input.money.minor ? 'succeeded' : 'pending' };
    },
  };
  return provider;
}

function resolveOptions(options: OttPayOptions): ResolvedOptions {
  const result = ottpayOptionsSchema.safeParse(options);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const field = ['providers', 'ottpay', ...issue.path.map(String)].join('.');
    throw new Error(`${field}: ${issue.message}`);
  }
  return result.data;
}

/** Leaves out empty values: Tender's convention for what takes part in the md5 (conventions table). */
function withoutEmpty<T extends Record<string, string>>(data: T): Record<string, string> {
  return Object.fromEntries(Object.entries(data).filter(([, value]) => value !== ''));
}

/**
 * OTT Pay posts JSON; a form-encoded body is read too, because that is the channel that turns '+'
 * into ' ' in `data` (which `ottDecrypt` undoes).
 */
function readCallbackBody(input: NotificationInput): unknown {
  if (input.contentType?.toLowerCase().includes('application/x-www-form-urlencoded')) {
    return Object.fromEntries(new URLSearchParams(input.rawBody));
  }
  try {
    return JSON.parse(input.rawBody) as unknown;
  } catch {
    return null;
  }
}
