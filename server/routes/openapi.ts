/**
 * The public API described as OpenAPI 3.1 at `/openapi.json`, and as a page at `/docs`. Both are
 * built from the zod schemas the routes validate requests with (exported by each route file) and
 * the response schemas in `http/schemas.ts`, so the description cannot say what the code does not.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import type { Config } from '../config.ts';
import { PAYOUT_ID } from '../domain/payouts.ts';
import { DOCS_CSS, renderDocsPage } from '../http/docs-page.ts';
import { idempotencyKey } from '../http/idempotency.ts';
import { CLIENT_SECRET_HEADER, SESSION_ID, type AppEnv } from '../http/middleware.ts';
import { buildOpenApi, type ErrorCase, type Operation, type OpenApiDocument } from '../http/openapi.ts';
import * as schemas from '../http/schemas.ts';
import { LIMITS } from '../limits.ts';
import { PROVIDER_IDS } from '../providers/registry.ts';
import { createAttemptBody, lastEventId } from './checkout.ts';
import * as ex from './openapi-examples.ts';
import { createRefundBody, createSessionBody, listQuery } from './sessions.ts';
import { balancesQuery, banksQuery, createPayoutBody } from './treasury.ts';

/**
 * Routes `createApp` registers that the document leaves out on purpose: the provider simulators
 * (sandbox only) and the stylesheets of the two HTML pages.
 */
export const UNDOCUMENTED_ROUTES = ['/sandbox/*', '/pay.css', '/docs.css'] as const;

/** The CSP of `/docs`: its own stylesheet and nothing else; no script at all. */
export const DOCS_CSP =
  "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** `/openapi.json`, `/docs` and its stylesheet. The document is built once, on first use. */
export function apiDocsRoutes({ config }: { config: Config }) {
  const app = new Hono<AppEnv>();
  let built: { document: OpenApiDocument; page: string } | undefined;
  const get = () => {
    if (!built) {
      const document = openApiDocument(config);
      built = { document, page: renderDocsPage(document) };
    }
    return built;
  };
  app.get('/openapi.json', (c) => c.json(get().document));
  app.get('/docs', (c) => {
    c.header('Content-Security-Policy', DOCS_CSP);
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Referrer-Policy', 'no-referrer');
    return c.html(get().page);
  });
  app.get('/docs.css', (c) => {
    c.header('Cache-Control', 'public, max-age=300');
    return c.body(DOCS_CSS, 200, { 'content-type': 'text/css; charset=utf-8' });
  });
  return app;
}

export function openApiDocument(config: Config): OpenApiDocument {
  return buildOpenApi({
    title: 'Tender BFF',
    version: '0.1.0',
    description: [
      'Checkout sessions for the merchant’s server, the browser checkout API, provider callbacks and the treasury (balances, banks, payouts).',
      'Amounts are decimal strings in the currency’s major unit (`"100.00"`), never numbers. Every error has one shape (`Error`), and every answer carries `X-Request-Id`.',
      'Three kinds of caller: the merchant’s server (`secretKey`), the shopper’s browser (the session’s client secret, `clientSecret` or `clientSecretQuery`), and the payment providers, whose callbacks carry no credential of Tender’s but are verified by each provider’s own signature and then confirmed by asking the provider.',
    ].join('\n\n'),
    serverUrl: config.publicUrl,
    tags: TAGS,
    securitySchemes: {
      secretKey: {
        type: 'http',
        scheme: 'bearer',
        description:
          'The merchant’s secret key (`merchant.secretKey`), from the merchant’s server only: `Authorization: Bearer <secret key>`.',
      },
      clientSecret: {
        type: 'apiKey',
        in: 'header',
        name: CLIENT_SECRET_HEADER,
        description: 'The session’s `clientSecret`: opens that one session for the shopper’s browser.',
      },
      clientSecretQuery: {
        type: 'apiKey',
        in: 'query',
        name: 'secret',
        description:
          'The client secret where no header can be sent (`EventSource`, an `<img>`, a link to the hosted page).',
      },
    },
    operations: OPERATIONS,
    schemas: [schemas.statusEvent],
  });
}

const TAGS = [
  { name: 'Sessions', description: 'The merchant’s server creates, reads and refunds checkout sessions.' },
  { name: 'Checkout', description: 'The shopper’s browser (the `<tender-checkout>` element) pays a session.' },
  { name: 'Treasury', description: 'Provider balances, their bank lists, and payouts to bank accounts.' },
  { name: 'Callbacks', description: 'Payment providers tell Tender about payments, refunds and payouts.' },
  { name: 'Pages', description: 'What browsers load: the hosted checkout page and the widget bundle.' },
  { name: 'Operations', description: 'Health checks and this description.' },
];

const MERCHANT = ['secretKey'];
const BROWSER = ['clientSecret', 'clientSecretQuery'];

const sessionParams = z.object({ id: z.string().regex(SESSION_ID).meta({ description: 'The session id (`ses_…`).' }) });
const idempotencyHeader = z.object({
  'Idempotency-Key': idempotencyKey.optional().meta({
    description:
      'Retry safely: the same key with the same body gets the first answer again (`Idempotent-Replayed: true`).',
    examples: ['order-1042'],
  }),
});

/** Errors every merchant route can answer with. */
const merchantErrors = (...more: ErrorCase[]): ErrorCase[] => [
  {
    status: 401,
    code: 'unauthorized',
    when: 'no valid secret key',
    message: 'a valid secret key is required: Authorization: Bearer <secret key>',
  },
  ...more,
];
const badBody = (message: string): ErrorCase[] => [
  {
    status: 400,
    code: 'invalid_request',
    when: 'the body does not fit the schema; the message names the field',
    message,
  },
  {
    status: 413,
    code: 'too_large',
    when: 'the body is over the limit',
    message: `the request body is larger than ${LIMITS.apiBodyBytes} bytes`,
  },
  {
    status: 415,
    code: 'invalid_request',
    when: 'not `application/json`',
    message: 'Content-Type must be application/json',
  },
];
const idempotencyMismatch: ErrorCase = {
  status: 422,
  code: 'idempotency_mismatch',
  when: 'the `Idempotency-Key` was used with another body',
  message: 'this Idempotency-Key was used with a different request body',
};
const browserAuth: ErrorCase = {
  status: 401,
  code: 'unauthorized',
  when: 'unknown session or wrong client secret (the two are not told apart)',
  message: 'this checkout session does not exist or the client secret is wrong',
};
const providerUnavailable: ErrorCase = {
  status: 503,
  code: 'provider_unavailable',
  when: 'the provider cannot be reached; try again',
  message: 'the payment provider is not reachable right now; please try again',
};

describeRequestFields();

/** Every documented route. The test walks `createApp`'s routes and finds each here. */
export const OPERATIONS: Operation[] = [
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
        {
          status: 422,
          code: 'method_unavailable',
          when: 'a listed method’s provider is not configured',
          message: 'methods: sansan.card is not enabled on this Tender (its provider is not configured)',
        },
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
      {
        status: 400,
        code: 'invalid_request',
        when: 'a bad query',
        message: 'query.limit: Too big: expected number to be <=100',
      },
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
    errors: merchantErrors({ status: 404, code: 'not_found', when: 'no such session', message: 'session not found' }),
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
        { status: 404, code: 'not_found', when: 'no such session', message: 'session not found' },
        {
          status: 409,
          code: 'not_refundable',
          when: 'the session is not paid, or already refunded in full',
          message: 'this session is open; only a paid session can be refunded',
        },
        {
          status: 422,
          code: 'amount_out_of_range',
          when: 'more than is left to refund',
          message: 'at most 20.00 CAD can still be refunded',
        },
        {
          status: 422,
          code: 'refund_unsupported',
          when: 'the provider takes no refunds',
          message: 'one1pay payments cannot be refunded through Tender',
        },
        {
          status: 422,
          code: 'provider_declined',
          when: 'the provider refused the refund',
          message: 'the payment provider refused refund ref_Q4v8bLx2NcT7kWz9PaRs; no money was sent back',
        },
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
      {
        status: 409,
        code: 'session_closed',
        when: 'the session takes no new attempts (paid, expired, canceled)',
        message: 'this checkout has expired and takes no new payment attempts',
      },
      {
        status: 422,
        code: 'method_unavailable',
        when: 'the method cannot pay this session',
        message: 'method ottpay.wechat is not available for this checkout',
      },
      {
        status: 422,
        code: 'provider_declined',
        when: 'the provider declined the payment',
        message: 'the payment provider declined this payment',
      },
      {
        status: 502,
        code: 'provider_error',
        when: 'the provider could not handle the request',
        message: 'the payment provider could not handle this request',
      },
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
      {
        status: 400,
        code: 'invalid_request',
        when: 'a bad `Last-Event-ID`',
        message: 'Last-Event-ID: Invalid input: expected number, received NaN',
      },
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
      {
        status: 404,
        code: 'not_found',
        when: 'the latest attempt shows no QR code',
        message: 'this checkout has no QR code right now',
      },
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
      {
        status: 401,
        code: 'invalid_notification',
        when: 'verification failed; nothing changed',
        message: 'the notification could not be verified',
      },
      { status: 404, code: 'not_found', when: 'an unknown provider or order', message: 'unknown order' },
      {
        status: 413,
        code: 'too_large',
        when: 'larger than any real callback',
        message: `a provider callback is larger than ${LIMITS.callbackBodyBytes} bytes`,
      },
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
      {
        status: 400,
        code: 'invalid_request',
        when: 'a bad query',
        message: 'query.currency: is not a supported currency code (e.g. "THB", "MYR", "USDT")',
      },
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
      {
        status: 400,
        code: 'invalid_request',
        when: 'a bad query',
        message: 'query.purpose: Invalid option: expected one of "withdrawal"|"deposit"',
      },
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
        {
          status: 422,
          code: 'invalid_request',
          when: 'the provider makes no payouts, or lists no such bank',
          message: 'body.bankId: one1pay has no payout bank "999" for THB; GET /v1/banks?currency=THB lists them',
        },
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
    path: '/v1/payouts/{id}',
    tag: 'Treasury',
    summary: 'Read a payout (a pending one is first refreshed from the provider)',
    security: MERCHANT,
    params: z.object({ id: z.string().regex(PAYOUT_ID).meta({ description: 'The payout id (`po_…`).' }) }),
    responses: [{ status: 200, description: 'The payout', schema: schemas.payout, example: ex.payoutExample }],
    errors: merchantErrors({ status: 404, code: 'not_found', when: 'no such payout', message: 'payout not found' }),
  },
  {
    method: 'get',
    path: '/pay/{id}',
    tag: 'Pages',
    summary: 'The hosted checkout page',
    description:
      'Opens the session with `?secret=`. Without it (the shopper back from a provider’s page) it serves the same page, which finds the secret it kept in the tab. Strict CSP: no inline script or style.',
    security: [],
    params: sessionParams,
    query: z.object({ secret: z.string().optional().meta({ description: 'The session’s client secret.' }) }),
    responses: [
      {
        status: 200,
        description: 'The page',
        contentType: 'text/html',
        example: '<!doctype html>…<tender-checkout session="ses_…" client-secret="…"></tender-checkout>…',
      },
      {
        status: 404,
        description: 'No such session, or the wrong secret (the page says the link is not valid)',
        contentType: 'text/html',
        example: '<!doctype html>…This checkout link is not valid…',
      },
    ],
  },
  {
    method: 'get',
    path: '/tender.js',
    tag: 'Pages',
    summary: 'The script-tag bundle of `<tender-checkout>`',
    security: [],
    responses: [
      { status: 200, description: 'JavaScript', contentType: 'text/javascript', example: '(function(){…})();' },
    ],
    errors: [
      {
        status: 503,
        code: 'internal',
        when: 'the bundle is not built',
        message: 'the widget bundle is not built: run `npm run build`',
      },
    ],
  },
  {
    method: 'get',
    path: '/tender-locales/{file}',
    tag: 'Pages',
    summary: 'One of the widget’s languages, loaded by `tender.js` on demand',
    security: [],
    params: z.object({
      file: z
        .string()
        .regex(/^[a-z]{2}(?:-[A-Z][a-z]{3})?\.js$/)
        .meta({ examples: ['th.js', 'zh-Hant.js'] }),
    }),
    responses: [
      {
        status: 200,
        description: 'A JavaScript module',
        contentType: 'text/javascript',
        example: 'export default {…};',
      },
    ],
    errors: [
      { status: 404, code: 'not_found', when: 'no such language', message: 'no route for GET /tender-locales/xx.js' },
    ],
  },
  {
    method: 'get',
    path: '/healthz',
    tag: 'Operations',
    summary: 'Liveness: the process answers (the database is not asked)',
    security: [],
    responses: [{ status: 200, description: 'Alive', schema: schemas.health, example: { status: 'ok' } }],
  },
  {
    method: 'get',
    path: '/readyz',
    tag: 'Operations',
    summary: 'Readiness: this instance can write to its database now',
    security: [],
    responses: [{ status: 200, description: 'Ready', schema: schemas.ready, example: { status: 'ready' } }],
    errors: [
      {
        status: 503,
        code: 'not_ready',
        when: 'the database does not take a write (the log says why)',
        message: 'this instance cannot write to its database; its log says why',
      },
    ],
  },
  {
    method: 'get',
    path: '/openapi.json',
    tag: 'Operations',
    summary: 'This description, as OpenAPI 3.1',
    security: [],
    responses: [
      { status: 200, description: 'The document', contentType: 'application/json', example: '{"openapi":"3.1.0",…}' },
    ],
  },
  {
    method: 'get',
    path: '/docs',
    tag: 'Operations',
    summary: 'This description, as a page',
    security: [],
    responses: [{ status: 200, description: 'HTML, no script', contentType: 'text/html', example: '<!doctype html>…' }],
  },
];

/**
 * Words and examples for request fields whose rules a JSON Schema cannot carry (a refinement such
 * as "a supported currency"). Attached to the routes' own schema objects, for the description only.
 */
function describeRequestFields(): void {
  const notes: [z.ZodType, { description: string; examples?: unknown[] }][] = [
    [
      createSessionBody.shape.amount,
      {
        description: 'A decimal string in the major unit; more than zero, within the currency’s decimals.',
        examples: ['25.00'],
      },
    ],
    [createSessionBody.shape.currency, { description: 'A supported currency code.', examples: ['THB', 'CAD', 'USDT'] }],
    [createSessionBody.shape.reference, { description: 'Your order reference, returned as given.' }],
    [
      createSessionBody.shape.returnUrl,
      { description: 'An http(s) URL the shopper comes back to after a provider’s page.' },
    ],
    [
      createSessionBody.shape.methods,
      {
        description: 'Only these methods; each must belong to a configured provider. Default: every method that fits.',
      },
    ],
    [
      createSessionBody.shape.expiresInSeconds,
      {
        description:
          'How long the session takes payments. Default: the configured session lifetime (`checkout.sessionTtlSeconds`).',
      },
    ],
    [
      createRefundBody.shape.amount,
      { description: 'Leave out to refund everything that is left.', examples: ['5.00'] },
    ],
    [listQuery.shape.before, { description: 'A session id: list the sessions created before it.' }],
    [
      createAttemptBody.shape.fields,
      { description: 'The values the method’s `fields` ask for (`MethodView.fields`).' },
    ],
    [
      createAttemptBody.shape.client,
      { description: 'Where the shopper is, so the provider’s flow fits (H5 on phones, JSAPI in WeChat).' },
    ],
    [createAttemptBody.shape.buyerCode, { description: 'A buyer’s payment code scanned at a till; charged at once.' }],
    [createPayoutBody.shape.currency, { description: 'A supported currency code.', examples: ['THB'] }],
    [
      createPayoutBody.shape.provider,
      { description: 'An enabled provider that makes payouts.', examples: ['one1pay'] },
    ],
    [createPayoutBody.shape.bankId, { description: 'A bank id from `GET /v1/banks` (purpose `withdrawal`).' }],
    [
      createPayoutBody.shape.accountNumber,
      { description: 'Stored, sent to the provider, and never returned in full.' },
    ],
    [
      banksQuery.shape.purpose,
      { description: '`withdrawal`: banks payouts can go to; `deposit`: banks shoppers pay from.' },
    ],
  ];
  for (const [schema, meta] of notes) z.globalRegistry.add(schema, meta);
}
