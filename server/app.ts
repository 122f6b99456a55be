/**
 * `createApp(deps)` builds the BFF from its dependencies. It never listens on a port (the node entry
 * does), so tests drive it with `app.request()`.
 */
import { fileURLToPath } from 'node:url';
import { Hono } from 'hono';
import type { Config } from './config.ts';
import type { Checkout } from './domain/checkout.ts';
import type { EventHub } from './domain/events.ts';
import type { Logger } from './domain/log.ts';
import type { Payouts } from './domain/payouts.ts';
import { errorHandler, limitBody, requestId, type AppEnv } from './http/middleware.ts';
import { LIMITS } from './limits.ts';
import { checkoutRoutes } from './routes/checkout.ts';
import { notifyRoutes } from './routes/notify.ts';
import { openApiDocument } from './routes/openapi.ts';
import { pageRoutes } from './routes/pages.ts';
import { sessionRoutes } from './routes/sessions.ts';
import { treasuryRoutes } from './routes/treasury.ts';
import { createSimulators } from './sandbox/index.ts';
import type { Store } from './store/store.ts';

export interface AppDeps {
  config: Config;
  store: Store;
  checkout: Checkout;
  hub: EventHub;
  log: Logger;
  /** Balances, banks and payouts (`/v1/balances`, `/v1/banks`, `/v1/payouts`); not mounted when absent. */
  payouts?: Payouts;
  /** The script-tag bundle served at /tender.js. */
  widgetBundlePath?: string;
  /** `fetch` the mounted simulators use to send their callbacks. */
  simulatorFetch?: typeof fetch;
  sseHeartbeatMs?: number;
}

export const DEFAULT_WIDGET_BUNDLE = fileURLToPath(new URL('../dist/tender.js', import.meta.url));

export function createApp(deps: AppDeps) {
  const { config, store, checkout, hub, log } = deps;
  const app = new Hono<AppEnv>();
  app.use('*', requestId());
  app.use('/v1/*', limitBody({ maxBytes: LIMITS.apiBodyBytes }));
  app.onError(errorHandler({ log }));
  app.notFound((c) =>
    c.json(
      {
        error: {
          code: 'not_found',
          message: `no route for ${c.req.method} ${c.req.path}`,
          requestId: c.get('requestId'),
        },
      },
      404,
    ),
  );

  app.get('/healthz', async (c) => {
    await store.getSession('ses_healthcheck');
    return c.json({ status: 'ok' });
  });
  app.get('/openapi.json', (c) => c.json(openApiDocument(config)));

  app.route('/v1/sessions', sessionRoutes({ checkout, store }));
  app.route(
    '/v1/checkout',
    checkoutRoutes({
      checkout,
      store,
      hub,
      allowedOrigins: config.merchant.allowedOrigins,
      heartbeatMs: deps.sseHeartbeatMs,
    }),
  );
  app.route('/v1/notify', notifyRoutes({ checkout }));
  // Its routes name their own paths under /v1 (balances, banks, payouts) and carry their own auth.
  if (deps.payouts) app.route('/v1', treasuryRoutes({ payouts: deps.payouts, secretKey: config.merchant.secretKey }));
  app.route('/', pageRoutes({ checkout, widgetBundlePath: deps.widgetBundlePath ?? DEFAULT_WIDGET_BUNDLE }));

  if (config.sandbox) {
    for (const [path, simulator] of createSimulators(config, {
      fetch: deps.simulatorFetch,
      callbackOrigins: [new URL(config.publicUrl).origin],
    }))
      app.route(path, simulator);
  }
  return app;
}

export type App = ReturnType<typeof createApp>;
