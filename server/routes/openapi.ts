/** The public API described as OpenAPI 3.1, served at /openapi.json. */
import type { Config } from '../config.ts';

const error = { $ref: '#/components/schemas/Error' };
const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: error } } });
const json = (schema: object) => ({ 'application/json': { schema } });
const sessionId = { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^ses_' } };

export function openApiDocument(config: Config) {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Tender BFF',
      version: '0.1.0',
      description: 'Checkout sessions, the browser checkout API and provider callbacks.',
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
        CheckoutView: { type: 'object', description: 'Public view of a session (see DESIGN.md, Wire shapes).' },
        Attempt: { type: 'object', description: 'An attempt and its action: qr, redirect, card or none.' },
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
      '/healthz': { get: { summary: 'Liveness', responses: { '200': { description: 'ok' } } } },
    },
  };
}
