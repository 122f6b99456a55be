/**
 * Browser API, opened by the session's client secret: the public checkout view, attempts, the SSE
 * status stream and the QR image.
 */
import { Hono } from 'hono';
import { cors } from 'hono/cors';
import { streamSSE } from 'hono/streaming';
import { z } from 'zod';
import type { Checkout } from '../domain/checkout.ts';
import type { EventHub } from '../domain/events.ts';
import { qrSvg } from '../domain/qr.ts';
import { checkoutView, attemptView } from '../domain/views.ts';
import type { StreamReady } from '../../widget/wire.ts';
import { ApiError } from '../http/errors.ts';
import { CLIENT_SECRET_HEADER, clientAuth, type AppEnv } from '../http/middleware.ts';
import { jsonBody, parseWith } from '../http/validate.ts';
import { METHOD_IDS } from '../providers/index.ts';
import type { Store } from '../store/store.ts';

const createAttemptBody = z.strictObject({
  method: z.enum(METHOD_IDS),
  fields: z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,39}$/), z.string().max(500)).optional(),
});

const lastEventId = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export interface CheckoutRouteOptions {
  checkout: Checkout;
  store: Store;
  hub: EventHub;
  allowedOrigins: string[];
  /** How often an idle stream sends a comment so proxies and phones keep it open. */
  heartbeatMs?: number;
}

export function checkoutRoutes({ checkout, store, hub, allowedOrigins, heartbeatMs = 15_000 }: CheckoutRouteOptions) {
  const app = new Hono<AppEnv>();
  app.use(
    '*',
    cors({
      origin: (origin) => (allowedOrigins.includes(origin) ? origin : null),
      allowMethods: ['GET', 'POST'],
      allowHeaders: ['Content-Type', CLIENT_SECRET_HEADER, 'Last-Event-ID'],
      exposeHeaders: ['X-Request-Id'],
      maxAge: 600,
    }),
  );
  app.use('/:id/*', clientAuth({ checkout }));
  app.use('/:id', clientAuth({ checkout }));

  app.get('/:id', async (c) => {
    const session = c.get('session');
    const [attempts, methods] = await Promise.all([store.listAttempts(session.id), checkout.methodsFor(session)]);
    c.header('Cache-Control', 'no-store');
    return c.json(checkoutView(session, attempts, methods, checkout.config.merchant.name, checkout.now()));
  });

  app.post('/:id/attempts', async (c) => {
    const body = await jsonBody(c, createAttemptBody);
    const attempt = await checkout.createAttempt(c.get('session').id, {
      method: body.method,
      fields: body.fields ?? {},
    });
    return c.json({ ...attemptView(attempt), serverTime: checkout.now().toISOString() }, 201);
  });

  app.get('/:id/qr.svg', async (c) => {
    const attempt = (await store.listAttempts(c.get('session').id)).at(-1);
    if (attempt?.action?.type !== 'qr') throw new ApiError(404, 'not_found', 'this checkout has no QR code right now');
    c.header('Cache-Control', 'no-store');
    c.header('Content-Disposition', `attachment; filename="payment-qr.svg"`);
    return c.body(qrSvg(attempt.action.modules), 200, { 'content-type': 'image/svg+xml' });
  });

  /**
   * The status stream. Events come from the session's log in the store, never straight from memory:
   * on connect it replays everything after `Last-Event-ID` (header, or `lastEventId` query where
   * the client had to open a new EventSource), then waits for the hub to say there is more.
   */
  app.get('/:id/events', async (c) => {
    const session = c.get('session');
    const resumeFrom = c.req.header('last-event-id') ?? c.req.query('lastEventId');
    let last = resumeFrom === undefined ? 0 : parseWith(lastEventId, resumeFrom, 'Last-Event-ID');
    c.header('Cache-Control', 'no-store');
    c.header('X-Accel-Buffering', 'no');

    return streamSSE(c, async (stream) => {
      let wake: (() => void) | null = null;
      let dirty = true;
      const signal = () => {
        dirty = true;
        wake?.();
      };
      const unsubscribe = hub.subscribe(session.id, signal);
      stream.onAbort(signal);
      // Expire the session on time even if nothing else touches it, so the shopper sees it.
      const untilExpiry = new Date(session.expiresAt).getTime() - checkout.now().getTime();
      const expiryTimer =
        untilExpiry < 2 ** 31 - 1
          ? setTimeout(
              () => void checkout.expireIfDue(session.id).catch(() => undefined),
              Math.max(0, untilExpiry) + 250,
            )
          : null;
      try {
        await stream.writeSSE({
          event: 'ready',
          data: JSON.stringify({ heartbeatMs } satisfies StreamReady),
          retry: 3000,
        });
        while (!stream.aborted && !stream.closed) {
          if (dirty) {
            dirty = false;
            for (const event of await store.listEvents(session.id, last)) {
              await stream.writeSSE({ id: String(event.seq), event: 'status', data: JSON.stringify(event.data) });
              last = event.seq;
            }
            continue;
          }
          const woke = await new Promise<boolean>((resolve) => {
            const timer = setTimeout(() => resolve(false), heartbeatMs);
            wake = () => {
              clearTimeout(timer);
              resolve(true);
            };
          });
          wake = null;
          // A named event, not a comment: page script never sees comments, and the widget uses
          // these to notice a connection that died without closing.
          if (!woke && !stream.aborted) {
            await stream.writeSSE({ event: 'ping', data: '{}' });
            // Read the log again now and then even without a wake-up: a news signal from another
            // instance can be lost if that instance dies between its commit and its NOTIFY.
            dirty = true;
          }
        }
      } finally {
        unsubscribe();
        if (expiryTimer) clearTimeout(expiryTimer);
      }
    });
  });

  return app;
}
