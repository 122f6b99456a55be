/** The public API described as OpenAPI 3.1, served at /openapi.json. */
import type { Config } from '../config.ts';

const error = { $ref: '#/components/schemas/Error' };
const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: error } } });
const json = (schema: object) => ({ 'application/json': { schema } });
const sessionId = { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^ses_' } };
const currencyQuery = {
  name: 'currency',
  in: 'query',
  required: true,
  schema: { type: 'string', examples: ['THB'] },
};

export function openApiDocument(config: Config) {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Tender BFF',
      version: '0.1.0',
      description:
        'Checkout sessions, the browser checkout API, provider callbacks and the treasury (balances, banks, payouts).',
    },
    servers: [{ url: config.publicUrl }],
    components: {
      securitySchemes: {
        secretKey: { type: 'http', scheme: 'bearer', description: 'merchant.secretKey' },
        clientSecret: {
          type: 'apiKey',
          in: 'header',
          name: 'Tender-Client-Secret',
          description: 'The session client secret; `?secret=` where a header cannot be sent.',
        },
      },
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message', 'requestId'],
              properties: { code: { type: 'string' }, message: { type: 'string' }, requestId: { type: 'string' } },
            },
          },
        },
        CreateSession: {
          type: 'object',
          required: ['amount', 'currency', 'reference'],
          additionalProperties: false,
          properties: {
            amount: { type: 'string', pattern: '^\\d+(\\.\\d+)?$', examples: ['100.00'] },
            currency: { type: 'string', examples: ['THB', 'CAD', 'USDT'] },
            reference: { type: 'string', maxLength: 64 },
            returnUrl: { type: 'string', format: 'uri' },
            customer: {
              type: 'object',
              properties: { email: { type: 'string' }, phone: { type: 'string' }, name: { type: 'string' } },
            },
            methods: { type: 'array', items: { type: 'string' } },
            expiresInSeconds: { type: 'integer', minimum: 60, maximum: 604800 },
            description: { type: 'string', maxLength: 200 },
          },
        },
        Session: {
          type: 'object',
          description: 'A checkout session with its attempts; `clientSecret` opens it for one browser.',
        },
        CheckoutView: { type: 'object', description: 'Public view of a session: what the checkout element shows.' },
        Attempt: { type: 'object', description: 'An attempt and its action: qr, redirect, card or none.' },
        CreatePayout: {
          type: 'object',
          required: ['provider', 'amount', 'currency', 'bankId', 'holderName', 'accountNumber'],
          additionalProperties: false,
          properties: {
            provider: { type: 'string', examples: ['one1pay'] },
            amount: { type: 'string', pattern: '^\\d+(\\.\\d+)?$', examples: ['100.00'] },
            currency: { type: 'string', examples: ['THB'] },
            bankId: { type: 'string', description: 'An id from `GET /v1/banks` (purpose `withdrawal`).' },
            bankBranch: { type: 'string', maxLength: 100 },
            holderName: { type: 'string', maxLength: 100 },
            accountNumber: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9 -]{3,33}$' },
            reference: { type: 'string', maxLength: 64 },
          },
        },
        Payout: {
          type: 'object',
          description: 'A payout. The account number is never returned in full, only `accountNumberLast4`.',
          properties: {
            id: { type: 'string', pattern: '^po_' },
            object: { const: 'payout' },
            provider: { type: 'string' },
            status: { enum: ['pending', 'succeeded', 'failed', 'rejected'] },
            amount: { type: 'string' },
            currency: { type: 'string' },
            bankId: { type: 'string' },
            bankBranch: { type: ['string', 'null'] },
            holderName: { type: 'string' },
            accountNumberLast4: { type: 'string' },
            reference: { type: ['string', 'null'] },
            failure: {
              type: ['object', 'null'],
              properties: { code: { type: 'string' }, message: { type: 'string' } },
            },
            createdAt: { type: 'string', format: 'date-time' },
            updatedAt: { type: 'string', format: 'date-time' },
          },
        },
        Balance: {
          type: 'object',
          description: 'One provider balance; a provider that could not answer has `available: false` and `error`.',
          properties: {
            object: { const: 'balance' },
            provider: { type: 'string' },
            currency: { type: 'string' },
            amount: { type: ['string', 'null'] },
            available: { type: 'boolean' },
            error: { type: ['object', 'null'] },
          },
        },
        Bank: {
          type: 'object',
          properties: {
            provider: { type: 'string' },
            id: { type: 'string' },
            name: { type: 'string' },
            currency: { type: 'string' },
          },
        },
      },
    },
    paths: {
      '/v1/sessions': {
        post: {
          summary: 'Create a checkout session',
          security: [{ secretKey: [] }],
          parameters: [{ name: 'Idempotency-Key', in: 'header', schema: { type: 'string', maxLength: 255 } }],
          requestBody: { required: true, content: json({ $ref: '#/components/schemas/CreateSession' }) },
          responses: {
            '201': { description: 'Created', content: json({ $ref: '#/components/schemas/Session' }) },
            '400': errorResponse('Invalid request'),
            '401': errorResponse('Bad secret key'),
            '422': errorResponse('Idempotency-Key reused with another body'),
          },
        },
        get: {
          summary: 'List sessions, newest first',
          security: [{ secretKey: [] }],
          responses: { '200': { description: 'A page of sessions' } },
        },
      },
      '/v1/sessions/{id}': {
        get: {
          summary: 'Read a session with its attempts',
          security: [{ secretKey: [] }],
          parameters: [sessionId],
          responses: {
            '200': { description: 'The session', content: json({ $ref: '#/components/schemas/Session' }) },
            '404': errorResponse('Not found'),
          },
        },
      },
      '/v1/sessions/{id}/refunds': {
        post: {
          summary: 'Refund a paid session, in full (no amount) or in part',
          security: [{ secretKey: [] }],
          parameters: [
            sessionId,
            { name: 'Idempotency-Key', in: 'header', schema: { type: 'string', maxLength: 255 } },
          ],
          requestBody: {
            required: true,
            content: json({
              type: 'object',
              additionalProperties: false,
              properties: {
                amount: { type: 'string', pattern: '^\\d+(\\.\\d+)?$', examples: ['10.00'] },
                reason: { type: 'string', maxLength: 200 },
              },
            }),
          },
          responses: {
            '201': { description: 'The refund, succeeded or failed' },
            '202': { description: 'The refund, still pending at the provider' },
            '409': errorResponse('The session is not paid, or already refunded in full'),
            '422': errorResponse('More than is left to refund, or the provider takes no refunds'),
          },
        },
      },
      '/v1/balances': {
        get: {
          summary: 'Balance at every enabled provider that reports one',
          security: [{ secretKey: [] }],
          parameters: [currencyQuery],
          responses: {
            '200': {
              description: 'One entry per provider',
              content: json({
                type: 'object',
                properties: {
                  object: { const: 'list' },
                  data: { type: 'array', items: { $ref: '#/components/schemas/Balance' } },
                },
              }),
            },
            '400': errorResponse('Invalid query'),
          },
        },
      },
      '/v1/banks': {
        get: {
          summary: 'Banks the providers list for payouts (default) or deposits',
          security: [{ secretKey: [] }],
          parameters: [
            currencyQuery,
            { name: 'purpose', in: 'query', schema: { enum: ['withdrawal', 'deposit'], default: 'withdrawal' } },
          ],
          responses: {
            '200': {
              description: 'The banks',
              content: json({
                type: 'object',
                properties: {
                  object: { const: 'list' },
                  data: { type: 'array', items: { $ref: '#/components/schemas/Bank' } },
                },
              }),
            },
            '400': errorResponse('Invalid query'),
            '503': errorResponse('A provider could not be reached'),
          },
        },
      },
      '/v1/payouts': {
        post: {
          summary: 'Send money from a provider balance to a bank account',
          description:
            'Stored before the provider is asked. A payout whose outcome is unclear is answered `pending` and followed up; one the provider refuses is recorded as failed and answered with an error.',
          security: [{ secretKey: [] }],
          parameters: [{ name: 'Idempotency-Key', in: 'header', schema: { type: 'string', maxLength: 255 } }],
          requestBody: { required: true, content: json({ $ref: '#/components/schemas/CreatePayout' }) },
          responses: {
            '201': { description: 'Created (or replayed)', content: json({ $ref: '#/components/schemas/Payout' }) },
            '400': errorResponse('Invalid request'),
            '401': errorResponse('Bad secret key'),
            '422': errorResponse('Provider or bank not available, refused by the provider, or Idempotency-Key reused'),
            '502': errorResponse('The provider could not handle the request'),
          },
        },
      },
      '/v1/payouts/{id}': {
        get: {
          summary: 'Read a payout (a pending one is first refreshed from the provider)',
          security: [{ secretKey: [] }],
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^po_' } }],
          responses: {
            '200': { description: 'The payout', content: json({ $ref: '#/components/schemas/Payout' }) },
            '404': errorResponse('Not found'),
          },
        },
      },
      '/v1/checkout/{id}': {
        get: {
          summary: 'Public checkout view',
          security: [{ clientSecret: [] }],
          parameters: [sessionId],
          responses: {
            '200': { description: 'The view', content: json({ $ref: '#/components/schemas/CheckoutView' }) },
            '401': errorResponse('Bad client secret'),
          },
        },
      },
      '/v1/checkout/{id}/attempts': {
        post: {
          summary: 'Start a payment attempt with a method',
          security: [{ clientSecret: [] }],
          parameters: [sessionId],
          responses: {
            '201': {
              description: 'The attempt and its action',
              content: json({ $ref: '#/components/schemas/Attempt' }),
            },
            '409': errorResponse('The session takes no new attempts'),
            '422': errorResponse('Method not available'),
            '503': errorResponse('Provider unreachable'),
          },
        },
      },
      '/v1/checkout/{id}/events': {
        get: {
          summary: 'Server-sent status events; resume with Last-Event-ID',
          security: [{ clientSecret: [] }],
          parameters: [sessionId],
          responses: { '200': { description: 'text/event-stream' } },
        },
      },
      '/v1/checkout/{id}/qr.svg': {
        get: {
          summary: 'The current QR code as an image',
          security: [{ clientSecret: [] }],
          parameters: [sessionId],
          responses: { '200': { description: 'image/svg+xml' } },
        },
      },
      '/v1/notify/{provider}': {
        post: {
          summary: 'Provider callback (verified, deduplicated, confirmed)',
          responses: {
            '200': { description: 'Acknowledged as the provider expects' },
            '401': errorResponse('Verification failed'),
          },
        },
      },
      '/pay/{id}': {
        get: { summary: 'Hosted checkout page (`?secret=`)', responses: { '200': { description: 'text/html' } } },
      },
      '/tender.js': {
        get: { summary: 'Script-tag bundle of <tender-checkout>', responses: { '200': { description: 'JavaScript' } } },
      },
      '/healthz': { get: { summary: 'Liveness (the process answers)', responses: { '200': { description: 'ok' } } } },
      '/readyz': {
        get: {
          summary: 'Readiness: the database takes a write now',
          responses: { '200': { description: 'ready' }, '503': { description: 'not ready (the log says why)' } },
        },
      },
    },
  };
}
