/**
 * KessPay's "Alipay / WeChat" merchant API (docs/providers/kesspay.md): dynamic QR codes (NATIVE
 * PAY), buyer codes scanned at a till (QUICK PAY), payment inside WeChat (JSAPI PAY), refunds and
 * status checks. Every call carries a short-lived Bearer token from GET API TOKEN; there is no body
 * signing and there are no callbacks, so Tender polls each pending payment.
 */
import { formatDecimal, parseProviderDecimal, sameMoney, type Money, MoneyError } from '../../domain/money.ts';
import { parseJsonNumbersAsText, stringifyWithDecimals } from '../json.ts';
import {
  ProviderError,
  providerFetch,
  readJsonText,
  type CreatePaymentInput,
  type CreatePaymentResult,
  type MethodOffer,
  type PaymentStatus,
  type Provider,
  type ProviderContext,
  type ProviderErrorCode,
  type QueryPaymentInput,
  type QueryRefundInput,
  type RefundInput,
  type RefundResult,
} from '../provider.ts';
import {
  KESSPAY_METHODS,
  kesspayOptionsSchema,
  type KessPayEndpoint,
  type KessPayMethod,
  type KessPayOptions,
} from './options.ts';
import { chargeState, paymentState, refundState } from './status.ts';
import { chargeData, envelope, nativePayData, refundData, statusData, tokenAnswer } from './wire.ts';
import type { z } from 'zod';

const LABELS: Record<KessPayMethod, string> = { 'kesspay.wechat': 'WeChat Pay', 'kesspay.alipay': 'Alipay' };

/** Keys whose values KessPay takes as JSON numbers. */
const DECIMAL_KEYS = ['amount', 'refund_amount'] as const;

/** Buyer payment codes: 18 digits; WeChat's start 10–15, Alipay's 25–30. */
const BUYER_CODE = /^\d{16,24}$/;

/**
 * How often a pending KessPay payment is asked about: every 3 s for the first minute (a shopper
 * who has just paid sees it within one poll), then less often as the chance of news falls.
 */
export function kesspayPollDelayMs(ageMs: number): number {
  if (ageMs < 60_000) return 3_000;
  if (ageMs < 5 * 60_000) return 10_000;
  if (ageMs < 30 * 60_000) return 30_000;
  return 5 * 60_000;
}

export function createKessPayProvider(input: z.input<typeof kesspayOptionsSchema>, ctx: ProviderContext): Provider {
  const options: KessPayOptions = kesspayOptionsSchema.parse(input);
  const tokenKey = 'kesspay:token';

  function url(endpoint: KessPayEndpoint): string {
    return `${options.baseUrl}${options.paths[endpoint]}`;
  }

  async function fetchToken(): Promise<string> {
    const response = await providerFetch('kesspay', ctx, url('getToken'), {
      method: 'POST',
      headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
      body: JSON.stringify({ user: options.user, password: options.password }),
    });
    if (response.status === 401 || response.status === 403) {
      throw new ProviderError('kesspay', 'authentication', 'GET API TOKEN refused the user and password');
    }
    const parsed = tokenAnswer.safeParse(await readBody(response));
    if (!parsed.success) throw new ProviderError('kesspay', 'authentication', 'GET API TOKEN answered without a token');
    return parsed.data.data.token;
  }

  function token(fresh: boolean): Promise<string> {
    if (!options.tokenReuseSeconds) return fetchToken();
    if (fresh) ctx.cache.delete(tokenKey);
    return ctx.cache.getOrLoad(tokenKey, options.tokenReuseSeconds * 1000, fetchToken);
  }

  /** One authorised call; a 401 (a token that lapsed on the way) fetches a new token and retries once. */
  async function call<T>(endpoint: KessPayEndpoint, body: Record<string, unknown>, schema: z.ZodType<T>): Promise<T> {
    const text = stringifyWithDecimals(body, DECIMAL_KEYS);
    let response: Response | null = null;
    for (const fresh of [false, true]) {
      response = await providerFetch('kesspay', ctx, url(endpoint), {
        method: 'POST',
        headers: {
          Accept: 'application/json',
          'Content-Type': 'application/json',
          Authorization: `Bearer ${await token(fresh)}`,
        },
        body: text,
      });
      if (response.status !== 401) break;
      await response.body?.cancel();
    }
    if (response!.status === 401)
      throw new ProviderError('kesspay', 'authentication', `${endpoint}: token refused twice`);
    const reply = envelope.safeParse(await readBody(response!));
    if (!reply.success)
      throw new ProviderError('kesspay', 'bad_response', `${endpoint}: answer is not a KessPay envelope`);
    if (!reply.data.success) {
      const code = reply.data.result_code ?? '';
      const message = (reply.data.message ?? reply.data.msg ?? '').slice(0, 200);
      throw new ProviderError(
        'kesspay',
        refusalCode(response!.status, code, message),
        `${endpoint}: refused ${code.slice(0, 40)} (${message})`,
      );
    }
    const data = schema.safeParse(reply.data.data);
    if (!data.success)
      throw new ProviderError('kesspay', 'bad_response', `${endpoint}: answer lacks the documented fields`);
    return data.data;
  }

  function serviceId(method: KessPayMethod): number {
    return method === 'kesspay.wechat' ? options.serviceIds.wechat : options.serviceIds.alipay;
  }

  function checkMethod(method: string): KessPayMethod {
    if (!(options.methods as readonly string[]).includes(method)) {
      throw new ProviderError('kesspay', 'invalid_request', `method ${method} is not enabled`);
    }
    return method as KessPayMethod;
  }

  function checkMoney(money: Money): void {
    if (money.currency !== options.currency) {
      throw new ProviderError(
        'kesspay',
        'invalid_request',
        `the store takes ${options.currency}, not ${money.currency}`,
      );
    }
    if (money.minor < 1) throw new ProviderError('kesspay', 'amount_out_of_range', 'the amount must be positive');
  }

  /** The fields every pay request carries. */
  function payBody(method: KessPayMethod, orderId: string, money: Money): Record<string, unknown> {
    return {
      service_id: serviceId(method),
      store_id: options.storeId,
      ...(options.subStoreName ? { sub_store_name: options.subStoreName } : {}),
      amount: formatDecimal(money),
      ...(options.feeRate ? { fee_rate: options.feeRate } : {}),
      out_trade_no: orderId,
    };
  }

  /**
   * What KessPay reports as paid, as Tender's money. With `fee_rate` the buyer pays the amount plus
   * the fee; the merchant's order is the amount, so either form counts as the order's amount.
   */
  function paidMoney(amount: string | null | undefined, expected: Money): Money | null {
    if (!amount) return null;
    let reported: Money;
    try {
      reported = parseProviderDecimal(amount, options.currency);
    } catch (cause) {
      if (cause instanceof MoneyError)
        throw new ProviderError('kesspay', 'bad_response', `amount "${amount.slice(0, 20)}" is not a decimal`);
      throw cause;
    }
    if (options.feeRate && sameMoney(reported, withFee(expected, options.feeRate))) return expected;
    return reported;
  }

  const provider: Provider = {
    id: 'kesspay',

    async offers({ money }): Promise<MethodOffer[]> {
      if (money.currency !== options.currency || money.minor < 1) return [];
      return KESSPAY_METHODS.filter((method) => (options.methods as readonly string[]).includes(method)).map(
        (method) => ({
          method,
          label: LABELS[method],
          kind: 'qr' as const,
          brand: method === 'kesspay.wechat' ? 'wechat' : 'alipay',
          fields: [],
          buyerCode: true,
        }),
      );
    },

    async createPayment(input: CreatePaymentInput): Promise<CreatePaymentResult> {
      const method = checkMethod(input.method);
      checkMoney(input.money);
      const body = payBody(method, input.orderId, input.money);

      if (input.buyerCode) {
        const code = input.buyerCode.replace(/\s/g, '');
        if (!BUYER_CODE.test(code))
          throw new ProviderError('kesspay', 'invalid_request', 'the buyer code is not a payment code');
        // QUICK PAY may hold the answer while the buyer enters a PIN (the document advises 45 s).
        const data = await call('quickPay', { ...body, auth_code: code }, chargeData);
        if (data.out_trade_no !== input.orderId)
          throw new ProviderError('kesspay', 'bad_response', 'QUICK PAY answered for another order');
        const state = chargeState(data.result_code);
        return {
          action: { type: 'none' },
          state,
          providerPaymentId: data.transaction_id ?? null,
          // Not final within 45 s: the payment is given up (docs/providers/kesspay.md).
          expiresAt: new Date(ctx.now().getTime() + 45_000),
        };
      }

      if (method === 'kesspay.wechat' && input.client?.inApp === 'wechat') {
        const data = await call('jsapiPay', body, chargeData);
        if (data.out_trade_no !== input.orderId)
          throw new ProviderError('kesspay', 'bad_response', 'JSAPI PAY answered for another order');
        const params = walletParams(data);
        if (params)
          return { action: { type: 'app', wallet: 'wechat', params }, providerPaymentId: data.transaction_id ?? null };
        throw new ProviderError('kesspay', 'bad_response', 'JSAPI PAY answered without pay parameters');
      }

      const data = await call('nativePay', body, nativePayData);
      if (data.out_trade_no !== input.orderId)
        throw new ProviderError('kesspay', 'bad_response', 'NATIVE PAY answered for another order');
      const deadline = new Date(ctx.now().getTime() + options.qrExpirySeconds * 1000);
      return {
        action: {
          type: 'qr',
          content: data.qr_code,
          // weixin:// and alipays:// codes open the wallet on the same phone; an http code only scans.
          deepLink: /^(weixin|alipays?):\/\//i.test(data.qr_code) ? data.qr_code : null,
          expiresAt: deadline < input.expiresAt ? deadline : input.expiresAt,
        },
        providerPaymentId: null,
      };
    },

    async queryPayment(input: QueryPaymentInput): Promise<PaymentStatus> {
      const data = await call(
        'checkPaymentStatus',
        { store_id: options.storeId, out_trade_no: input.orderId },
        statusData,
      );
      if (data.out_trade_no && data.out_trade_no !== input.orderId) {
        throw new ProviderError('kesspay', 'bad_response', 'CHECK PAYMENT STATUS answered for another order');
      }
      const state = paymentState(data);
      return {
        state,
        money: state === 'succeeded' ? paidMoney(data.amount, input.money) : null,
        providerPaymentId: null,
      };
    },

    pollDelayMs: kesspayPollDelayMs,

    async refund(input: RefundInput): Promise<RefundResult> {
      checkMoney(input.money);
      const method = (await methodOfOrder(input.orderId)) ?? 'kesspay.wechat';
      const data = await call(
        'refund',
        {
          service_id: serviceId(method),
          store_id: options.storeId,
          refund_amount: formatDecimal(input.money),
          out_trade_no: input.orderId,
          out_refund_no: input.refundId,
          reason: (input.reason ?? 'Refund').slice(0, 100),
        },
        refundData,
      );
      return {
        state:
          chargeState(data.result_code) === 'succeeded'
            ? 'succeeded'
            : chargeState(data.result_code) === 'pending'
              ? 'pending'
              : 'failed',
      };
    },

    async queryRefund(input: QueryRefundInput): Promise<RefundResult> {
      const data = await call(
        'checkRefundStatus',
        { store_id: options.storeId, out_trade_no: input.orderId, out_refund_no: input.refundId },
        statusData,
      );
      if (data.out_refund_no && data.out_refund_no !== input.refundId) return { state: 'pending' };
      return { state: refundState(data) };
    },
  };

  /** The refund must name the wallet the order was paid with; CHECK PAYMENT STATUS tells it. */
  async function methodOfOrder(orderId: string): Promise<KessPayMethod | null> {
    const data = await call('checkPaymentStatus', { store_id: options.storeId, out_trade_no: orderId }, statusData);
    const id = data.service_id ? Number(data.service_id) : NaN;
    if (id === options.serviceIds.wechat) return 'kesspay.wechat';
    if (id === options.serviceIds.alipay) return 'kesspay.alipay';
    return null;
  }

  return provider;
}

/** The buyer pays `amount × (1 + feeRate/100)`, rounded half up to the currency's unit. */
function withFee(money: Money, feeRate: number): Money {
  return { minor: Math.floor((money.minor * (100 + feeRate) + 50) / 100), currency: money.currency };
}

/** WeChat's JSAPI parameters, at the top of `data` or in one object within it. */
function walletParams(data: Record<string, unknown>): Record<string, string> | null {
  const candidates = [
    data,
    ...Object.values(data).filter(
      (value): value is Record<string, unknown> => typeof value === 'object' && value !== null,
    ),
  ];
  for (const candidate of candidates) {
    const pkg = candidate.package ?? candidate.packageStr;
    if (typeof candidate.paySign === 'string' && typeof pkg === 'string') {
      const out: Record<string, string> = {};
      for (const key of ['appId', 'timeStamp', 'nonceStr', 'signType', 'paySign']) {
        const value = candidate[key];
        if (typeof value === 'string') out[key] = value;
      }
      out.package = pkg;
      return out;
    }
  }
  return null;
}

async function readBody(response: Response): Promise<unknown> {
  const text = await readJsonText('kesspay', response);
  try {
    return parseJsonNumbersAsText(text);
  } catch (cause) {
    throw new ProviderError('kesspay', 'bad_response', `HTTP ${response.status} with a body that is not JSON`, {
      cause,
    });
  }
}

/** KessPay's refusals: its `result_code` where it gives one, else the words of its message. */
function refusalCode(status: number, code: string, message: string): ProviderErrorCode {
  switch (code.trim().toUpperCase()) {
    case 'INVALID_CREDENTIALS':
    case 'UNAUTHORIZED':
      return 'authentication';
    case 'OUT_TRADE_NO_USED':
    case 'OUT_REFUND_NO_USED':
      return 'duplicate_order';
    case 'ORDER_NOT_FOUND':
    case 'REFUND_NOT_FOUND':
      return 'not_found';
    case 'REFUND_AMOUNT_EXCEEDED':
    case 'ORDER_NOT_PAID':
      return 'refused';
    case 'AUTH_CODE_INVALID':
    case 'AUTH_CODE_USED':
    case 'FAIL':
      return 'declined';
    case 'INVALID_PARAMS':
    case 'SERVICE_NOT_SUPPORTED':
    case 'STORE_INVALID':
      return 'invalid_request';
  }
  const lower = message.toLowerCase();
  if (/duplicate|exist|used/.test(lower)) return 'duplicate_order';
  if (/not found|no such|unknown order/.test(lower) || status === 404) return 'not_found';
  if (/balance|insufficient|not enough/.test(lower)) return 'insufficient_funds';
  if (/declin|fail|closed/.test(lower)) return 'declined';
  return 'invalid_request';
}
