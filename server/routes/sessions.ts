/** Merchant API: create and read checkout sessions, and refund them (secret key; `Idempotency-Key` on create and refund). */
import { Hono } from 'hono';
import { z } from 'zod';
import type { Checkout } from '../domain/checkout.ts';
import { isKnownCurrency } from '../domain/money.ts';
import { merchantSessionView, refundView } from '../domain/views.ts';
import { ApiError } from '../errors.ts';
import { idempotent } from '../http/idempotency.ts';
import { merchantAuth, type AppEnv } from '../http/middleware.ts';
import { jsonBody, parseAmount, parseWith } from '../http/validate.ts';
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

const createRefundBody = z.strictObject({
  amount: z
    .string()
    .regex(/^\d+(\.\d+)?$/, 'must be a decimal string such as "10.00"')
    .optional(),
  reason: z.string().trim().max(200).optional(),
});

const listQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  before: z.string().max(64).optional(),
});

export function sessionRoutes({ checkout, store }: { checkout: Checkout; store: Store }) {
  const app = new Hono<AppEnv>();
  app.use('*', merchantAuth({ secretKey: checkout.config.merchant.secretKey }));

  app.post('/', async (c) => {
    const body = await jsonBody(c, createSessionBody);
    return idempotent(c, store, 'sessions.create', body, async () => {
      const money = parseAmount(body.amount, body.currency);
      const session = await checkout.createSession({
        money,
        reference: body.reference,
        description: body.description ?? null,
        returnUrl: body.returnUrl ?? null,
        customer: body.customer ?? {},
        methods: body.methods ?? null,
        expiresInSeconds: body.expiresInSeconds ?? null,
      });
      // Two requests racing with one key: the session made by the loser stays unused (nobody holds
      // its client secret), and both get the winner's answer.
      return { status: 201, body: merchantSessionView(session, [], [], checkout.hostedPageUrl(session)) };
    });
  });

  app.post('/:id/refunds', async (c) => {
    const body = await jsonBody(c, createRefundBody);
    const sessionId = c.req.param('id');
    return idempotent(c, store, `refunds.create:${sessionId}`, body, async () => {
      const session = await store.getSession(sessionId);
      if (!session) throw new ApiError(404, 'not_found', 'session not found');
      const refund = await checkout.createRefund(sessionId, {
        amount: body.amount === undefined ? null : parseAmount(body.amount, session.currency),
        reason: body.reason ?? null,
      });
      return { status: refund.status === 'pending' ? 202 : 201, body: refundView(refund) };
    });
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

  app.get('/:id', async (c) => {
    const session = await checkout.loadSession(c.req.param('id'));
    if (!session) throw new ApiError(404, 'not_found', 'session not found');
    const [attempts, refunds] = await Promise.all([store.listAttempts(session.id), store.listRefunds(session.id)]);
    return c.json(merchantSessionView(session, attempts, refunds, checkout.hostedPageUrl(session)));
  });

  return app;
}
