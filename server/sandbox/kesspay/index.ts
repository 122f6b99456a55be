/**
 * KessPay simulator: stands in for KessPay's "Alipay / WeChat" merchant API (GET API TOKEN, NATIVE
 * PAY, QUICK PAY, JSAPI PAY, REFUND TO BUYER, CHECK PAYMENT STATUS, CHECK REFUND STATUS), written
 * from KessPay's document alone. Where the document is silent it follows Tender's conventions, all
 * listed in docs/providers/kesspay.md; in short:
 *
 * - Paths (not in the document): `POST /api/get_token`, `/api/native_pay`, `/api/quick_pay`,
 *   `/api/jsapi_pay`, `/api/refund`, `/api/check_payment_status`, `/api/check_refund_status`
 *   (option `paths`). service_id 30 = WeChat Pay, 2 = Alipay (option `serviceIds`).
 * - get_token `{user, password}` → `{success:true, data:{message:"SUCCESS", token}}`, an HS256 JWT
 *   (`iss` www.kesspay.com) that expires 60 s after issue (option `tokenTtlSeconds`). Every other call
 *   needs `Authorization: Bearer <token>` (missing, forged or expired → HTTP 401) and
 *   `Content-Type: application/json`.
 * - Refusals are `{success:false, result_code, message}`: 400 for a bad request, 401 for credentials
 *   or token, 404 for an unknown order or refund. Fields the document does not define, duplicate JSON
 *   keys, amounts with more than two decimals (read from the JSON text, never through a float), an
 *   out_trade_no that is not 1–32 of [A-Za-z0-9_-] or was used before, and a store_id other than the
 *   merchant's are refused. `fee_rate` (percent) makes the buyer pay amount × (1 + fee_rate/100), the
 *   surcharge rounded half up to a cent: answers carry it as `total_amount`.
 * - NATIVE PAY's `qr_code` is `{publicUrl}/wallet/{out_trade_no}`, a sandbox wallet page. JSAPI PAY
 *   (WeChat Pay only) answers the document's fields with result_code SUCCESS meaning "placed", plus
 *   `pay_params` for WeixinJSBridge and a `wallet_url`. QUICK PAY charges the payer's code at once.
 * - Status checks answer the document's fields plus `status`: WAITING | USERPAYING | SUCCESS | FAILED
 *   | CLOSED (refunds: SUCCESS | PROCESSING | FAILED); `is_success` only for SUCCESS.
 * - KessPay sends no callbacks: merchants poll.
 *
 * QUICK PAY test codes (`auth_code`, 18 digits; WeChat Pay codes start 10–15, Alipay 25–30, and the
 * code must belong to the service_id's wallet), by their last four digits:
 *   0000 (and any other ending)  paid at once: result_code SUCCESS
 *   9999                         declined (insufficient balance): result_code FAIL, order FAILED
 *   1111                         the payer must enter a PIN: result_code USERPAYING; the order becomes
 *                                SUCCESS `quickPayPinSeconds` (default 6) later, or on a control
 *   2222                         USERPAYING and the payer never enters the PIN (until a control)
 *   8888                         refused AUTH_CODE_INVALID (an expired code); no order is made
 * A code presented once is never charged again: it is refused AUTH_CODE_USED (HTTP 400).
 *
 * Shopper pages (buttons named exactly Pay and Decline):
 *   GET  /wallet/:out_trade_no           the "scanned" code: merchant, amount charged, currency
 *   POST /wallet/:out_trade_no/pay       WAITING or USERPAYING → SUCCESS
 *   POST /wallet/:out_trade_no/decline   WAITING or USERPAYING → FAILED
 *
 * Test controls: the kit's (../kit/controls.ts; JSON; 404 for an unknown order or refund, 409 for one
 * already final), with faults and delay on every API route, get_token included. A fault that spoils
 * an answer lets the request be handled first unless it says `handled: false`: the payment happens
 * while its answer is lost, which an integration must survive without paying twice.
 *   GET  /_control/orders/:out_trade_no                           the order's record, with its refunds
 *   POST /_control/orders/:out_trade_no/pay | decline (fail) | expire   → SUCCESS | FAILED | CLOSED
 *   POST /_control/refunds/next {outcome: "processing" | "fail"}  the next refund stays PROCESSING, or FAILS
 *   GET  /_control/refunds/:out_refund_no                         the refund's order record
 *   POST /_control/refunds/:out_refund_no/succeed | fail          settles a PROCESSING refund
 *   GET|POST /_control/faults, /_control/delay                    the kit's switches
 *
 * State lives in memory for as long as the returned app. Orders never expire by themselves (the
 * document gives no lifetime); `expire` closes one.
 */
import type { Hono } from 'hono';
import { z } from 'zod';
import {
  control,
  ControlError,
  createApiSwitches,
  createSimulatorApp,
  mountOrderControls,
  mountSwitchControls,
  readControlBody,
  renderSandboxPage,
} from '../kit/index.ts';
import { DEFAULT_KESSPAY_PATHS, mountApi, type KessPayPaths } from './api.ts';
import { moneyText } from './fields.ts';
import { Ledger, type Order, type Refund } from './ledger.ts';
import { TokenIssuer } from './token.ts';

export { DEFAULT_KESSPAY_PATHS, classifyAuthCode, type KessPayPaths } from './api.ts';

export interface KessPaySimulatorOptions {
  /** Where it is mounted, e.g. http://localhost:8787/sandbox/kesspay. */
  publicUrl: string;
  user: string;
  password: string;
  storeId: string;
  /** The merchant account's currency (two decimals), e.g. "USD". */
  currency: string;
  /** Shown on the wallet page. */
  merchantName: string;
  paths?: Partial<KessPayPaths>;
  serviceIds?: { wechat: number; alipay: number };
  /** Token lifetime; the document says a minute. */
  tokenTtlSeconds?: number;
  /** How long a QUICK PAY payer takes to enter the PIN (test code ending 1111). */
  quickPayPinSeconds?: number;
  now?: () => Date;
}

const WALLET_NAMES = { wechat: 'WeChat Pay', alipay: 'Alipay' } as const;

/** The size of the `huge` fault's answer. */
export const HUGE_ANSWER_BYTES = 32 * 1024 * 1024;

const nextRefundSchema = z.strictObject({ outcome: z.enum(['processing', 'fail']) });

export function createKessPaySimulator(options: KessPaySimulatorOptions): Hono {
  if (!/^[A-Z]{3}$/.test(options.currency)) throw new Error('currency must be a three-letter code such as USD');
  const serviceIds = options.serviceIds ?? { wechat: 30, alipay: 2 };
  if (serviceIds.wechat === serviceIds.alipay) throw new Error('serviceIds must differ');
  const now = options.now ?? (() => new Date());
  const ledger = new Ledger(now);
  const nextRefund: { outcome: 'processing' | 'fail' | null } = { outcome: null };
  const switches = createApiSwitches({ hugeBytes: HUGE_ANSWER_BYTES, handled: true });
  const app = createSimulatorApp();

  mountApi(app, {
    publicUrl: options.publicUrl.replace(/\/+$/, ''),
    user: options.user,
    password: options.password,
    storeId: options.storeId,
    currency: options.currency,
    paths: { ...DEFAULT_KESSPAY_PATHS, ...options.paths },
    serviceIds,
    pinSeconds: options.quickPayPinSeconds ?? 6,
    now,
    ledger,
    tokens: new TokenIssuer(now, options.tokenTtlSeconds ?? 60),
    switches: switches.api,
    nextRefund,
  });

  // --- the wallet ----------------------------------------------------------------------------

  app.get('/wallet/:outTradeNo', (c) => {
    const order = ledger.find(c.req.param('outTradeNo'));
    if (!order) return c.text('This code is not known.', 404);
    c.header('Cache-Control', 'no-store');
    return c.html(walletPage(order));
  });

  app.post('/wallet/:outTradeNo/:choice{pay|decline}', (c) => {
    const order = ledger.find(c.req.param('outTradeNo'));
    if (!order) return c.text('This code is not known.', 404);
    if (order.status === 'WAITING' || order.status === 'USERPAYING') {
      if (c.req.param('choice') === 'pay') ledger.finish(order, 'SUCCESS', null);
      else ledger.finish(order, 'FAILED', 'The payer declined.');
    }
    c.header('Cache-Control', 'no-store');
    return c.html(walletPage(order));
  });

  function walletPage(order: Order) {
    const details: Array<[string, string]> = [['Order', order.outTradeNo]];
    if (order.subStoreName) details.push(['Store', order.subStoreName]);
    if (order.total !== order.amount) {
      details.push(['Price', `${moneyText(order.amount)} ${options.currency}`]);
      details.push(['Surcharge', `${moneyText(order.total - order.amount)} ${options.currency}`]);
    }
    // Form targets relative to /wallet/, so the page works at whatever host the phone reached.
    return renderSandboxPage({
      title: `${WALLET_NAMES[order.wallet]} (sandbox wallet)`,
      merchant: options.merchantName,
      amount: moneyText(order.total),
      currency: options.currency,
      payAction: `${order.outTradeNo}/pay`,
      declineAction: `${order.outTradeNo}/decline`,
      details,
      ...(outcomeText(order) ? { outcome: { text: outcomeText(order)!, continueUrl: null } } : {}),
    });
  }

  function outcomeText(order: Order): string | null {
    switch (order.status) {
      case 'WAITING':
      case 'USERPAYING':
        return null;
      case 'SUCCESS':
        return 'Paid. You can go back to the shop.';
      case 'FAILED':
        return 'Payment declined. You can go back to the shop.';
      case 'CLOSED':
        return 'This code has expired.';
    }
  }

  // --- test controls -------------------------------------------------------------------------

  function waiting(order: Order): void {
    if (order.status !== 'WAITING' && order.status !== 'USERPAYING') {
      throw new ControlError(409, `order is already ${order.status}`);
    }
  }

  mountOrderControls(app, '/_control/orders', {
    noun: 'order',
    find: (id) => ledger.find(id),
    view: describe,
    commands: {
      pay(order) {
        waiting(order);
        ledger.finish(order, 'SUCCESS', null);
      },
      decline(order) {
        waiting(order);
        ledger.finish(order, 'FAILED', 'Declined by a test control.');
      },
      expire(order) {
        waiting(order);
        ledger.finish(order, 'CLOSED', 'Expired.');
      },
    },
  });

  app.post(
    '/_control/refunds/next',
    control(async (c) => {
      nextRefund.outcome = (await readControlBody(c, nextRefundSchema)).outcome;
      return nextRefund;
    }),
  );

  mountOrderControls(app, '/_control/refunds', {
    noun: 'refund',
    find: (id) => ledger.refunds.get(id),
    view: (refund) => describe(ledger.find(refund.outTradeNo)!),
    commands: {
      succeed: (refund) => settleRefund(refund, 'SUCCESS'),
      fail: (refund) => settleRefund(refund, 'FAILED'),
    },
  });

  function settleRefund(refund: Refund, status: 'SUCCESS' | 'FAILED'): void {
    if (refund.status !== 'PROCESSING') throw new ControlError(409, `refund is already ${refund.status}`);
    refund.status = status;
    refund.finishedAt = now();
  }

  mountSwitchControls(app, switches);

  function describe(order: Order) {
    return {
      outTradeNo: order.outTradeNo,
      kind: order.kind,
      wallet: order.wallet,
      serviceId: order.serviceId,
      status: order.status,
      reason: order.reason,
      amount: moneyText(order.amount),
      feeRatePercent: order.feeRate === null ? null : moneyText(order.feeRate),
      total: moneyText(order.total),
      refundable: moneyText(ledger.refundable(order)),
      currency: options.currency,
      transactionId: order.transactionId,
      authCode: order.authCode,
      subStoreId: order.subStoreId,
      subStoreName: order.subStoreName,
      walletUrl: `${options.publicUrl.replace(/\/+$/, '')}/wallet/${order.outTradeNo}`,
      createdAt: order.createdAt.toISOString(),
      finishedAt: order.finishedAt?.toISOString() ?? null,
      pinDueAt: order.pinDueAt?.toISOString() ?? null,
      refunds: order.refunds.map((refund) => ({
        outRefundNo: refund.outRefundNo,
        amount: moneyText(refund.amount),
        reason: refund.reason,
        status: refund.status,
        createdAt: refund.createdAt.toISOString(),
        finishedAt: refund.finishedAt?.toISOString() ?? null,
      })),
    };
  }

  return app;
}
