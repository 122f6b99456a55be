/** Edge validation: every body, query and header passes a schema before a handler reads it. */
import type { Context } from 'hono';
import type { z } from 'zod';
import { parseDecimal, type Money, type MoneyError } from '../domain/money.ts';
import { ApiError } from './errors.ts';

/** Parses a JSON body against a schema; the error names the bad field (`body.amount: …`). */
export async function jsonBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/json\b/i.test(type)) {
    throw new ApiError(415, 'invalid_request', 'Content-Type must be application/json');
  }
  let raw: unknown;
  try {
    raw = JSON.parse(await c.req.text());
  } catch {
    throw new ApiError(400, 'invalid_request', 'the request body is not valid JSON');
  }
  return parseWith(schema, raw, 'body');
}

export function parseWith<S extends z.ZodType>(schema: S, value: unknown, where: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = [where, ...issue.path.map(String)].join('.');
  throw new ApiError(400, 'invalid_request', `${path}: ${issue.message}`);
}

/** A positive decimal amount in the currency, or a 400 naming the field (`body.amount` by default). */
export function parseAmount(amount: string, currency: string, field = 'body.amount'): Money {
  let money: Money;
  try {
    money = parseDecimal(amount, currency);
  } catch (error) {
    throw new ApiError(400, 'invalid_request', `${field}: ${(error as MoneyError).message}`);
  }
  if (money.minor === 0) throw new ApiError(400, 'invalid_request', `${field}: must be greater than zero`);
  return money;
}
