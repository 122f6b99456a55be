/**
 * Webhook delivery: each notification is POSTed to the registered URL and retried with back-off until
 * the merchant answers HTTP 200 with JSON whose `code` is 0 (Tender's reading of the cut-off
 * acknowledgement table). SanSan stops after 10 failed notifications; the sandbox does the same by
 * default, with short delays so a test or a demo sees the retries.
 * Notifications of one order go out one after another, in the order the status changed.
 */

export interface WebhookRetry {
  /** Tries per notification, the first included (SanSan: 10). */
  attempts: number;
  /** Wait before the second try; doubles each time up to `maxDelayMs`. */
  firstDelayMs: number;
  maxDelayMs: number;
  /** How long one try waits for an answer. */
  timeoutMs: number;
}

export const DEFAULT_WEBHOOK_RETRY: WebhookRetry = {
  attempts: 10,
  firstDelayMs: 200,
  maxDelayMs: 2_000,
  timeoutMs: 5_000,
};

export interface WebhookDelivery {
  at: string;
  url: string | null;
  /** The order status this notification reports. */
  status: string;
  /** 1 for the first try of a notification. */
  attempt: number;
  /** Set for a deliberately unverifiable notification: how it was spoiled. */
  forged: string | null;
  httpStatus: number | null;
  /** Start of the merchant's answer. */
  body: string | null;
  acknowledged: boolean;
  error: string | null;
}

export interface Notification {
  status: string;
  forged: string | null;
  /** The request body for a try, given how many tries failed before it (the payload's `failTimes`). */
  body: (failTimes: number) => string;
  /** One try only (forged notifications are not retried). */
  once?: boolean;
}

export class Notifier {
  readonly #chains = new Map<string, Promise<void>>();

  constructor(
    private readonly fetchImpl: typeof fetch,
    private readonly retry: WebhookRetry,
    private readonly now: () => Date,
  ) {}

  /**
   * Queues a notification behind the order's earlier ones. `first` settles after its first try,
   * `done` once it is acknowledged or given up.
   */
  send(
    key: string,
    url: string | null,
    notification: Notification,
    record: (delivery: WebhookDelivery) => void,
  ): { first: Promise<void>; done: Promise<void> } {
    let firstTried!: () => void;
    const first = new Promise<void>((resolve) => (firstTried = resolve));
    const previous = this.#chains.get(key) ?? Promise.resolve();
    const done = previous.then(() => this.#deliver(url, notification, record, firstTried));
    this.#chains.set(key, done);
    void done.finally(() => {
      if (this.#chains.get(key) === done) this.#chains.delete(key);
    });
    return { first, done };
  }

  async #deliver(
    url: string | null,
    notification: Notification,
    record: (delivery: WebhookDelivery) => void,
    firstTried: () => void,
  ): Promise<void> {
    const attempts = notification.once ? 1 : Math.max(1, this.retry.attempts);
    let delay = this.retry.firstDelayMs;
    try {
      for (let attempt = 1; attempt <= attempts; attempt += 1) {
        const delivery = await this.#try(url, notification, attempt);
        record(delivery);
        if (attempt === 1) firstTried();
        if (delivery.acknowledged || url === null) return;
        if (attempt < attempts) {
          await sleep(delay);
          delay = Math.min(delay * 2, this.retry.maxDelayMs);
        }
      }
    } finally {
      firstTried();
    }
  }

  async #try(url: string | null, notification: Notification, attempt: number): Promise<WebhookDelivery> {
    const delivery: WebhookDelivery = {
      at: this.now().toISOString(),
      url,
      status: notification.status,
      attempt,
      forged: notification.forged,
      httpStatus: null,
      body: null,
      acknowledged: false,
      error: null,
    };
    if (url === null) {
      delivery.error = 'no webhook URL is registered';
      return delivery;
    }
    // A ref'd timer (AbortSignal.timeout's is not): the wait holds the process open like the request.
    const abort = new AbortController();
    const timer = setTimeout(
      () => abort.abort(new Error(`no answer within ${this.retry.timeoutMs} ms`)),
      this.retry.timeoutMs,
    );
    try {
      const response = await this.fetchImpl(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: notification.body(attempt - 1),
        signal: abort.signal,
      });
      const text = await response.text();
      delivery.httpStatus = response.status;
      delivery.body = text.slice(0, 200);
      delivery.acknowledged = response.status === 200 && acknowledges(text);
    } catch (error) {
      delivery.error = error instanceof Error ? error.message : String(error);
    } finally {
      clearTimeout(timer);
    }
    return delivery;
  }
}

/** `{"code":0}` (other fields allowed): SanSan's "JSON with a code field; 0 means success". */
function acknowledges(text: string): boolean {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && (parsed as { code?: unknown }).code === 0;
  } catch {
    return false;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
