/**
 * Mounts every provider simulator under /sandbox/<provider>/ with the configured credentials, so
 * the adapters (pointed there by the built-in configuration) talk to them over real HTTP.
 */
import type { Hono } from 'hono';
import type { Config } from '../config.ts';
import { createOne1PaySimulator } from './one1pay.ts';
import { createOttPaySimulator } from './ottpay.ts';

export function createSimulators(config: Config, fetchImpl: typeof fetch = fetch): Array<[path: string, app: Hono]> {
  const mounted: Array<[string, Hono]> = [];
  const base = (provider: string) => `${config.publicUrl}/sandbox/${provider}`;
  const { one1pay, ottpay } = config.providers;
  const merchantName = config.merchant.name;
  if (one1pay) {
    mounted.push([
      '/sandbox/one1pay',
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
      '/sandbox/ottpay',
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
