/**
 * The starting point of every simulator: a Hono app that refuses request bodies above 1 MiB with
 * 413 before any route reads them. No provider message comes near that size; the limit keeps a
 * sandbox reachable by others from being made to buffer whatever it is sent.
 */
import { Hono, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';

export const SANDBOX_BODY_LIMIT = 1024 * 1024;

/** Middleware: 413 `{error}` for a body above `maxSize` bytes (declared or streamed). */
export function sandboxBodyLimit({ maxSize = SANDBOX_BODY_LIMIT }: { maxSize?: number } = {}): MiddlewareHandler {
  return bodyLimit({
    maxSize,
    onError: (c) => c.json({ error: `request body above ${maxSize} bytes` }, 413),
  });
}

/** A new simulator app with the body limit on every route. */
export function createSimulatorApp(): Hono {
  const app = new Hono();
  app.use('*', sandboxBodyLimit());
  return app;
}
