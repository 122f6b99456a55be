/**
 * One1Pay (PROVIDERS.md §3, seeds/003): Thai QR and TrueMoney pay-ins through a hosted payment page
 * (`p_url`), payouts to bank accounts, bank lists and balances.
 *
 * Wire facts this adapter relies on, all from the document:
 * - every call is `POST {baseUrl}/merchant/…` or `/wallet/…` with a multipart/form-data body, and
 *   every answer is JSON whose top-level boolean `status` only says whether the call worked;
 * - `/merchant/auth` (username + api_key) hands out the `auth` code that order creation, payouts and
 *   the balance need; `currency`, `bank_list` and the two status calls take only `username`;
 * - amounts are decimals in major units; answers carry them as JSON numbers with four decimals
 *   (`300.0000`), which this file reads as text so that no float ever holds money;
 * - the callback is a JSON POST whose `token` is MD5(secret + merchant order id) and covers nothing
 *   else, so a callback is only a claim until `/merchant/check_status` confirms it (DESIGN.md).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { FieldSpec, MethodId } from '../../../widget/wire.ts';
import { formatDecimal, isKnownCurrency, MoneyError, parseProviderDecimal, type Money } from '../../domain/money.ts';
import {
  providerFetch,
  ProviderError,
  readJsonText,
  type Bank,
  type CreatePaymentInput,
  type CreatePaymentResult,
  type MethodOffer,
  type NotificationAck,
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

// ---------------------------------------------------------------------------------------------
// Options

const DEFAULT_PATHS = {
  currency: '/merchant/currency',
  auth: '/merchant/auth',
  generateOrders: '/merchant/generate_orders',
  checkStatus: '/merchant/check_status',
  bankList: '/wallet/bank_list',
  withdrawOrders: '/merchant/withdraw_orders',
  checkWithdrawStatus: '/merchant/check_withdraw_status',
  withdrawBankList: '/wallet/withdraw_bank_list',
  balance: '/wallet/get_balance',
} as const;

type Endpoint = keyof typeof DEFAULT_PATHS;

const path = z.string().regex(/^\/[^\s?#]*$/, 'must be a path starting with "/"');

const pathsSchema = z
  .strictObject({
    currency: path.default(DEFAULT_PATHS.currency),
    auth: path.default(DEFAULT_PATHS.auth),
    generateOrders: path.default(DEFAULT_PATHS.generateOrders),
    checkStatus: path.default(DEFAULT_PATHS.checkStatus),
    bankList: path.default(DEFAULT_PATHS.bankList),
    withdrawOrders: path.default(DEFAULT_PATHS.withdrawOrders),
    checkWithdrawStatus: path.default(DEFAULT_PATHS.checkWithdrawStatus),
    withdrawBankList: path.default(DEFAULT_PATHS.withdrawBankList),
    balance: path.default(DEFAULT_PATHS.balance),
  })
  // The document's paths, each overridable because a merchant's account may differ (PROVIDERS.md).
  .prefault({});

const secret = z.string().min(1, 'must not be empty');

export const one1payOptionsSchema = z.strictObject({
  /** The provider's root; the document's paths are appended to it. */
  baseUrl: z
    .string()
    .url()
    .refine((value) => /^https?:$/.test(new URL(value).protocol), 'must be an http(s) URL')
    .transform((value) => value.replace(/\/+$/, '')),
  username: secret,
  apiKey: secret,
  /** The secret in the callback token; the document does not say which one (PROVIDERS.md §3). */
  callbackSecret: secret,
  paths: pathsSchema,
  /**
   * `username` in generate_orders: the document's field list calls it the customer's username, its
   * examples send the merchant's. `merchant` (the default) sends `username`; `customerEmail` sends
   * the shopper's email.
   */
  orderUsername: z.enum(['merchant', 'customerEmail']).default('merchant'),
  /** How long currency limits and bank lists are kept before they are asked for again. */
  cacheSeconds: z.number().int().min(0).max(86_400).default(300),
});

export type One1PayOptions = z.infer<typeof one1payOptionsSchema>;

// ---------------------------------------------------------------------------------------------
// Wire types (answers after `parseOne1PayJson`, so every number arrives as its text)

const text = z.string();
const idText = z.string().min(1);

const currencyAnswer = z.object({
  status: z.literal(true),
  rate: z.array(z.object({ currency: text, min: text, max: text })),
});

const authAnswer = z.object({ status: z.literal(true), auth: z.string().min(1) });

const generateOrderAnswer = z.object({ status: z.literal(true), p_url: z.string().min(1), payment_id: idText });

const statusAnswer = z.object({
  status: z.literal(true),
  order_status: text,
  order_datetime: text.optional(),
  amount: text,
  currency: text,
});

const bankListAnswer = z.object({
  status: z.literal(true),
  data: z.array(z.object({ currency: text, bank_name: text, id: idText })),
});

const withdrawAnswer = z.object({ status: z.literal(true), payment_id: idText.optional() });

const balanceAnswer = z.object({ status: z.literal(true), balance: text });

/** The callback body. `name` and `remarks` are free text and are not used. */
const callbackBody = z.object({
  order_id: idText,
  amount: text,
  currency: text,
  order_status: text,
  type: z.enum(['deposit', 'withdrawal']),
  token: text,
  charge: text.optional(),
});

/**
 * A phone number as Tender accepts it everywhere (this field's `pattern`, which the widget applies
 * too): an optional "+", then digits with spaces or dashes; One1Pay receives the digits only.
 */
export const PHONE_PATTERN = '\\+?[0-9][0-9 -]{5,19}';

// ---------------------------------------------------------------------------------------------
// Methods

/** Thai QR (PromptPay) and TrueMoney are Thai schemes: offered for THB only. */
const METHODS = {
  'one1pay.thaiqr': { payMethod: 'thaiqr', label: 'Thai QR', brand: 'thaiqr', currencies: ['THB'] },
  'one1pay.truemoney': { payMethod: 'truemoney', label: 'TrueMoney', brand: 'truemoney', currencies: ['THB'] },
} as const satisfies Partial<
  Record<MethodId, { payMethod: string; label: string; brand: string; currencies: readonly string[] }>
>;

type One1PayMethod = keyof typeof METHODS;

function isOne1PayMethod(method: MethodId): method is One1PayMethod {
  return Object.hasOwn(METHODS, method);
}

/** One1Pay's name for Tender's USDT (the document's currency list). */
const WIRE_CURRENCIES: Readonly<Record<string, string>> = { USDT: 'USDT-TRC20' };

function toWireCurrency(currency: string): string {
  return WIRE_CURRENCIES[currency] ?? currency;
}

function fromWireCurrency(currency: string): string {
  const entry = Object.entries(WIRE_CURRENCIES).find(([, wire]) => wire === currency);
  return entry ? entry[0] : currency;
}

export const ONE1PAY_NOTIFICATION_ACK: NotificationAck = {
  status: 200,
  body: 'success',
  contentType: 'text/plain',
};

// ---------------------------------------------------------------------------------------------
// Status mapping: the only two places One1Pay's statuses become Tender's.

/** Deposit `order_status` (document: completed, fail, pending). */
function depositState(status: string): PaymentState {
  switch (status) {
    case 'completed':
      return 'succeeded';
    case 'fail':
      return 'failed';
    case 'pending':
      return 'pending';
    default:
      throw new ProviderError('one1pay', 'bad_response', `unknown deposit order_status "${status}"`);
  }
}

/** Withdrawal `order_status` (document: completed, fail, proccess, rejected). */
function withdrawalState(status: string): PayoutStatus['state'] {
  switch (status) {
    case 'completed':
      return 'succeeded';
    case 'fail':
      return 'failed';
    // One1Pay spells it "proccess" (sic) in every example; the correct spelling is accepted too in
    // case the provider ever fixes it.
    case 'proccess':
    case 'process':
      return 'pending';
    case 'rejected':
      return 'rejected';
    default:
      throw new ProviderError('one1pay', 'bad_response', `unknown withdrawal order_status "${status}"`);
  }
}

/**
 * Maps a `status:false` message to an error code. The document's messages vary in case and in their
 * last character ("Params incorrect" / "Params incorrect.", "Order ID Exist." / "Order id exist!"),
 * so they are compared without either.
 */
function refusalCode(message: string): ProviderErrorCode {
  const normalized = message
    .trim()
    .toLowerCase()
    .replace(/[.!。]+$/, '');
  switch (normalized) {
    // Every call carries a credential (username or auth code); the document answers this for a
    // wrong api_key and for a wrong or spent auth code.
    case 'params incorrect':
      return 'authentication';
    case 'params missing':
    case 'email incorrect':
      return 'invalid_request';
    // The document gives "Order ID Exist." for an order id that is "wrong or already exists".
    case 'order id exist':
      return 'duplicate_order';
    case 'invalid amount':
    case 'amount invalid':
      return 'amount_out_of_range';
    case 'balance not enough':
      return 'declined';
    // Tender convention: the document shows no answer for an unknown order id; the simulator says
    // "Order not found." and a real account's wording can be added here once seen.
    case 'order not found':
      return 'not_found';
    default:
      // "bank_id invalid." is documented; other "<field> invalid." answers follow the same pattern.
      return / invalid$/.test(normalized) ? 'invalid_request' : 'declined';
  }
}

// ---------------------------------------------------------------------------------------------
// JSON as One1Pay writes it

/**
 * Parses One1Pay JSON. Two deliberate departures from JSON.parse:
 * - a comma before `}` or `]` is dropped: every example in the document has one (`"type":"deposit",}`),
 *   and a hand-built PHP answer may really send it; nothing else that is not JSON is accepted;
 * - every number is kept as its source text (`300.0000` becomes "300.0000"), so amounts are read
 *   exactly by `parseProviderDecimal` instead of through a float.
 */
export function parseOne1PayJson(source: string): unknown {
  // One pass that copies the source in slices, so the work stays linear in its length.
  const parts: string[] = [];
  let copied = 0;
  let i = 0;
  while (i < source.length) {
    const ch = source.charCodeAt(i);
    if (ch === QUOTE) {
      i = endOfString(source, i);
    } else if (ch === COMMA) {
      let next = i + 1;
      while (next < source.length && JSON_SPACE.has(source.charCodeAt(next))) next++;
      const closer = source[next];
      if (closer === '}' || closer === ']') {
        parts.push(source.slice(copied, i));
        copied = i + 1;
      }
      i = next;
    } else if (ch === MINUS || (ch >= DIGIT_0 && ch <= DIGIT_9)) {
      NUMBER.lastIndex = i;
      const match = NUMBER.exec(source);
      if (!match) throw new SyntaxError(`unexpected "${source[i]}" at ${i}`);
      parts.push(source.slice(copied, i), '"', match[0], '"');
      i += match[0].length;
      copied = i;
    } else {
      i++;
    }
  }
  parts.push(source.slice(copied));
  return JSON.parse(parts.join('')) as unknown;
}

const QUOTE = 0x22;
const COMMA = 0x2c;
const MINUS = 0x2d;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
const BACKSLASH = 0x5c;
/** JSON's four whitespace characters (RFC 8259 §2). */
const JSON_SPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);
const NUMBER = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/** Index just past the string literal that starts at `start`. */
function endOfString(source: string, start: number): number {
  let i = start + 1;
  while (i < source.length) {
    const ch = source.charCodeAt(i);
    if (ch === BACKSLASH) i += 2;
    else if (ch === QUOTE) return i + 1;
    else i++;
  }
  throw new SyntaxError('unterminated string');
}

// ---------------------------------------------------------------------------------------------
// The adapter

class TtlCache<T> {
  private readonly entries = new Map<string, { expires: number; value: Promise<T> }>();
  constructor(
    private readonly ttlMs: number,
    private readonly now: () => Date,
  ) {}

  /** Shares one request between concurrent callers; a failed load is forgotten at once. */
  get(key: string, load: () => Promise<T>): Promise<T> {
    const now = this.now().getTime();
    const hit = this.entries.get(key);
    if (hit && hit.expires > now) return hit.value;
    const value = load();
    this.entries.set(key, { expires: now + this.ttlMs, value });
    value.catch(() => {
      if (this.entries.get(key)?.value === value) this.entries.delete(key);
    });
    return value;
  }
}

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
  const limitsCache = new TtlCache<Map<string, Limits>>(opts.cacheSeconds * 1000, ctx.now);
  const banksCache = new TtlCache<Bank[]>(opts.cacheSeconds * 1000, ctx.now);

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

  /** A fresh auth code for each call that needs one (PROVIDERS.md conventions: no caching). */
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
    return limitsCache.get('limits', async () => {
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
    return banksCache.get(`${purpose}:${currency}`, async () => {
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
          options: banks.map((bank) => ({ value: bank.id, label: bank.name })),
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
      // One1Pay: the token covers only the order id, MD5(secret + merchant order id); PROVIDERS.md §3.
      const expected = createHash('md5')
        .update(opts.callbackSecret + body.order_id, 'utf8')
        .digest('hex');
      if (!sameText(body.token.toLowerCase(), expected)) {
        throw fail('invalid_signature', `callback token does not match order ${body.order_id}`);
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
      let money: Money | null = null;
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
        orderId: callback.order_id,
        claimed,
        money,
        dedupeKey: `one1pay:${dedupeKey}`,
        ack: ONE1PAY_NOTIFICATION_ACK,
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
