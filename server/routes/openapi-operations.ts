/**
 * Every public route of the BFF for `/openapi.json` and `/docs`: its parameters, body and responses
 * as the zod schemas the route validates with (exported by its route file) and the response schemas
 * of `http/schemas.ts`, its errors, and examples (`openapi-examples.ts`).
 */
import { z } from 'zod';
import { PAYOUT_ID } from '../domain/payouts.ts';
import { idempotencyKey } from '../http/idempotency.ts';
import { SESSION_ID } from '../http/middleware.ts';
import type { ErrorCase, Operation } from '../http/openapi.ts';
import * as schemas from '../http/schemas.ts';
import { LIMITS } from '../limits.ts';
import { PROVIDER_IDS } from '../providers/registry.ts';
import { createAttemptBody, lastEventId } from './checkout.ts';
import * as ex from './openapi-examples.ts';
import { createRefundBody, createSessionBody, listQuery } from './sessions.ts';
import { balancesQuery, banksQuery, createPayoutBody } from './treasury.ts';

export function err(status: number, code: string, when: string, message: string): ErrorCase {
  return { status, code, when, message };
}

const MERCHANT = ['secretKey'];
const BROWSER = ['clientSecret', 'clientSecretQuery'];

export const sessionParams = z.object({
  id: z.string().regex(SESSION_ID).meta({ description: 'The session id (`ses_…`).' }),
});
const idempotencyHeader = z.object({
  'Idempotency-Key': idempotencyKey.optional().meta({
    description:
      'Retry safely: the same key with the same body gets the first answer again (`Idempotent-Replayed: true`).',
    examples: ['order-1042'],
  }),
});

/** Errors every merchant route can answer with. */
const merchantErrors = (...more: ErrorCase[]): ErrorCase[] => [
  err(401, 'unauthorized', 'no valid secret key', 'a valid secret key is required: Authorization: Bearer <secret key>'),
  ...more,
];
const badBody = (message: string): ErrorCase[] => [
  {
    status: 400,
    code: 'invalid_request',
    when: 'the body does not fit the schema; the message names the field',
    message,
  },
  err(413, 'too_large', 'the body is over the limit', `the request body is larger than ${LIMITS.apiBodyBytes} bytes`),
  err(415, 'invalid_request', 'not `application/json`', 'Content-Type must be application/json'),
];
const idempotencyMismatch = err(
  422,
  'idempotency_mismatch',
  'the `Idempotency-Key` was used with another body',
  'this Idempotency-Key was used with a different request body',
);
const browserAuth = err(
  401,
  'unauthorized',
  'unknown session or wrong client secret (the two are not told apart)',
  'this checkout session does not exist or the client secret is wrong',
);
const providerUnavailable = err(
  503,
  'provider_unavailable',
  'the provider cannot be reached; try again',
  'the payment provider is not reachable right now; please try again',
);

ex.describeRequestFields();

/** The JSON API under /v1. */
export const API_OPERATIONS: Operation[] = [
  {
    method: 'post',
    path: '/v1/sessions',
    tag: 'Sessions',
    summary: 'Create a checkout session',
    description:
      'Hand `clientSecret` to the page (or send the shopper to `url`). Release goods only on a webhook or on `GET /v1/sessions/{id}` saying `succeeded`.',
    security: MERCHANT,
    headers: idempotencyHeader,
    body: { schema: createSessionBody, example: ex.createSessionExample },
    responses: [
      { status: 201, description: 'The new session', schema: schemas.session, example: ex.createdSessionExample },
    ],
    errors: [
      ...badBody('body.amount: must be a decimal string such as "100.00"'),
      ...merchantErrors(
        err(
          422,
          'method_unavailable',
          'a listed method’s provider is not configured',
          'methods: sansan.card is not enabled on this Tender (its provider is not configured)',
        ),
        idempotencyMismatch,
      ),
    ],
  },
  {
    method: 'get',
    path: '/v1/sessions',
    tag: 'Sessions',
    summary: 'List sessions, newest first',
    security: MERCHANT,
    query: listQuery,
    responses: [
      { status: 200, description: 'A page of sessions', schema: schemas.sessionList, example: ex.sessionListExample },
    ],
    errors: [
      err(400, 'invalid_request', 'a bad query', 'query.limit: Too big: expected number to be <=100'),
      ...merchantErrors(),
    ],
  },
  {
    method: 'get',
    path: '/v1/sessions/{id}',
    tag: 'Sessions',
    summary: 'Read a session with its attempts and refunds',
    description:
      'The server-side signal of payment: release goods on `status: succeeded` (or on the webhook), never on a browser event.',
    security: MERCHANT,
    params: sessionParams,
    responses: [{ status: 200, description: 'The session', schema: schemas.session, example: ex.sessionExample }],
    errors: merchantErrors(err(404, 'not_found', 'no such session', 'session not found')),
  },
  {
    method: 'post',
    path: '/v1/sessions/{id}/cancel',
    tag: 'Sessions',
    summary: 'Cancel an unpaid session',
    description:
      'The session takes no more payment attempts; the merchant’s server gets `session.canceled` and an open checkout page shows it. Canceling a canceled session answers it again. Refused while an attempt may be being paid (retry once it settles or expires). A payment confirmed later still counts: the session then moves to `succeeded` and `session.succeeded` follows.',
    security: MERCHANT,
    params: sessionParams,
    responses: [
      {
        status: 200,
        description: 'The canceled session',
        schema: schemas.session,
        example: ex.canceledSessionExample,
      },
    ],
    errors: merchantErrors(
      err(404, 'not_found', 'no such session', 'session not found'),
      err(
        409,
        'session_closed',
        'the session is paid, refunded or expired',
        'this checkout has been paid; only an open checkout can be canceled',
      ),
      err(
        409,
        'payment_in_progress',
        'an attempt is waiting for the shopper’s payment',
        'attempt att_Jd8sK2mQ9xLc4TvB7nRw is waiting for the shopper’s payment; cancel again once it has settled or expired',
      ),
    ),
  },
  {
    method: 'post',
    path: '/v1/sessions/{id}/refunds',
    tag: 'Sessions',
    summary: 'Refund a paid session, in full (no `amount`) or in part',
    description:
      'The amount is reserved before the provider is asked, so refunds never add up to more than was paid. With an `Idempotency-Key`, a retry finds the same refund and never makes a second.',
    security: MERCHANT,
    params: sessionParams,
    headers: idempotencyHeader,
    body: { schema: createRefundBody, example: ex.createRefundExample },
    responses: [
      { status: 201, description: 'The refund went through', schema: schemas.refund, example: ex.refundExample },
      {
        status: 202,
        description: 'The provider’s answer is pending; Tender keeps asking',
        schema: schemas.refund,
        example: ex.pendingRefundExample,
      },
    ],
    errors: [
      ...badBody('body.amount: must be a decimal string such as "10.00"'),
      ...merchantErrors(
        err(404, 'not_found', 'no such session', 'session not found'),
        err(
          409,
          'not_refundable',
          'the session is not paid, or already refunded in full',
          'this session is open; only a paid session can be refunded',
        ),
        err(422, 'amount_out_of_range', 'more than is left to refund', 'at most 20.00 CAD can still be refunded'),
        err(
          422,
          'refund_unsupported',
          'the provider takes no refunds',
          'one1pay payments cannot be refunded through Tender',
        ),
        err(
          422,
          'provider_declined',
          'the provider refused the refund',
          'the payment provider refused refund ref_Q4v8bLx2NcT7kWz9PaRs; no money was sent back',
        ),
        idempotencyMismatch,
        providerUnavailable,
      ),
    ],
  },
  {
    method: 'get',
    path: '/v1/checkout/{id}',
    tag: 'Checkout',
    summary: 'The public checkout view',
    description:
      'What the checkout element shows: amount, the methods that can pay it, the latest attempt. Nothing in it is secret.',
    security: BROWSER,
    params: sessionParams,
    responses: [
      { status: 200, description: 'The view', schema: schemas.checkoutView, example: ex.checkoutViewExample },
    ],
    errors: [browserAuth],
  },
  {
    method: 'get',
    path: '/v1/checkout/{id}/outcome',
    tag: 'Checkout',
    summary: 'What became of a checkout, for whoever holds its link (no client secret)',
    description:
      'Merchant, amount, whether it was paid, and the way back to the shop; nothing more. A hosted link opened in another browser or a wallet’s in-app browser shows this.',
    security: [],
    params: sessionParams,
    responses: [
      {
        status: 200,
        description: 'The outcome',
        schema: schemas.checkoutOutcome,
        example: {
          merchant: { name: 'Demo Shop' },
          amount: '12.50',
          currency: 'USD',
          status: 'paid',
          returnUrl: 'https://shop.example/orders/1001',
        },
      },
    ],
    errors: [err(404, 'not_found', 'no such session', 'this checkout session does not exist')],
  },
  {
    method: 'post',
    path: '/v1/checkout/{id}/attempts',
    tag: 'Checkout',
    summary: 'Start a payment attempt with a method',
    description:
      'The same choice (method, fields, buyer code) while its attempt still runs returns that attempt. The answer’s `action` says what the browser does next.',
    security: BROWSER,
    params: sessionParams,
    body: { schema: createAttemptBody, example: ex.createAttemptExample },
    responses: [
      {
        status: 201,
        description: 'The attempt and its action',
        schema: schemas.attemptView,
        example: ex.attemptExample,
      },
    ],
    errors: [
      ...badBody('fields.bankId is required for one1pay.thaiqr'),
      browserAuth,
      err(
        409,
        'session_closed',
        'the session takes no new attempts (paid, expired, canceled)',
        'this checkout has expired and takes no new payment attempts',
      ),
      err(
        422,
        'method_unavailable',
        'the method cannot pay this session',
        'method ottpay.wechat is not available for this checkout',
      ),
      err(422, 'provider_declined', 'the provider declined the payment', 'the payment provider declined this payment'),
      err(
        502,
        'provider_error',
        'the provider could not handle the request',
        'the payment provider could not handle this request',
      ),
      providerUnavailable,
    ],
  },
  {
    method: 'get',
    path: '/v1/checkout/{id}/events',
    tag: 'Checkout',
    summary: 'The session’s status as server-sent events',
    description:
      '`event: ready` on connect (`data: {"heartbeatMs": N}`), then one `event: status` per change (data: `StatusEvent`, `id:` its `seq`), and `event: ping` every N ms while idle. Resume with `Last-Event-ID` (or `?lastEventId=` on a new `EventSource`): everything after it is replayed first.',
    security: BROWSER,
    params: sessionParams,
    query: z.object({
      lastEventId: lastEventId.optional().meta({ description: 'As `Last-Event-ID`, for a new `EventSource`.' }),
    }),
    headers: z.object({ 'Last-Event-ID': lastEventId.optional().meta({ description: 'The last `seq` received.' }) }),
    responses: [
      {
        status: 200,
        description: 'An endless `text/event-stream`',
        contentType: 'text/event-stream',
        example: ex.statusStreamExample,
      },
    ],
    errors: [
      err(
        400,
        'invalid_request',
        'a bad `Last-Event-ID`',
        'Last-Event-ID: Invalid input: expected number, received NaN',
      ),
      browserAuth,
      {
        status: 429,
        code: 'too_many_streams',
        when: 'too many streams from one address or for one session',
        message: `this address already has ${LIMITS.sseStreamsPerClient} open status streams; close one first`,
        retryAfter: true,
      },
      {
        status: 503,
        code: 'unavailable',
        when: 'this instance holds all the streams it can',
        message: 'this instance holds as many status streams as it can; try again shortly',
        retryAfter: true,
      },
    ],
  },
  {
    method: 'get',
    path: '/v1/checkout/{id}/qr.svg',
    tag: 'Checkout',
    summary: 'The current QR code as an image',
    security: BROWSER,
    params: sessionParams,
    responses: [
      {
        status: 200,
        description: 'The latest attempt’s QR code',
        contentType: 'image/svg+xml',
        example: '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 33 33">…</svg>',
      },
    ],
    errors: [
      browserAuth,
      err(404, 'not_found', 'the latest attempt shows no QR code', 'this checkout has no QR code right now'),
    ],
  },
  {
    method: 'post',
    path: '/v1/notify/{provider}',
    tag: 'Callbacks',
    summary: 'A provider’s callback',
    description:
      'No credential of Tender’s: the raw body is verified with the provider’s own signature, deduplicated, and then confirmed by querying the provider before anything changes. Acknowledged in the form the provider expects.',
    security: [],
    params: z.object({
      provider: z.enum(PROVIDER_IDS as [string, ...string[]]).meta({ description: 'The provider’s id.' }),
    }),
    body: {
      contentType: '*/*',
      description: 'The provider’s own format (JSON or a form), read as raw bytes.',
      example: '{"orderId":"att_YudOCCXLAzj4PSl3DGKB","status":"SUCCESS","sign":"…"}',
    },
    responses: [
      {
        status: 200,
        description: 'Acknowledged as that provider expects',
        contentType: 'text/plain',
        example: 'SUCCESS',
      },
    ],
    errors: [
      err(
        401,
        'invalid_notification',
        'verification failed; nothing changed',
        'the notification could not be verified',
      ),
      err(404, 'not_found', 'an unknown provider or order', 'unknown order'),
      err(
        413,
        'too_large',
        'larger than any real callback',
        `a provider callback is larger than ${LIMITS.callbackBodyBytes} bytes`,
      ),
    ],
  },
  {
    method: 'get',
    path: '/v1/balances',
    tag: 'Treasury',
    summary: 'The balance at every enabled provider that reports one',
    description: 'A provider that cannot answer is listed with `available: false` instead of failing the call.',
    security: MERCHANT,
    query: balancesQuery,
    responses: [
      { status: 200, description: 'One entry per provider', schema: schemas.balanceList, example: ex.balancesExample },
    ],
    errors: [
      err(
        400,
        'invalid_request',
        'a bad query',
        'query.currency: is not a supported currency code (e.g. "THB", "MYR", "USDT")',
      ),
      ...merchantErrors(),
    ],
  },
  {
    method: 'get',
    path: '/v1/banks',
    tag: 'Treasury',
    summary: 'The banks the providers list, for payouts (default) or deposits',
    security: MERCHANT,
    query: banksQuery,
    responses: [{ status: 200, description: 'The banks', schema: schemas.bankList, example: ex.banksExample }],
    errors: [
      err(
        400,
        'invalid_request',
        'a bad query',
        'query.purpose: Invalid option: expected one of "withdrawal"|"deposit"',
      ),
      ...merchantErrors(providerUnavailable),
    ],
  },
  {
    method: 'post',
    path: '/v1/payouts',
    tag: 'Treasury',
    summary: 'Send money from a provider balance to a bank account',
    description:
      'Stored before the provider is asked. A payout whose outcome is unclear is answered `pending` and followed up; one the provider refuses is recorded as failed and answered with an error. The same `Idempotency-Key` never sends money twice.',
    security: MERCHANT,
    headers: idempotencyHeader,
    body: { schema: createPayoutBody, example: ex.createPayoutExample },
    responses: [
      { status: 201, description: 'Created (or replayed)', schema: schemas.payout, example: ex.payoutExample },
    ],
    errors: [
      ...badBody('body.accountNumber: must be 4 to 34 letters and digits (spaces and dashes allowed)'),
      ...merchantErrors(
        err(
          422,
          'invalid_request',
          'the provider makes no payouts, or lists no such bank',
          'body.bankId: one1pay has no payout bank "999" for THB; GET /v1/banks?currency=THB lists them',
        ),
        {
          status: 422,
          code: 'provider_declined',
          when: 'the provider refused it (a balance too low, say); nothing was sent',
          message:
            'one1pay refused this payout; payout po_Xk2m9QvB7sLw0RtZ4nYc was recorded as failed and nothing was sent',
        },
        idempotencyMismatch,
        {
          status: 502,
          code: 'provider_error',
          when: 'the provider could not handle the request; nothing was sent',
          message:
            'one1pay could not handle this payout request; payout po_Xk2m9QvB7sLw0RtZ4nYc was recorded as failed and nothing was sent',
        },
      ),
    ],
  },
  {
    method: 'get',
    path: '/v1/payouts',
    tag: 'Treasury',
    summary: 'List payouts, newest first',
    description: 'As stored: listing asks no provider (reading one payout refreshes it while pending).',
    security: MERCHANT,
    query: listQuery,
    responses: [
      { status: 200, description: 'A page of payouts', schema: schemas.payoutList, example: ex.payoutListExample },
    ],
    errors: [
      err(400, 'invalid_request', 'a bad query', 'query.limit: Too big: expected number to be <=100'),
      ...merchantErrors(),
    ],
  },
  {
    method: 'get',
    path: '/v1/payouts/{id}',
    tag: 'Treasury',
    summary: 'Read a payout (a pending one is first refreshed from the provider)',
    security: MERCHANT,
    params: z.object({ id: z.string().regex(PAYOUT_ID).meta({ description: 'The payout id (`po_…`).' }) }),
    responses: [{ status: 200, description: 'The payout', schema: schemas.payout, example: ex.payoutExample }],
    errors: merchantErrors(err(404, 'not_found', 'no such payout', 'payout not found')),
  },
];
