/**
 * Mounts every provider simulator under /sandbox/<provider>/ with the configured credentials, so
 * the adapters (pointed there by the built-in configuration) talk to them over real HTTP.
 */
import { Hono as HonoApp, type Hono } from 'hono';
import type { Config } from '../config.ts';
import { createOne1PaySimulator } from './one1pay/index.ts';
import { createOttPaySimulator } from './ottpay/index.ts';

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
        return unguardedFetch(input, init);
      }
    : unguardedFetch;
  const base = (provider: string) => `${config.publicUrl}${prefix}/${provider}`;
  const { one1pay, ottpay } = config.providers;
  const merchantName = config.merchant.name;
  if (one1pay) {
    mounted.push([
      `${prefix}/one1pay`,
      createOne1PaySimulator({
        publicUrl: base('one1pay'),
        username: one1pay.username,
        apiKey: one1pay.apiKey,
        callbackSecret: one1pay.callbackSecret,
        merchantName,
        fetch: fetchImpl,
      }),
    ]);
  }
  if (ottpay) {
    mounted.push([
      `${prefix}/ottpay`,
      createOttPaySimulator({
        publicUrl: base('ottpay'),
        merchantId: ottpay.merchantId,
        operatorId: ottpay.operatorId,
        signKey: ottpay.signKey,
        currency: ottpay.currency,
        merchantName,
        fetch: fetchImpl,
      }),
    ]);
  }
  return mounted;
}

/**
 * All simulators in one app of their own, each under /<provider>/, for running apart from the BFF
 * (`npm run sandbox`, or a test that points adapters at any base URL).
 */
export function createSandboxApp(options: { publicUrl: string; config: Config; fetch?: typeof fetch }): Hono {
  const app = new HonoApp();
  const config: Config = { ...options.config, publicUrl: options.publicUrl };
  for (const [path, simulator] of createSimulators(config, { fetch: options.fetch, prefix: '' }))
    app.route(path, simulator);
  return app;
}
