/**
 * `Idempotency-Key` at the edge: the header is read and checked here, with what identifies the
 * request it came with; the one mechanism behind it (claim the key naming an id, then make the thing
 * under that id) is the domain's, in `domain/idempotency.ts`, for sessions, refunds and payouts.
 */
import type { Context } from 'hono';
import { z } from 'zod';
import type { IdempotencyRequest } from '../domain/idempotency.ts';
import { sha256Hex } from '../domain/ids.ts';
import { parseWith } from './validate.ts';

/** The `Idempotency-Key` header's shape. */
export const idempotencyKey = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces');

/** The request's `Idempotency-Key`, checked; undefined without the header. */
export function idempotencyKeyOf(c: Context): string | undefined {
  const header = c.req.header('idempotency-key');
  return header === undefined ? undefined : parseWith(idempotencyKey, header, 'header.Idempotency-Key');
}

/** The key with a hash of the parsed body (the same body, the same request); undefined without the header. */
export function idempotencyOf(c: Context, body: unknown): IdempotencyRequest | undefined {
  const key = idempotencyKeyOf(c);
  return key === undefined ? undefined : { key, requestHash: sha256Hex(JSON.stringify(body)) };
}

/** Marks an answer that an earlier request with the same key made. */
export function markReplayed(c: Context, replayed: boolean): void {
  if (replayed) c.header('idempotent-replayed', 'true');
}
