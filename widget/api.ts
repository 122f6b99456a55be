/**
 * The one client the checkout element uses to talk to the BFF. Every call carries the session's
 * client secret, runs under a timeout and fails with a `CheckoutError`; nothing else in the widget
 * calls `fetch`.
 */
import { systemClock, type Clock } from './clock.ts';
import type { AttemptView, CheckoutView, CreateAttemptBody } from './wire.ts';

/** Codes the client produces itself; any other code is the BFF's own (`error.code` of its JSON body). */
export type ClientErrorCode = 'network' | 'timeout' | 'aborted' | 'bad_response' | 'invalid_config';
// `string & {}` keeps editor completion for the known codes while accepting the server's.
export type CheckoutErrorCode = ClientErrorCode | (string & {});

export interface CheckoutErrorOptions {
  cause?: unknown;
  /** True when the same call may succeed if tried again (network trouble, timeouts, 5xx). */
  recoverable: boolean;
  /** HTTP status of the answer, when there was one. */
  status?: number | null;
  /** The BFF's request id, to quote to support. */
  requestId?: string | null;
}

export class CheckoutError extends Error {
  override name = 'CheckoutError';
  readonly code: CheckoutErrorCode;
  readonly recoverable: boolean;
  readonly status: number | null;
  readonly requestId: string | null;

  constructor(code: CheckoutErrorCode, message: string, options: CheckoutErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.recoverable = options.recoverable;
    this.status = options.status ?? null;
    this.requestId = options.requestId ?? null;
  }
}

/** Turns anything thrown into a `CheckoutError`, so callers handle one type. */
export function toCheckoutError(error: unknown): CheckoutError {
  if (error instanceof CheckoutError) return error;
  // A part the script-tag bundle loads on demand carries its own copy of the class: its errors are
  // just as much ours, so they are taken over as they are.
  if (error instanceof Error && error.name === 'CheckoutError') {
    const { code, recoverable, status, requestId } = error as Partial<CheckoutError>;
    return new CheckoutError(code ?? 'bad_response', error.message, {
      recoverable: recoverable ?? true,
      status,
      requestId,
      cause: error.cause,
    });
  }
  return new CheckoutError('bad_response', 'unexpected failure in the checkout client', {
    cause: error,
    recoverable: true,
  });
}

export interface CheckoutApiOptions {
  /** BFF root, e.g. `https://pay.example.com` or `/tender` (resolved against the page). */
  base: string;
  sessionId: string;
  clientSecret: string;
  /** Per-request limit, body included. */
  timeoutMs?: number;
  fetch?: typeof fetch;
  clock?: Clock;
}

export const DEFAULT_TIMEOUT_MS = 15_000;
const SECRET_HEADER = 'Tender-Client-Secret';

let defaultBase: string | null = null;

/**
 * Where the BFF is when the element has no `api` attribute. The script-tag bundle sets this to the
 * directory it was loaded from, because the BFF that served `tender.js` is the one to talk to.
 */
export function setDefaultApiBase(base: string | null): void {
  defaultBase = base;
}

/**
 * The BFF root for a bundle loaded from `src`: the script's directory, not its origin, so a BFF
 * mounted under a path prefix (`https://shop.example/tender/tender.js`) keeps the prefix.
 */
export function apiBaseOfScript(src: string): string {
  return new URL('./', src).href;
}

export function resolveApiBase(attribute: string): string {
  const base = attribute || defaultBase || location.origin;
  return new URL(base, document.baseURI).href;
}

export class CheckoutApi {
  readonly #root: URL;
  readonly #sessionId: string;
  readonly #secret: string;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;
  readonly #clock: Clock;
  /** Server clock minus device clock, from the last answer that carried `serverTime`. */
  #clockOffsetMs = 0;

  constructor(options: CheckoutApiOptions) {
    const base = new URL(options.base, document.baseURI);
    // A base with a path prefix ("/tender") must keep it: make it a directory before joining.
    if (!base.pathname.endsWith('/')) base.pathname += '/';
    this.#root = base;
    this.#sessionId = options.sessionId;
    this.#secret = options.clientSecret;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    // Bound through an arrow: a detached `window.fetch` throws "Illegal invocation".
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.#clock = options.clock ?? systemClock;
  }

  getView(signal?: AbortSignal): Promise<CheckoutView> {
    return this.#request(this.#url(''), { method: 'GET', cache: 'no-store' }, isCheckoutView, signal);
  }

  /**
   * The session's first view: the one the hosted page carries inline (a JSON data block,
   * `#tender-view-<session id>`, written by the BFF with the page), else the BFF's answer. The block
   * is read once and removed, so a later load asks the BFF. Its `serverTime` was stamped between
   * the navigation's start and now.
   */
  firstView(signal?: AbortSignal): Promise<CheckoutView> {
    const block = document.getElementById(`tender-view-${this.#sessionId}`);
    block?.remove();
    try {
      const view: unknown = JSON.parse(block?.textContent ?? '');
      if (isCheckoutView(view)) {
        this.#learnServerTime(view, performance.timeOrigin);
        return Promise.resolve(view);
      }
    } catch {
      // No block, or not JSON: ask the BFF.
    }
    return this.getView(signal);
  }

  createAttempt(body: CreateAttemptBody, signal?: AbortSignal): Promise<AttemptView> {
    return this.#request(
      this.#url('/attempts'),
      { method: 'POST', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } },
      isAttemptView,
      signal,
    );
  }

  /** The SSE endpoint. EventSource cannot send headers, so the secret travels as `secret=`. */
  eventsUrl(lastEventId: number | null): string {
    const url = this.#url('/events');
    url.searchParams.set('secret', this.#secret);
    if (lastEventId !== null) url.searchParams.set('lastEventId', String(lastEventId));
    return url.href;
  }

  /**
   * The BFF's "now", as well as this device can tell: its own clock corrected by what the BFF's
   * answers said. Expiry times come from the BFF, and a phone's clock can be minutes off.
   */
  now(): number {
    return this.#clock.now() + this.#clockOffsetMs;
  }

  #url(suffix: string): URL {
    return new URL(`v1/checkout/${encodeURIComponent(this.#sessionId)}${suffix}`, this.#root);
  }

  async #request<T>(
    url: URL,
    init: RequestInit,
    guard: (value: unknown) => value is T,
    signal: AbortSignal | undefined,
  ): Promise<T> {
    const controller = new AbortController();
    let timedOut = false;
    const cancelTimer = this.#clock.after(this.#timeoutMs, () => {
      timedOut = true;
      controller.abort();
    });
    const forwardAbort = () => controller.abort();
    if (signal?.aborted) controller.abort();
    signal?.addEventListener('abort', forwardAbort, { once: true });

    const sentAt = this.#clock.now();
    let response: Response;
    let text: string;
    try {
      response = await this.#fetch(url.href, {
        ...init,
        // The client secret is the credential; cookies would only complicate CORS.
        credentials: 'omit',
        headers: {
          Accept: 'application/json',
          ...Object.fromEntries(new Headers(init.headers)),
          [SECRET_HEADER]: this.#secret,
        },
        signal: controller.signal,
      });
      // The body is read under the same timeout: a server can stall after the headers too.
      text = await response.text();
    } catch (cause) {
      if (timedOut) {
        throw new CheckoutError('timeout', `no answer from ${url.pathname} within ${this.#timeoutMs} ms`, {
          cause,
          recoverable: true,
        });
      }
      if (signal?.aborted) throw new CheckoutError('aborted', 'request aborted', { cause, recoverable: true });
      throw new CheckoutError('network', `could not reach ${url.origin}`, { cause, recoverable: true });
    } finally {
      cancelTimer();
      signal?.removeEventListener('abort', forwardAbort);
    }

    const status = response.status;
    let body: unknown;
    try {
      body = text === '' ? undefined : (JSON.parse(text) as unknown);
    } catch (cause) {
      body = undefined;
      if (response.ok) {
        throw new CheckoutError('bad_response', `${url.pathname} answered with something other than JSON`, {
          cause,
          recoverable: true,
          status,
        });
      }
    }

    if (!response.ok) {
      const error = isErrorBody(body) ? body.error : null;
      throw new CheckoutError(error?.code ?? `http_${status}`, error?.message ?? `HTTP ${status}`, {
        // 4xx is the caller's mistake and will not heal by itself, except for throttling and timeouts.
        recoverable: status >= 500 || status === 408 || status === 429,
        status,
        requestId: error?.requestId ?? null,
      });
    }
    if (!guard(body)) {
      throw new CheckoutError('bad_response', `${url.pathname} answered with an unexpected shape`, {
        recoverable: true,
        status,
      });
    }
    this.#learnServerTime(body, sentAt);
    return body;
  }

  /** The server stamped its answer somewhere between sending and receiving: assume the middle. */
  #learnServerTime(body: unknown, sentAt: number): void {
    const stamp = isRecord(body) && typeof body.serverTime === 'string' ? Date.parse(body.serverTime) : Number.NaN;
    if (Number.isNaN(stamp)) return;
    this.#clockOffsetMs = stamp - (sentAt + this.#clock.now()) / 2;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isErrorBody(value: unknown): value is { error: { code: string; message: string; requestId?: string } } {
  return (
    isRecord(value) &&
    isRecord(value.error) &&
    typeof value.error.code === 'string' &&
    typeof value.error.message === 'string'
  );
}

// The guards check what the element relies on, so a broken answer fails here and not mid-render.
function isCheckoutView(value: unknown): value is CheckoutView {
  return (
    isRecord(value) &&
    typeof value.id === 'string' &&
    typeof value.status === 'string' &&
    typeof value.amount === 'string' &&
    typeof value.currency === 'string' &&
    isRecord(value.merchant) &&
    typeof value.merchant.name === 'string' &&
    Array.isArray(value.methods) &&
    value.methods.every(isMethodView) &&
    (value.attempt === null || value.attempt === undefined || isAttemptView(value.attempt))
  );
}

function isMethodView(value: unknown): boolean {
  return (
    isRecord(value) &&
    typeof value.id === 'string' &&
    typeof value.label === 'string' &&
    (value.fields === undefined || Array.isArray(value.fields))
  );
}

function isAttemptView(value: unknown): value is AttemptView {
  return (
    isRecord(value) &&
    typeof value.id === 'string' &&
    typeof value.method === 'string' &&
    typeof value.status === 'string' &&
    (value.action === null ||
      value.action === undefined ||
      (isRecord(value.action) && typeof value.action.type === 'string'))
  );
}
