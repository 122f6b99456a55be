/**
 * Merchant API: the provider treasury (secret key). Balances and bank lists are read from the
 * providers; payouts send money from a provider balance to a bank account (`Idempotency-Key` on
 * create). Mounted at /v1 beside the other routers, so each route names its own path and carries
 * its own auth (a `use('*')` here would reach the browser and provider routes under /v1 too).
 */
import { Hono } from 'hono';
import { z } from 'zod';
import type { Payouts } from '../domain/payouts.ts';
import { isKnownCurrency } from '../domain/money.ts';
import { ApiError } from '../http/errors.ts';
import { idempotencyKeyOf, markReplayed } from '../http/idempotency.ts';
import { merchantAuth, type AppEnv } from '../http/middleware.ts';
import { jsonBody, parseAmount, parseWith } from '../http/validate.ts';
import { listQuery } from './sessions.ts';

const currency = z.string().refine(isKnownCurrency, 'is not a supported currency code (e.g. "THB", "MYR", "USDT")');

export const balancesQuery = z.strictObject({ currency });

export const banksQuery = z.strictObject({
  currency,
  purpose: z.enum(['withdrawal', 'deposit']).default('withdrawal'),
});

export const createPayoutBody = z.strictObject({
  provider: z.string().min(1).max(32),
  amount: z.string().regex(/^\d+(\.\d+)?$/, 'must be a decimal string such as "100.00"'),
  currency,
  bankId: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_.-]{1,32}$/, 'must be a bank id from GET /v1/banks'),
  bankBranch: z.string().trim().min(1).max(100).optional(),
  holderName: z.string().trim().min(1).max(100),
  accountNumber: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9][A-Za-z0-9 -]{3,33}$/, 'must be 4 to 34 letters and digits (spaces and dashes allowed)'),
  reference: z.string().trim().min(1).max(64).optional(),
});

export function treasuryRoutes({ payouts, secretKey }: { payouts: Payouts; secretKey: string }) {
  const app = new Hono<AppEnv>();
  const auth = merchantAuth({ secretKey });

  app.get('/balances', auth, async (c) => {
    const query = parseWith(balancesQuery, c.req.query(), 'query');
    return c.json({ object: 'list', data: await payouts.balances(query.currency) });
  });

  app.get('/banks', auth, async (c) => {
    const query = parseWith(banksQuery, c.req.query(), 'query');
    return c.json({ object: 'list', data: await payouts.banks(query.currency, query.purpose) });
  });

  app.post('/payouts', auth, async (c) => {
    const body = await jsonBody(c, createPayoutBody);
    const key = idempotencyKeyOf(c);
    const { payout, replayed } = await payouts.create(
      {
        provider: body.provider,
        money: parseAmount(body.amount, body.currency),
        bankId: body.bankId,
        bankBranch: body.bankBranch ?? null,
        holderName: body.holderName,
        accountNumber: body.accountNumber,
        reference: body.reference ?? null,
      },
      { idempotencyKey: key },
    );
    markReplayed(c, replayed);
    return c.json(payout, 201);
  });

  /** Newest first, paged like `GET /v1/sessions` (`limit`, `before` = the last id of the previous page). */
  app.get('/payouts', auth, async (c) => {
    const query = parseWith(listQuery, c.req.query(), 'query');
    const { data, hasMore } = await payouts.list({ limit: query.limit, before: query.before });
    return c.json({ object: 'list', data, hasMore });
  });

  app.get('/payouts/:id', auth, async (c) => {
    const payout = await payouts.get(c.req.param('id'));
    if (!payout) throw new ApiError(404, 'not_found', 'payout not found');
    return c.json(payout);
  });

  return app;
}
