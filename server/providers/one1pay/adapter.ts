/**
 * One1Pay (docs/providers/one1pay.md): Thai QR and TrueMoney pay-ins through a hosted payment page
 * (`p_url`), payouts to bank accounts, bank lists and balances.
 *
 * Wire facts this adapter relies on, all from the document:
 * - every call is `POST {baseUrl}/merchant/…` or `/wallet/…` with a multipart/form-data body, and
 *   every answer is JSON whose top-level boolean `status` only says whether the call worked;
 * - `/merchant/auth` (username + api_key) hands out the `auth` code that order creation, payouts and
 *   the balance need; `currency`, `bank_list` and the two status calls take only `username`;
 * - amounts are decimals in major units; answers carry them as JSON numbers with four decimals
 *   (`300.0000`), read as text so that no float ever holds money;
 * - the callback is a JSON POST whose `token` is MD5(secret + merchant order id) and covers nothing
 *   else, so a callback is only a claim until `/merchant/check_status` confirms it.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { FieldSpec } from '../../../widget/wire.ts';
import { formatDecimal, isKnownCurrency, MoneyError, parseProviderDecimal, type Money } from '../../domain/money.ts';
import {
  providerFetch,
  ProviderError,
  readJsonText,
  type Bank,
  type CreatePaymentInput,
  type CreatePaymentResult,
  type MethodOffer,
  type NotificationInput,
  type OfferInput,
  type PaymentState,
  type PaymentStatus,
  type PayoutInput,
  type PayoutStatus,
  type Provider,
  type ProviderContext,
  type ProviderErrorCode,
  type QueryPaymentInput,
  type VerifiedNotification,
} from '../provider.ts';
import { bankNames } from './banks.ts';
import { parseOne1PayJson } from './json.ts';
import { one1payOptionsSchema, type Endpoint, type One1PayOptions } from './options.ts';
import { depositState, refusalCode, withdrawalState } from './status.ts';
import {
  authAnswer,
  balanceAnswer,
  bankListAnswer,
  callbackBody,
  currencyAnswer,
  fromWireCurrency,
  generateOrderAnswer,
  isOne1PayMethod,
  METHODS,
  ONE1PAY_NOTIFICATION_ACK,
  PHONE_PATTERN,
  statusAnswer,
  toWireCurrency,
  withdrawAnswer,
  type One1PayMethod,
} from './wire.ts';

export { parseOne1PayJson } from './json.ts';
export { one1payOptionsSchema, type One1PayOptions } from './options.ts';
export { ONE1PAY_NOTIFICATION_ACK, PHONE_PATTERN } from './wire.ts';

// The adapter

interface Limits {
  min: Money;
  max: Money;
}

export function createOne1PayProvider(options: One1PayOptions, ctx: ProviderContext): Provider {
  const parsed = one1payOptionsSchema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`providers.one1pay.${issue.path.join('.')}: ${issue.message}`);
  }
  const opts = parsed.data;
  const cacheMs = opts.cacheSeconds * 1000;

  const fail = (code: ProviderErrorCode, message: string, cause?: unknown) =>
    new ProviderError('one1pay', code, message, cause === undefined ? undefined : { cause });

  async function call<T>(endpoint: Endpoint, fields: Record<string, string>, schema: z.ZodType<T>): Promise<T> {
    const target = opts.paths[endpoint];
    // The document's only request encoding; fetch writes the multipart boundary itself.
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    const response = await providerFetch('one1pay', ctx, `${opts.baseUrl}${target}`, {
      method: 'POST',
      headers: { accept: 'application/json' },
      body: form,
    });
    // Read within the answer limits (size, time, nesting depth) by providerFetch and readJsonText.
    const raw = await readJsonText('one1pay', response);
    let body: unknown;
    try {
      body = parseOne1PayJson(raw);
    } catch (cause) {
      throw fail('bad_response', `${target}: HTTP ${response.status} with a body that is not JSON`, cause);
    }
    if (isRecord(body) && body.status === false) {
      const message = typeof body.message === 'string' ? body.message : '(no message)';
      // The raw message goes to the log through the Error's message and nowhere else.
      throw fail(refusalCode(message), `${target} refused: ${message}`);
    }
    const result = schema.safeParse(body);
    if (!result.success) {
      const issue = result.error.issues[0]!;
      throw fail('bad_response', `${target}: unexpected answer at "${issue.path.join('.')}" (${issue.message})`);
    }
    return result.data;
  }

  /** A fresh auth code for each call that needs one (docs/providers/one1pay.md: no caching). */
  async function authCode(): Promise<string> {
    const answer = await call('auth', { username: opts.username, api_key: opts.apiKey }, authAnswer);
    return answer.auth;
  }

  function readMoney(amount: string, wireCurrency: string, where: string): Money {
    const currency = fromWireCurrency(wireCurrency);
    try {
      return parseProviderDecimal(amount, currency);
    } catch (cause) {
      throw fail('bad_response', `${where}: unreadable amount "${amount} ${wireCurrency}"`, cause);
    }
  }

  function wireAmount(money: Money): string {
    try {
      return formatDecimal(money);
    } catch (cause) {
      throw fail('invalid_request', `cannot send ${money.currency} ${money.minor}`, cause);
    }
  }

  function currencyLimits(): Promise<Map<string, Limits>> {
    return ctx.cache.getOrLoad('one1pay:limits', cacheMs, async (): Promise<Map<string, Limits>> => {
      const answer = await call('currency', { username: opts.username }, currencyAnswer);
      const limits = new Map<string, Limits>();
      for (const entry of answer.rate) {
        const currency = fromWireCurrency(entry.currency);
        // A currency Tender cannot hold, or limits finer than its minor unit, is left out rather
        // than guessed at; its methods are simply not offered.
        if (!isKnownCurrency(currency)) continue;
        try {
          limits.set(currency, {
            min: parseProviderDecimal(entry.min, currency),
            max: parseProviderDecimal(entry.max, currency),
          });
        } catch (cause) {
          if (!(cause instanceof MoneyError)) throw cause;
        }
      }
      return limits;
    });
  }

  function bankList(currency: string, purpose: 'deposit' | 'withdrawal'): Promise<Bank[]> {
    return ctx.cache.getOrLoad(`one1pay:banks:${purpose}:${currency}`, cacheMs, async (): Promise<Bank[]> => {
      const wire = toWireCurrency(currency);
      const answer = await call(
        purpose === 'deposit' ? 'bankList' : 'withdrawBankList',
        { username: opts.username, currency: wire },
        bankListAnswer,
      );
      // `currency` is documented as an optional filter; filter again in case it is ignored.
      return answer.data
        .filter((bank) => bank.currency === wire)
        .map((bank) => ({ id: bank.id, name: bank.bank_name, currency }));
    });
  }

  function required(fields: Record<string, string | undefined>, name: string): string {
    const value = fields[name]?.trim();
    if (!value) throw fail('invalid_request', `missing field ${name}`);
    return value;
  }

  async function queryPayout(input: { orderId: string; currency: string }): Promise<PayoutStatus> {
    const answer = await call('checkWithdrawStatus', { username: opts.username, id: input.orderId }, statusAnswer);
    return {
      state: withdrawalState(answer.order_status),
      money: readMoney(answer.amount, answer.currency, opts.paths.checkWithdrawStatus),
    };
  }

  return {
    id: 'one1pay',

    async offers({ money, customer }: OfferInput): Promise<MethodOffer[]> {
      const methods = Object.entries(METHODS).filter(([, method]) =>
        (method.currencies as readonly string[]).includes(money.currency),
      );
      if (methods.length === 0) return [];
      const limits = (await currencyLimits()).get(money.currency);
      if (!limits || money.minor < limits.min.minor || money.minor > limits.max.minor) return [];
      const banks = await bankList(money.currency, 'deposit');
      // Both methods need a bank; with none listed for the currency the shopper could not finish.
      if (banks.length === 0) return [];

      const fields: FieldSpec[] = [
        {
          name: 'bankId',
          type: 'select',
          required: true,
          label: 'field.bankId',
          options: banks.map((bank) => {
            const labels = bankNames(bank.currency, bank.name);
            return { value: bank.id, label: bank.name, ...(labels ? { labels } : {}) };
          }),
        },
        { name: 'holderName', type: 'text', required: true, label: 'field.holderName', maxLength: 100 },
        {
          name: 'accountNumber',
          type: 'text',
          required: true,
          label: 'field.accountNumber',
          maxLength: 34,
          pattern: '[0-9][0-9 -]{3,33}',
          inputMode: 'numeric',
          autocomplete: 'off',
        },
      ];
      // One1Pay requires both; only what the merchant did not pass in `customer` is asked for.
      if (!customer.email?.trim()) {
        fields.push({ name: 'email', type: 'email', required: true, label: 'field.email', maxLength: 254 });
      }
      if (!customer.phone?.trim()) {
        fields.push({
          name: 'phone',
          type: 'tel',
          required: true,
          label: 'field.phone',
          maxLength: 20,
          pattern: PHONE_PATTERN,
          inputMode: 'tel',
          autocomplete: 'tel',
        });
      }
      return methods.map(([method, { label, brand }]) => ({
        method: method as One1PayMethod,
        label,
        brand,
        kind: 'redirect' as const,
        fields: fields.map((field) => ({ ...field })),
      }));
    },

    async createPayment(input: CreatePaymentInput): Promise<CreatePaymentResult> {
      if (!isOne1PayMethod(input.method)) throw fail('invalid_request', `method ${input.method} is not One1Pay's`);
      const shopper = {
        ...input.fields,
        email: input.customer.email?.trim() || input.fields.email,
        phone: input.customer.phone?.trim() || input.fields.phone,
      };
      const form = {
        amount: wireAmount(input.money),
        currency: toWireCurrency(input.money.currency),
        orderid: input.orderId,
        email: required(shopper, 'email'),
        // The document's example is digits only with the country code ("601012456789").
        phone_number: required(shopper, 'phone').replace(/\D/g, ''),
        redirect_url: input.returnUrl,
        customer_bank_holder_name: required(shopper, 'holderName'),
        customer_bank_account: required(shopper, 'accountNumber'),
        bank_id: required(shopper, 'bankId'),
        pay_method: METHODS[input.method].payMethod,
        callback_url: input.notifyUrl,
      };
      if (!form.phone_number) throw fail('invalid_request', 'field phone has no digits');

      const auth = await authCode();
      // NOTE: the document's comment calls `username` here the "customer username", but its other
      // examples use the same value as the merchant username: `orderUsername` decides.
      const username = opts.orderUsername === 'customerEmail' ? form.email : opts.username;
      let answer: z.output<typeof generateOrderAnswer>;
      try {
        answer = await call('generateOrders', { username, auth, ...form }, generateOrderAnswer);
      } catch (error) {
        // "Order ID Exist." stands for an order id that is "wrong or already exists": only an order
        // One1Pay knows is a duplicate; otherwise the id itself was refused.
        if (error instanceof ProviderError && error.code === 'duplicate_order') {
          const known = await call('checkStatus', { username: opts.username, id: input.orderId }, statusAnswer).then(
            () => true,
            () => false,
          );
          if (!known) throw fail('invalid_request', 'One1Pay refused the order id');
        }
        throw error;
      }
      let url: URL;
      try {
        url = new URL(answer.p_url);
      } catch (cause) {
        throw fail('bad_response', 'p_url is not a URL', cause);
      }
      if (url.protocol !== 'https:' && url.protocol !== 'http:') throw fail('bad_response', 'p_url is not http(s)');
      return {
        action: { type: 'redirect', url: url.href, method: 'GET', fields: {} },
        providerPaymentId: answer.payment_id,
      };
    },

    async queryPayment(input: QueryPaymentInput): Promise<PaymentStatus> {
      const answer = await call('checkStatus', { username: opts.username, id: input.orderId }, statusAnswer);
      return {
        state: depositState(answer.order_status),
        // The provider's own figure, reported as is: the caller compares it with the attempt.
        money: readMoney(answer.amount, answer.currency, opts.paths.checkStatus),
        // check_status does not repeat the payment_id.
        providerPaymentId: null,
      };
    },

    async parseNotification({ rawBody }: NotificationInput): Promise<VerifiedNotification> {
      // The content type is not checked: the document only says "JSON", and the body is what the
      // token is checked against.
      let body: unknown;
      try {
        body = parseOne1PayJson(rawBody);
      } catch (cause) {
        throw fail('invalid_signature', 'callback body is not JSON', cause);
      }
      if (!isRecord(body) || typeof body.order_id !== 'string' || typeof body.token !== 'string') {
        throw fail('invalid_signature', 'callback lacks order_id or token');
      }
      // One1Pay: the token covers only the order id, MD5(secret + merchant order id); docs/providers/one1pay.md.
      const token = body.token.toLowerCase();
      const tokenFor = (orderId: string) =>
        createHash('md5')
          .update(opts.callbackSecret + orderId, 'utf8')
          .digest('hex');
      // The document's success example names One1Pay's own id ("20073"), its failure example the
      // merchant's: a token that does not fit `order_id` may still fit the order One1Pay's id
      // stands for, which only the caller can look up (docs/providers/one1pay.md).
      const byPaymentId = !sameText(token, tokenFor(body.order_id));
      if (byPaymentId && !/^[0-9A-Za-z_-]{1,64}$/.test(body.order_id)) {
        throw fail('invalid_signature', 'callback token does not match its order');
      }

      const result = callbackBody.safeParse(body);
      if (!result.success) {
        const issue = result.error.issues[0]!;
        throw fail('bad_response', `callback field "${issue.path.join('.')}": ${issue.message}`);
      }
      const callback = result.data;
      const claimed: PaymentState =
        callback.type === 'deposit'
          ? depositState(callback.order_status)
          : payoutClaim(withdrawalState(callback.order_status));
      // Only a claim: an amount that cannot be read is left for check_status to settle.
      let money: Money | null;
      try {
        money = parseProviderDecimal(callback.amount, fromWireCurrency(callback.currency));
      } catch {
        money = null;
      }
      const amountKey = money ? `${formatDecimal(money)} ${money.currency}` : `${callback.amount} ${callback.currency}`;
      const dedupeKey = createHash('sha256')
        .update(JSON.stringify([callback.type, callback.order_id, callback.order_status, amountKey]))
        .digest('hex');
      return {
        kind: callback.type === 'deposit' ? 'payment' : 'payout',
        orderId: byPaymentId ? '' : callback.order_id,
        claimed,
        money,
        dedupeKey: `one1pay:${dedupeKey}`,
        ack: ONE1PAY_NOTIFICATION_ACK,
        ...(byPaymentId
          ? {
              providerPaymentId: callback.order_id,
              authenticate: (orderId: string) => sameText(token, tokenFor(orderId)),
            }
          : {}),
      };
    },

    async payout(input: PayoutInput): Promise<PayoutStatus> {
      const destination = input.destination;
      if (destination.type !== 'bank') {
        throw new ProviderError('one1pay', 'unsupported', 'One1Pay pays out to bank accounts only');
      }
      const form: Record<string, string> = {
        amount: wireAmount(input.money),
        currency: toWireCurrency(input.money.currency),
        orderid: input.orderId,
        bank_id: required({ bankId: destination.bankId }, 'bankId'),
        holder_name: required({ holderName: destination.holderName }, 'holderName'),
        account_no: required({ accountNumber: destination.accountNumber }, 'accountNumber'),
        callback_url: input.notifyUrl,
      };
      if (destination.bankBranch?.trim()) form.bank_branch = destination.bankBranch.trim();

      const auth = await authCode();
      try {
        // The document sends no username with withdraw_orders: the auth code names the merchant.
        await call('withdrawOrders', { auth, ...form }, withdrawAnswer);
      } catch (error) {
        // The document: after a timeout or an odd answer, ask check_withdraw_status before trying
        // again, so a payout that did go through is not sent twice.
        if (error instanceof ProviderError && (error.code === 'unavailable' || error.code === 'bad_response')) {
          try {
            return await queryPayout({ orderId: input.orderId, currency: input.money.currency });
          } catch {
            throw error;
          }
        }
        throw error;
      }
      return { state: 'pending', money: input.money };
    },

    queryPayout,

    async balance(currency: string): Promise<Money> {
      const auth = await authCode();
      const answer = await call('balance', { auth, currency: toWireCurrency(currency) }, balanceAnswer);
      return readMoney(answer.balance, toWireCurrency(currency), opts.paths.balance);
    },

    async banks({ currency, purpose }): Promise<Bank[]> {
      return bankList(currency, purpose);
    },
  };
}

/** A payout callback's claim in the payment vocabulary of `VerifiedNotification`. */
function payoutClaim(state: PayoutStatus['state']): PaymentState {
  return state === 'rejected' ? 'failed' : state;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}
