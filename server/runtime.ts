/** Wires a BFF together from a configuration: store, providers, checkout service, app, reconciler. */
import type { Config } from './config.ts';
import { createApp, type App } from './app.ts';
import { Checkout } from './domain/checkout.ts';
import { systemClock, type Clock } from './domain/clock.ts';
import { createLocalHub, type EventHub } from './domain/events.ts';
import { createPostgresHub } from './domain/pg-hub.ts';
import { createLogger, type Logger } from './domain/log.ts';
import { Payouts } from './domain/payouts.ts';
import { Reconciler } from './domain/reconciler.ts';
import { WebhookSender } from './domain/webhooks.ts';
import type { StreamLimits } from './http/status-streams.ts';
import { LIMITS } from './limits.ts';
import { Metrics } from './metrics.ts';
import { buildProviders } from './providers/index.ts';
import { openStore } from './store/index.ts';
import type { Store } from './store/store.ts';

export interface RuntimeOptions {
  log?: Logger;
  /** The registry `/metrics` serves (provider calls included); a fresh one without process figures when absent. */
  metrics?: Metrics;
  clock?: Clock;
  /** `fetch` for calls to providers. */
  fetch?: typeof fetch;
  /** `fetch` the mounted simulators use for their callbacks. */
  simulatorFetch?: typeof fetch;
  providerTimeoutMs?: number;
  widgetBundlePath?: string;
  sseHeartbeatMs?: number;
  /** Status stream limits; `LIMITS` and the open-file limit by default. */
  sseLimits?: Partial<StreamLimits>;
  reconcilerIntervalMs?: number;
  /** `fetch` for webhooks to the merchant. */
  webhookFetch?: typeof fetch;
}

export interface Runtime {
  config: Config;
  app: App;
  store: Store;
  checkout: Checkout;
  hub: EventHub;
  metrics: Metrics;
  reconciler: Reconciler;
  /** Balances, banks and payouts; its loop checks pending payouts. */
  payouts: Payouts;
  /** Null when `merchant.webhookUrl` is not configured. */
  webhooks: WebhookSender | null;
  /** Starts the background loops (reconciler, payout checks, webhook delivery). */
  start(): void;
  close(): Promise<void>;
}

export async function createRuntime(config: Config, options: RuntimeOptions = {}): Promise<Runtime> {
  const log = options.log ?? createLogger();
  const clock = options.clock ?? systemClock;
  const metrics = options.metrics ?? new Metrics();
  const store = await openStore(config.database);
  const providers = buildProviders(
    config,
    {
      fetch: options.fetch ?? fetch,
      now: () => clock.now(),
      timeoutMs: options.providerTimeoutMs ?? LIMITS.providerAnswerMs,
    },
    log,
    metrics.observeProviderCall,
  );
  // Several instances on one PostgreSQL database hear each other's events through LISTEN/NOTIFY;
  // the embedded SQLite store has one instance, so an in-process hub is enough.
  const pgHub = /^postgres(ql)?:\/\//.test(config.database)
    ? await createPostgresHub(config.database, {
        onError: (error) => log.warn('event hub: database connection trouble; reconnecting', { error }),
      }).catch(async (error: unknown) => {
        await store.close();
        throw error;
      })
    : null;
  const hub: EventHub = pgHub ?? createLocalHub();
  const payouts = new Payouts({ config, store, providers, clock, log, intervalMs: options.reconcilerIntervalMs });
  const checkout = new Checkout({
    config,
    store,
    providers,
    hub,
    clock,
    log,
    onPayoutNotification: (provider, notification) => payouts.handleNotification(provider, notification),
  });
  const app = createApp({
    config,
    store,
    checkout,
    hub,
    log,
    metrics,
    payouts,
    widgetBundlePath: options.widgetBundlePath,
    simulatorFetch: options.simulatorFetch,
    sseHeartbeatMs: options.sseHeartbeatMs,
    sseLimits: options.sseLimits,
  });
  const reconciler = new Reconciler({ store, checkout, clock, log, intervalMs: options.reconcilerIntervalMs });
  const { webhookUrl, webhookSecret } = config.merchant;
  const webhooks =
    webhookUrl && webhookSecret
      ? new WebhookSender({ store, clock, log, url: webhookUrl, secret: webhookSecret, fetch: options.webhookFetch })
      : null;
  return {
    config,
    app,
    store,
    checkout,
    hub,
    metrics,
    reconciler,
    payouts,
    webhooks,
    start() {
      reconciler.start();
      payouts.start();
      webhooks?.start();
    },
    async close() {
      await reconciler.stop();
      await payouts.stop();
      await webhooks?.stop();
      await pgHub?.close();
      await store.close();
    },
  };
}
