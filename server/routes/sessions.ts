/** Merchant API: create and read checkout sessions, and refund them (secret key; `Idempotency-Key` on create and refund). */
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { PHONE, type Checkout } from '../domain/checkout.ts';
import { newRefundId, sha256Hex } from '../domain/ids.ts';
import { KeyedSerial } from '../domain/serial.ts';
import { isKnownCurrency } from '../domain/money.ts';
import { merchantSessionView, refundView } from '../domain/views.ts';
import { ApiError } from '../errors.ts';
import { idempotencyKey, idempotent } from '../http/idempotency.ts';
import { merchantAuth, type AppEnv } from '../http/middleware.ts';
import { jsonBody, parseAmount, parseWith } from '../http/validate.ts';
import { METHOD_IDS, providerOfMethod } from '../providers/index.ts';
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

/** Refund requests with one key take turns in this process. */
const refundTurns = new KeyedSerial();

export const listQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  before: z.string().max(64).optional(),
});

export function sessionRoutes({ checkout, store }: { checkout: Checkout; store: Store }) {
  const app = new Hono<AppEnv>();
  app.use('*', merchantAuth({ secretKey: checkout.config.merchant.secretKey }));

  app.post('/', async (c) => {
    const body = await jsonBody(c, createSessionBody);
    // A method whose provider is not configured could never be paid: refuse it now, not at checkout.
    const configured = checkout.config.providers as Record<string, unknown>;
    for (const method of body.methods ?? []) {
      const provider = providerOfMethod(method);
      if (!provider || configured[provider] === undefined) {
        throw new ApiError(
          422,
          'method_unavailable',
          `methods: ${method} is not enabled on this Tender (its provider is not configured)`,
        );
      }
    }
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

  /**
   * Refunds. With an `Idempotency-Key` the key is claimed, naming the refund id, before any money
   * moves: a retry (after a timeout, a crash, or a 5xx) finds that refund and never makes a second.
   */
  app.post('/:id/refunds', async (c) => {
    const body = await jsonBody(c, createRefundBody);
    const sessionId = c.req.param('id');
    const session = await store.getSession(sessionId);
    if (!session) throw new ApiError(404, 'not_found', 'session not found');
    const input = {
      amount: body.amount === undefined ? null : parseAmount(body.amount, session.currency),
      reason: body.reason ?? null,
    };
    const header = c.req.header('idempotency-key');
    if (header === undefined) return respondWithRefund(c, await checkout.createRefund(sessionId, input), false);

    const key = parseWith(idempotencyKey, header, 'header.Idempotency-Key');
    const scope = `refunds.create:${sessionId}`;
    const requestHash = sha256Hex(JSON.stringify(body));
    return refundTurns.run(`${scope}\u0000${key}`, async () => {
      const claim = {
        scope,
        key,
        requestHash,
        status: 202,
        body: JSON.stringify({ refundId: newRefundId() }),
        createdAt: checkout.now().toISOString(),
      };
      const claimed = await store.putIdempotency(claim);
      const record = claimed ? claim : (await store.getIdempotency(scope, key))!;
      if (record.requestHash !== requestHash) {
        throw new ApiError(422, 'idempotency_mismatch', 'this Idempotency-Key was used with a different request body');
      }
      const { refundId } = JSON.parse(record.body) as { refundId: string };
      const existing = await store.getRefund(refundId);
      if (existing) return respondWithRefund(c, existing, true);
      let refund: RefundRecord;
      try {
        refund = await checkout.createRefund(sessionId, { ...input, id: refundId });
      } catch (error) {
        // Refused before any refund was recorded (not paid yet, nothing left, a bad amount): the key
        // did nothing, so this request's claim goes and the key stays free for a real refund. A
        // refund recorded under the id (the provider said no, or the call failed) keeps its claim.
        if (claimed && !(await store.getRefund(refundId))) await store.releaseIdempotency(claim);
        throw error;
      }
      return respondWithRefund(c, refund, !claimed);
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

/** 201 for a refund that went through, 202 while the provider's answer is pending, 422 if refused. */
function respondWithRefund(c: Context<AppEnv>, refund: RefundRecord, replayed: boolean): Response {
  if (replayed) c.header('idempotent-replayed', 'true');
  if (refund.status === 'failed') {
    throw new ApiError(
      422,
      'provider_declined',
      `the payment provider refused refund ${refund.id}; no money was sent back`,
    );
  }
  return c.json(refundView(refund), refund.status === 'pending' ? 202 : 201);
}
