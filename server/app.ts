/**
 * `createApp(deps)` builds the BFF from its dependencies. It never listens on a port (the node entry
 * does), so tests drive it with `app.request()`.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hono } from 'hono';
import type { Config } from './config.ts';
import type { Checkout } from './domain/checkout.ts';
import { ApiError } from './http/errors.ts';
import type { EventHub } from './domain/events.ts';
import type { Logger } from './domain/log.ts';
import type { Payouts } from './domain/payouts.ts';
import { measureRequests } from './http/metrics.ts';
import { apiSecurityHeaders, errorHandler, limitBody, requestId, type AppEnv } from './http/middleware.ts';
import type { StreamLimits } from './http/status-streams.ts';
import { LIMITS } from './limits.ts';
import { Metrics } from './metrics.ts';
import { checkoutRoutes } from './routes/checkout.ts';
import { metricsRoutes } from './routes/metrics.ts';
import { notifyRoutes } from './routes/notify.ts';
import { apiDocsRoutes } from './routes/openapi.ts';
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
  /**
   * The registry `/metrics` serves; share it with `buildProviders` (its `observeProviderCall`) to see
   * provider calls. A fresh one when absent.
   */
  metrics?: Metrics;
  /** Balances, banks and payouts (`/v1/balances`, `/v1/banks`, `/v1/payouts`); not mounted when absent. */
  payouts?: Payouts;
  /** The script-tag bundle served at /tender.js. */
  widgetBundlePath?: string;
  /** `fetch` the mounted simulators use to send their callbacks. */
  simulatorFetch?: typeof fetch;
  sseHeartbeatMs?: number;
  /** Status stream limits; `LIMITS` and the open-file limit by default. */
  sseLimits?: Partial<StreamLimits>;
}

/** Longest `/readyz` waits for the database before it answers 503. */
const READY_CHECK_MS = 5_000;

/**
 * The widget package's script-tag bundle (`tender/tender.iife.js`, built by `npm run build`), found
 * through the package so it works from the sources, from the compiled server and from an install.
 * Resolved by way of its package.json, which always exists: the bundle may not be built yet.
 */
export const DEFAULT_WIDGET_BUNDLE = join(
  dirname(fileURLToPath(import.meta.resolve('tender/package.json'))),
  'dist/tender.iife.js',
);

export function createApp(deps: AppDeps) {
  const { config, store, checkout, hub, log } = deps;
  const metrics = deps.metrics ?? new Metrics();
  const app = new Hono<AppEnv>();
  app.use('*', requestId({ log }));
  app.use('*', measureRequests({ metrics }));
  // The JSON API and the operator's endpoints; the hosted page and the widget's files set their own.
  for (const path of ['/v1/*', '/healthz', '/readyz', '/openapi.json', '/metrics']) app.use(path, apiSecurityHeaders());
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

  // Liveness: the process answers. It does not touch the database, so a database outage takes the
  // instance out of rotation (/readyz) instead of getting it restarted over and over.
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  // Readiness: this instance can write to its database now (and, on SQLite, the file it opened is
  // still there). The cause goes to the log as one line; the caller learns only that it is not ready.
  app.get('/readyz', async (c) => {
    try {
      await withDeadline(store.checkHealth(), READY_CHECK_MS);
    } catch (error) {
      // The error handler logs the cause (one line naming it and the fix) with the request id.
      throw new ApiError(503, 'not_ready', 'this instance cannot write to its database; its log says why', {
        cause: error,
      });
    }
    return c.json({ status: 'ready' });
  });
  app.route('/', apiDocsRoutes({ config }));
  app.route(
    '/',
    metricsRoutes({ metrics, store, now: () => checkout.now(), secretKey: config.merchant.secretKey, log }),
  );

  app.route('/v1/sessions', sessionRoutes({ checkout, store }));
  app.route(
    '/v1/checkout',
    checkoutRoutes({
      checkout,
      store,
      hub,
      allowedOrigins: config.merchant.allowedOrigins,
      heartbeatMs: deps.sseHeartbeatMs,
      streamLimits: deps.sseLimits,
      metrics,
    }),
  );
  app.route('/v1/notify', notifyRoutes({ checkout }));
  // Its routes name their own paths under /v1 (balances, banks, payouts) and carry their own auth.
  if (deps.payouts) app.route('/v1', treasuryRoutes({ payouts: deps.payouts, secretKey: config.merchant.secretKey }));
  app.route('/', pageRoutes({ checkout, log, widgetBundlePath: deps.widgetBundlePath ?? DEFAULT_WIDGET_BUNDLE }));

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

/** Settles as `promise` does, or rejects once `ms` have passed (the work itself is not stopped). */
function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the database did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
