/**
 * KessPay's API routes: get_token, the three ways to pay, refund and the two status checks. The
 * behaviour and every convention are described in ./index.ts and docs/providers/kesspay.md.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context, Hono, MiddlewareHandler } from 'hono';
import {
  chargedTotal,
  money,
  onlyFields,
  optionalText,
  readAmount,
  readBody,
  readFeeRate,
  readOrderNo,
  readServiceId,
  readStoreId,
  Refusal,
  requiredText,
  textOrInteger,
  type Body,
} from './fields.ts';
import { JsonNumber, stringifyJson, type JsonValue } from './json.ts';
import { PAYMENT_MESSAGES, REFUND_MESSAGES, type Ledger, type Order, type PayKind, type Wallet } from './ledger.ts';
import type { TokenIssuer } from './token.ts';

export interface KessPayPaths {
  getToken: string;
  nativePay: string;
  quickPay: string;
  jsapiPay: string;
  refund: string;
  checkPaymentStatus: string;
  checkRefundStatus: string;
}

export const DEFAULT_KESSPAY_PATHS: Readonly<KessPayPaths> = {
  getToken: '/api/get_token',
  nativePay: '/api/native_pay',
  quickPay: '/api/quick_pay',
  jsapiPay: '/api/jsapi_pay',
  refund: '/api/refund',
  checkPaymentStatus: '/api/check_payment_status',
  checkRefundStatus: '/api/check_refund_status',
};

export interface ApiContext {
  publicUrl: string;
  user: string;
  password: string;
  storeId: string;
  currency: string;
  paths: KessPayPaths;
  serviceIds: { wechat: number; alipay: number };
  pinSeconds: number;
  now: () => Date;
  ledger: Ledger;
  tokens: TokenIssuer;
  /** The kit's fault and delay switches, in front of every API route (get_token too). */
  switches: MiddlewareHandler;
  /** A control can make the next refund stay PROCESSING or fail. */
  nextRefund: { outcome: 'processing' | 'fail' | null };
}

/** What a QUICK PAY test code does; see the file header of ./index.ts. */
export type CodeOutcome = 'approve' | 'decline' | 'pin' | 'pin-forever' | 'expired';

/** An 18-digit payment code: WeChat Pay's start 10–15, Alipay's 25–30; the last four digits pick the outcome. */
export function classifyAuthCode(code: string): { wallet: Wallet; outcome: CodeOutcome } | null {
  if (!/^\d{18}$/.test(code)) return null;
  const prefix = Number(code.slice(0, 2));
  const wallet: Wallet | null =
    prefix >= 10 && prefix <= 15 ? 'wechat' : prefix >= 25 && prefix <= 30 ? 'alipay' : null;
  if (!wallet) return null;
  const outcomes: Record<string, CodeOutcome> = {
    '9999': 'decline',
    '1111': 'pin',
    '2222': 'pin-forever',
    '8888': 'expired',
  };
  return { wallet, outcome: outcomes[code.slice(-4)] ?? 'approve' };
}

const PAY_FIELDS = [
  'service_id',
  'store_id',
  'sub_store_id',
  'sub_store_name',
  'amount',
  'fee_rate',
  'auth_code',
  'out_trade_no',
];
const WALLET_ANSWERS: Readonly<Record<Wallet, string>> = { wechat: 'WeChat Pay', alipay: 'Alipay' };

export function mountApi(app: Hono, ctx: ApiContext): void {
  const { ledger, paths } = ctx;

  /** An API route: the switches first, then (unless it is get_token) the bearer token, then the JSON body. */
  const route = (path: string, authenticated: boolean, handle: (body: Body) => JsonValue) => {
    app.use(path, ctx.switches);
    app.post(path, async (c: Context) => {
      try {
        if (authenticated) {
          const check = ctx.tokens.check(c.req.header('authorization'));
          if (!check.ok) throw new Refusal('UNAUTHORIZED', TOKEN_MESSAGES[check.reason], 401);
        }
        const body = readBody(c.req.header('content-type'), await c.req.text());
        return answer(200, { success: true, data: handle(body) });
      } catch (error) {
        if (!(error instanceof Refusal)) throw error;
        return answer(error.httpStatus, { success: false, result_code: error.resultCode, message: error.message });
      }
    });
  };

  route(paths.getToken, false, (body) => {
    onlyFields(body, ['user', 'password']);
    const user = requiredText(body, 'user');
    const password = requiredText(body, 'password');
    if (!sameText(user, ctx.user) || !sameText(password, ctx.password)) {
      throw new Refusal('INVALID_CREDENTIALS', 'Invalid user or password.', 401);
    }
    return { message: 'SUCCESS', token: ctx.tokens.issue(user) };
  });

  route(paths.nativePay, true, (body) => {
    const order = place(body, 'native');
    return {
      qr_code: walletUrl(order),
      amount: money(order.amount),
      out_trade_no: order.outTradeNo,
      result_code: 'SUCCESS',
      total_amount: money(order.total),
    };
  });

  route(paths.jsapiPay, true, (body) => {
    const order = place(body, 'jsapi');
    return {
      amount: money(order.amount),
      currency: ctx.currency,
      out_trade_no: order.outTradeNo,
      transaction_id: order.transactionId,
      // The order is placed; it is paid only once the payer confirms (check_payment_status says when).
      result_code: 'SUCCESS',
      total_amount: money(order.total),
      pay_params: jsapiParams(order),
      wallet_url: walletUrl(order),
    };
  });

  route(paths.quickPay, true, (body) => {
    const order = place(body, 'quick');
    const resultCode = order.status === 'SUCCESS' ? 'SUCCESS' : order.status === 'USERPAYING' ? 'USERPAYING' : 'FAIL';
    return {
      amount: money(order.amount),
      currency: ctx.currency,
      out_trade_no: order.outTradeNo,
      transaction_id: order.transactionId,
      result_code: resultCode,
      total_amount: money(order.total),
      message: order.status === 'FAILED' ? `Payment Failed! ${order.reason}` : PAYMENT_MESSAGES[order.status],
    };
  });

  route(paths.refund, true, (body) => {
    onlyFields(body, ['service_id', 'store_id', 'refund_amount', 'out_trade_no', 'out_refund_no', 'reason']);
    const wallet = readServiceId(body, ctx.serviceIds);
    readStoreId(body, ctx.storeId);
    const amount = readAmount(body, 'refund_amount');
    const outTradeNo = readOrderNo(body, 'out_trade_no');
    const outRefundNo = readOrderNo(body, 'out_refund_no');
    const reason = optionalText(body, 'reason', 256);
    const order = ledger.find(outTradeNo);
    if (!order) throw new Refusal('ORDER_NOT_FOUND', 'Order not found.', 404);
    if (order.wallet !== wallet)
      throw new Refusal('INVALID_PARAMS', 'The service_id is not the one the order was paid with.');
    if (ledger.refunds.has(outRefundNo))
      throw new Refusal('OUT_REFUND_NO_USED', 'The out_refund_no has already been used.');
    if (order.status !== 'SUCCESS') throw new Refusal('ORDER_NOT_PAID', 'Only a paid order can be refunded.');
    if (amount > ledger.refundable(order)) {
      throw new Refusal('REFUND_AMOUNT_EXCEEDED', 'The refund_amount is greater than the amount left to refund.');
    }
    const outcome = ctx.nextRefund.outcome;
    ctx.nextRefund.outcome = null;
    const now = ctx.now();
    const refund = {
      outRefundNo,
      outTradeNo,
      amount,
      reason,
      status:
        outcome === 'processing'
          ? ('PROCESSING' as const)
          : outcome === 'fail'
            ? ('FAILED' as const)
            : ('SUCCESS' as const),
      createdAt: now,
      finishedAt: outcome === 'processing' ? null : now,
    };
    order.refunds.push(refund);
    ledger.refunds.set(outRefundNo, refund);
    return {
      service_id: new JsonNumber(String(order.serviceId)),
      store_id: /^\d{1,15}$/.test(ctx.storeId) ? new JsonNumber(ctx.storeId) : ctx.storeId,
      refund_amount: money(amount),
      currency: ctx.currency,
      out_trade_no: outTradeNo,
      out_refund_no: outRefundNo,
      transaction_id: order.transactionId,
      result_code: refund.status === 'FAILED' ? 'FAIL' : refund.status,
    };
  });

  route(paths.checkPaymentStatus, true, (body) => {
    onlyFields(body, ['store_id', 'out_trade_no']);
    readStoreId(body, ctx.storeId);
    const order = ledger.find(readOrderNo(body, 'out_trade_no'));
    if (!order) throw new Refusal('ORDER_NOT_FOUND', 'Order not found.', 404);
    const latest = order.refunds.at(-1);
    return {
      is_success: order.status === 'SUCCESS',
      service_id: new JsonNumber(String(order.serviceId)),
      out_trade_no: order.outTradeNo,
      amount: money(order.amount),
      out_refund_no: latest?.outRefundNo ?? null,
      currency: ctx.currency,
      message: PAYMENT_MESSAGES[order.status],
      status: order.status,
      total_amount: money(order.total),
    };
  });

  route(paths.checkRefundStatus, true, (body) => {
    onlyFields(body, ['store_id', 'out_trade_no', 'out_refund_no']);
    readStoreId(body, ctx.storeId);
    const order = ledger.find(readOrderNo(body, 'out_trade_no'));
    if (!order) throw new Refusal('ORDER_NOT_FOUND', 'Order not found.', 404);
    const wanted =
      body.out_refund_no === undefined || body.out_refund_no === null ? null : readOrderNo(body, 'out_refund_no');
    const refund = wanted ? order.refunds.find((item) => item.outRefundNo === wanted) : order.refunds.at(-1);
    if (!refund) throw new Refusal('REFUND_NOT_FOUND', 'Refund not found.', 404);
    return {
      is_success: refund.status === 'SUCCESS',
      service_id: new JsonNumber(String(order.serviceId)),
      out_trade_no: order.outTradeNo,
      amount: money(refund.amount),
      out_refund_no: refund.outRefundNo,
      currency: ctx.currency,
      message: REFUND_MESSAGES[refund.status],
      status: refund.status,
    };
  });

  /** Reads a pay request and records the order (refusing what KessPay would refuse). */
  function place(body: Body, kind: PayKind): Order {
    onlyFields(body, PAY_FIELDS);
    const wallet = readServiceId(body, ctx.serviceIds);
    readStoreId(body, ctx.storeId);
    const amount = readAmount(body, 'amount');
    const feeRate = readFeeRate(body);
    const outTradeNo = readOrderNo(body, 'out_trade_no');
    const subStoreId = textOrInteger(body, 'sub_store_id');
    if (subStoreId !== null && subStoreId.length > 64)
      throw new Refusal('INVALID_PARAMS', 'The sub_store_id is too long.');
    const subStoreName = optionalText(body, 'sub_store_name', 100);
    const authCode = textOrInteger(body, 'auth_code');
    if (authCode !== null && !/^[A-Za-z0-9_-]{1,128}$/.test(authCode)) {
      throw new Refusal('INVALID_PARAMS', 'The auth_code is not valid.');
    }
    if (kind === 'jsapi' && wallet !== 'wechat') {
      throw new Refusal('SERVICE_NOT_SUPPORTED', 'JSAPI PAY is for WeChat Pay (the payer pays inside WeChat).');
    }
    if (ledger.orders.has(outTradeNo))
      throw new Refusal('OUT_TRADE_NO_USED', 'The out_trade_no has already been used.');

    const now = ctx.now();
    const order: Order = {
      outTradeNo,
      wallet,
      serviceId: ctx.serviceIds[wallet],
      kind,
      amount,
      feeRate,
      total: chargedTotal(amount, feeRate),
      subStoreId,
      subStoreName,
      authCode,
      transactionId: ledger.transactionId(wallet),
      prepayId: kind === 'jsapi' ? `wx${compactTime(now)}${randomBytes(10).toString('hex')}` : null,
      status: 'WAITING',
      reason: null,
      createdAt: now,
      finishedAt: null,
      pinDueAt: null,
      refunds: [],
    };
    if (kind === 'quick') chargeCode(order);
    ledger.add(order);
    return order;
  }

  /** QUICK PAY: the payer's code decides at once, or after the PIN. */
  function chargeCode(order: Order): void {
    const code = order.authCode;
    if (code === null) throw new Refusal('INVALID_PARAMS', 'The auth_code field is required.');
    const found = classifyAuthCode(code);
    if (!found) {
      throw new Refusal('AUTH_CODE_INVALID', 'The auth_code is not a WeChat Pay or Alipay payment code (18 digits).');
    }
    if (ledger.usedAuthCodes.has(code)) {
      throw new Refusal('AUTH_CODE_USED', 'This payment code has already been used. Ask the payer to refresh it.');
    }
    if (found.wallet !== order.wallet) {
      throw new Refusal('AUTH_CODE_INVALID', `The auth_code is not a ${WALLET_ANSWERS[order.wallet]} payment code.`);
    }
    switch (found.outcome) {
      case 'expired':
        throw new Refusal('AUTH_CODE_INVALID', 'The payment code has expired. Ask the payer to refresh it.');
      case 'approve':
        ledger.finish(order, 'SUCCESS', null);
        return;
      case 'decline':
        ledger.finish(order, 'FAILED', "The payer's balance is insufficient.");
        return;
      case 'pin':
      case 'pin-forever':
        order.status = 'USERPAYING';
        order.pinDueAt = found.outcome === 'pin' ? new Date(ctx.now().getTime() + ctx.pinSeconds * 1000) : null;
        return;
    }
  }

  function walletUrl(order: Order): string {
    return `${ctx.publicUrl}/wallet/${order.outTradeNo}`;
  }

  /** What `WeixinJSBridge.invoke('getBrandWCPayRequest', …)` takes, signed the WeChat v2 (MD5) way. */
  function jsapiParams(order: Order): Record<string, string> {
    const params: Record<string, string> = {
      appId: `wx${createHash('sha256').update(`kesspay-sandbox:${ctx.storeId}`).digest('hex').slice(0, 16)}`,
      timeStamp: String(Math.floor(ctx.now().getTime() / 1000)),
      nonceStr: randomBytes(16).toString('hex'),
      package: `prepay_id=${order.prepayId}`,
      signType: 'MD5',
    };
    const signed = Object.keys(params)
      .sort()
      .map((key) => `${key}=${params[key]}`)
      .join('&');
    params.paySign = createHash('md5').update(`${signed}&key=${SANDBOX_WECHAT_KEY}`).digest('hex').toUpperCase();
    return params;
  }
}

/** The sandbox's stand-in for a WeChat merchant key, used only to make `paySign` well formed. */
const SANDBOX_WECHAT_KEY = 'kesspaysandboxwechatpaysignkey00';

const TOKEN_MESSAGES = {
  missing: 'Unauthorized: the Authorization Bearer token is missing.',
  invalid: 'Unauthorized: the token is invalid.',
  expired: 'Unauthorized: the token has expired.',
} as const;

function answer(status: number, body: JsonValue): Response {
  return new Response(stringifyJson(body), { status, headers: { 'Content-Type': 'application/json' } });
}

function sameText(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

function compactTime(at: Date): string {
  return at.toISOString().replace(/\D/g, '').slice(0, 14);
}
