/**
 * The public API described as OpenAPI 3.1 at `/openapi.json`, and as a page at `/docs`. Both are
 * built from the zod schemas the routes validate requests with (exported by each route file) and
 * the response schemas in `http/schemas.ts`, so the description cannot say what the code does not.
 * The /v1 routes are listed in `openapi-operations.ts`, the examples in `openapi-examples.ts`.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import type { Config } from '../config.ts';
import { DOCS_CSS, renderDocsPage } from '../http/docs-page.ts';
import { CLIENT_SECRET_HEADER, type AppEnv } from '../http/middleware.ts';
import { buildOpenApi, type OpenApiDocument, type Operation } from '../http/openapi.ts';
import * as schemas from '../http/schemas.ts';
import { API_OPERATIONS, err, sessionParams } from './openapi-operations.ts';

/**
 * Routes `createApp` registers that the document leaves out on purpose: the provider simulators
 * (sandbox only) and the stylesheets of the two HTML pages.
 */
export const UNDOCUMENTED_ROUTES = ['/sandbox/*', '/docs.css'] as const;

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

/** What browsers load, and the health checks. */
const SITE_OPERATIONS: Operation[] = [
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
    errors: [err(503, 'internal', 'the bundle is not built', 'the widget bundle is not built: run `npm run build`')],
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
    errors: [err(404, 'not_found', 'no such language', 'no route for GET /tender-locales/xx.js')],
  },
  {
    method: 'get',
    path: '/tender-parts/{file}',
    tag: 'Pages',
    summary: 'A rarer part of the widget (till, card frame, wallet bridge, …), loaded by `tender.js` on demand',
    security: [],
    params: z.object({
      file: z
        .string()
        .regex(/^[a-z]+(?:\.[0-9a-f]{12})?\.js$/)
        .meta({ examples: ['till.js', 'card.0123456789ab.js'] }),
    }),
    responses: [
      {
        status: 200,
        description: 'A JavaScript module (content-hashed names are cached for a year)',
        contentType: 'text/javascript',
        example: 'export function renderTill(…){…}',
      },
    ],
    errors: [err(404, 'not_found', 'no such part', 'no route for GET /tender-parts/xx.js')],
  },
  {
    method: 'get',
    path: '/{file}',
    tag: 'Pages',
    summary: 'The script-tag bundle under its content-hashed name (`tender.<hash>.js`), cached for a year',
    security: [],
    params: z.object({
      file: z
        .string()
        .regex(/^tender\.[0-9a-f]{12}\.js$/)
        .meta({ examples: ['tender.0123456789ab.js'] }),
    }),
    responses: [
      {
        status: 200,
        description: 'The bundle',
        contentType: 'text/javascript',
        example: '(()=>{…})();',
      },
    ],
    errors: [err(404, 'not_found', 'an outdated hash', 'no route for GET /tender.000000000000.js')],
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
    path: '/metrics',
    tag: 'Operations',
    summary: 'Prometheus metrics: request and provider-call latency, open streams, webhooks waiting, reconciler lag',
    security: ['secretKey'],
    responses: [
      {
        status: 200,
        description: 'Prometheus text format 0.0.4',
        contentType: 'text/plain',
        example: '# TYPE tender_sse_streams_open gauge\ntender_sse_streams_open 3\n',
      },
    ],
    errors: [
      err(
        401,
        'unauthorized',
        'no valid secret key',
        'a valid secret key is required: Authorization: Bearer <secret key>',
      ),
    ],
  },
  {
    method: 'get',
    path: '/readyz',
    tag: 'Operations',
    summary: 'Readiness: this instance can write to its database now',
    security: [],
    responses: [{ status: 200, description: 'Ready', schema: schemas.ready, example: { status: 'ready' } }],
    errors: [
      err(
        503,
        'not_ready',
        'the database does not take a write (the log says why)',
        'this instance cannot write to its database; its log says why',
      ),
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

/** Every documented route. The test walks `createApp`'s routes and finds each here. */
export const OPERATIONS: Operation[] = [...API_OPERATIONS, ...SITE_OPERATIONS];
