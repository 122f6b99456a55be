/**
 * Merchant API: create, read and cancel checkout sessions, and refund them (secret key; `Idempotency-Key` on
 * create and refund, through the one path in `domain/idempotency.ts`).
 */
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { Checkout } from '../domain/checkout.ts';
import { PHONE } from '../domain/fields.ts';
import { isKnownCurrency } from '../domain/money.ts';
import { merchantSessionView, refundView } from '../domain/views.ts';
import { ApiError } from '../http/errors.ts';
import { idempotencyOf, markReplayed } from '../http/idempotency.ts';
import { merchantAuth, type AppEnv } from '../http/middleware.ts';
import { jsonBody, parseAmount, parseWith } from '../http/validate.ts';
import { METHOD_IDS } from '../providers/index.ts';
import type { RefundRecord, Store } from '../store/store.ts';

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
      phone: z.string().regex(PHONE, 'must be a phone number').optional(),
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

export const createRefundBody = z.strictObject({
  amount: z
    .string()
    .regex(/^\d+(\.\d+)?$/, 'must be a decimal string such as "10.00"')
    .optional(),
  reason: z.string().trim().max(200).optional(),
});

export const listQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  before: z.string().max(64).optional(),
});

export function sessionRoutes({ checkout, store }: { checkout: Checkout; store: Store }) {
  const app = new Hono<AppEnv>();
  app.use('*', merchantAuth({ secretKey: checkout.config.merchant.secretKey }));

  app.post('/', async (c) => {
    const body = await jsonBody(c, createSessionBody);
    const idempotency = idempotencyOf(c, body);
    const { value: session, replayed } = await checkout.createSession(
      {
        money: parseAmount(body.amount, body.currency),
        reference: body.reference,
        description: body.description ?? null,
        returnUrl: body.returnUrl ?? null,
        customer: body.customer ?? {},
        methods: body.methods ?? null,
        expiresInSeconds: body.expiresInSeconds ?? null,
      },
      idempotency,
    );
    markReplayed(c, replayed);
    // A replay answers the session as it stands now, attempts and refunds included.
    const [attempts, refunds] = replayed
      ? await Promise.all([store.listAttempts(session.id), store.listRefunds(session.id)])
      : [[], []];
    return c.json(merchantSessionView(session, attempts, refunds, checkout.hostedPageUrl(session)), 201);
  });

  /** Refunds; with an `Idempotency-Key`, a retry finds the first request's refund and never makes a second. */
  app.post('/:id/refunds', async (c) => {
    const body = await jsonBody(c, createRefundBody);
    const idempotency = idempotencyOf(c, body);
    const sessionId = c.req.param('id');
    const session = await store.getSession(sessionId);
    if (!session) throw new ApiError(404, 'not_found', 'session not found');
    const input = {
      amount: body.amount === undefined ? null : parseAmount(body.amount, session.currency),
      reason: body.reason ?? null,
    };
    const { value: refund, replayed } = await checkout.createRefund(sessionId, input, idempotency);
    markReplayed(c, replayed);
    return respondWithRefund(c, refund);
  });

  app.get('/', async (c) => {
    const query = parseWith(listQuery, c.req.query(), 'query');
    const sessions = await store.listSessions({ limit: query.limit + 1, before: query.before });
    const page = sessions.slice(0, query.limit);
    const data = await Promise.all(
      page.map(async (session) =>
        merchantSessionView(
          session,
          await store.listAttempts(session.id),
          await store.listRefunds(session.id),
          checkout.hostedPageUrl(session),
        ),
      ),
    );
    return c.json({ object: 'list', data, hasMore: sessions.length > query.limit });
  });

  /** Cancels an unpaid session; a second cancel answers the same (200) and changes nothing. */
  app.post('/:id/cancel', async (c) => {
    const session = await checkout.cancelSession(c.req.param('id'));
    if (!session) throw new ApiError(404, 'not_found', 'session not found');
    const [attempts, refunds] = await Promise.all([store.listAttempts(session.id), store.listRefunds(session.id)]);
    return c.json(merchantSessionView(session, attempts, refunds, checkout.hostedPageUrl(session)));
  });

  app.get('/:id', async (c) => {
    const session = await checkout.loadSession(c.req.param('id'));
    if (!session) throw new ApiError(404, 'not_found', 'session not found');
    const [attempts, refunds] = await Promise.all([store.listAttempts(session.id), store.listRefunds(session.id)]);
    return c.json(merchantSessionView(session, attempts, refunds, checkout.hostedPageUrl(session)));
  });

  return app;
}

/** 201 for a refund that went through, 202 while the provider's answer is pending, 422 if refused. */
function respondWithRefund(c: Context<AppEnv>, refund: RefundRecord): Response {
  if (refund.status === 'failed') {
    throw new ApiError(
      422,
      'provider_declined',
      `the payment provider refused refund ${refund.id}; no money was sent back`,
    );
  }
  return c.json(refundView(refund), refund.status === 'pending' ? 202 : 201);
}
