/**
 * What the API answers, as zod schemas: the one description of each response that `/openapi.json`
 * and `/docs` are built from and that the route tests check real responses against. The types they
 * mirror (`widget/wire.ts`, the views in `server/domain/`) stay the source of truth for the code; the
 * assertions at the end of this file fail to compile when a schema and its type drift apart.
 *
 * Plain `z.object`s: a response may gain fields (the wire contract adds, never renames), so the
 * published schemas do not forbid extra properties.
 */
import { z } from 'zod';
import type * as Wire from '../../widget/wire.ts';
import type { BalanceView, BankView, PayoutView } from '../domain/payouts.ts';
import type { merchantSessionView, refundView } from '../domain/views.ts';
import type { ApiErrorCode } from './errors.ts';

// ---- shared pieces ------------------------------------------------------------------------------

export const decimal = z
  .string()
  .regex(/^\d+(\.\d+)?$/)
  .meta({ description: "A decimal amount in the currency's major unit, as a string.", examples: ['100.00'] });
export const currencyCode = z.string().meta({ description: 'Currency code.', examples: ['THB'] });
const timestamp = z.iso.datetime().meta({ description: 'An ISO 8601 time in UTC.' });
const methodId = z
  .templateLiteral([z.string(), '.', z.string()])
  .meta({ description: 'A method id, namespaced by provider: `<provider>.<method>`.', examples: ['ottpay.wechat'] });
const stringMap = z.record(z.string(), z.string());

export const sessionStatus = z
  .enum(['open', 'pending', 'succeeded', 'failed', 'expired', 'canceled', 'partially_refunded', 'refunded'])
  .meta({ id: 'SessionStatus', description: '`failed`: the latest attempt failed; another may follow until expiry.' });
export const attemptStatus = z
  .enum(['requires_action', 'pending', 'succeeded', 'failed', 'expired', 'canceled'])
  .meta({ id: 'AttemptStatus' });

const attemptFailure = z
  .object({ code: z.string(), message: z.string() })
  .meta({ id: 'AttemptFailure', description: 'Why an attempt failed, in words fit for a shopper.' });

// ---- the browser's view (`widget/wire.ts`) ------------------------------------------------------

const fieldSpec = z
  .object({
    name: z.string(),
    type: z.enum(['text', 'select', 'email', 'tel']),
    required: z.boolean(),
    label: z.string().optional(),
    labels: z
      .record(z.string(), z.string())
      .optional()
      .meta({ description: 'The field’s name by locale tag, from its provider’s module.' }),
    options: z
      .array(
        z.object({
          value: z.string(),
          label: z.string(),
          labels: z.record(z.string(), z.string()).optional().meta({ description: 'The option’s name by locale tag.' }),
        }),
      )
      .optional(),
    maxLength: z.number().int().optional(),
    pattern: z.string().optional().meta({ description: 'A regular expression the whole value must match.' }),
    inputMode: z.enum(['text', 'numeric', 'tel', 'email']).optional(),
    autocomplete: z.string().optional(),
  })
  .meta({ id: 'FieldSpec', description: 'A value the shopper supplies before an attempt (sent in `fields`).' });

const cardTokenizer = z
  .object({ url: z.string(), origin: z.string(), fields: z.array(z.string()).optional() })
  .meta({ id: 'CardTokenizer', description: "The provider's card frame; card numbers never reach Tender." });

export const methodView = z
  .object({
    id: methodId,
    provider: z.string(),
    kind: z.enum(['qr', 'redirect', 'app', 'card', 'none']),
    label: z.string().meta({ description: 'English name, when the widget has no translation for `brand`.' }),
    brand: z.string().optional(),
    fields: z.array(fieldSpec),
    estimate: z
      .object({ amount: z.string(), currency: z.string() })
      .nullable()
      .optional()
      .meta({ description: 'An approximate amount in the currency the wallet shows, for information.' }),
    tokenizer: cardTokenizer.nullable().optional(),
    buyerCode: z.boolean().optional().meta({ description: "Takes a buyer's payment code scanned at a till." }),
  })
  .meta({ id: 'MethodView' });

const qrAction = z.object({
  type: z.literal('qr'),
  content: z.string().meta({ description: 'The text the QR code encodes.' }),
  modules: z
    .object({ size: z.number().int(), path: z.string() })
    .meta({ description: 'The QR matrix: an SVG path over a `size`×`size` grid.' }),
  expiresAt: timestamp,
  deepLink: z.string().nullable(),
});
const redirectAction = z.object({
  type: z.literal('redirect'),
  url: z.string(),
  method: z.enum(['GET', 'POST']),
  fields: stringMap,
});
const appAction = z.object({ type: z.literal('app'), wallet: z.enum(['wechat', 'alipay']), params: stringMap });
const challengeAction = z.object({
  type: z.literal('challenge'),
  display: z.enum(['frame', 'redirect']),
  url: z.string(),
  method: z.enum(['GET', 'POST']),
  fields: stringMap,
});
const cardAction = z.object({ type: z.literal('card'), tokenizerUrl: z.string() });
const noAction = z.object({ type: z.literal('none') });

export const action = z
  .discriminatedUnion('type', [qrAction, redirectAction, appAction, challengeAction, cardAction, noAction])
  .meta({
    id: 'Action',
    description:
      "What the browser does next: show a QR code, go to a page, call the in-app wallet, show the card issuer's 3-D Secure page, show the card frame, or nothing.",
  });

export const attemptView = z
  .object({
    id: z.string(),
    method: methodId,
    status: attemptStatus,
    action: action.nullable(),
    failure: attemptFailure.nullable(),
    serverTime: timestamp
      .optional()
      .meta({ description: "The server's clock when it answered; always present on `POST …/attempts`." }),
  })
  .meta({ id: 'AttemptView', description: 'An attempt as the browser sees it, with its action.' });

export const checkoutOutcome = z.strictObject({
  merchant: z.strictObject({ name: z.string() }),
  amount: z.string(),
  currency: z.string(),
  status: z.enum(['paid', 'not_paid', 'expired', 'canceled']),
  returnUrl: z.string().nullable(),
});

export const checkoutView = z
  .object({
    id: z.string(),
    status: sessionStatus,
    amount: decimal,
    currency: currencyCode,
    merchant: z.object({ name: z.string() }),
    description: z.string().nullable(),
    expiresAt: timestamp,
    returnUrl: z.string().nullable(),
    methods: z.array(methodView).meta({ description: 'Empty once the session takes no more attempts.' }),
    attempt: attemptView.nullable().meta({ description: 'The latest attempt.' }),
    serverTime: timestamp.meta({ description: 'Compare `expiresAt` with this, not with the device clock.' }),
  })
  .meta({ id: 'CheckoutView', description: 'The public view of a session: nothing in it is secret.' });

export const statusEvent = z
  .object({
    seq: z.number().int(),
    status: sessionStatus,
    attempt: z.object({ id: z.string(), status: attemptStatus, failure: attemptFailure.nullable() }).nullable(),
    at: timestamp,
  })
  .meta({ id: 'StatusEvent', description: 'The data of one `event: status` on the stream; its `id:` is `seq`.' });

// ---- the merchant's view (`server/domain/views.ts`) ---------------------------------------------

export const refund = z
  .object({
    id: z.string(),
    object: z.literal('refund'),
    sessionId: z.string(),
    status: z.enum(['pending', 'succeeded', 'failed']),
    amount: decimal,
    currency: currencyCode,
    reason: z.string().nullable(),
    failure: z.object({ code: z.string() }).nullable(),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ id: 'Refund' });

export const merchantAttempt = z
  .object({
    id: z.string(),
    method: methodId,
    provider: z.string(),
    status: attemptStatus,
    amount: decimal,
    currency: currencyCode,
    providerOrderId: z.string(),
    providerPaymentId: z.string().nullable(),
    failure: attemptFailure.nullable(),
    doublePayment: z
      .boolean()
      .meta({ description: 'A second success on a session already paid: money to refund, never lost.' }),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ id: 'Attempt', description: 'An attempt as the merchant sees it, with the provider references.' });

export const session = z
  .object({
    id: z.string(),
    object: z.literal('session'),
    status: sessionStatus,
    amount: decimal,
    currency: currencyCode,
    reference: z.string(),
    description: z.string().nullable(),
    returnUrl: z.string().nullable(),
    customer: z.object({ email: z.string().optional(), phone: z.string().optional(), name: z.string().optional() }),
    methods: z.array(methodId).nullable().meta({ description: 'The methods allowed; null: every method that fits.' }),
    clientSecret: z.string().meta({ description: 'Opens this one session for the browser; hand it to the page.' }),
    url: z
      .string()
      .meta({ description: 'The hosted checkout page, client secret included: where to send the shopper.' }),
    expiresAt: timestamp,
    createdAt: timestamp,
    updatedAt: timestamp,
    succeededAttemptId: z.string().nullable(),
    attempts: z.array(merchantAttempt),
    amountRefunded: decimal,
    refunds: z.array(refund),
  })
  .meta({ id: 'Session', description: 'A checkout session with its attempts and refunds.' });

export const sessionList = z
  .object({ object: z.literal('list'), data: z.array(session), hasMore: z.boolean() })
  .meta({ id: 'SessionList', description: 'Newest first; pass the last id as `before` for the next page.' });

// ---- the treasury (`server/domain/payouts.ts`) --------------------------------------------------

const providerFailure = z.object({ code: z.string(), message: z.string() });

export const payout = z
  .object({
    id: z.string(),
    object: z.literal('payout'),
    provider: z.string(),
    status: z.enum(['pending', 'succeeded', 'failed', 'rejected']),
    amount: decimal,
    currency: currencyCode,
    bankId: z.string(),
    bankBranch: z.string().nullable(),
    holderName: z.string(),
    accountNumberLast4: z.string().meta({ description: 'The account number is never returned in full.' }),
    reference: z.string().nullable(),
    failure: providerFailure.nullable(),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ id: 'Payout' });

export const payoutList = z
  .object({ object: z.literal('list'), data: z.array(payout), hasMore: z.boolean() })
  .meta({ id: 'PayoutList', description: 'Newest first; pass the last id as `before` for the next page.' });

export const balance = z
  .object({
    object: z.literal('balance'),
    provider: z.string(),
    currency: currencyCode,
    amount: decimal.nullable(),
    available: z.boolean().meta({ description: 'False when the provider could not answer; see `error`.' }),
    error: providerFailure.nullable(),
  })
  .meta({ id: 'Balance' });

export const bank = z
  .object({ provider: z.string(), id: z.string(), name: z.string(), currency: currencyCode })
  .meta({ id: 'Bank' });

export const balanceList = z
  .object({ object: z.literal('list'), data: z.array(balance) })
  .meta({ id: 'BalanceList', description: 'One entry per enabled provider that reports a balance.' });
export const bankList = z.object({ object: z.literal('list'), data: z.array(bank) }).meta({ id: 'BankList' });

// ---- errors and health --------------------------------------------------------------------------

/** Every `error.code` the API sends: `ApiErrorCode` and the status stream's refusals. */
export const ERROR_CODES = [
  'invalid_request',
  'too_large',
  'unauthorized',
  'forbidden',
  'not_found',
  'conflict',
  'idempotency_mismatch',
  'method_unavailable',
  'amount_out_of_range',
  'session_closed',
  'payment_in_progress',
  'not_refundable',
  'refund_unsupported',
  'provider_declined',
  'provider_refused',
  'insufficient_funds',
  'unsupported',
  'provider_unavailable',
  'provider_error',
  'invalid_notification',
  'not_ready',
  'internal',
  'too_many_streams',
  'unavailable',
] as const;

export const errorBody = z
  .object({
    error: z.object({
      code: z.string().meta({
        description: `What went wrong, for code to act on. Known codes (more may be added): ${ERROR_CODES.map((code) => `\`${code}\``).join(', ')}.`,
        examples: ['invalid_request'],
      }),
      message: z.string().meta({ description: 'For people: names the bad field; never a provider’s raw text.' }),
      requestId: z.string().meta({ description: 'Also sent as `X-Request-Id`; quote it when asking for help.' }),
    }),
  })
  .meta({ id: 'Error', description: 'The one error shape of every route.' });

export const health = z.object({ status: z.literal('ok') });
export const ready = z.object({ status: z.literal('ready') });

// ---- each schema matches the type the code returns ----------------------------------------------

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
function same<A, B>(_check: Same<A, B>): void {}
same<z.output<typeof checkoutView>, Wire.CheckoutView>(true);
same<z.output<typeof attemptView>, Wire.AttemptView>(true);
same<z.output<typeof methodView>, Wire.MethodView>(true);
same<z.output<typeof action>, Wire.Action>(true);
same<z.output<typeof statusEvent>, Wire.StatusEvent>(true);
same<z.output<typeof errorBody>, Wire.ErrorBody>(true);
same<z.output<typeof session>, ReturnType<typeof merchantSessionView>>(true);
same<z.output<typeof refund>, ReturnType<typeof refundView>>(true);
same<z.output<typeof payout>, PayoutView>(true);
same<z.output<typeof balance>, BalanceView>(true);
same<z.output<typeof bank>, BankView>(true);
same<(typeof ERROR_CODES)[number], ApiErrorCode | 'too_many_streams' | 'unavailable'>(true);
