/** Request metrics: latency by route pattern, method and status class (streams are counted where they are kept). */
import type { Context, MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import type { Metrics } from '../metrics.ts';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * Times every request to its response head. Mounted first after `requestId`, so the time includes every other
 * middleware and the status is the one sent (errors included: `onError` has answered by then).
 */
export function measureRequests({ metrics }: { metrics: Metrics }): MiddlewareHandler {
  return async function measureRequestsMiddleware(c, next) {
    const started = performance.now();
    await next();
    const status = c.res.status;
    metrics.httpDuration.observe(
      {
        method: METHODS.has(c.req.method) ? c.req.method : 'other',
        route: routeOf(c, status),
        status: `${Math.floor(status / 100)}xx`,
      },
      (performance.now() - started) / 1000,
    );
  };
}

/**
 * The pattern of the route that answered (`/v1/checkout/:id/events`). Middleware (`use`) matches
 * every path under it, so only method routes count; a path no route matched is `unmatched`.
 */
function routeOf(c: Context, status: number): string {
  const route = matchedRoutes(c).findLast((candidate) => candidate.method !== 'ALL');
  return route?.path ?? (status === 404 ? 'unmatched' : 'middleware');
}
