/** Request metrics: latency by route pattern, method and status class, and the status streams open. */
import type { Context, MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import type { Gauge } from 'prom-client';
import type { Metrics } from '../metrics.ts';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * Times every request to its response head and counts each status stream (`text/event-stream`)
 * while its body stays open. Mounted first after `requestId`, so the time includes every other
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
    if (c.res.body && c.res.headers.get('content-type')?.startsWith('text/event-stream')) {
      c.res = new Response(countWhileOpen(c.res.body, metrics.sseStreams), c.res);
    }
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

/** `body`, counted in `gauge` from now until it ends or the client goes away. */
function countWhileOpen(body: ReadableStream<Uint8Array>, gauge: Gauge): ReadableStream<Uint8Array> {
  gauge.inc();
  let open = true;
  const closed = () => {
    if (open) gauge.dec();
    open = false;
  };
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) {
          closed();
          controller.close();
        } else controller.enqueue(value);
      } catch (error) {
        closed();
        controller.error(error);
      }
    },
    async cancel(reason) {
      closed();
      await reader.cancel(reason);
    },
  });
}
