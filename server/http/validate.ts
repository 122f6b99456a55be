/** Edge validation: every body, query and header passes a schema before a handler reads it. */
import type { IncomingMessage } from 'node:http';
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
    raw = JSON.parse(await bodyText(c));
  } catch {
    throw new ApiError(400, 'invalid_request', 'the request body is not valid JSON');
  }
  return parseWith(schema, raw, 'body');
}

const utf8 = new TextDecoder();

/**
 * The body as text. Under @hono/node-server a body of declared length (checked against its limit by
 * `limitBody`) is read straight from node's request: going through `c.req.text()` would first build
 * a web Request and a web stream around it. Anything else (a chunked body `limitBody` has read, other
 * runtimes, `app.request()` in tests) goes the standard way. Decoded as `c.req.text()` decodes.
 */
function bodyText(c: Context): Promise<string> {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  if (
    !incoming ||
    typeof incoming.on !== 'function' ||
    incoming.readableDidRead ||
    c.req.header('content-length') === undefined ||
    c.req.header('transfer-encoding') !== undefined
  )
    return c.req.text();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.once('end', () => resolve(utf8.decode(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks))));
    incoming.once('error', reject);
    // Before 'end', the client went away mid-body. (After it, nothing to do: no error is made,
    // since making one costs more than reading a small body.)
    incoming.once('close', () => {
      if (!incoming.complete) reject(new Error('the client went away while sending the body'));
    });
  });
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
