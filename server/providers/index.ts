/** Builds the enabled providers from configuration. A provider absent from the file is disabled. */
import type { MethodId } from '../../widget/wire.ts';
import type { Config } from '../config.ts';
import {
  memoryCache,
  ProviderError,
  silentLogger,
  type Provider,
  type ProviderContext,
  type ProviderDescriptor,
  type ProviderErrorCode,
  type ProviderId,
  type ProviderLogger,
} from './provider.ts';
import { PROVIDERS } from './registry.ts';

export type ProviderRegistry = ReadonlyMap<ProviderId, Provider>;

const DESCRIPTORS = PROVIDERS as readonly ProviderDescriptor[];

/** The provider calls `buildProviders` can measure: every method of `Provider` that returns a promise. */
export const PROVIDER_OPERATIONS = [
  'offers',
  'createPayment',
  'queryPayment',
  'parseNotification',
  'refund',
  'queryRefund',
  'payout',
  'queryPayout',
  'balance',
  'banks',
] as const satisfies ReadonlyArray<keyof Provider>;
export type ProviderOperation = (typeof PROVIDER_OPERATIONS)[number];

/** One finished provider call: how long it took and, when it failed, its neutral code (`other` if none). */
export interface ProviderCall {
  provider: ProviderId;
  operation: ProviderOperation;
  seconds: number;
  error: ProviderErrorCode | 'other' | null;
}
export type ProviderCallObserver = (call: ProviderCall) => void;

/**
 * Each enabled provider gets its own cache; the log is shared (its lines name the provider).
 * `cache` and `log` may be left out of `context`. With `observe`, every provider call is reported
 * to it when it settles (metrics); the adapters themselves know nothing of it.
 */
export function buildProviders(
  config: Config,
  context: Omit<ProviderContext, 'cache' | 'log'> & Partial<Pick<ProviderContext, 'cache'>>,
  log: ProviderLogger = silentLogger,
  observe?: ProviderCallObserver,
): ProviderRegistry {
  const providers = new Map<ProviderId, Provider>();
  const configured = config.providers as Record<string, unknown>;
  for (const descriptor of DESCRIPTORS) {
    const options = configured[descriptor.id];
    if (options === undefined) continue;
    const ctx: ProviderContext = { ...context, cache: context.cache ?? memoryCache(context.now), log };
    const provider = descriptor.create(options, ctx);
    providers.set(descriptor.id, observe ? measured(provider, observe) : provider);
  }
  return providers;
}

const OPERATIONS: ReadonlySet<PropertyKey> = new Set(PROVIDER_OPERATIONS);

/**
 * `provider` seen through a proxy that times each operation and reports it to `observe`. Anything
 * else (its id, `pollDelayMs`, an optional capability it lacks) reads through unchanged, so
 * `provider.refund ? … : …` still tells whether it can refund.
 */
function measured(provider: Provider, observe: ProviderCallObserver): Provider {
  const wrapped = new Map<PropertyKey, unknown>();
  return new Proxy(provider, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      if (typeof value !== 'function' || !OPERATIONS.has(key)) return value;
      if (!wrapped.has(key)) {
        const operation = key as ProviderOperation;
        const call = value as (...args: unknown[]) => Promise<unknown>;
        wrapped.set(key, async function measuredCall(...args: unknown[]) {
          const started = performance.now();
          const report = (error: ProviderCall['error']) =>
            observe({ provider: target.id, operation, seconds: (performance.now() - started) / 1000, error });
          try {
            const result = await call.apply(target, args);
            report(null);
            return result;
          } catch (error) {
            report(error instanceof ProviderError ? error.code : 'other');
            throw error;
          }
        });
      }
      return wrapped.get(key);
    },
  });
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
