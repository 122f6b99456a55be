/**
 * OTT Pay simulator. OTT Pay has no sandbox ("all of the test will be real transactions"), so this
 * stands in for `frontapi.ottpay.com`, speaking the same wire protocol as the real API
 * (docs/providers/ottpay.md): the plain JSON envelope `{action, version, merchant_id, data, md5}`
 * at `POST /processV2` (and the `/process` and `/processV3` aliases, same envelope), transaction data
 * encrypted the Appendix A way in both directions (./crypto.ts, written from the document: nothing
 * here comes from the adapter), and the encrypted callback to `call_back_url`.
 *
 * Actions: ACTIVEPAY 1.0 (PC QR; biz_type WECHATPAY, ALIPAY or UNIONPAY), H5PAY 2.0 (mobile browser;
 * answers `payinfo`, here an http URL of this simulator's wallet page), STATUS_QUERY 1.0, REFUND 1.0
 * and EX_RATE_QUERY 1.0 (`rate` = the rate to CNY × 10^8 for `fee_type`; CAD and USD, configurable).
 *
 * It is strict, as the real API would be: it rejects a body that is not JSON, a content type other
 * than application/json, a missing envelope field, an unknown merchant_id, action or version, data
 * that does not decrypt under the key derived from the merchant's signKey, an md5 that does not match
 * the decrypted data, a wrong operator_id, an amount that is not a positive integer string of cents,
 * an unknown biz_type, a missing call_back_url and a reused order_id.
 *
 * Answers (`rsp_code`): SUCCESS; PARAM_ERROR (unreadable envelope, HTTP 400); PARAM_INVALID (a bad
 * field); ORDER_USED / ORDER_PAID (order id taken; Appendix B); FAIL (refund of an unpaid order);
 * and two codes that are Tender conventions because OTT Pay's list is cut off: SIGN_ERROR (unknown
 * merchant, data that does not decrypt or verify) and ORDER_NOT_EXIST (unknown order id).
 * Where the document leaves a form open (status spellings, callbacks with or without
 * `order_status`, numbers or strings, wrapped Base64), the dialect control picks one: ./dialect.ts.
 *
 * Shopper pages (a sandbox QR or H5 link is an http(s) URL of this wallet):
 *   GET  /wallet/:token            the "scanned" code: merchant, amount, buttons Pay and Decline
 *   POST /wallet/:token/pay        marks the order paid, sends the callback
 *   POST /wallet/:token/decline    marks the order closed, sends the callback
 * Neither action has a return URL: the shopper's browser follows the merchant page's events, so the
 * wallet just shows the outcome.
 *
 * Test controls: the kit's (../kit/controls.ts: orders, faults, delay, callback policy) with:
 *   POST /_control/orders/:orderId/pay    `?amount=<cents>` the shopper paid that instead,
 *        `?callback=none` the callback is lost, `?omit=amount` STATUS_QUERY answers without amount
 *   POST /_control/orders/:orderId/expire           no callback
 *   POST /_control/orders/:orderId/forged-callback  `?kind=md5` (default: data of another order under
 *        the md5 of this one's), `?kind=key` (another signKey), `?kind=merchant` (another merchant_id)
 *   POST /_control/refuse-next-refund              the next REFUND is answered FAIL
 *   POST /_control/tamper-next-response             the next SUCCESS answer carries an md5 that does
 *        not match its data (`?kind=md5`, default) or data under another key (`?kind=key`)
 *   GET|POST /_control/dialect                      ./dialect.ts
 *   GET|POST /_control/rates {CAD?: n, USD?: n}     EX_RATE_QUERY's rates (× 10^8)
 *
 * State is in memory and lives as long as the returned app: orders by order_id, wallet tokens
 * (random, 128 bits, so a code cannot be guessed from the order id), refunds by refund id, and each
 * order's callback deliveries. Nothing expires by itself: OTT Pay states no QR lifetime, Tender
 * expires attempts on its own clock, and `expire` is the control for the provider side.
 */
import { randomBytes } from 'node:crypto';
import type { Context, Hono } from 'hono';
import { z } from 'zod';
import { formatDecimal } from '../../domain/money.ts';
import {
  acknowledgedBy,
  callbackWanted,
  control,
  ControlError,
  createApiSwitches,
  createCallbackSender,
  createSimulatorApp,
  forgeryKind,
  mountOrderControls,
  mountSwitchControls,
  readControlBody,
  renderSandboxPage,
  type CallbackDelivery,
  type CallbackPolicy,
} from '../kit/index.ts';
import { digestOf, open, seal, sealWith, SealError, type NumberForm } from './crypto.ts';
import {
  amountValue,
  DEFAULT_DIALECT,
  ottDialectSchema,
  statusText,
  wrapData,
  type OrderState,
  type OttDialect,
} from './dialect.ts';

export { DEFAULT_DIALECT, type OttDialect } from './dialect.ts';

export interface OttPaySimulatorOptions {
  /** This simulator's own base URL, e.g. "http://localhost:8787/sandbox/ottpay". */
  publicUrl: string;
  merchantId: string;
  operatorId: string;
  signKey: string;
  /** The currency of the simulated merchant account (amounts are its minor units). */
  currency: string;
  /** Shown on the wallet page. */
  merchantName: string;
  fetch?: typeof fetch;
  now?: () => Date;
  /** How long a callback delivery is awaited before it counts as unacknowledged. */
  callbackTimeoutMs?: number;
  /** Retries of an unacknowledged callback (default: none; OTT Pay states no policy). */
  callbackRetry?: Partial<Pick<CallbackPolicy, 'attempts' | 'backoffMs'>>;
  /** EX_RATE_QUERY's rates to CNY, × 10^8, by currency. */
  exchangeRates?: Record<string, number>;
  dialect?: Partial<OttDialect>;
}

type BizType = 'WECHATPAY' | 'ALIPAY' | 'UNIONPAY';

const WALLET_NAMES: Record<BizType, string> = {
  WECHATPAY: 'WeChat Pay',
  ALIPAY: 'Alipay',
  UNIONPAY: 'UnionPay',
};

/** Sandbox rates (to CNY × 10^8); change them with the `rates` control. */
const DEFAULT_RATES: Readonly<Record<string, number>> = { CAD: 515_000_000, USD: 712_000_000 };

/** The actions this simulator speaks, each with the one version the document gives it. */
const VERSIONS: Readonly<Record<string, string>> = {
  ACTIVEPAY: '1.0',
  H5PAY: '2.0',
  STATUS_QUERY: '1.0',
  REFUND: '1.0',
  EX_RATE_QUERY: '1.0',
};

/** H5PAY's `currency_type` values (the document lists these three). */
const H5_CURRENCIES = ['CAD', 'USD', 'CNY'];

/** What the simulator sends as H5PAY's `time_zone_id` (OTT Pay is in Canada; the value is not documented). */
const TIME_ZONE_ID = 'America/Toronto';

export interface OttCallbackRecord extends CallbackDelivery {
  /** The simulator's state the callback reported. */
  order_status: OrderState;
}

interface Order {
  orderId: string;
  bizpayOrderId: string;
  action: 'ACTIVEPAY' | 'H5PAY';
  bizType: BizType;
  /** Cents (the account currency's minor units). */
  amount: number;
  /** What the shopper actually paid, when a control made it differ from `amount`. */
  paidAmount: number | null;
  /** A control can make STATUS_QUERY leave `amount` out (its field list is not public). */
  omitAmount: boolean;
  tip: number;
  callBackUrl: string;
  token: string;
  status: OrderState;
  refunded: number;
  createdAt: Date;
  finishedAt: Date | null;
  callbacks: OttCallbackRecord[];
}

interface Refund {
  refundId: string;
  orderId: string;
  amount: number;
  at: Date;
}

/** A rejection: `rsp_code` and a message, answered without data. */
class Rejection extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly httpStatus: 200 | 400 = 200,
  ) {
    super(message);
  }
}

type Data = Record<string, unknown>;
type Answer = Record<string, string | number>;

const ORDER_ID = /^[A-Za-z0-9_-]{1,32}$/;
const CENTS = /^[1-9]\d{0,14}$/;

export function createOttPaySimulator(options: OttPaySimulatorOptions): Hono {
  const publicUrl = options.publicUrl.replace(/\/+$/, '');
  const now = options.now ?? (() => new Date());
  const sender = createCallbackSender({
    fetch: options.fetch,
    now,
    timeoutMs: options.callbackTimeoutMs ?? 5000,
    ...options.callbackRetry,
  });
  const switches = createApiSwitches();

  const orders = new Map<string, Order>();
  const tokens = new Map<string, Order>();
  const refunds = new Map<string, Refund>();
  const rates = new Map(Object.entries({ ...DEFAULT_RATES, ...options.exchangeRates }));
  let dialect: OttDialect = ottDialectSchema.parse({ ...DEFAULT_DIALECT, ...options.dialect });
  let bizpaySequence = 0;
  let tamperNext: 'md5' | 'key' | null = null;
  /** A control makes the next REFUND answer FAIL (the provider refusing it). */
  let refuseNextRefund = false;

  const app = createSimulatorApp();

  // --- the API -------------------------------------------------------------------------------

  const processEnvelope = async (c: Context) => {
    try {
      const envelope = readEnvelope(c.req.header('content-type') ?? null, await c.req.text());
      const data = openEnvelope(envelope);
      const answer = handle(envelope.action, data);
      return c.json({ rsp_code: 'SUCCESS', rsp_msg: 'success', ...sealAnswer(answer) });
    } catch (error) {
      if (!(error instanceof Rejection)) throw error;
      return c.json({ rsp_code: error.code, rsp_msg: error.message }, error.httpStatus);
    }
  };
  for (const path of ['/processV2', '/process', '/processV3']) {
    app.use(path, switches.api);
    app.post(path, processEnvelope);
  }

  interface Envelope {
    action: string;
    version: string;
    merchant_id: string;
    data: string;
    md5: string;
  }

  function readEnvelope(contentType: string | null, body: string): Envelope {
    if (!contentType || !/^application\/json\s*(;|$)/i.test(contentType)) {
      throw new Rejection('PARAM_ERROR', 'Content-Type must be application/json', 400);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      throw new Rejection('PARAM_ERROR', 'body is not JSON', 400);
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new Rejection('PARAM_ERROR', 'body is not a JSON object', 400);
    }
    const fields = parsed as Record<string, unknown>;
    for (const name of ['action', 'version', 'merchant_id', 'data', 'md5'] as const) {
      const value = fields[name];
      if (typeof value !== 'string' || value === '') throw new Rejection('PARAM_ERROR', `${name} is missing`);
    }
    return fields as unknown as Envelope;
  }

  function openEnvelope(envelope: Envelope): Data {
    if (envelope.merchant_id !== options.merchantId) throw new Rejection('SIGN_ERROR', 'merchant_id is unknown');
    const version = Object.hasOwn(VERSIONS, envelope.action) ? VERSIONS[envelope.action] : undefined;
    if (!version) throw new Rejection('PARAM_INVALID', 'action is not supported');
    if (envelope.version !== version) throw new Rejection('PARAM_INVALID', `version must be ${version}`);
    try {
      return open(envelope.data, envelope.md5, options.signKey);
    } catch (error) {
      if (!(error instanceof SealError)) throw error;
      throw new Rejection('SIGN_ERROR', 'data does not decrypt or md5 does not match');
    }
  }

  function handle(action: string, data: Data): Answer {
    switch (action) {
      case 'ACTIVEPAY':
        return activePay(data);
      case 'H5PAY':
        return h5Pay(data);
      case 'STATUS_QUERY':
        return statusQuery(data);
      case 'REFUND':
        return refund(data);
      case 'EX_RATE_QUERY':
        return exchangeRate(data);
      default:
        throw new Rejection('PARAM_INVALID', 'action is not supported');
    }
  }

  /** The fields ACTIVEPAY and H5PAY share: operator, amount, callback URL and a fresh order id. */
  function newOrder(data: Data, action: Order['action'], bizType: BizType, orderId: string): Order {
    if (text(data, 'operator_id') !== options.operatorId)
      throw new Rejection('PARAM_INVALID', 'operator_id is invalid');
    const amount = text(data, 'amount');
    if (!amount || !CENTS.test(amount))
      throw new Rejection('PARAM_INVALID', 'amount must be a positive integer of cents');
    const tip = text(data, 'tip') ?? text(data, 'Tip') ?? '0';
    if (!/^\d{1,15}$/.test(tip)) throw new Rejection('PARAM_INVALID', 'tip must be an integer of cents');
    const callBackUrl = text(data, 'call_back_url');
    if (!callBackUrl || !isHttpUrl(callBackUrl))
      throw new Rejection('PARAM_INVALID', 'call_back_url is missing or invalid');
    if (!ORDER_ID.test(orderId)) throw new Rejection('PARAM_INVALID', 'order_id is invalid');
    const existing = orders.get(orderId);
    if (existing) {
      throw existing.status === 'success'
        ? new Rejection('ORDER_PAID', 'order has been paid')
        : new Rejection('ORDER_USED', 'order_id has been used');
    }
    const order: Order = {
      orderId,
      bizpayOrderId: `${formatBeijing(now()).slice(0, 8)}${String(++bizpaySequence).padStart(10, '0')}`,
      action,
      bizType,
      amount: Number(amount),
      tip: Number(tip),
      callBackUrl,
      token: randomBytes(16).toString('base64url'),
      status: 'processing',
      paidAmount: null,
      omitAmount: false,
      refunded: 0,
      createdAt: now(),
      finishedAt: null,
      callbacks: [],
    };
    orders.set(orderId, order);
    tokens.set(order.token, order);
    return order;
  }

  function activePay(data: Data): Answer {
    const bizType = text(data, 'biz_type');
    if (bizType !== 'WECHATPAY' && bizType !== 'ALIPAY' && bizType !== 'UNIONPAY') {
      throw new Rejection('PARAM_INVALID', 'biz_type is invalid');
    }
    // order_id is optional on OTT Pay's side: it makes one when the merchant sends none.
    const orderId = text(data, 'order_id') ?? `OTT${now().getTime().toString(36)}${randomBytes(4).toString('hex')}`;
    const order = newOrder(data, 'ACTIVEPAY', bizType, orderId);
    return {
      order_id: order.orderId,
      bizpay_order_id: order.bizpayOrderId,
      code_url: walletUrl(order),
      amount: amountValue(dialect, order.amount),
    };
  }

  /** H5PAY 2.0: the WeChat mobile-browser (MWEB) payment; its data names the merchant again. */
  function h5Pay(data: Data): Answer {
    if (text(data, 'merchant_id') !== options.merchantId) {
      throw new Rejection('PARAM_INVALID', 'merchant_id is missing or not the envelope merchant');
    }
    if (text(data, 'biz_type') !== 'WECHATPAY') throw new Rejection('PARAM_INVALID', 'biz_type must be WECHATPAY');
    const currency = text(data, 'currency_type');
    if (!currency || !H5_CURRENCIES.includes(currency)) {
      throw new Rejection('PARAM_INVALID', `currency_type must be one of ${H5_CURRENCIES.join(', ')}`);
    }
    // The simulated account has one currency, and amounts are its cents.
    if (currency !== options.currency)
      throw new Rejection('PARAM_INVALID', 'currency_type is not the account currency');
    const submitType = text(data, 'submit_type');
    if (submitType !== null && submitType !== 'form') throw new Rejection('PARAM_INVALID', 'submit_type must be form');
    const orderId = text(data, 'order_id');
    if (!orderId) throw new Rejection('PARAM_INVALID', 'order_id is missing');
    const order = newOrder(data, 'H5PAY', 'WECHATPAY', orderId);
    return {
      order_id: order.orderId,
      merchant_id: options.merchantId,
      amount: amountValue(dialect, order.amount + dialect.convenienceFee),
      payinfo: walletUrl(order),
      time_zone_id: TIME_ZONE_ID,
    };
  }

  function statusQuery(data: Data): Answer {
    const orderId = text(data, 'order_id');
    if (!orderId) throw new Rejection('PARAM_INVALID', 'order_id is missing');
    const order = orders.get(orderId);
    if (!order) throw new Rejection('ORDER_NOT_EXIST', 'order does not exist');
    const answer: Answer = {
      order_id: order.orderId,
      order_status: statusText(dialect, order.status),
      amount: amountValue(dialect, order.paidAmount ?? order.amount),
      tip: amountValue(dialect, order.tip),
      bizpay_order_id: order.bizpayOrderId,
      biz_type: order.bizType,
    };
    if (order.omitAmount) delete answer.amount;
    if (order.finishedAt) answer.finish_time = formatBeijing(order.finishedAt);
    if (order.refunded) answer.refund_amount = amountValue(dialect, order.refunded);
    return answer;
  }

  function refund(data: Data): Answer {
    const originalId = text(data, 'ori_order_id');
    if (!originalId) throw new Rejection('PARAM_INVALID', 'ori_order_id is missing');
    const amount = text(data, 'refund_amt');
    if (!amount || !CENTS.test(amount))
      throw new Rejection('PARAM_INVALID', 'refund_amt must be a positive integer of cents');
    const refundId = text(data, 'order_id') ?? `RF${now().getTime().toString(36)}${randomBytes(4).toString('hex')}`;
    if (!ORDER_ID.test(refundId)) throw new Rejection('PARAM_INVALID', 'order_id is invalid');
    const order = orders.get(originalId);
    if (!order) throw new Rejection('ORDER_NOT_EXIST', 'original order does not exist');
    if (refunds.has(refundId) || orders.has(refundId)) throw new Rejection('ORDER_USED', 'order_id has been used');
    if (order.status !== 'success') throw new Rejection('FAIL', 'original order is not paid');
    if (refuseNextRefund) {
      refuseNextRefund = false;
      throw new Rejection('FAIL', 'refund refused');
    }
    if (order.refunded + Number(amount) > order.amount) {
      throw new Rejection('PARAM_INVALID', 'refund_amt exceeds the refundable amount');
    }
    order.refunded += Number(amount);
    refunds.set(refundId, { refundId, orderId: originalId, amount: Number(amount), at: now() });
    return { order_id: refundId, ori_order_id: originalId, refund_amt: amount };
  }

  /** EX_RATE_QUERY: `fee_type` in, `feeType` and `rate` (to CNY, × 10^8) out. */
  function exchangeRate(data: Data): Answer {
    const feeType = text(data, 'fee_type');
    if (!feeType) throw new Rejection('PARAM_INVALID', 'fee_type is missing');
    const rate = rates.get(feeType);
    if (rate === undefined) throw new Rejection('PARAM_INVALID', 'fee_type is not supported');
    return { feeType, rate: amountValue(dialect, rate) };
  }

  function numberForm(): NumberForm {
    return dialect.amounts === 'javaNumber' ? 'javaDouble' : 'asWritten';
  }

  /** Encrypts an answer the dialect's way; a pending tamper control spoils exactly one answer. */
  function sealAnswer(answer: Answer): { data: string; md5: string } {
    const tamper = tamperNext;
    tamperNext = null;
    let sealed: { data: string; md5: string };
    switch (tamper) {
      case null:
        sealed = seal(answer, options.signKey, numberForm());
        break;
      case 'md5': {
        // Decrypts under the key its md5 names, but that md5 is of other data.
        const md5 = digestOf({ ...answer, tampered: '1' }, numberForm());
        sealed = { data: sealWith(answer, md5, options.signKey), md5 };
        break;
      }
      case 'key':
        sealed = seal(answer, `${options.signKey}-other`, numberForm());
        break;
    }
    return { data: wrapData(dialect, sealed.data), md5: sealed.md5 };
  }

  // --- the wallet ----------------------------------------------------------------------------

  app.get('/wallet/:token', (c) => {
    const order = tokens.get(c.req.param('token'));
    if (!order) return c.text('This code is not known.', 404);
    c.header('Cache-Control', 'no-store');
    return c.html(walletPage(order));
  });

  app.post('/wallet/:token/:choice{pay|decline}', async (c) => {
    const order = tokens.get(c.req.param('token'));
    if (!order) return c.text('This code is not known.', 404);
    if (order.status === 'processing') {
      await settle(order, c.req.param('choice') === 'pay' ? 'success' : 'closed', true);
    }
    return c.html(walletPage(order));
  });

  function walletPage(order: Order) {
    const outcome = outcomeText(order);
    // Form targets relative to /wallet/, so the page works at whatever host the phone reached.
    return renderSandboxPage({
      title: `${WALLET_NAMES[order.bizType]} (sandbox wallet)`,
      merchant: options.merchantName,
      amount: formatDecimal({ minor: order.amount, currency: options.currency }),
      currency: options.currency,
      payAction: `${order.token}/pay`,
      declineAction: `${order.token}/decline`,
      details: [
        ['Order', order.orderId],
        ['OTT Pay order', order.bizpayOrderId],
      ],
      ...(outcome ? { outcome: { text: outcome, continueUrl: null } } : {}),
    });
  }

  function outcomeText(order: Order): string | null {
    switch (order.status) {
      case 'processing':
        return null;
      case 'success':
        return 'Paid. You can go back to the shop.';
      case 'closed':
        return 'Payment declined. You can go back to the shop.';
      case 'expired':
        return 'This code has expired.';
    }
  }

  // --- test controls -------------------------------------------------------------------------

  function unfinished(order: Order): void {
    if (order.status !== 'processing') throw new ControlError(409, `order is already ${order.status}`);
  }

  mountOrderControls(app, '/_control/orders', {
    noun: 'order',
    find: (id) => orders.get(id),
    view: describe,
    commands: {
      async pay(order, c) {
        unfinished(order);
        const paid = c.req.query('amount');
        if (paid !== undefined) {
          if (!CENTS.test(paid)) throw new ControlError(400, 'amount must be a positive integer of cents');
          order.paidAmount = Number(paid);
        }
        order.omitAmount = c.req.query('omit') === 'amount';
        await settle(order, 'success', callbackWanted(c));
      },
      async decline(order, c) {
        unfinished(order);
        order.omitAmount = c.req.query('omit') === 'amount';
        await settle(order, 'closed', callbackWanted(c));
      },
      expire(order) {
        unfinished(order);
        finish(order, 'expired');
      },
      async callback(order) {
        if (order.status === 'processing') throw new ControlError(409, 'order is not finished yet');
        await sendCallback(order, null);
      },
      async 'forged-callback'(order, c) {
        await sendCallback(order, forgeryKind(c, ['md5', 'key', 'merchant']));
      },
    },
  });
  mountSwitchControls(app, switches, sender);

  app.post('/_control/refuse-next-refund', (c) => {
    refuseNextRefund = true;
    return c.json({ refuseNextRefund });
  });

  app.post(
    '/_control/tamper-next-response',
    control((c) => {
      tamperNext = forgeryKind(c, ['md5', 'key']);
      return { tamperNext };
    }),
  );

  app.get('/_control/dialect', (c) => c.json(dialect));
  app.post(
    '/_control/dialect',
    control(async (c) => {
      dialect = { ...dialect, ...(await readControlBody(c, ottDialectSchema.partial())) };
      return dialect;
    }),
  );

  const rateSchema = z.record(z.string().regex(/^[A-Z]{3}$/), z.number().int().min(1).max(1e12));
  app.get('/_control/rates', (c) => c.json(Object.fromEntries(rates)));
  app.post(
    '/_control/rates',
    control(async (c) => {
      for (const [currency, rate] of Object.entries(await readControlBody(c, rateSchema))) rates.set(currency, rate);
      return Object.fromEntries(rates);
    }),
  );

  function describe(order: Order) {
    return {
      orderId: order.orderId,
      bizpayOrderId: order.bizpayOrderId,
      action: order.action,
      bizType: order.bizType,
      amount: String(order.amount),
      currency: options.currency,
      status: order.status,
      refunded: String(order.refunded),
      refunds: [...refunds.values()]
        .filter((item) => item.orderId === order.orderId)
        .map((item) => ({ refundId: item.refundId, amount: String(item.amount), at: item.at.toISOString() })),
      callBackUrl: order.callBackUrl,
      walletUrl: walletUrl(order),
      createdAt: order.createdAt.toISOString(),
      finishedAt: order.finishedAt?.toISOString() ?? null,
      callbacks: order.callbacks,
    };
  }

  // --- settling and calling back -------------------------------------------------------------

  function finish(order: Order, status: OrderState): void {
    order.status = status;
    order.finishedAt = now();
  }

  async function settle(order: Order, status: 'success' | 'closed', callBack: boolean): Promise<void> {
    finish(order, status);
    if (callBack) await sendCallback(order, null);
  }

  /** The decrypted callback data (the v1 callback's fields; `order_status` as the dialect says). */
  function callbackData(order: Order): Answer {
    const data: Answer = {
      order_id: order.orderId,
      amount: amountValue(dialect, order.paidAmount ?? order.amount),
      tip: amountValue(dialect, order.tip),
      bizpay_order_id: order.bizpayOrderId,
      merchant_id: options.merchantId,
      finish_time: formatBeijing(order.finishedAt ?? now()),
    };
    if (dialect.callbackOrderStatus === 'present') data.order_status = statusText(dialect, order.status);
    return data;
  }

  /** Posts the callback `{rsp_code, rsp_msg, merchant_id, data, md5}` and records what came back. */
  async function sendCallback(order: Order, forged: 'md5' | 'key' | 'merchant' | null): Promise<void> {
    const data = callbackData(order);
    const numbers = numberForm();
    let sealed: { data: string; md5: string };
    let merchantId = options.merchantId;
    switch (forged) {
      case null:
        sealed = seal(data, options.signKey, numbers);
        break;
      case 'md5': {
        // Decrypts fine under the md5 it names, but that md5 belongs to other data.
        const md5 = digestOf(data, numbers);
        sealed = { data: sealWith({ ...data, amount: String(order.amount * 100) }, md5, options.signKey), md5 };
        break;
      }
      case 'key':
        sealed = seal(data, `${options.signKey}-forged`, numbers);
        break;
      case 'merchant':
        merchantId = `${options.merchantId}X`;
        sealed = seal({ ...data, merchant_id: merchantId }, options.signKey, numbers);
        break;
    }
    // Without order_status, only rsp_code says whether the order was paid.
    const paid = order.status === 'success' || dialect.callbackOrderStatus === 'present';
    const body = JSON.stringify({
      rsp_code: paid ? 'SUCCESS' : 'FAIL',
      rsp_msg: paid ? 'success' : 'fail',
      merchant_id: merchantId,
      data: wrapData(dialect, sealed.data),
      md5: sealed.md5,
    });
    const delivery = await sender.send({
      url: order.callBackUrl,
      body,
      forged: forged !== null,
      // Tender's convention for the acknowledgement (OTT Pay documents none): HTTP 200 "SUCCESS".
      acknowledged: acknowledgedBy('SUCCESS'),
    });
    order.callbacks.push({ ...delivery, order_status: order.status });
  }

  function walletUrl(order: Order): string {
    return `${publicUrl}/wallet/${order.token}`;
  }

  return app;
}

function text(data: Data, key: string): string | null {
  const value = data[key];
  return typeof value === 'string' && value !== '' ? value : null;
}

function isHttpUrl(value: string): boolean {
  try {
    return /^https?:$/.test(new URL(value).protocol);
  } catch {
    return false;
  }
}

/** yyyyMMddHHmmss in Beijing time (UTC+8, no daylight saving), as OTT Pay's `finish_time`. */
function formatBeijing(at: Date): string {
  return new Date(at.getTime() + 8 * 3600_000).toISOString().replace(/\D/g, '').slice(0, 14);
}
