/**
 * `GET /metrics`: the Prometheus exposition (text format 0.0.4) of `server/metrics.ts`. It names
 * providers and counts, nothing about a shopper, but it is still the operator's: it takes the
 * merchant's secret key as a bearer token (Prometheus: `authorization: { credentials: … }`).
 */
import { Hono } from 'hono';
import type { Logger } from '../domain/log.ts';
import { merchantAuth, type AppEnv } from '../http/middleware.ts';
import type { Metrics } from '../metrics.ts';
import type { Store } from '../store/store.ts';

export interface MetricsRouteOptions {
  metrics: Metrics;
  store: Store;
  /** The business clock, for how overdue the reconciler is. */
  now: () => Date;
  secretKey: string;
  log: Logger;
}

export function metricsRoutes({ metrics, store, now, secretKey, log }: MetricsRouteOptions) {
  const app = new Hono<AppEnv>();
  app.get('/metrics', merchantAuth({ secretKey }), async (c) => {
    const at = now();
    const sample = await store.operationalStats(at.toISOString()).catch((error: unknown) => {
      log.warn('metrics: the store did not answer; its gauges read NaN', { error });
      return null;
    });
    metrics.recordStore(sample, at);
    const { text, contentType } = await metrics.render();
    c.header('Cache-Control', 'no-store');
    return c.body(text, 200, { 'content-type': contentType });
  });
  return app;
}
