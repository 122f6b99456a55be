/**
 * OTT Pay "Payment Web API" (docs/providers/ottpay.md): QR payments through WeChat Pay, Alipay and
 * UnionPay (`ACTIVEPAY`), H5 links on phones (`H5PAY`), status query (`STATUS_QUERY`), refunds
 * (`REFUND`), the exchange rate (`EX_RATE_QUERY`) and the encrypted callback. Every message carries
 * its transaction data AES-encrypted under a key derived from an unkeyed MD5 of the data and the
 * merchant's sign key (`crypto.ts`).
 *
 * OTT Pay's account has one currency and ACTIVEPAY takes none per order, so methods are offered only
 * for sessions in `options.currency`.
 */
import type { MethodId } from '../../../widget/wire.ts';
import { exponentOf, type Money } from '../../domain/money.ts';
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
  type PaymentStatus,
  type Provider,
  type ProviderContext,
  type QueryPaymentInput,
  type QueryRefundInput,
  type RefundInput,
  type RefundResult,
  type VerifiedNotification,
} from '../provider.ts';
import { ottDecrypt, ottEncrypt } from './crypto.ts';
import {
  BIZ_TYPES,
  BRANDS,
  LABELS,
  ottpayOptionsSchema,
  type OttPayMethod,
  type OttPayOptions,
  type ResolvedOptions,
} from './options.ts';
import { errorCodeFor, mapOrderStatus } from './status.ts';
import {
  activePayResponseSchema,
  callbackDataSchema,
  callbackEnvelopeSchema,
  exRateResponseSchema,
  h5PayResponseSchema,
  responseEnvelopeSchema,
  statusQueryResponseSchema,
  type ActivePayRequest,
  type OttAction,
  type OttRequestEnvelope,
  type RefundRequest,
  type StatusQueryRequest,
} from './wire.ts';

export { ottAesKey, ottDecrypt, ottEncrypt, ottMd5 } from './crypto.ts';
export { ottpayOptionsSchema, type OttPayMethod, type OttPayOptions } from './options.ts';
export { mapOrderStatus } from './status.ts';

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

/** Leaves out empty values: Tender's convention for what takes part in the md5 (docs/providers/ottpay.md, "Conventions"). */
function withoutEmpty(data: Record<string, string>): Record<string, string> {
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
