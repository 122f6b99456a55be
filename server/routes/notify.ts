/**
 * Provider callbacks. The body is read raw (verification needs the exact bytes), verified by the
 * provider's adapter, deduplicated, confirmed by querying the provider, and acknowledged the way
 * that provider expects. A callback that fails verification gets a 401 and changes nothing.
 */
import { Hono } from 'hono';
import type { Checkout } from '../domain/checkout.ts';
import { limitBody, type AppEnv } from '../http/middleware.ts';
import { LIMITS } from '../limits.ts';

export function notifyRoutes({ checkout }: { checkout: Checkout }) {
  const app = new Hono<AppEnv>();
  // A callback larger than any real one is refused before it is read, let alone verified.
  app.use('*', limitBody({ maxBytes: LIMITS.callbackBodyBytes, what: 'a provider callback' }));
  app.post('/:provider', async (c) => {
    const ack = await checkout.handleNotification(c.req.param('provider'), {
      rawBody: await c.req.text(),
      contentType: c.req.header('content-type') ?? null,
    });
    return c.body(ack.body, ack.status, { 'content-type': ack.contentType });
  });
  return app;
}
