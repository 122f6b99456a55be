/**
 * How every simulator posts its callbacks: one POST per attempt with a timeout, redirects never
 * followed (a 3xx is a failed delivery: a callback URL must not be bounced to another host), a
 * bounded number of attempts with growing pauses between them (a forged callback is sent once: it is
 * meant to be refused), and a record of each attempt.
 *
 * What the receiver answers is kept only as its status and the first 200 bytes of its body: the
 * simulator reads no further, so a receiver cannot make it buffer a large answer, and nothing more
 * of the answer is ever shown by a control route.
 */

/** One POST of a callback. */
export interface CallbackAttempt {
  at: string;
  /** HTTP status of the receiver's answer, or null when none came. */
  httpStatus: number | null;
  /** The first 200 bytes of the answer's body, as text; null when none came. */
  answer: string | null;
  acknowledged: boolean;
  /** Why the attempt failed (network error, timeout, redirect), or null. */
  error: string | null;
}

/** One callback, however many attempts it took. The top-level outcome is the last attempt's. */
export interface CallbackDelivery extends CallbackAttempt {
  url: string | null;
  /** Sent by a "forged callback" control: it must not verify. */
  forged: boolean;
  /** The body as it was last posted (the simulator's own message, never the receiver's). */
  sent: string;
  attempts: CallbackAttempt[];
}

export interface CallbackRequest {
  /** Where to post; null when the order named none (recorded as a failed delivery). */
  url: string | null;
  /** The body, or the body of each attempt given how many failed before it (a provider may count them). */
  body: string | ((failedBefore: number) => string);
  /** Default `application/json`. */
  contentType?: string;
  /** A callback that must not verify: sent once, never retried. */
  forged?: boolean;
  /** Whether an answer acknowledges the callback; see `acknowledgedBy`. */
  acknowledged(answer: ReceiverAnswer): boolean;
  /** Told the delivery so far after each attempt (`send` resolves only after the last). */
  onAttempt?(delivery: CallbackDelivery): void;
}

/** What the sender saw of an answer: the status and at most the first 200 bytes of its body. */
export interface ReceiverAnswer {
  status: number;
  body: string;
  /** The body was longer than what `body` holds. */
  truncated: boolean;
}

export interface CallbackPolicy {
  /** How long one attempt (answer and the body's first bytes) may take. */
  timeoutMs: number;
  /** Attempts in all, 1 to 10; 1 sends once and never retries. */
  attempts: number;
  /** The pause before the second attempt; each later pause doubles, up to `maxBackoffMs`. */
  backoffMs: number;
  maxBackoffMs: number;
}

export interface CallbackSenderOptions extends Partial<CallbackPolicy> {
  fetch?: typeof fetch;
  now?: () => Date;
  /** How a pause is waited (tests may shorten it). */
  sleep?: (ms: number) => Promise<void>;
}

export interface CallbackSender {
  send(request: CallbackRequest): Promise<CallbackDelivery>;
  readonly policy: Readonly<CallbackPolicy>;
  /** Changes the policy for later deliveries; values are checked against `CALLBACK_POLICY_LIMITS`. */
  configure(change: Partial<CallbackPolicy>): Readonly<CallbackPolicy>;
}

/** Bounds on a policy, so a control cannot make a simulator hold a request for minutes. */
export const CALLBACK_POLICY_LIMITS = {
  timeoutMs: { min: 1, max: 30_000 },
  attempts: { min: 1, max: 10 },
  backoffMs: { min: 0, max: 10_000 },
  maxBackoffMs: { min: 0, max: 60_000 },
} as const;

/** Only the start of an answer is read and kept. */
export const ANSWER_PREVIEW_BYTES = 200;

/**
 * The usual acknowledgement rule: HTTP 200 and exactly `expected` as the (trimmed) body. A body
 * longer than the preview never matches.
 */
export function acknowledgedBy(expected: string): (answer: ReceiverAnswer) => boolean {
  return (answer) => answer.status === 200 && !answer.truncated && answer.body.trim() === expected;
}

/**
 * A sender with a policy of its own. Providers' documents state no retry policy, so the default
 * sends once (a lost callback stays lost, as a test of the reconciler wants); a control or the
 * simulator's options turn retries on.
 */
export function createCallbackSender({
  fetch: doFetch = fetch,
  now = () => new Date(),
  sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  timeoutMs = 5_000,
  attempts = 1,
  backoffMs = 1_000,
  maxBackoffMs = 30_000,
}: CallbackSenderOptions = {}): CallbackSender {
  let policy: CallbackPolicy = checkPolicy({ timeoutMs, attempts, backoffMs, maxBackoffMs });

  async function attempt(request: CallbackRequest, url: string, body: string): Promise<CallbackAttempt> {
    const result: CallbackAttempt = {
      at: now().toISOString(),
      httpStatus: null,
      answer: null,
      acknowledged: false,
      error: null,
    };
    // A ref'd timer rather than AbortSignal.timeout (whose timer is unref'd): the wait must hold the
    // process open like the request it belongs to. It covers reading the body's first bytes too.
    const abort = new AbortController();
    const limit = policy.timeoutMs;
    const timer = setTimeout(() => abort.abort(new Error(`no answer within ${limit} ms`)), limit);
    try {
      const response = await doFetch(url, {
        method: 'POST',
        headers: { 'Content-Type': request.contentType ?? 'application/json' },
        body,
        redirect: 'manual',
        signal: abort.signal,
      });
      if (response.type === 'opaqueredirect' || (response.status >= 300 && response.status < 400)) {
        await response.body?.cancel().catch(() => undefined);
        result.httpStatus = response.status || null;
        result.error = `redirect (HTTP ${response.status}) not followed`;
        return result;
      }
      const preview = await readPreview(response);
      result.httpStatus = response.status;
      result.answer = preview.body;
      result.acknowledged = request.acknowledged({ status: response.status, ...preview });
    } catch (error) {
      // Our own timeout aborts with an Error naming the limit; say that rather than fetch's AbortError.
      const cause: unknown = abort.signal.aborted ? abort.signal.reason : error;
      result.error = cause instanceof Error ? cause.message : String(cause);
    } finally {
      clearTimeout(timer);
    }
    return result;
  }

  return {
    get policy() {
      return policy;
    },
    configure(change) {
      policy = checkPolicy({ ...policy, ...change });
      return policy;
    },
    async send(request) {
      const attempts: CallbackAttempt[] = [];
      const bodyOf = (failedBefore: number) =>
        typeof request.body === 'string' ? request.body : request.body(failedBefore);
      let sent = bodyOf(0);
      const delivery = (): CallbackDelivery => ({
        ...(attempts.at(-1) ?? emptyAttempt(now())),
        url: request.url,
        forged: request.forged ?? false,
        sent,
        attempts: [...attempts],
      });
      if (request.url === null) {
        attempts.push({ ...emptyAttempt(now()), error: 'no callback URL to post to' });
        request.onAttempt?.(delivery());
        return delivery();
      }
      const { attempts: allowed, backoffMs: firstPause, maxBackoffMs } = policy;
      const tries = request.forged ? 1 : allowed;
      for (let n = 0; n < tries; n++) {
        if (n > 0) await sleep(Math.min(firstPause * 2 ** (n - 1), maxBackoffMs));
        sent = bodyOf(n);
        const result = await attempt(request, request.url, sent);
        attempts.push(result);
        request.onAttempt?.(delivery());
        if (result.acknowledged) break;
      }
      return delivery();
    },
  };
}

function emptyAttempt(at: Date): CallbackAttempt {
  return { at: at.toISOString(), httpStatus: null, answer: null, acknowledged: false, error: null };
}

function checkPolicy(policy: CallbackPolicy): CallbackPolicy {
  for (const [name, { min, max }] of Object.entries(CALLBACK_POLICY_LIMITS)) {
    const value = policy[name as keyof CallbackPolicy];
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new RangeError(`${name} must be an integer from ${min} to ${max}`);
    }
  }
  return { ...policy };
}

/** Reads at most one byte past the preview, then lets the rest of the body go unread. */
async function readPreview(response: Response): Promise<{ body: string; truncated: boolean }> {
  if (!response.body) return { body: '', truncated: false };
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size <= ANSWER_PREVIEW_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  const bytes = Buffer.concat(chunks).subarray(0, ANSWER_PREVIEW_BYTES);
  return { body: new TextDecoder().decode(bytes), truncated: size > ANSWER_PREVIEW_BYTES };
}
