/**
 * SanSan Fintech ("33fintech") card pay-in (docs/providers/sansan.md): a payer, a payment order, the
 * card tokens from the tokenizer frame (checkoutOrder), then 3-D Secure and authorization
 * (payOrder), which either succeeds at once, asks for a challenge, or fails. Every call is
 * `POST {baseUrl}/api/v2/pay` with a Bearer token and a sealed body (crypto.ts); every answer and
 * webhook is decrypted and verified before anything in it is read.
 */
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import { formatDecimal, MoneyError, parseProviderDecimal, type Money } from '../../domain/money.ts';
import { LIMITS } from '../../limits.ts';
import { jsonNestingExceeds } from '../http.ts';
import { parseJsonNumbersAsText } from '../json.ts';
import {
  ProviderError,
  type CreatePaymentInput,
  type CreatePaymentResult,
  type MethodOffer,
  type NotificationAck,
  type NotificationInput,
  type PaymentStatus,
  type Provider,
  type ProviderContext,
  type QueryPaymentInput,
  type QueryRefundInput,
  type RefundInput,
  type RefundResult,
  type VerifiedNotification,
} from '../provider.ts';
import { SanSanRefusal, sansanClient } from './client.ts';
import { SANSAN_METHODS, sansanOptionsSchema, type SanSanOptions } from './options.ts';
import { payerFields, payerRequest } from './payer.ts';
import { isRefundStatus, orderStatus, outcomeStep, paymentState, refundState } from './status.ts';
import {
  checkoutData,
  notice,
  noticeEnvelope,
  orderData,
  payData,
  payerData,
  queryData,
  refundData,
  type CreateOrderRequest,
  type CreatePayerRequest,
} from './wire.ts';

/** SanSan takes USD only (document). */
const CURRENCY = 'USD';

/** The webhook acknowledgement: JSON whose `code` is 0 (document; the rest of its table is cut off). */
export const SANSAN_NOTIFICATION_ACK: NotificationAck = {
  status: 200,
  body: '{"code":0}',
  contentType: 'application/json',
};

/** The fields the tokenizer frame posts (`tender-card-token`); card numbers never among them. */
export const CARD_TOKEN_FIELDS = ['sessionCard', 'sessionCvc', 'sessionId', 'cardHolderName'] as const;

/** Sent as payOrder's `userAgent` when the checkout did not pass the shopper's (fields.userAgent). */
const FALLBACK_USER_AGENT = 'Mozilla/5.0 (compatible; Tender checkout)';

/** A card number typed into a field that should hold a token: 12 to 19 digits, spaces and dashes aside. */
const LOOKS_LIKE_PAN = /^\d{12,19}$/;

/** How long a payer's id is reused for the same details (a retry after a declined card, say). */
const PAYER_TTL_MS = 6 * 3600_000;

export function createSanSanProvider(input: z.input<typeof sansanOptionsSchema>, ctx: ProviderContext): Provider {
  const options: SanSanOptions = sansanOptionsSchema.parse(input);
  const tokenizerUrl = options.tokenizerUrl ?? `${options.baseUrl}/tokenizer`;

  const { call, opened } = sansanClient(options, ctx);

  async function payerId(request: CreatePayerRequest, fresh: boolean): Promise<number> {
    const key = `sansan:payer:${createHash('sha256').update(JSON.stringify(request)).digest('hex')}`;
    if (fresh) ctx.cache.delete(key);
    return ctx.cache.getOrLoad(key, PAYER_TTL_MS, async () => {
      const data = await call('createPayer', request, payerData);
      const id = Number(data.payerID);
      if (!Number.isSafeInteger(id) || id < 1)
        throw new ProviderError('sansan', 'bad_response', 'createPayer: payerID is not an id');
      return id;
    });
  }

  /** createOrder, with a payer made again once if SanSan no longer knows the one kept. */
  async function createOrder(input: CreatePaymentInput, payer: CreatePayerRequest) {
    for (const fresh of [false, true]) {
      const request: CreateOrderRequest = {
        order_sn: input.orderId,
        currency: CURRENCY,
        amount: formatDecimal(input.money),
        payerID: await payerId(payer, fresh),
        purposeOfTransaction: options.purposeOfTransaction,
        ...(input.description ? { description: input.description.slice(0, 255) } : {}),
        skip3ds: options.skip3ds ? 'True' : 'False',
        ...(options.domain ? { domain: options.domain } : {}),
      };
      try {
        const data = await call('createOrder', request, orderData);
        if (data.order_sn !== input.orderId)
          throw new ProviderError('sansan', 'bad_response', 'createOrder answered for another order');
        return data;
      } catch (error) {
        if (!fresh && error instanceof SanSanRefusal && error.errorCode === 'PAYER_NOT_FOUND') continue;
        throw error;
      }
    }
    throw new ProviderError('sansan', 'bad_response', 'createOrder: the payer was not found twice');
  }

  /**
   * When the answer to a step that can take money (payOrder, or checkoutOrder without 3-D Secure)
   * is lost or unreadable, the order may have been paid anyway: ask once. A finished order is
   * reported as it is; otherwise the original error stands.
   */
  async function afterLostAnswer(orderId: string, error: unknown): Promise<CreatePaymentResult> {
    if (!(error instanceof ProviderError) || (error.code !== 'unavailable' && error.code !== 'bad_response'))
      throw error;
    let state;
    try {
      state = paymentState(orderStatus((await call('queryOrder', { order_sn: orderId }, queryData)).status));
    } catch {
      throw error;
    }
    if (state === 'pending') throw error;
    return { action: { type: 'none' }, state, providerPaymentId: null };
  }

  function checkMoney(money: Money): void {
    if (money.currency !== CURRENCY)
      throw new ProviderError('sansan', 'invalid_request', `SanSan takes ${CURRENCY}, not ${money.currency}`);
    if (money.minor < 1) throw new ProviderError('sansan', 'amount_out_of_range', 'the amount must be positive');
  }

  function readMoney(amount: string, what: string): Money {
    try {
      return parseProviderDecimal(amount, CURRENCY);
    } catch (cause) {
      if (cause instanceof MoneyError)
        throw new ProviderError('sansan', 'bad_response', `${what}: amount "${amount.slice(0, 20)}" is not a decimal`);
      throw cause;
    }
  }

  const provider: Provider = {
    id: 'sansan',

    async offers({ money, customer }): Promise<MethodOffer[]> {
      if (money.currency !== CURRENCY || money.minor < 1) return [];
      return SANSAN_METHODS.map((method) => ({
        method,
        label: 'Card',
        kind: 'card' as const,
        brand: 'card',
        fields: payerFields(customer),
        tokenizer: {
          url: tokenizerUrl,
          origin: new URL(tokenizerUrl).origin,
          fields: [...CARD_TOKEN_FIELDS, 'userAgent'],
        },
      }));
    },

    async createPayment(input: CreatePaymentInput): Promise<CreatePaymentResult> {
      if (!(SANSAN_METHODS as readonly string[]).includes(input.method))
        throw new ProviderError('sansan', 'invalid_request', `method ${input.method} is not SanSan's`);
      checkMoney(input.money);
      // Card numbers never pass through Tender: a field that looks like one is refused unsent
      // (and neither the value nor the field's content is logged).
      for (const [name, value] of Object.entries(input.fields)) {
        if (LOOKS_LIKE_PAN.test(value.replace(/[\s-]/g, ''))) {
          ctx.log.warn('sansan: refused a field that looks like a card number', { field: name });
          throw new ProviderError(
            'sansan',
            'invalid_request',
            `fields.${name} looks like a card number; only tokens are taken`,
          );
        }
      }
      for (const name of CARD_TOKEN_FIELDS) {
        const value = input.fields[name]?.trim();
        if (!value || value.length > 200)
          throw new ProviderError('sansan', 'invalid_request', `fields.${name} from the card tokenizer is missing`);
      }
      const fields = input.fields;
      const payer = payerRequest(input.customer, fields);

      const order = await createOrder(input, payer);
      if (order.status !== 'New')
        throw new ProviderError('sansan', 'bad_response', `createOrder: a new order is ${order.status.slice(0, 20)}`);
      const providerPaymentId = order.platform_order_sn ?? null;

      let checkout;
      try {
        checkout = await call(
          'checkoutOrder',
          {
            order_sn: input.orderId,
            linkID: order.linkID,
            cardHolderName: fields.cardHolderName!.trim().slice(0, 100),
            sessionCard: fields.sessionCard!.trim(),
            sessionCvc: fields.sessionCvc!.trim(),
            relationship: options.relationship,
          },
          checkoutData,
        );
      } catch (error) {
        if (options.skip3ds) return afterLostAnswer(input.orderId, error);
        throw error;
      }
      const afterCheckout = outcomeStep(checkout.outcome);
      if (afterCheckout !== 'pay') return finish(afterCheckout, null, providerPaymentId, options.challengeDisplay);

      let paid;
      try {
        paid = await call(
          'payOrder',
          {
            order_sn: input.orderId,
            linkID: order.linkID,
            transactionReference: checkout.transactionReference,
            sessionId: fields.sessionId!.trim(),
            userAgent: (fields.userAgent?.trim() || FALLBACK_USER_AGENT).slice(0, 2048),
            // With a return URL the challenge page sends the shopper there; in a frame it tells the checkout instead.
            ...(options.challengeDisplay === 'redirect' ? { returnUrl: input.returnUrl } : {}),
          },
          payData,
        );
      } catch (error) {
        return afterLostAnswer(input.orderId, error);
      }
      let step;
      try {
        step = outcomeStep(paid.outcome);
      } catch (error) {
        // An outcome SanSan added since: the order is watched (webhook, queryOrder) rather than given up.
        ctx.log.warn('sansan: payOrder answered an unknown outcome; the order is watched', {
          orderId: input.orderId,
          error,
        });
        return { action: { type: 'none' }, state: 'pending', providerPaymentId };
      }
      if (step === 'pay') throw new ProviderError('sansan', 'bad_response', 'payOrder answered "initialized" again');
      return finish(step, paid.challenge?.url ?? null, providerPaymentId, options.challengeDisplay);
    },

    async queryPayment(input: QueryPaymentInput): Promise<PaymentStatus> {
      const data = await call('queryOrder', { order_sn: input.orderId }, queryData);
      if (data.order_sn !== input.orderId)
        throw new ProviderError('sansan', 'bad_response', 'queryOrder answered for another order');
      if (data.currency !== CURRENCY)
        throw new ProviderError('sansan', 'bad_response', `queryOrder: currency ${data.currency.slice(0, 8)}`);
      const status = orderStatus(data.status);
      if (status === 'Chargeback') {
        ctx.log.warn('sansan: the order was charged back; the money was taken back', { orderId: input.orderId });
      }
      return {
        state: paymentState(status),
        money: readMoney(data.amount, 'queryOrder'),
        providerPaymentId: data.platform_order_sn ?? null,
      };
    },

    async refund(input: RefundInput): Promise<RefundResult> {
      checkMoney(input.money);
      const data = await call(
        'refundOrder',
        {
          order_sn: input.orderId,
          refund_sn: input.refundId,
          amount: formatDecimal(input.money),
          ...(input.reason ? { reason: input.reason.slice(0, 255) } : {}),
        },
        refundData,
      );
      if (data.order_sn !== input.orderId || data.refund_sn !== input.refundId)
        throw new ProviderError('sansan', 'bad_response', 'refundOrder answered for another refund');
      const money = readMoney(data.amount, 'refundOrder');
      if (money.minor !== input.money.minor)
        throw new ProviderError('sansan', 'bad_response', 'refundOrder answered another amount');
      return { state: refundState(orderStatus(data.status)) };
    },

    async queryRefund(input: QueryRefundInput): Promise<RefundResult> {
      const data = await call('queryOrder', { order_sn: input.orderId }, queryData);
      if (data.order_sn !== input.orderId)
        throw new ProviderError('sansan', 'bad_response', 'queryOrder answered for another order');
      const refund = (data.refunds ?? []).find((each) => each.refund_sn === input.refundId);
      // Not listed: SanSan has not taken it (yet). Pending, never failed: refunding again could pay twice.
      if (!refund) return { state: 'pending' };
      if (readMoney(refund.amount, 'queryOrder refund').minor !== input.money.minor)
        throw new ProviderError('sansan', 'bad_response', 'queryOrder lists the refund with another amount');
      return { state: refundState(orderStatus(refund.status)) };
    },

    async parseNotification({ rawBody }: NotificationInput): Promise<VerifiedNotification> {
      let body: unknown;
      try {
        body = JSON.parse(rawBody);
      } catch {
        throw new ProviderError('sansan', 'invalid_signature', 'webhook body is not JSON');
      }
      const outer = noticeEnvelope.safeParse(body);
      if (!outer.success)
        throw new ProviderError('sansan', 'invalid_signature', 'webhook is not a PaymentOrderStatus envelope');
      const plain = opened(outer.data, 'webhook', 'invalid_signature');
      if (jsonNestingExceeds(plain, LIMITS.providerAnswerDepth))
        throw new ProviderError('sansan', 'invalid_signature', 'webhook content nested too deep');
      let payload: unknown;
      try {
        payload = parseJsonNumbersAsText(plain);
      } catch {
        throw new ProviderError('sansan', 'invalid_signature', 'webhook content is not JSON');
      }
      const parsed = notice.safeParse(payload);
      if (!parsed.success)
        throw new ProviderError('sansan', 'invalid_signature', 'webhook content lacks PaymentOrderStatus');
      const news = parsed.data.PaymentOrderStatus;
      if (news.currency !== CURRENCY)
        throw new ProviderError('sansan', 'invalid_signature', `webhook currency ${news.currency.slice(0, 8)}`);
      const status = orderStatus(news.status);
      const refund = isRefundStatus(status);
      return {
        kind: refund ? 'refund' : 'payment',
        orderId: news.order_sn,
        // The webhook does not name the refund (no refund_sn); the refund checks find out which.
        ...(refund ? { refundId: null } : {}),
        claimed: refund ? refundState(status) : paymentState(status),
        // For a refund the webhook's amount is the order's, not the refund's.
        money: refund ? null : readMoney(news.amount, 'webhook'),
        // A retry of one notification differs only in `failTimes`: the key leaves it out.
        dedupeKey: `sansan:${news.order_sn}:${status}:${news.requestTime ?? ''}`,
        ack: SANSAN_NOTIFICATION_ACK,
      };
    },
  };

  return provider;
}

/** What createPayment answers once the card flow has an outcome. */
function finish(
  step: 'succeeded' | 'challenge' | 'failed',
  challengeUrl: string | null,
  providerPaymentId: string | null,
  display: 'frame' | 'redirect',
): CreatePaymentResult {
  switch (step) {
    case 'succeeded':
      // A claim: the domain confirms it with queryPayment before money counts.
      return { action: { type: 'none' }, state: 'succeeded', providerPaymentId };
    case 'failed':
      return { action: { type: 'none' }, state: 'failed', providerPaymentId };
    case 'challenge':
      if (!challengeUrl || !/^https?:$/.test(new URL(challengeUrl).protocol))
        throw new ProviderError('sansan', 'bad_response', 'payOrder asked for a challenge without its URL');
      return {
        action: { type: 'challenge', display, url: challengeUrl, method: 'GET', fields: {} },
        providerPaymentId,
      };
  }
}
