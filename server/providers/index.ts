/** Builds the enabled providers from configuration. A provider absent from the file is disabled. */
import type { MethodId } from '../../widget/wire.ts';
import type { Config } from '../config.ts';
import type { Logger } from '../domain/log.ts';
import { createOne1PayProvider } from './one1pay.ts';
import { createOttPayProvider } from './ottpay.ts';
import type { Provider, ProviderContext, ProviderId } from './provider.ts';

export type ProviderRegistry = ReadonlyMap<ProviderId, Provider>;

export function buildProviders(config: Config, ctx: ProviderContext, log: Logger): ProviderRegistry {
  const providers = new Map<ProviderId, Provider>();
  const { one1pay, ottpay, kesspay, sansan, payotc365 } = config.providers;
  if (one1pay) providers.set('one1pay', createOne1PayProvider(one1pay, ctx));
  if (ottpay) providers.set('ottpay', createOttPayProvider(ottpay, ctx));
  for (const [id, options] of Object.entries({ kesspay, sansan, payotc365 })) {
    if (options) log.warn(`providers.${id} is configured but not supported by this version yet; it stays disabled`);
  }
  return providers;
}

export function providerOfMethod(method: string): ProviderId | null {
  const prefix = method.split('.')[0];
  switch (prefix) {
    case 'one1pay':
    case 'ottpay':
    case 'kesspay':
    case 'sansan':
    case 'payotc365':
      return prefix;
    default:
      return null;
  }
}

/** Every method id Tender knows (DESIGN.md, Providers); offered only when its provider is enabled. */
export const METHOD_IDS = [
  'ottpay.wechat',
  'ottpay.alipay',
  'ottpay.unionpay',
  'kesspay.wechat',
  'kesspay.alipay',
  'one1pay.thaiqr',
  'one1pay.truemoney',
  'sansan.card',
] as const satisfies readonly MethodId[];
