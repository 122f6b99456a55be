/**
 * OTT Pay simulator. OTT Pay has no sandbox ("all of the test will be real transactions", seed 002),
 * so this stands in for `frontapi.ottpay.com`, speaking the same wire protocol as the real API:
 * the plain JSON envelope `{action, version, merchant_id, data, md5}` at `POST /processV2` (and the
 * `/process` and `/processV3` aliases, same envelope — PROVIDERS.md §1), transaction data encrypted
 * the Appendix A way in both directions, and the encrypted callback to `call_back_url`.
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
 *
 * Shopper pages (a sandbox QR encodes an http(s) URL of this wallet — DESIGN.md, Sandbox):
 *   GET  /wallet/:token            the "scanned" code: merchant, amount, buttons Pay and Decline
 *   POST /wallet/:token/pay        marks the order paid (order_status "success"), sends the callback
 *   POST /wallet/:token/decline    marks the order closed (order_status "closed"), sends the callback
 * ACTIVEPAY has no return URL: the shopper's browser is on the merchant page, following its events,
 * so the wallet just shows the outcome.
 *
 * Test controls (JSON in, JSON out; 404 for an unknown order):
 *   GET  /_control/orders/:orderId                  the order record, with every callback delivery
 *   POST /_control/orders/:orderId/pay              as the wallet's Pay (callback sent and awaited);
 *        `?amount=<cents>` the shopper paid that instead, `?callback=none` the callback is lost,
 *        `?omit=amount` STATUS_QUERY then answers without an amount
 *   POST /_control/orders/:orderId/decline          as the wallet's Decline (`?callback=none` too)
 *   POST /_control/orders/:orderId/expire           order_status "expired"; no callback
 *   POST /_control/orders/:orderId/callback         sends the genuine callback for the current state again
 *   POST /_control/orders/:orderId/forged-callback  sends a callback that must not verify;
 *        `?kind=md5` (default: data of another order under the md5 of this one's),
 *        `?kind=key` (genuine data encrypted under another signKey), `?kind=merchant` (another merchant_id)
 *   POST /_control/refuse-next-refund              the next REFUND is answered FAIL
 *   POST /_control/delay-next-response?ms=N         holds the next API answer N ms (a slow provider)
 *   POST /_control/tamper-next-response             the next SUCCESS answer at /processV2 carries an md5
 *        that does not match its data (`?kind=md5`, default) or data under another key (`?kind=key`)
 *
 * State is in memory and lives as long as the returned app: orders by order_id, wallet tokens
 * (random, 128 bits, so a code cannot be guessed from the order id), refunds by refund id, and each
 * order's callback deliveries. Nothing expires by itself: OTT Pay states no QR lifetime, Tender
 * expires attempts on its own clock, and `expire` is the control for the provider side.
 */
import { createCipheriv, randomBytes } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { formatDecimal } from '../../domain/money.ts';
import { ottAesKey, ottDecrypt, ottEncrypt, ottMd5 } from '../../providers/ottpay.ts';
import { renderSandboxPage } from '../kit/page.ts';

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
}

type BizType = 'WECHATPAY' | 'ALIPAY' | 'UNIONPAY';
type OrderStatus = 'processing' | 'success' | 'closed' | 'expired';

const WALLET_NAMES: Record<BizType, string> = {
  WECHATPAY: 'WeChat Pay',
  ALIPAY: 'Alipay',
  UNIONPAY: 'UnionPay',
};

export interface CallbackDelivery {
  at: string;
  forged: boolean;
  order_status: OrderStatus;
  /** HTTP status of the merchant's answer, or null when none came. */
  httpStatus: number | null;
  /** Start of the answer's body, for the test to read. */
  body: string | null;
  /** HTTP 200 with body "SUCCESS" (Tender's convention for the acknowledgement). */
  acknowledged: boolean;
  error: string | null;
}

interface Order {
  orderId: string;
  bizpayOrderId: string;
  bizType: BizType;
  /** Cents (the account currency's minor units). */
  amount: number;
  /** What the shopper actually paid, when a control made it differ from `amount`. */
  paidAmount: number | null;
  /** A control can make STATUS_QUERY and the callback leave `amount` out (its field list is not public). */
  omitAmount: boolean;
  tip: number;
  callBackUrl: string;
  token: string;
  status: OrderStatus;
  refunded: number;
  createdAt: Date;
  finishedAt: Date | null;
  callbacks: CallbackDelivery[];
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

const ORDER_ID = /^[A-Za-z0-9_-]{1,32}$/;
const CENTS = /^[1-9]\d{0,14}$/;

export function createOttPaySimulator(options: OttPaySimulatorOptions): Hono {
  const publicUrl = options.publicUrl.replace(/\/+$/, '');
  const doFetch = options.fetch ?? fetch;
  const now = options.now ?? (() => new Date());
  const callbackTimeoutMs = options.callbackTimeoutMs ?? 5000;

  const orders = new Map<string, Order>();
  const tokens = new Map<string, Order>();
  const refunds = new Map<string, Refund>();
  let bizpaySequence = 0;
  let tamperNext: 'md5' | 'key' | null = null;
  /** Milliseconds to hold the next API answer (a slow provider). */
  let delayNextMs = 0;
  /** A control makes the next REFUND answer FAIL (the provider refusing it). */
  let refuseNextRefund = false;

  const app = new Hono();

  // --- the API -------------------------------------------------------------------------------

  const processEnvelope = async (c: Context) => {
    try {
      const envelope = readEnvelope(c.req.header('content-type') ?? null, await c.req.text());
      const data = openEnvelope(envelope);
      if (delayNextMs) {
        const ms = delayNextMs;
        delayNextMs = 0;
        await new Promise((resolve) => setTimeout(resolve, ms));
      }
      const answer = handle(envelope.action, data);
      return c.json({ rsp_code: 'SUCCESS', rsp_msg: 'success', ...seal(answer) });
    } catch (error) {
      if (!(error instanceof Rejection)) throw error;
      return c.json({ rsp_code: error.code, rsp_msg: error.message }, error.httpStatus);
    }
  };
  app.post('/processV2', processEnvelope);
  app.post('/process', processEnvelope);
  app.post('/processV3', processEnvelope);

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

  function openEnvelope(envelope: Envelope): Record<string, unknown> {
    if (envelope.merchant_id !== options.merchantId) throw new Rejection('SIGN_ERROR', 'merchant_id is unknown');
    if (!['ACTIVEPAY', 'STATUS_QUERY', 'REFUND'].includes(envelope.action)) {
      throw new Rejection('PARAM_INVALID', 'action is not supported');
    }
    if (envelope.version !== '1.0') throw new Rejection('PARAM_INVALID', 'version must be 1.0');
    try {
      return ottDecrypt(envelope.data, envelope.md5, options.signKey);
    } catch {
      throw new Rejection('SIGN_ERROR', 'data does not decrypt or md5 does not match');
    }
  }

  function handle(action: string, data: Record<string, unknown>): Record<string, string> {
    switch (action) {
      case 'ACTIVEPAY':
        return activePay(data);
      case 'STATUS_QUERY':
        return statusQuery(data);
      case 'REFUND':
        return refund(data);
      default:
        throw new Rejection('PARAM_INVALID', 'action is not supported');
    }
  }

  function activePay(data: Record<string, unknown>): Record<string, string> {
    const operatorId = text(data, 'operator_id');
    if (operatorId !== options.operatorId) throw new Rejection('PARAM_INVALID', 'operator_id is invalid');
    const amount = text(data, 'amount');
    if (!amount || !CENTS.test(amount))
      throw new Rejection('PARAM_INVALID', 'amount must be a positive integer of cents');
    const tip = text(data, 'tip') ?? text(data, 'Tip') ?? '0';
    if (!/^\d{1,15}$/.test(tip)) throw new Rejection('PARAM_INVALID', 'tip must be an integer of cents');
    const bizType = text(data, 'biz_type');
    if (bizType !== 'WECHATPAY' && bizType !== 'ALIPAY' && bizType !== 'UNIONPAY') {
      throw new Rejection('PARAM_INVALID', 'biz_type is invalid');
    }
    const callBackUrl = text(data, 'call_back_url');
    if (!callBackUrl || !isHttpUrl(callBackUrl))
      throw new Rejection('PARAM_INVALID', 'call_back_url is missing or invalid');
    // order_id is optional on OTT Pay's side: it makes one when the merchant sends none.
    const orderId = text(data, 'order_id') ?? `OTT${now().getTime().toString(36)}${randomBytes(4).toString('hex')}`;
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
    return {
      order_id: order.orderId,
      bizpay_order_id: order.bizpayOrderId,
      code_url: walletUrl(order),
      amount: String(order.amount),
    };
  }

  function statusQuery(data: Record<string, unknown>): Record<string, string> {
    const orderId = text(data, 'order_id');
    if (!orderId) throw new Rejection('PARAM_INVALID', 'order_id is missing');
    const order = orders.get(orderId);
    if (!order) throw new Rejection('ORDER_NOT_EXIST', 'order does not exist');
    return withoutEmpty({
      order_id: order.orderId,
      order_status: order.status,
      amount: order.omitAmount ? '' : String(order.paidAmount ?? order.amount),
      tip: String(order.tip),
      bizpay_order_id: order.bizpayOrderId,
      biz_type: order.bizType,
      finish_time: order.finishedAt ? formatBeijing(order.finishedAt) : '',
      refund_amount: order.refunded ? String(order.refunded) : '',
    });
  }

  function refund(data: Record<string, unknown>): Record<string, string> {
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

  /** Encrypts an answer; a pending tamper control spoils exactly one answer. */
  function seal(answer: Record<string, string>): { data: string; md5: string } {
    const tamper = tamperNext;
    tamperNext = null;
    switch (tamper) {
      case null:
        return ottEncrypt(answer, options.signKey);
      case 'md5': {
        // Decrypts under the key its md5 names, but that md5 is of other data.
        const md5 = ottMd5({ ...answer, tampered: '1' });
        return { data: encryptUnder(answer, md5, options.signKey), md5 };
      }
      case 'key':
        return ottEncrypt(answer, `${options.signKey}-other`);
    }
  }

  // --- the wallet ----------------------------------------------------------------------------

  app.get('/wallet/:token', (c) => {
    const order = tokens.get(c.req.param('token'));
    if (!order) return c.text('This code is not known.', 404);
    c.header('Cache-Control', 'no-store');
    return c.html(walletPage(order, outcomeText(order)));
  });

  app.post('/wallet/:token/:choice{pay|decline}', async (c) => {
    const order = tokens.get(c.req.param('token'));
    if (!order) return c.text('This code is not known.', 404);
    if (order.status === 'processing') {
      await settle(order, c.req.param('choice') === 'pay' ? 'success' : 'closed');
    }
    return c.html(walletPage(order, outcomeText(order)));
  });

  function walletPage(order: Order, outcome: string | null) {
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

  app.get('/_control/orders/:orderId', (c) => {
    const order = orders.get(c.req.param('orderId'));
    return order ? c.json(describe(order)) : c.json({ error: 'order not found' }, 404);
  });

  app.post('/_control/orders/:orderId/:command{pay|decline|expire|callback|forged-callback}', async (c) => {
    const order = orders.get(c.req.param('orderId'));
    if (!order) return c.json({ error: 'order not found' }, 404);
    const command = c.req.param('command');
    switch (command) {
      case 'pay':
      case 'decline':
      case 'expire':
        if (order.status !== 'processing') return c.json({ error: `order is already ${order.status}` }, 409);
        if (command === 'expire') {
          finish(order, 'expired');
          break;
        }
        if (command === 'pay' && c.req.query('amount') !== undefined) {
          const paid = c.req.query('amount')!;
          if (!CENTS.test(paid)) return c.json({ error: 'amount must be a positive integer of cents' }, 400);
          order.paidAmount = Number(paid);
        }
        order.omitAmount = c.req.query('omit') === 'amount';
        if (c.req.query('callback') === 'none') finish(order, command === 'pay' ? 'success' : 'closed');
        else await settle(order, command === 'pay' ? 'success' : 'closed');
        break;
      case 'callback':
        if (order.status === 'processing') return c.json({ error: 'order is not finished yet' }, 409);
        await sendCallback(order, null);
        break;
      case 'forged-callback': {
        const kind = c.req.query('kind') ?? 'md5';
        if (kind !== 'md5' && kind !== 'key' && kind !== 'merchant')
          return c.json({ error: 'kind must be md5, key or merchant' }, 400);
        await sendCallback(order, kind);
        break;
      }
    }
    return c.json(describe(order));
  });

  app.post('/_control/refuse-next-refund', (c) => {
    refuseNextRefund = true;
    return c.json({ refuseNextRefund });
  });

  app.post('/_control/delay-next-response', (c) => {
    const ms = Number(c.req.query('ms') ?? '0');
    if (!Number.isInteger(ms) || ms < 0 || ms > 30_000) return c.json({ error: 'ms must be 0 to 30000' }, 400);
    delayNextMs = ms;
    return c.json({ delayNextMs });
  });

  app.post('/_control/tamper-next-response', (c) => {
    const kind = c.req.query('kind') ?? 'md5';
    if (kind !== 'md5' && kind !== 'key') return c.json({ error: 'kind must be md5 or key' }, 400);
    tamperNext = kind;
    return c.json({ tamperNext });
  });

  function describe(order: Order) {
    return {
      orderId: order.orderId,
      bizpayOrderId: order.bizpayOrderId,
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

  function finish(order: Order, status: OrderStatus): void {
    order.status = status;
    order.finishedAt = now();
  }

  async function settle(order: Order, status: 'success' | 'closed'): Promise<void> {
    finish(order, status);
    await sendCallback(order, null);
  }

  function callbackData(order: Order): Record<string, string> {
    return {
      order_id: order.orderId,
      amount: String(order.paidAmount ?? order.amount),
      tip: String(order.tip),
      bizpay_order_id: order.bizpayOrderId,
      merchant_id: options.merchantId,
      finish_time: formatBeijing(order.finishedAt ?? now()),
      order_status: order.status,
    };
  }

  /** Posts the callback `{rsp_code, rsp_msg, merchant_id, data, md5}` and records what came back. */
  async function sendCallback(order: Order, forged: 'md5' | 'key' | 'merchant' | null): Promise<void> {
    const data = callbackData(order);
    let sealed: { data: string; md5: string };
    let merchantId = options.merchantId;
    switch (forged) {
      case null:
        sealed = ottEncrypt(data, options.signKey);
        break;
      case 'md5': {
        // Decrypts fine under the md5 it names, but that md5 belongs to other data.
        const other = { ...data, amount: String(order.amount * 100) };
        const md5 = ottMd5(data);
        sealed = { data: encryptUnder(other, md5, options.signKey), md5 };
        break;
      }
      case 'key':
        sealed = ottEncrypt(data, `${options.signKey}-forged`);
        break;
      case 'merchant':
        merchantId = `${options.merchantId}X`;
        sealed = ottEncrypt({ ...data, merchant_id: merchantId }, options.signKey);
        break;
    }
    const body = JSON.stringify({ rsp_code: 'SUCCESS', rsp_msg: 'success', merchant_id: merchantId, ...sealed });
    const delivery: CallbackDelivery = {
      at: now().toISOString(),
      forged: forged !== null,
      order_status: order.status,
      httpStatus: null,
      body: null,
      acknowledged: false,
      error: null,
    };
    // A ref'd timer rather than AbortSignal.timeout (whose timer is unref'd): the wait must hold the
    // process open like the request it belongs to.
    const abort = new AbortController();
    const timer = setTimeout(
      () => abort.abort(new Error(`no answer within ${callbackTimeoutMs} ms`)),
      callbackTimeoutMs,
    );
    try {
      const response = await doFetch(order.callBackUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body,
        signal: abort.signal,
      });
      const answer = await response.text();
      delivery.httpStatus = response.status;
      delivery.body = answer.slice(0, 200);
      delivery.acknowledged = response.status === 200 && answer.trim() === 'SUCCESS';
    } catch (error) {
      delivery.error = error instanceof Error ? error.message : String(error);
    } finally {
      clearTimeout(timer);
    }
    order.callbacks.push(delivery);
  }

  function walletUrl(order: Order): string {
    return `${publicUrl}/wallet/${order.token}`;
  }

  return app;
}

/** AES under the key a given md5 names, whatever data the md5 was computed from (forgeries only). */
function encryptUnder(data: Record<string, string>, md5: string, signKey: string): string {
  const cipher = createCipheriv('aes-128-ecb', Buffer.from(ottAesKey(md5, signKey), 'utf8'), null);
  return Buffer.concat([cipher.update(JSON.stringify(data), 'utf8'), cipher.final()]).toString('base64');
}

function text(data: Record<string, unknown>, key: string): string | null {
  const value = data[key];
  return typeof value === 'string' && value !== '' ? value : null;
}

function withoutEmpty(data: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(data).filter(([, value]) => value !== ''));
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
