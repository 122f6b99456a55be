/**
 * Webhooks to the merchant's server: the server-side signal that may release goods (the README,
 * "Taking a payment", step 3). Each is written to an outbox in the same transaction as the change it
 * reports, then POSTed to `merchant.webhookUrl`, signed with HMAC-SHA256 over `<timestamp>.<body>` using
 * `merchant.webhookSecret`, and retried with back-off until the merchant answers 2xx.
 *
 *   Tender-Signature: t=1764000000,v1=<hex HMAC-SHA256(webhookSecret, "1764000000.<body>")>
 *
 * A receiver checks the signature and the timestamp (`verifyWebhookSignature`), then acts on
 * `type` idempotently by `id`: a delivery may arrive more than once.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Store, WebhookRecord } from '../store/store.ts';
import type { Clock } from './clock.ts';
import type { Logger } from './log.ts';
import { PeriodicJob } from './loop.ts';

export const SIGNATURE_HEADER = 'Tender-Signature';

/**
 * Seconds to wait after the n-th failed delivery. A webhook is the signal that releases goods, so
 * Tender never gives up on one: after the list runs out it tries once a day until acknowledged.
 */
const RETRY_DELAYS_S = [10, 30, 120, 600, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 24 * 3600];

export function signWebhook(body: string, secret: string, timestamp: number): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return `t=${timestamp},v1=${mac}`;
}

/**
 * Checks a `Tender-Signature` header against the raw body. Rejects a signature older (or newer) than
 * `toleranceSeconds`, so a captured delivery cannot be replayed later.
 */
export function verifyWebhookSignature(
  header: string | null | undefined,
  body: string,
  secret: string,
  { now = Date.now(), toleranceSeconds = 300 }: { now?: number; toleranceSeconds?: number } = {},
): boolean {
  const parts = Object.fromEntries(
    (header ?? '').split(',').map((part) => {
      const index = part.indexOf('=');
      return [part.slice(0, index).trim(), part.slice(index + 1).trim()];
    }),
  );
  const timestamp = Number(parts.t);
  if (!Number.isInteger(timestamp) || !/^[0-9a-f]{64}$/.test(parts.v1 ?? '')) return false;
  if (Math.abs(now / 1000 - timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(signWebhook(body, secret, timestamp).split('v1=')[1]!, 'hex');
  return timingSafeEqual(expected, Buffer.from(parts.v1!, 'hex'));
}

export interface WebhookSenderOptions {
  store: Store;
  clock: Clock;
  log: Logger;
  url: string;
  secret: string;
  fetch?: typeof fetch;
  intervalMs?: number;
  timeoutMs?: number;
  batchSize?: number;
}

/** Delivers due webhooks from the outbox; its schedule lives in the store, so restarts lose nothing. */
export class WebhookSender extends PeriodicJob {
  readonly #options: Required<Omit<WebhookSenderOptions, 'intervalMs'>>;

  constructor({
    fetch: fetchImpl = fetch,
    intervalMs = 1000,
    timeoutMs = 10_000,
    batchSize = 20,
    ...rest
  }: WebhookSenderOptions) {
    super('webhook delivery', intervalMs, rest.log);
    this.#options = { fetch: fetchImpl, timeoutMs, batchSize, ...rest };
  }

  /** One pass over the webhooks due now; returns how many deliveries were tried. */
  protected override pass(): Promise<number> {
    return this.#pass();
  }

  async #pass(): Promise<number> {
    const { store, clock, batchSize } = this.#options;
    const now = clock.now();
    // Leased while this instance delivers them, so two instances never send the same webhook at once.
    const lease = new Date(now.getTime() + this.#options.timeoutMs * 3).toISOString();
    const due = await store.claimDueWebhooks(now.toISOString(), lease, batchSize);
    for (const webhook of due) await this.#deliver(webhook);
    return due.length;
  }

  async #deliver(webhook: WebhookRecord): Promise<void> {
    const { store, clock, log, url, secret, timeoutMs } = this.#options;
    const attempts = webhook.attempts + 1;
    let failure: string;
    try {
      const response = await this.#options.fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Tender-Webhooks/1',
          'tender-webhook-id': webhook.id,
          [SIGNATURE_HEADER]: signWebhook(webhook.payload, secret, Math.floor(clock.now().getTime() / 1000)),
        },
        body: webhook.payload,
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
      await response.body?.cancel().catch(() => undefined);
      if (response.status >= 200 && response.status < 300) {
        await store.updateWebhook(webhook.id, {
          attempts,
          deliveredAt: clock.now().toISOString(),
          nextAttemptAt: null,
          lastError: null,
        });
        return;
      }
      failure = `HTTP ${response.status}`;
    } catch (error) {
      failure = error instanceof Error ? `${error.name}: ${error.message}` : 'delivery failed';
    }
    const delay = RETRY_DELAYS_S[Math.min(attempts, RETRY_DELAYS_S.length) - 1]!;
    const nextAttemptAt = new Date(clock.now().getTime() + delay * 1000).toISOString();
    const stuck = attempts >= RETRY_DELAYS_S.length;
    log[stuck ? 'error' : 'warn']('webhook delivery failed; will retry', {
      webhook: webhook.id,
      attempts,
      failure,
      nextAttemptAt,
    });
    await store.updateWebhook(webhook.id, { attempts, nextAttemptAt, lastError: failure });
  }
}
