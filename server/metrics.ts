/**
 * Tender's Prometheus metrics (prom-client, text format 0.0.4), one registry per runtime so several
 * BFFs in one process (tests) keep their own figures. Served at `/metrics` (`routes/metrics.ts`).
 *
 * | series                                   | type      | labels                         |
 * | ---------------------------------------- | --------- | ------------------------------ |
 * | tender_http_request_duration_seconds     | histogram | method, route, status (`2xx`…) |
 * | tender_sse_streams_open                  | gauge     |                                |
 * | tender_provider_call_duration_seconds    | histogram | provider, operation, outcome   |
 * | tender_provider_call_errors_total        | counter   | provider, operation, code      |
 * | tender_webhooks_pending                  | gauge     |                                |
 * | tender_webhooks_failing                  | gauge     |                                |
 * | tender_reconciler_lag_seconds            | gauge     |                                |
 *
 * `route` is the route's pattern (`/v1/checkout/:id`), never the path, so ids do not make series;
 * an unknown path is `unmatched`. Provider error codes are the closed neutral set (`ProviderErrorCode`)
 * or `other`. The three store gauges are read from the store when scraped (NaN if it does not answer).
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ProviderCall } from './providers/index.ts';

/** What the store says at scrape time (`Store.operationalStats`). */
export interface StoreSample {
  /** Webhooks not delivered yet. */
  webhooksPending: number;
  /** Of those, the ones whose last delivery failed. */
  webhooksFailing: number;
  /** When the attempt check that is most overdue was due; null when none is. */
  oldestDueAttemptAt: string | null;
}

export interface MetricsOptions {
  /** Also export Node's process figures (memory, CPU, event-loop delay, `process_`/`nodejs_`). */
  process?: boolean;
}

export class Metrics {
  readonly registry = new Registry();

  readonly httpDuration = new Histogram({
    name: 'tender_http_request_duration_seconds',
    help: 'Time to answer an HTTP request (to the response head for streams), by route pattern.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  /** Where the open status streams are counted (`countStreams`); read when the metrics are scraped. */
  readonly #streamCounts: (() => number)[] = [];

  readonly sseStreams = new Gauge({
    name: 'tender_sse_streams_open',
    help: 'Status streams (server-sent events) open now.',
    registers: [this.registry],
    collect: () => {
      this.sseStreams.set(this.#streamCounts.reduce((sum, count) => sum + count(), 0));
    },
  });

  readonly providerDuration = new Histogram({
    name: 'tender_provider_call_duration_seconds',
    help: 'Time a call to a payment provider took, by provider, operation and outcome (ok or error).',
    labelNames: ['provider', 'operation', 'outcome'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 15, 30],
    registers: [this.registry],
  });

  readonly providerErrors = new Counter({
    name: 'tender_provider_call_errors_total',
    help: 'Provider calls that failed, by provider, operation and neutral error code.',
    labelNames: ['provider', 'operation', 'code'] as const,
    registers: [this.registry],
  });

  readonly webhooksPending = new Gauge({
    name: 'tender_webhooks_pending',
    help: 'Webhooks to the merchant not delivered yet.',
    registers: [this.registry],
  });

  readonly webhooksFailing = new Gauge({
    name: 'tender_webhooks_failing',
    help: 'Undelivered webhooks whose last delivery failed (they are retried with back-off).',
    registers: [this.registry],
  });

  readonly reconcilerLag = new Gauge({
    name: 'tender_reconciler_lag_seconds',
    help: 'How long the most overdue payment status check has been due (0 when none is).',
    registers: [this.registry],
  });

  constructor({ process = false }: MetricsOptions = {}) {
    if (process) collectDefaultMetrics({ register: this.registry });
  }

  /** Records one provider call; `buildProviders` calls it for every call it measures. */
  readonly observeProviderCall = (call: ProviderCall): void => {
    const labels = { provider: call.provider, operation: call.operation };
    this.providerDuration.observe({ ...labels, outcome: call.error ? 'error' : 'ok' }, call.seconds);
    if (call.error) this.providerErrors.inc({ ...labels, code: call.error });
  };

  /**
   * Sets the store gauges from a sample taken at `now`. Without one (the store did not answer) they
   * read NaN: unknown, rather than a zero that would look healthy or a stale figure.
   */
  /** Adds a count of open status streams to `tender_sse_streams_open` (each app's streams, say). */
  countStreams(count: () => number): void {
    this.#streamCounts.push(count);
  }

  recordStore(sample: StoreSample | null, now: Date): void {
    if (!sample) {
      for (const gauge of [this.webhooksPending, this.webhooksFailing, this.reconcilerLag]) gauge.set(Number.NaN);
      return;
    }
    this.webhooksPending.set(sample.webhooksPending);
    this.webhooksFailing.set(sample.webhooksFailing);
    const due = sample.oldestDueAttemptAt === null ? now.getTime() : Date.parse(sample.oldestDueAttemptAt);
    this.reconcilerLag.set(Math.max(0, (now.getTime() - due) / 1000));
  }

  /** The exposition, and its content type (`text/plain; version=0.0.4; charset=utf-8`). */
  async render(): Promise<{ text: string; contentType: string }> {
    return { text: await this.registry.metrics(), contentType: this.registry.contentType };
  }
}
