/**
 * Browser API, opened by the session's client secret: the public checkout view, attempts, the SSE
 * status stream and the QR image. One read needs no secret: a session's outcome (merchant, amount,
 * paid or not, the way back), for its link opened in another browser.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { Hono, type MiddlewareHandler } from 'hono';
import { z } from 'zod';
import type { Checkout } from '../domain/checkout.ts';
import type { EventHub } from '../domain/events.ts';
import { qrSvg } from '../domain/qr.ts';
import { attemptView } from '../domain/views.ts';
import { formatDecimal, moneyOf } from '../domain/money.ts';
import type { CheckoutOutcome, ErrorBody, MethodId } from '../../widget/wire.ts';
import { ApiError } from '../http/errors.ts';
import { CLIENT_SECRET_HEADER, clientAuth, SESSION_ID, type AppEnv } from '../http/middleware.ts';
import { nodeSink, StatusStreams, StreamRefused, webSink, type StreamLimits } from '../http/status-streams.ts';
import { jsonBody, parseWith } from '../http/validate.ts';
import type { Metrics } from '../metrics.ts';
import { METHOD_IDS } from '../providers/index.ts';
import type { SessionRecord, Store } from '../store/store.ts';

export const createAttemptBody = z.strictObject({
  method: z.enum(METHOD_IDS as [string, ...string[]]).transform((id) => id as MethodId),
  fields: z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,39}$/), z.string().max(500)).optional(),
  client: z
    .strictObject({
      device: z.enum(['desktop', 'phone']),
      inApp: z.enum(['wechat', 'alipay']).nullish(),
      openId: z
        .string()
        .regex(/^[A-Za-z0-9_-]{1,64}$/)
        .nullish(),
    })
    .optional(),
  buyerCode: z
    .string()
    .regex(/^[0-9 ]{10,32}$/, 'must be the digits of a payment code')
    .optional(),
});

export const lastEventId = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export interface CheckoutRouteOptions {
  checkout: Checkout;
  store: Store;
  hub: EventHub;
  allowedOrigins: string[];
  /** How often an idle stream sends a comment so proxies and phones keep it open. */
  heartbeatMs?: number;
  /** Stream limits; `LIMITS` and the open-file limit by default (tests lower them). */
  streamLimits?: Partial<StreamLimits>;
  /** Where the open streams are counted (`tender_sse_streams_open`). */
  metrics?: Metrics;
}

export function checkoutRoutes({
  checkout,
  store,
  hub,
  allowedOrigins,
  heartbeatMs = 15_000,
  streamLimits,
  metrics,
}: CheckoutRouteOptions) {
  const app = new Hono<AppEnv>();
  const streams = new StatusStreams({
    hub,
    listEvents: (sessionId, afterSeq) => store.listEvents(sessionId, afterSeq),
    expire: (sessionId) => checkout.expireIfDue(sessionId),
    now: () => checkout.now().getTime(),
    heartbeatMs,
    limits: streamLimits,
  });
  metrics?.countStreams(() => streams.size);
  app.use('*', browserCors(allowedOrigins));
  // Before the secret check: the session id alone (unguessable, and one cheap read) opens it.
  app.get('/:id/outcome', async (c) => {
    const id = c.req.param('id');
    const session = SESSION_ID.test(id) ? await checkout.loadSession(id) : null;
    if (!session) throw new ApiError(404, 'not_found', 'this checkout session does not exist');
    c.header('Cache-Control', 'no-store');
    return c.json(checkoutOutcome(session, checkout.config.merchant.name));
  });
  // Not `/:id/*`, which matches `/:id` itself too and would read the session twice for the view.
  app.use('/:id/:rest{.+}', clientAuth({ checkout }));
  // The view needs the session and its latest attempt only: one query for both.
  app.use('/:id', clientAuth({ checkout, withLatestAttempt: true }));

  app.get('/:id', async (c) => {
    const view = await checkout.viewFor(c.get('session'), c.get('latestAttempt'));
    c.header('Cache-Control', 'no-store');
    return c.json(view);
  });

  app.post('/:id/attempts', async (c) => {
    const body = await jsonBody(c, createAttemptBody);
    const attempt = await checkout.createAttempt(c.get('session').id, {
      method: body.method,
      fields: body.fields ?? {},
      client: body.client ?? null,
      buyerCode: body.buyerCode ?? null,
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
   * the client had to open a new EventSource), then waits for the hub to say there is more. The
   * streams themselves (fan-out, heartbeats, limits) are `StatusStreams`.
   */
  app.get('/:id/events', (c) => {
    const session = c.get('session');
    const resumeFrom = c.req.header('last-event-id') ?? c.req.query('lastEventId');
    const last = resumeFrom === undefined ? 0 : parseWith(lastEventId, resumeFrom, 'Last-Event-ID');
    const outgoing = nodeResponse(c.env);
    const client = clientAddress(c.env);
    try {
      streams.admit(session.id, client);
    } catch (error) {
      if (!(error instanceof StreamRefused)) throw error;
      const body: ErrorBody = { error: { code: error.code, message: error.message, requestId: c.get('requestId') } };
      return c.json(body, error.status, { 'Retry-After': String(error.retryAfterSeconds) });
    }
    c.header('Content-Type', 'text/event-stream; charset=utf-8');
    c.header('Cache-Control', 'no-store');
    c.header('X-Accel-Buffering', 'no');
    // The headers as the middleware left them (request id, CORS) with the stream's own.
    const headers = c.newResponse(null, 200).headers;
    if (outgoing) {
      let close: () => void = () => undefined;
      const sink = nodeSink(outgoing, 200, headers, () => close());
      close = streams.open(session, client, last, sink);
      return RESPONSE_ALREADY_SENT;
    }
    let close: () => void = () => undefined;
    const { sink, body } = webSink(() => close());
    close = streams.open(session, client, last, sink);
    return new Response(body, { status: 200, headers });
  });

  return app;
}

/** The node response under `@hono/node-server` (HTTP/1), or null elsewhere. */
function nodeResponse(env: unknown): ServerResponse | null {
  const outgoing = (env as { outgoing?: ServerResponse } | undefined)?.outgoing;
  return outgoing && typeof outgoing.writeHead === 'function' && typeof outgoing.write === 'function' ? outgoing : null;
}

/**
 * The peer's address (the TCP connection's; behind a proxy that is the proxy's), or null where the
 * runtime does not say. IPv4 seen through an IPv6 socket counts as the IPv4 address.
 */
function clientAddress(env: unknown): string | null {
  const address = (env as { incoming?: IncomingMessage } | undefined)?.incoming?.socket?.remoteAddress;
  if (!address) return null;
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

/**
 * CORS for the merchant's pages (`merchant.allowedOrigins`): the same headers as `hono/cors`, set as
 * plain headers before the handler runs, so an ordinary request builds no placeholder response.
 */
function browserCors(allowedOrigins: string[]): MiddlewareHandler<AppEnv> {
  const allowed = new Set(allowedOrigins);
  const preflight = {
    'Access-Control-Allow-Methods': 'GET,POST',
    'Access-Control-Allow-Headers': ['Content-Type', CLIENT_SECRET_HEADER, 'Last-Event-ID'].join(','),
    'Access-Control-Max-Age': '600',
  };
  return async function browserCorsMiddleware(c, next) {
    const origin = c.req.header('origin');
    if (origin !== undefined && allowed.has(origin)) {
      c.header('Access-Control-Allow-Origin', origin);
      c.header('Access-Control-Expose-Headers', 'X-Request-Id');
    }
    c.header('Vary', 'Origin', { append: true });
    if (c.req.method === 'OPTIONS') {
      c.header('Vary', 'Access-Control-Request-Headers', { append: true });
      return c.body(null, 204, preflight);
    }
    return next();
  };
}

/** A session's outcome for anyone holding its link: no client secret, so nothing but this. */
function checkoutOutcome(session: SessionRecord, merchantName: string): CheckoutOutcome {
  const status: CheckoutOutcome['status'] =
    session.status === 'succeeded' || session.status === 'partially_refunded' || session.status === 'refunded'
      ? 'paid'
      : session.status === 'expired' || session.status === 'canceled'
        ? session.status
        : 'not_paid';
  return {
    merchant: { name: merchantName },
    amount: formatDecimal(moneyOf(session)),
    currency: session.currency,
    status,
    returnUrl: session.returnUrl,
  };
}
