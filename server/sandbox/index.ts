/**
 * Mounts every provider simulator under /sandbox/<provider>/ with the configured credentials, so
 * the adapters (pointed there by the built-in configuration) talk to them over real HTTP.
 */
import { Hono as HonoApp, type Hono } from 'hono';
import type { Config } from '../config.ts';
import { createLogger, type Logger } from '../domain/log.ts';
import { errorHandler, limitBody, type AppEnv } from '../http/middleware.ts';
import { LIMITS } from '../limits.ts';
import type { ProviderDescriptor } from '../providers/provider.ts';
import { PROVIDERS } from '../providers/registry.ts';

export function createSimulators(
  config: Config,
  {
    fetch: unguardedFetch = fetch,
    prefix = '/sandbox',
    callbackOrigins,
  }: { fetch?: typeof fetch; prefix?: string; callbackOrigins?: string[] } = {},
): Array<[path: string, app: Hono]> {
  const mounted: Array<[string, Hono]> = [];
  // Simulators post callbacks to whatever URL an order names. Mounted inside a BFF they may only
  // call that BFF back, so a sandbox reachable by others cannot be turned against other hosts.
  const fetchImpl: typeof fetch = callbackOrigins
    ? (input, init) => {
        const url = new URL(input instanceof Request ? input.url : String(input));
        if (!callbackOrigins.includes(url.origin)) {
          return Promise.reject(new Error(`sandbox callbacks may only go to ${callbackOrigins.join(', ')}`));
        }
        // Never followed: a redirect could lead anywhere (the simulators treat a 3xx as undelivered).
        return unguardedFetch(input, { ...init, redirect: 'manual' });
      }
    : unguardedFetch;
  const configured = config.providers as Record<string, unknown>;
  for (const descriptor of PROVIDERS as readonly ProviderDescriptor[]) {
    const options = configured[descriptor.id];
    if (!descriptor.sandbox || options === undefined) continue;
    mounted.push([
      `${prefix}/${descriptor.id}`,
      descriptor.sandbox.simulator({
        options: descriptor.options.parse(options),
        publicUrl: `${config.publicUrl}${prefix}/${descriptor.id}`,
        merchantName: config.merchant.name,
        fetch: fetchImpl,
      }),
    ]);
  }
  return mounted.map(([path, simulator]) => [path, bounded(simulator)]);
}

/** A simulator behind the sandbox body limit: a larger body is a 413 before the simulator reads it. */
function bounded(simulator: Hono): Hono {
  const app = new HonoApp();
  app.use('*', limitBody({ maxBytes: LIMITS.sandboxBodyBytes, what: 'a sandbox request body' }));
  app.route('/', simulator);
  return app;
}

/**
 * All simulators in one app of their own, each under /<provider>/, for running apart from the BFF
 * (`npm run sandbox`, or a test that points adapters at any base URL).
 */
export function createSandboxApp(options: {
  publicUrl: string;
  config: Config;
  fetch?: typeof fetch;
  log?: Logger;
}): Hono<AppEnv> {
  const app = new HonoApp<AppEnv>();
  // The same error shape as the BFF's (the body limit's 413 among them).
  app.onError(errorHandler({ log: options.log ?? createLogger() }));
  const config: Config = { ...options.config, publicUrl: options.publicUrl };
  for (const [path, simulator] of createSimulators(config, { fetch: options.fetch, prefix: '' }))
    app.route(path, simulator);
  return app;
}
