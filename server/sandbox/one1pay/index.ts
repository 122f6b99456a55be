/**
 * One1Pay simulator: a Hono app that speaks One1Pay's wire protocol (docs/providers/one1pay.md) on
 * the document's paths, relative to wherever it is mounted (the BFF mounts it at /sandbox/one1pay).
 *
 * Strict where the real provider is (the messages are the document's own):
 * - bodies must be multipart/form-data; application/x-www-form-urlencoded is accepted too, because
 *   a PHP endpoint reads both into $_POST alike. Anything else (JSON) reads as no fields at all and is
 *   answered "Params missing.";
 * - a wrong username or api_key → "Params incorrect"; an auth code this simulator did not issue, that
 *   was used already, or that is older than 10 minutes → "Params incorrect.". Each code is good for
 *   one call (the document's flow asks for a new code per order);
 * - a missing field → "Params missing."; a bad email → "email incorrect."; an order id that exists or
 *   is not 1–50 chars of [A-Za-z0-9_-] → "Order ID Exist."; an amount outside the currency's limits,
 *   with more decimals than the currency has, or in a currency not listed → "Invalid Amount.";
 *   a bank not listed for the currency → "bank_id invalid."; a pay_method other than thaiqr or
 *   truemoney → "pay_method invalid."; a redirect_url or callback_url that is not http(s) →
 *   "redirect_url invalid." / "callback_url invalid.";
 * - withdrawals use the document's other wording: "Params incorrect", "bank_id invalid.",
 *   "Amount Invalid!", "Order id exist!", "Balance not enough!".
 * Every answer is HTTP 200 with JSON, as the document shows; amounts are JSON numbers with four
 * decimals (`300.0000`) like its examples.
 *
 * Tender conventions the document does not settle (docs/providers/one1pay.md):
 * - check_status / check_withdraw_status of an unknown id → `{status:false, message:"Order not found."}`;
 * - `token` = lowercase hex MD5(callbackSecret + the merchant's orderid), as the document's note says;
 * - a callback counts as acknowledged when the merchant answers HTTP 200 with body `success`.
 * Where the document is open, the dialect control (`GET|POST /_control/dialect`) picks the form:
 * - `callbackOrderId`: `merchant` (default) puts the merchant's `orderid` in the callback's
 *   `order_id`; `platform` puts One1Pay's `payment_id` there (the document's success example shows
 *   "20073", its failure example "Example_123"). The token covers the merchant's orderid either way;
 * - `json`: `clean` (default) or `trailingCommas`, written like the document's examples (`"type":"deposit",}`),
 *   for callbacks and API answers alike.
 *
 * The shopper's page: `p_url` is `{publicUrl}/pay/{payment_id}`. GET shows the order with the buttons
 * "Pay" and "Decline"; each POSTs to `/pay/{payment_id}/pay` or `/decline`, which settles the order,
 * sends the callback (awaited, with a timeout) and redirects (303) to the order's `redirect_url`.
 * A settled order is never changed again: its page shows the outcome.
 *
 * Test controls: the kit's (../kit/controls.ts: orders, faults on the API routes /merchant/* and
 * /wallet/*, delay, callback policy), with these details. Each answers the order's record as JSON,
 * or 404 for an unknown order and 409 when a settled order is asked to change:
 * - `POST /_control/orders/:orderid/pay` — the shopper pays; `?amount=90.00` pays a different amount
 *   than was ordered (the record and check_status then report what was paid); `?callback=none`
 *   (here and on decline/expire) settles the order but loses its callback, as a network might;
 * - `POST /_control/orders/:orderid/decline` (or `fail`) and `…/expire` — the order becomes `fail`;
 * - `POST /_control/orders/:orderid/callback` — resends the callback for the current state;
 * - `POST /_control/orders/:orderid/forged-callback` — sends one whose token is wrong;
 * - `GET  /_control/orders/:orderid` — the record, with every callback delivery and its result;
 * - `POST /_control/withdrawals/:orderid/complete | fail | reject | callback | forged-callback` and
 *   `GET /_control/withdrawals/:orderid` — the same for payouts (which start as "proccess", sic).
 * Pay, decline, expire and the withdrawal outcomes send the callback too.
 *
 * NOTE: all state (orders, auth codes, balances) lives in memory, per simulator instance, and is lost
 * on restart. The wallet starts with 100000.00 THB; completed deposits add their amount less a 3%
 * charge; a withdrawal holds its amount at once and gives it back if it fails or is rejected.
 */
import { createHash, randomBytes, randomInt } from 'node:crypto';
import type { Context, Hono } from 'hono';
import { z } from 'zod';
import {
  acknowledgedBy,
  callbackWanted,
  control,
  ControlError,
  createApiSwitches,
  createCallbackSender,
  createSimulatorApp,
  mountOrderControls,
  mountSwitchControls,
  readControlBody,
  renderSandboxPage,
  type CallbackDelivery,
  type CallbackPolicy,
} from '../kit/index.ts';

export interface One1PaySimulatorOptions {
  /** This simulator's own base URL, e.g. http://localhost:8787/sandbox/one1pay. */
  publicUrl: string;
  username: string;
  apiKey: string;
  callbackSecret: string;
  merchantName: string;
  /** Used to deliver callbacks. */
  fetch?: typeof fetch;
  now?: () => Date;
  /** How long a callback delivery may take before it is recorded as failed. */
  callbackTimeoutMs?: number;
  /** Retries of an unacknowledged callback (default: none; One1Pay states no policy). */
  callbackRetry?: Partial<Pick<CallbackPolicy, 'attempts' | 'backoffMs'>>;
  dialect?: Partial<One1PayDialect>;
}

export const one1PayDialectSchema = z.strictObject({
  callbackOrderId: z.enum(['merchant', 'platform']),
  json: z.enum(['clean', 'trailingCommas']),
});

export type One1PayDialect = z.output<typeof one1PayDialectSchema>;

export const DEFAULT_ONE1PAY_DIALECT: Readonly<One1PayDialect> = { callbackOrderId: 'merchant', json: 'clean' };

interface CurrencyRule {
  decimals: number;
  /** Limits in minor units. */
  min: number;
  max: number;
}

/** The currencies the document lists, with limits picked for the sandbox. */
const CURRENCIES: Readonly<Record<string, CurrencyRule>> = {
  THB: { decimals: 2, min: 100_00, max: 50_000_00 },
  MYR: { decimals: 2, min: 10_00, max: 5_000_00 },
  CNY: { decimals: 2, min: 20_00, max: 20_000_00 },
  VND: { decimals: 0, min: 50_000, max: 50_000_000 },
  INR: { decimals: 2, min: 100_00, max: 100_000_00 },
  SGD: { decimals: 2, min: 5_00, max: 5_000_00 },
  BDT: { decimals: 2, min: 200_00, max: 50_000_00 },
  'USDT-TRC20': { decimals: 6, min: 10_000000, max: 10_000_000000 },
};

interface BankEntry {
  id: string;
  currency: string;
  bank_name: string;
}

const DEPOSIT_BANKS: readonly BankEntry[] = [
  { id: '1', currency: 'THB', bank_name: 'Siam Commercial Bank' },
  { id: '2', currency: 'THB', bank_name: 'Kasikornbank' },
  { id: '3', currency: 'THB', bank_name: 'Bangkok Bank' },
  { id: '4', currency: 'THB', bank_name: 'Krungthai Bank' },
  { id: '5', currency: 'THB', bank_name: 'Krungsri (Bank of Ayudhya)' },
  { id: '21', currency: 'MYR', bank_name: 'Maybank' },
  { id: '22', currency: 'MYR', bank_name: 'CIMB Bank' },
  { id: '23', currency: 'MYR', bank_name: 'Public Bank' },
];

const WITHDRAW_BANKS: readonly BankEntry[] = [
  { id: '101', currency: 'THB', bank_name: 'Siam Commercial Bank' },
  { id: '102', currency: 'THB', bank_name: 'Kasikornbank' },
  { id: '103', currency: 'THB', bank_name: 'Bangkok Bank' },
  { id: '104', currency: 'THB', bank_name: 'Krungthai Bank' },
  { id: '105', currency: 'THB', bank_name: 'Krungsri (Bank of Ayudhya)' },
  { id: '106', currency: 'THB', bank_name: 'TMBThanachart Bank' },
  { id: '121', currency: 'MYR', bank_name: 'Maybank' },
  { id: '122', currency: 'MYR', bank_name: 'CIMB Bank' },
];

const PAY_METHODS: Readonly<Record<string, string>> = { thaiqr: 'Thai QR', truemoney: 'TrueMoney' };

const AUTH_TTL_MS = 10 * 60_000;
const DEPOSIT_CHARGE_PERCENT = 3;
const STARTING_BALANCES: Readonly<Record<string, number>> = { THB: 100_000_00 };

interface Deposit {
  paymentId: string;
  orderId: string;
  currency: string;
  amountMinor: number;
  /** What the shopper paid, once paid; usually `amountMinor`. */
  paidMinor: number | null;
  chargeMinor: number;
  email: string;
  phoneNumber: string;
  redirectUrl: string;
  holderName: string;
  bankAccount: string;
  bankId: string;
  payMethod: string;
  callbackUrl: string | null;
  status: 'pending' | 'completed' | 'fail';
  createdAt: Date;
  updatedAt: Date;
  callbacks: CallbackDelivery[];
}

interface Withdrawal {
  paymentId: string;
  orderId: string;
  currency: string;
  amountMinor: number;
  bankId: string;
  bankBranch: string | null;
  holderName: string;
  accountNo: string;
  callbackUrl: string | null;
  status: 'proccess' | 'completed' | 'fail' | 'rejected';
  remarks: string;
  createdAt: Date;
  updatedAt: Date;
  callbacks: CallbackDelivery[];
}

type Form = Record<string, string>;

export function createOne1PaySimulator(options: One1PaySimulatorOptions): Hono {
  const publicUrl = options.publicUrl.replace(/\/+$/, '');
  const now = options.now ?? (() => new Date());
  const sender = createCallbackSender({
    fetch: options.fetch,
    now,
    timeoutMs: options.callbackTimeoutMs ?? 5_000,
    ...options.callbackRetry,
  });
  const switches = createApiSwitches();
  let dialect: One1PayDialect = one1PayDialectSchema.parse({ ...DEFAULT_ONE1PAY_DIALECT, ...options.dialect });

  const authCodes = new Map<string, number>();
  const deposits = new Map<string, Deposit>();
  const depositsByPaymentId = new Map<string, Deposit>();
  const withdrawals = new Map<string, Withdrawal>();
  const balances = new Map<string, number>(Object.entries(STARTING_BALANCES));
  let sequence = 0;

  const app = createSimulatorApp();
  for (const path of ['/merchant/*', '/wallet/*']) app.use(path, switches.api);

  function refuse(c: Context, message: string): Response {
    return answer(c, { status: false, message });
  }

  function answer(c: Context, body: Record<string, unknown>): Response {
    return c.body(toJson(body, dialect), 200, { 'content-type': 'application/json' });
  }

  // --- the API -------------------------------------------------------------------------------

  app.post('/merchant/currency', async (c) => {
    const form = await readForm(c);
    if (!form || !form.username) return refuse(c, 'Params missing.');
    if (form.username !== options.username) return refuse(c, 'Params incorrect');
    return answer(c, {
      status: true,
      rate: Object.entries(CURRENCIES).map(([currency, rule]) => ({
        currency,
        min: wireNumber(rule.min, rule.decimals),
        max: wireNumber(rule.max, rule.decimals),
      })),
    });
  });

  app.post('/merchant/auth', async (c) => {
    const form = await readForm(c);
    if (!form || !form.username || !form.api_key) return refuse(c, 'Params missing.');
    if (form.username !== options.username || form.api_key !== options.apiKey) return refuse(c, 'Params incorrect');
    const code = randomCode(20);
    authCodes.set(code, now().getTime());
    return answer(c, { status: true, auth: code });
  });

  app.post('/merchant/generate_orders', async (c) => {
    const form = await readForm(c);
    const fields = [
      'username',
      'auth',
      'amount',
      'currency',
      'orderid',
      'email',
      'phone_number',
      'redirect_url',
      'customer_bank_holder_name',
      'customer_bank_account',
      'bank_id',
      'pay_method',
    ] as const;
    if (!form || fields.some((name) => !form[name])) return refuse(c, 'Params missing.');
    if (!consumeAuth(form.auth!) || form.username !== options.username) return refuse(c, 'Params incorrect.');
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(form.email!)) return refuse(c, 'email incorrect.');
    const orderId = form.orderid!;
    if (!isOrderId(orderId) || deposits.has(orderId)) return refuse(c, 'Order ID Exist.');
    const currency = form.currency!;
    const rule = CURRENCIES[currency];
    const amountMinor = rule ? parseAmount(form.amount!, rule.decimals) : null;
    if (!rule || amountMinor === null || amountMinor < rule.min || amountMinor > rule.max) {
      return refuse(c, 'Invalid Amount.');
    }
    if (!Object.hasOwn(PAY_METHODS, form.pay_method!)) return refuse(c, 'pay_method invalid.');
    if (!DEPOSIT_BANKS.some((bank) => bank.id === form.bank_id && bank.currency === currency)) {
      return refuse(c, 'bank_id invalid.');
    }
    if (!isHttpUrl(form.redirect_url!)) return refuse(c, 'redirect_url invalid.');
    const callbackUrl = form.callback_url || null;
    if (callbackUrl !== null && !isHttpUrl(callbackUrl)) return refuse(c, 'callback_url invalid.');

    const at = now();
    const order: Deposit = {
      paymentId: nextPaymentId(1),
      orderId,
      currency,
      amountMinor,
      paidMinor: null,
      chargeMinor: 0,
      email: form.email!,
      phoneNumber: form.phone_number!,
      redirectUrl: form.redirect_url!,
      holderName: form.customer_bank_holder_name!,
      bankAccount: form.customer_bank_account!,
      bankId: form.bank_id!,
      payMethod: form.pay_method!,
      callbackUrl,
      status: 'pending',
      createdAt: at,
      updatedAt: at,
      callbacks: [],
    };
    deposits.set(orderId, order);
    depositsByPaymentId.set(order.paymentId, order);
    return answer(c, { status: true, p_url: `${publicUrl}/pay/${order.paymentId}`, payment_id: order.paymentId });
  });

  app.post('/merchant/check_status', async (c) => {
    const form = await readForm(c);
    if (!form || !form.username || !form.id) return refuse(c, 'Params missing.');
    if (form.username !== options.username) return refuse(c, 'Params incorrect');
    const order = deposits.get(form.id);
    if (!order) return refuse(c, 'Order not found.');
    return answer(c, {
      status: true,
      order_status: order.status,
      order_datetime: providerTime(order.updatedAt),
      amount: wireNumber(order.paidMinor ?? order.amountMinor, decimalsOf(order.currency)),
      currency: order.currency,
    });
  });

  app.post('/wallet/bank_list', (c) => bankList(c, DEPOSIT_BANKS));
  app.post('/wallet/withdraw_bank_list', (c) => bankList(c, WITHDRAW_BANKS));

  app.post('/merchant/withdraw_orders', async (c) => {
    const form = await readForm(c);
    const fields = ['auth', 'amount', 'currency', 'orderid', 'bank_id', 'holder_name', 'account_no'] as const;
    if (!form || fields.some((name) => !form[name])) return refuse(c, 'Params missing.');
    // The document's withdraw_orders takes no username: the auth code names the merchant.
    if (!consumeAuth(form.auth!)) return refuse(c, 'Params incorrect');
    const orderId = form.orderid!;
    if (!isOrderId(orderId) || withdrawals.has(orderId)) return refuse(c, 'Order id exist!');
    const currency = form.currency!;
    if (!WITHDRAW_BANKS.some((bank) => bank.id === form.bank_id && bank.currency === currency)) {
      return refuse(c, 'bank_id invalid.');
    }
    const rule = CURRENCIES[currency];
    const amountMinor = rule ? parseAmount(form.amount!, rule.decimals) : null;
    if (amountMinor === null || amountMinor <= 0) return refuse(c, 'Amount Invalid!');
    const balance = balances.get(currency) ?? 0;
    if (balance < amountMinor) return refuse(c, 'Balance not enough!');
    const callbackUrl = form.callback_url || null;
    if (callbackUrl !== null && !isHttpUrl(callbackUrl)) return refuse(c, 'callback_url invalid.');

    balances.set(currency, balance - amountMinor);
    const at = now();
    const payout: Withdrawal = {
      paymentId: nextPaymentId(330),
      orderId,
      currency,
      amountMinor,
      bankId: form.bank_id!,
      bankBranch: form.bank_branch || null,
      holderName: form.holder_name!,
      accountNo: form.account_no!,
      callbackUrl,
      status: 'proccess',
      remarks: '',
      createdAt: at,
      updatedAt: at,
      callbacks: [],
    };
    withdrawals.set(orderId, payout);
    return answer(c, { status: true, message: 'Success', payment_id: payout.paymentId });
  });

  app.post('/merchant/check_withdraw_status', async (c) => {
    const form = await readForm(c);
    if (!form || !form.username || !form.id) return refuse(c, 'Params missing.');
    if (form.username !== options.username) return refuse(c, 'Params incorrect');
    const payout = withdrawals.get(form.id);
    if (!payout) return refuse(c, 'Order not found.');
    return answer(c, {
      status: true,
      order_status: payout.status,
      order_datetime: providerTime(payout.updatedAt),
      amount: wireNumber(payout.amountMinor, decimalsOf(payout.currency)),
      currency: payout.currency,
    });
  });

  app.post('/wallet/get_balance', async (c) => {
    const form = await readForm(c);
    if (!form || !form.auth || !form.currency) return refuse(c, 'Params missing.');
    if (!consumeAuth(form.auth)) return refuse(c, 'Params incorrect');
    const rule = CURRENCIES[form.currency];
    if (!rule) return refuse(c, 'currency invalid.');
    // The document shows the balance as a string with two decimals ("0.00").
    return answer(c, { status: true, balance: decimalText(balances.get(form.currency) ?? 0, rule.decimals) });
  });

  // --- the shopper's page --------------------------------------------------------------------

  app.get('/pay/:paymentId', (c) => {
    const order = depositsByPaymentId.get(c.req.param('paymentId'));
    if (!order) return c.text('This payment link is not known to the One1Pay sandbox.', 404);
    return c.html(paymentPage(order));
  });

  for (const [action, outcome] of [
    ['pay', 'completed'],
    ['decline', 'fail'],
  ] as const) {
    app.post(`/pay/:paymentId/${action}`, async (c) => {
      const order = depositsByPaymentId.get(c.req.param('paymentId'));
      if (!order) return c.text('This payment link is not known to the One1Pay sandbox.', 404);
      if (!(await settleDeposit(order, outcome))) return c.html(paymentPage(order));
      return c.redirect(order.redirectUrl, 303);
    });
  }

  // --- test controls -------------------------------------------------------------------------

  const unsettled = () => new ControlError(409, 'the order is settled already');

  mountOrderControls(app, '/_control/orders', {
    noun: 'order',
    find: (id) => deposits.get(id),
    view: depositView,
    commands: {
      async pay(order, c) {
        const paid = c.req.query('amount');
        const paidMinor = paid === undefined ? order.amountMinor : parseAmount(paid, decimalsOf(order.currency));
        if (paidMinor === null) throw new ControlError(400, 'amount is not a decimal for this currency');
        if (!(await settleDeposit(order, 'completed', paidMinor, { deliver: callbackWanted(c) }))) throw unsettled();
      },
      async decline(order, c) {
        if (!(await settleDeposit(order, 'fail', order.amountMinor, { deliver: callbackWanted(c) }))) throw unsettled();
      },
      async expire(order, c) {
        if (!(await settleDeposit(order, 'fail', order.amountMinor, { deliver: callbackWanted(c) }))) throw unsettled();
      },
      callback: (order) => deliverDepositCallback(order, false),
      'forged-callback': (order) => deliverDepositCallback(order, true),
    },
  });

  mountOrderControls(app, '/_control/withdrawals', {
    noun: 'withdrawal',
    find: (id) => withdrawals.get(id),
    view: withdrawalView,
    commands: {
      async complete(payout) {
        if (!(await settleWithdrawal(payout, 'completed', 'Success'))) throw unsettled();
      },
      async fail(payout) {
        if (!(await settleWithdrawal(payout, 'fail', 'Account Holder Name Mismatch'))) throw unsettled();
      },
      async reject(payout) {
        if (!(await settleWithdrawal(payout, 'rejected', 'Rejected by operator'))) throw unsettled();
      },
      callback: (payout) => deliverWithdrawalCallback(payout, false),
      'forged-callback': (payout) => deliverWithdrawalCallback(payout, true),
    },
  });

  mountSwitchControls(app, switches, sender);

  app.get('/_control/dialect', (c) => c.json(dialect));
  app.post(
    '/_control/dialect',
    control(async (c) => {
      dialect = { ...dialect, ...(await readControlBody(c, one1PayDialectSchema.partial())) };
      return dialect;
    }),
  );

  return app;

  // --- helpers that need the state -----------------------------------------------------------

  function consumeAuth(code: string): boolean {
    const issued = authCodes.get(code);
    if (issued === undefined) return false;
    authCodes.delete(code);
    return now().getTime() - issued <= AUTH_TTL_MS;
  }

  function nextPaymentId(channel: number): string {
    sequence += 1;
    return `${String(sequence).padStart(6, '0')}_${channel}_${randomInt(100, 1000)}`;
  }

  async function bankList(c: Context, banks: readonly BankEntry[]): Promise<Response> {
    const form = await readForm(c);
    if (!form || !form.username) return refuse(c, 'Params missing.');
    if (form.username !== options.username) return refuse(c, 'Params incorrect');
    // `currency` is optional: without it every bank is listed.
    const data = form.currency ? banks.filter((bank) => bank.currency === form.currency) : banks;
    return answer(c, { status: true, data: data.map((bank) => ({ ...bank })) });
  }

  /** Settles a pending order and sends its callback; false when it was settled before. */
  async function settleDeposit(
    order: Deposit,
    outcome: 'completed' | 'fail',
    paidMinor = order.amountMinor,
    { deliver = true } = {},
  ): Promise<boolean> {
    // Decided before the first await, so two clicks racing cannot both settle the order.
    if (order.status !== 'pending') return false;
    order.status = outcome;
    order.updatedAt = now();
    if (outcome === 'completed') {
      order.paidMinor = paidMinor;
      order.chargeMinor = Math.round((paidMinor * DEPOSIT_CHARGE_PERCENT) / 100);
      balances.set(order.currency, (balances.get(order.currency) ?? 0) + paidMinor - order.chargeMinor);
    }
    if (deliver) await deliverDepositCallback(order, false);
    return true;
  }

  async function settleWithdrawal(
    payout: Withdrawal,
    outcome: 'completed' | 'fail' | 'rejected',
    remarks: string,
  ): Promise<boolean> {
    if (payout.status !== 'proccess') return false;
    payout.status = outcome;
    payout.remarks = remarks;
    payout.updatedAt = now();
    if (outcome !== 'completed') {
      balances.set(payout.currency, (balances.get(payout.currency) ?? 0) + payout.amountMinor);
    }
    await deliverWithdrawalCallback(payout, false);
    return true;
  }

  function token(orderId: string, forged: boolean): string {
    const key = forged ? `not-${options.callbackSecret}` : options.callbackSecret;
    return createHash('md5')
      .update(key + orderId, 'utf8')
      .digest('hex');
  }

  /** The callback's `order_id`: the merchant's orderid, or One1Pay's payment id (dialect). */
  function callbackOrderId(entry: { orderId: string; paymentId: string }): string {
    return dialect.callbackOrderId === 'platform' ? entry.paymentId : entry.orderId;
  }

  function deliverDepositCallback(order: Deposit, forged: boolean): Promise<void> {
    const decimals = decimalsOf(order.currency);
    return deliver(order.callbacks, order.callbackUrl, forged, {
      order_id: callbackOrderId(order),
      amount: wireNumber(order.paidMinor ?? order.amountMinor, decimals),
      currency: order.currency,
      order_status: order.status,
      status: true,
      charge: decimalText(order.chargeMinor, Math.max(4, decimals), decimals),
      token: token(order.orderId, forged),
      name: order.holderName,
      type: 'deposit',
    });
  }

  function deliverWithdrawalCallback(payout: Withdrawal, forged: boolean): Promise<void> {
    const decimals = decimalsOf(payout.currency);
    return deliver(payout.callbacks, payout.callbackUrl, forged, {
      order_id: callbackOrderId(payout),
      amount: wireNumber(payout.amountMinor, decimals),
      currency: payout.currency,
      order_status: payout.status,
      status: true,
      charge: '0',
      token: token(payout.orderId, forged),
      name: payout.holderName,
      type: 'withdrawal',
      remarks: payout.remarks,
    });
  }

  async function deliver(
    log: CallbackDelivery[],
    url: string | null,
    forged: boolean,
    body: Record<string, unknown>,
  ): Promise<void> {
    const delivery = await sender.send({
      url,
      body: toJson(body, dialect),
      forged,
      // Tender's convention for One1Pay (docs/providers/one1pay.md): HTTP 200 with body `success`.
      acknowledged: acknowledgedBy('success'),
    });
    log.push(delivery);
  }

  function paymentPage(order: Deposit) {
    const decimals = decimalsOf(order.currency);
    const bank = DEPOSIT_BANKS.find((entry) => entry.id === order.bankId);
    const settledText =
      order.status === 'completed' ? 'Payment completed.' : order.status === 'fail' ? 'Payment failed.' : null;
    return renderSandboxPage({
      title: 'One1Pay',
      merchant: options.merchantName,
      amount: decimalText(order.amountMinor, decimals),
      currency: order.currency,
      // Relative to /pay/{payment_id}, so the page works under whatever host the shopper used.
      payAction: `${encodeURIComponent(order.paymentId)}/pay`,
      declineAction: `${encodeURIComponent(order.paymentId)}/decline`,
      details: [
        ['Order', order.orderId],
        ['Method', PAY_METHODS[order.payMethod] ?? order.payMethod],
        ['Bank', bank?.bank_name ?? order.bankId],
      ],
      ...(settledText ? { outcome: { text: settledText, continueUrl: order.redirectUrl } } : {}),
    });
  }
}

// --- pure helpers -----------------------------------------------------------------------------

/** Reads a form body; null for any other content type (PHP's $_POST would be empty). */
async function readForm(c: Context): Promise<Form | null> {
  const type = c.req.header('content-type') ?? '';
  if (!/^(multipart\/form-data|application\/x-www-form-urlencoded)\b/i.test(type)) return null;
  try {
    const body = await c.req.parseBody();
    const form: Form = {};
    for (const [name, value] of Object.entries(body)) {
      if (typeof value === 'string') form[name] = value.trim();
    }
    return form;
  } catch {
    return null;
  }
}

/** A number written into the JSON as these exact digits, like the document's `300.0000`. */
class WireNumber {
  constructor(readonly digits: string) {}
  toJSON(): string {
    return `\u0000number:${this.digits}`;
  }
}

/**
 * The JSON One1Pay sends: numbers with their exact digits, and (dialect `trailingCommas`) laid out
 * like the document's examples, with a comma after the last member of each object and array.
 */
function toJson(body: Record<string, unknown>, dialect: One1PayDialect = DEFAULT_ONE1PAY_DIALECT): string {
  const json =
    dialect.json === 'trailingCommas'
      ? // Pretty-printed JSON has no raw newline inside a string, so each newline before a closing
        // bracket ends a member or an element.
        JSON.stringify(body, null, 4).replace(/([^[{\s])(\n\s*[}\]])/g, '$1,$2')
      : JSON.stringify(body);
  return json.replace(/"\\u0000number:([0-9.]+)"/g, '$1');
}

/** An amount as One1Pay writes it: a JSON number with four decimals (more when the currency has more). */
function wireNumber(minor: number, decimals: number): WireNumber {
  return new WireNumber(decimalText(minor, Math.max(4, decimals), decimals));
}

/** Minor units (with `decimals` digits) written with `places` decimals. */
function decimalText(minor: number, places: number, decimals = places): string {
  const scaled = `${minor}${'0'.repeat(Math.max(0, places - decimals))}`;
  if (places === 0) return scaled;
  const digits = scaled.padStart(places + 1, '0');
  return `${digits.slice(0, -places)}.${digits.slice(-places)}`;
}

/** Strict: more decimals than the currency has is refused, never rounded. */
function parseAmount(value: string, decimals: number): number | null {
  const match = /^(\d{1,12})(?:\.(\d+))?$/.exec(value);
  if (!match) return null;
  const fraction = match[2] ?? '';
  if (fraction.length > decimals) return null;
  return Number(match[1]! + fraction.padEnd(decimals, '0'));
}

function decimalsOf(currency: string): number {
  return CURRENCIES[currency]?.decimals ?? 2;
}

function isOrderId(value: string): boolean {
  return /^[A-Za-z0-9_-]{1,50}$/.test(value);
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

function randomCode(length: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from(randomBytes(length), (byte) => alphabet[byte % alphabet.length]).join('');
}

/** The document's `order_datetime` ("2021-11-18 15:00:00"), in Bangkok time (UTC+7). */
function providerTime(date: Date): string {
  return new Date(date.getTime() + 7 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
}

function depositView(order: Deposit): Record<string, unknown> {
  const decimals = decimalsOf(order.currency);
  return {
    type: 'deposit',
    orderId: order.orderId,
    paymentId: order.paymentId,
    status: order.status,
    amount: decimalText(order.amountMinor, decimals),
    paidAmount: order.paidMinor === null ? null : decimalText(order.paidMinor, decimals),
    charge: decimalText(order.chargeMinor, decimals),
    currency: order.currency,
    payMethod: order.payMethod,
    bankId: order.bankId,
    holderName: order.holderName,
    bankAccount: order.bankAccount,
    email: order.email,
    phoneNumber: order.phoneNumber,
    redirectUrl: order.redirectUrl,
    callbackUrl: order.callbackUrl,
    createdAt: order.createdAt.toISOString(),
    updatedAt: order.updatedAt.toISOString(),
    callbacks: order.callbacks,
  };
}

function withdrawalView(payout: Withdrawal): Record<string, unknown> {
  return {
    type: 'withdrawal',
    orderId: payout.orderId,
    paymentId: payout.paymentId,
    status: payout.status,
    amount: decimalText(payout.amountMinor, decimalsOf(payout.currency)),
    currency: payout.currency,
    bankId: payout.bankId,
    bankBranch: payout.bankBranch,
    holderName: payout.holderName,
    accountNo: payout.accountNo,
    remarks: payout.remarks,
    callbackUrl: payout.callbackUrl,
    createdAt: payout.createdAt.toISOString(),
    updatedAt: payout.updatedAt.toISOString(),
    callbacks: payout.callbacks,
  };
}
