/** Merchant API: create and read checkout sessions (secret key; `Idempotency-Key` on create). */
import { Hono, type Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { z } from 'zod';
import type { Checkout } from '../domain/checkout.ts';
import { sha256Hex } from '../domain/ids.ts';
import { isKnownCurrency, MoneyError, parseDecimal } from '../domain/money.ts';
import { merchantSessionView } from '../domain/views.ts';
import { ApiError } from '../errors.ts';
import { merchantAuth, type AppEnv } from '../http/middleware.ts';
import { jsonBody, parseWith } from '../http/validate.ts';
import { METHOD_IDS } from '../providers/index.ts';
import type { Store } from '../store/store.ts';

const httpUrl = z
  .string()
  .max(2000)
  .refine((value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol), 'must be an http(s) URL');

export const createSessionBody = z.strictObject({
  amount: z.string().regex(/^\d+(\.\d+)?$/, 'must be a decimal string such as "100.00"'),
  currency: z.string().refine(isKnownCurrency, 'is not a supported currency code (e.g. "THB", "CAD", "USDT")'),
  reference: z.string().trim().min(1).max(64),
  returnUrl: httpUrl.optional(),
  customer: z
    .strictObject({
      email: z.email().max(254).optional(),
      phone: z
        .string()
        .regex(/^\+?[0-9][0-9 -]{5,19}$/, 'must be a phone number')
        .optional(),
      name: z.string().trim().min(1).max(100).optional(),
    })
    .optional(),
  methods: z.array(z.enum(METHOD_IDS)).min(1).optional(),
  expiresInSeconds: z
    .number()
    .int()
    .min(60)
    .max(7 * 24 * 3600)
    .optional(),
  description: z.string().trim().max(200).optional(),
});

const idempotencyKey = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces');
const listQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  before: z.string().max(64).optional(),
});

export function sessionRoutes({ checkout, store }: { checkout: Checkout; store: Store }) {
  const app = new Hono<AppEnv>();
  app.use('*', merchantAuth({ secretKey: checkout.config.merchant.secretKey }));

  app.post('/', async (c) => {
    const body = await jsonBody(c, createSessionBody);
    const key = c.req.header('idempotency-key');
    const requestHash = sha256Hex(JSON.stringify(body));
    if (key !== undefined) {
      parseWith(idempotencyKey, key, 'header.Idempotency-Key');
      const earlier = await store.getIdempotency('sessions.create', key);
      if (earlier) return replay(c, earlier, requestHash);
    }

    let money;
    try {
      money = parseDecimal(body.amount, body.currency);
    } catch (error) {
      throw new ApiError(400, 'invalid_request', `body.amount: ${(error as MoneyError).message}`);
    }
    if (money.minor === 0) throw new ApiError(400, 'invalid_request', 'body.amount: must be greater than zero');

    const session = await checkout.createSession({
      money,
      reference: body.reference,
      description: body.description ?? null,
      returnUrl: body.returnUrl ?? null,
      customer: body.customer ?? {},
      methods: body.methods ?? null,
      expiresInSeconds: body.expiresInSeconds ?? null,
    });
    const view = merchantSessionView(session, [], checkout.hostedPageUrl(session));
    if (key !== undefined) {
      const stored = await store.putIdempotency({
        scope: 'sessions.create',
        key,
        requestHash,
        status: 201,
        body: JSON.stringify(view),
        createdAt: session.createdAt,
      });
      // Two requests with one key raced: the first writer's answer is the answer. The session
      // made here stays unused; nobody holds its client secret.
      if (!stored) return replay(c, (await store.getIdempotency('sessions.create', key))!, requestHash);
    }
    return c.json(view, 201);
  });

  app.get('/', async (c) => {
    const query = parseWith(listQuery, c.req.query(), 'query');
    const sessions = await store.listSessions({ limit: query.limit + 1, before: query.before });
    const page = sessions.slice(0, query.limit);
    const data = await Promise.all(
      page.map(async (session) =>
        merchantSessionView(session, await store.listAttempts(session.id), checkout.hostedPageUrl(session)),
      ),
    );
    return c.json({ object: 'list', data, hasMore: sessions.length > query.limit });
  });

  app.get('/:id', async (c) => {
    const session = await checkout.loadSession(c.req.param('id'));
    if (!session) throw new ApiError(404, 'not_found', 'session not found');
    const attempts = await store.listAttempts(session.id);
    return c.json(merchantSessionView(session, attempts, checkout.hostedPageUrl(session)));
  });

  return app;
}

function replay(
  c: Context<AppEnv>,
  record: { requestHash: string; status: number; body: string },
  requestHash: string,
): Response {
  if (record.requestHash !== requestHash) {
    throw new ApiError(422, 'idempotency_mismatch', 'this Idempotency-Key was used with a different request body');
  }
  return c.body(record.body, record.status as ContentfulStatusCode, {
    'content-type': 'application/json',
    'idempotent-replayed': 'true',
  });
}
