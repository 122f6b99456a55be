/**
 * `Idempotency-Key` for the merchant API (DESIGN.md, Domain): the same key with the same body gets
 * the first answer again; the same key with another body is refused with 422. Keys are scoped, so
 * one key can be reused across different operations without clashing.
 */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { z } from 'zod';
import { sha256Hex } from '../domain/ids.ts';
import { KeyedSerial } from '../domain/serial.ts';
import { ApiError } from './errors.ts';
import type { Store } from '../store/store.ts';
import type { AppEnv } from './middleware.ts';
import { parseWith } from './validate.ts';

const inFlight = new KeyedSerial();

/** The `Idempotency-Key` header's shape. */
export const idempotencyKey = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces');

/**
 * Runs `create` once per (scope, key) and stores its answer. Without the header it simply runs.
 * When two requests with one key race, the first stored answer is the answer for both.
 */
export async function idempotent(
  c: Context<AppEnv>,
  store: Store,
  scope: string,
  body: unknown,
  create: () => Promise<{ status: ContentfulStatusCode; body: unknown }>,
): Promise<Response> {
  const header = c.req.header('idempotency-key');
  if (header === undefined) {
    const result = await create();
    return c.json(result.body as object, result.status);
  }
  const key = parseWith(idempotencyKey, header, 'header.Idempotency-Key');
  const requestHash = sha256Hex(JSON.stringify(body));
  // Requests with one key take turns in this process, so the second sees the first one's answer
  // instead of doing the work again.
  // NOTE: two BFF instances can still race on one key; the loser's work is then done twice (for a
  // refund, within what is left to refund: the amount is reserved in the store either way).
  return inFlight.run(`${scope}\u0000${key}`, async () => {
    const earlier = await store.getIdempotency(scope, key);
    if (earlier) return replay(c, earlier, requestHash);
    return run(c, store, scope, key, requestHash, create);
  });
}

async function run(
  c: Context<AppEnv>,
  store: Store,
  scope: string,
  key: string,
  requestHash: string,
  create: () => Promise<{ status: ContentfulStatusCode; body: unknown }>,
): Promise<Response> {
  const result = await create();
  const stored = await store.putIdempotency({
    scope,
    key,
    requestHash,
    status: result.status,
    body: JSON.stringify(result.body),
    createdAt: new Date().toISOString(),
  });
  if (!stored) return replay(c, (await store.getIdempotency(scope, key))!, requestHash);
  return c.json(result.body as object, result.status);
}

function replay(
  c: Context<AppEnv>,
  record: { requestHash: string; status: number; body: string },
  requestHash: string,
) {
  if (record.requestHash !== requestHash) {
    throw new ApiError(422, 'idempotency_mismatch', 'this Idempotency-Key was used with a different request body');
  }
  return c.body(record.body, record.status as ContentfulStatusCode, {
    'content-type': 'application/json',
    'idempotent-replayed': 'true',
  });
}
