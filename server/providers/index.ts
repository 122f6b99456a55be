/** Builds the enabled providers from configuration. A provider absent from the file is disabled. */
import type { MethodId } from '../../widget/wire.ts';
import type { Config } from '../config.ts';
import {
  memoryCache,
  silentLogger,
  type Provider,
  type ProviderContext,
  type ProviderDescriptor,
  type ProviderId,
  type ProviderLogger,
} from './provider.ts';
import { PROVIDERS } from './registry.ts';

export type ProviderRegistry = ReadonlyMap<ProviderId, Provider>;

const DESCRIPTORS = PROVIDERS as readonly ProviderDescriptor[];

/**
 * Each enabled provider gets its own cache; the log is shared (its lines name the provider).
 * `cache` and `log` may be left out of `context`.
 */
export function buildProviders(
  config: Config,
  context: Omit<ProviderContext, 'cache' | 'log'> & Partial<Pick<ProviderContext, 'cache'>>,
  log: ProviderLogger = silentLogger,
): ProviderRegistry {
  const providers = new Map<ProviderId, Provider>();
  const configured = config.providers as Record<string, unknown>;
  for (const descriptor of DESCRIPTORS) {
    const options = configured[descriptor.id];
    if (options === undefined) continue;
    const ctx: ProviderContext = { ...context, cache: context.cache ?? memoryCache(context.now), log };
    providers.set(descriptor.id, descriptor.create(options, ctx));
  }
  return providers;
}

/** The provider a method id belongs to (its prefix), when that provider is registered. */
export function providerOfMethod(method: string): ProviderId | null {
  const prefix = method.split('.')[0];
  return DESCRIPTORS.some((descriptor) => descriptor.id === prefix) ? prefix! : null;
}

/** Every method id of every registered provider; offered only when its provider is enabled. */
export const METHOD_IDS: readonly MethodId[] = DESCRIPTORS.flatMap((descriptor) =>
  descriptor.methods.map((method) => method.id),
);
