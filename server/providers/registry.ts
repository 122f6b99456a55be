/**
 * Every provider Tender can take, one line each. A provider is a folder `server/providers/<id>/`
 * whose `index.ts` exports its descriptor (see `ProviderDescriptor`); adding one means adding that
 * folder, its page in `docs/providers/<id>.md`, and a line here. Nothing else names a provider.
 */
import type { z } from 'zod';
import { kesspay } from './kesspay/index.ts';
import { one1pay } from './one1pay/index.ts';
import { ottpay } from './ottpay/index.ts';
import { payotc365 } from './payotc365/index.ts';
import type { ProviderDescriptor } from './provider.ts';
import { sansan } from './sansan/index.ts';

export const PROVIDERS = [ottpay, kesspay, one1pay, payotc365, sansan] as const;

type Registered = (typeof PROVIDERS)[number];

/** `providers` in the configuration: each registered provider's options, all optional. */
export type ProvidersConfig = { [D in Registered as D['id']]?: z.output<D['options']> };

export const PROVIDER_IDS: readonly string[] = PROVIDERS.map((descriptor) => descriptor.id);

export function descriptorOf(id: string): ProviderDescriptor | undefined {
  return (PROVIDERS as readonly ProviderDescriptor[]).find((descriptor) => descriptor.id === id);
}
