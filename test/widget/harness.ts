/**
 * Helpers shared by the widget tests: the controls of the BFF they run against (the real one, with
 * scripted providers: test/widget/bff/server.ts), a clock moved by hand, and short ways to read what
 * a shopper sees inside the element's shadow root.
 */
import { fixture, html, waitUntil } from '@open-wc/testing';
import type { Clock } from '../../widget/clock.ts';
import type { TenderCheckout } from '../../widget/define.ts';
// The npm entry: the element plus its languages as chunks.
import '../../widget/index.ts';
import type { AttemptFailure, StatusEvent } from '../../widget/wire.ts';
import { HEARTBEAT_MS, QR_PATH } from './bff/constants.ts';

export type Template = 'thb' | 'cad' | 'usd' | 'card' | 'pos' | 'cny' | 'succeeded' | 'expired';

export interface FakeSession {
  id: string;
  clientSecret: string;
}

export interface FakeLog {
  connections: Array<{ lastEventIdHeader: string | null; lastEventIdQuery: string | null; refused: boolean }>;
  attemptRequests: Array<{
    method: string;
    fields?: Record<string, string>;
    client?: { device: string; inApp: string | null };
    buyerCode?: string;
  }>;
  openStreams: number;
  heldStreams: number;
  heldAttempts: number;
  providerVisits: Array<{ method: string; order: string | null }>;
  events: StatusEvent[];
}

/** What the BFF's `ready` event announces in these tests. */
export const FAKE_HEARTBEAT_MS = HEARTBEAT_MS;

/** The module path of every scripted QR code (what the BFF encodes for the provider's content). */
export const FAKE_QR_PATH = QR_PATH;

async function control<T>(path: string, body?: unknown): Promise<T> {
  const response = await fetch(`/__bff/${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: body === undefined ? null : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`BFF control ${path}: HTTP ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** Failure codes the BFF gives itself; any other is written as a newer BFF could have. */
const BFF_FAILURES = new Set([
  'declined',
  'expired',
  'amount_mismatch',
  'provider_unavailable',
  'provider_rejected',
  'not_found',
]);

/** A payment-provider error code for `failNext`, from the API error code the test expects. */
const PROVIDER_ERRORS: Record<string, string> = {
  provider_unavailable: 'unavailable',
  provider_declined: 'declined',
  amount_out_of_range: 'amount_out_of_range',
  provider_error: 'bad_response',
};

export const bff = {
  /**
   * A session from a template, made through the merchant API. `serverNow` freezes the session's
   * clock in the BFF (its `serverTime` and the QR codes' expiry); `deepLink` replaces the deep
   * link of its QR codes; `view` may set amount, currency and expiresAt.
   */
  session: (
    template: Template,
    view?: { amount?: string; currency?: string; expiresAt?: string },
    options: { serverNow?: number; deepLink?: string } = {},
  ) => control<FakeSession>('sessions', { template, view, ...options }),
  /** The provider's answer to the next payment create: an action of this kind, or an error. */
  script: (id: string, body: { action?: 'qr' | 'redirect' | 'app' | 'challenge' | 'none'; fail?: string }) =>
    control(`sessions/${id}/script`, body),
  /** The provider reports the latest attempt so, and the BFF asks it; `paid` is what was paid. */
  settle: (id: string, state: 'succeeded' | 'failed' | 'expired', paid?: string) =>
    control<StatusEvent>(`sessions/${id}/settle`, { state, ...(paid === undefined ? {} : { paid }) }),
  /** The session's time runs out (its clock in the BFF moves past its expiry). */
  expire: (id: string) => control<StatusEvent>(`sessions/${id}/expire`, {}),
  /** What a newer BFF could have recorded: a failure with a code this one never gives. */
  record: (id: string, body: { status: string; attempt: { status: string; failure: AttemptFailure | null } }) =>
    control<StatusEvent>(`sessions/${id}/record`, body),
  drop: (id: string, body: { refuse?: number; hold?: boolean }) => control(`sessions/${id}/drop`, body),
  release: (id: string) => control(`sessions/${id}/release`, {}),
  stallNext: (id: string) => control(`sessions/${id}/stall-next`, {}),
  holdNextAttempt: (id: string) => control(`sessions/${id}/hold-next-attempt`, {}),
  releaseAttempt: (id: string) => control(`sessions/${id}/release-attempt`, {}),
  mute: (id: string) => control(`sessions/${id}/mute`, {}),
  log: (id: string) => control<FakeLog>(`sessions/${id}/log`),
};

/**
 * The older way the tests say what happens, kept so they read as before: each news item becomes
 * what would cause it at the provider (`settle`, `expire`), so the event the page gets is the one
 * the BFF makes. Failure messages are the BFF's own; only a failure code the BFF never gives is
 * written as a newer BFF could have (`record`).
 */
export const fake = {
  ...bff,
  emit: (
    id: string,
    body: { status: string; attempt?: { status: string; failure?: AttemptFailure | null } | null },
  ): Promise<StatusEvent> => {
    const failure = body.attempt?.failure ?? null;
    if (body.status === 'expired') return bff.expire(id);
    if (body.status === 'succeeded') return bff.settle(id, 'succeeded');
    if (body.attempt?.status === 'expired') return bff.settle(id, 'expired');
    if (failure?.code === 'amount_mismatch') return bff.settle(id, 'succeeded', '0.01');
    if (failure && !BFF_FAILURES.has(failure.code)) {
      return bff.record(id, { status: body.status, attempt: { status: 'failed', failure } });
    }
    return bff.settle(id, 'failed');
  },
  /** The provider fails the next payment create, so the BFF answers with `code`. */
  failNext: (id: string, _status: number, code: string) =>
    bff.script(id, { fail: PROVIDER_ERRORS[code] ?? 'invalid_request' }),
};

/** A clock that only moves when told; timers fire in order as it passes their due time. */
export class ManualClock implements Clock {
  #now: number;
  #nextId = 0;
  #timers = new Map<number, { due: number; every: number | null; fn: () => void }>();

  /** Starts on a whole second, as the QR codes' expiry times do, so countdowns land on ticks. */
  constructor(start = Math.floor(Date.now() / 1000) * 1000) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  after(ms: number, fn: () => void): () => void {
    return this.#add(ms, null, fn);
  }

  every(ms: number, fn: () => void): () => void {
    return this.#add(ms, ms, fn);
  }

  /** One-shot timers waiting to fire (reconnect delays, request timeouts). */
  get pendingOnce(): number {
    return [...this.#timers.values()].filter((timer) => timer.every === null).length;
  }

  /** Whether a one-shot timer is due exactly `ms` from now (a reconnect delay, say). */
  hasPendingOnceIn(ms: number): boolean {
    return [...this.#timers.values()].some((timer) => timer.every === null && timer.due - this.#now === ms);
  }

  advance(ms: number): void {
    const target = this.#now + ms;
    for (;;) {
      let nextId: number | null = null;
      let next: { due: number; every: number | null; fn: () => void } | null = null;
      for (const [id, timer] of this.#timers) {
        if (timer.due <= target && (!next || timer.due < next.due)) {
          nextId = id;
          next = timer;
        }
      }
      if (nextId === null || !next) break;
      this.#now = next.due;
      if (next.every === null) this.#timers.delete(nextId);
      else next.due += next.every;
      next.fn();
    }
    this.#now = target;
  }

  set(time: number): void {
    this.advance(time - this.#now);
  }

  #add(ms: number, every: number | null, fn: () => void): () => void {
    const id = ++this.#nextId;
    this.#timers.set(id, { due: this.#now + ms, every, fn });
    return () => this.#timers.delete(id);
  }
}

export async function mount(
  session: FakeSession,
  options: { clock?: Clock; locale?: string; secret?: string; mode?: 'checkout' | 'pos' } = {},
): Promise<TenderCheckout> {
  const el = await fixture<TenderCheckout>(
    html`<tender-checkout
      session=${session.id}
      client-secret=${options.secret ?? session.clientSecret}
      locale=${options.locale ?? 'en'}
      mode=${options.mode ?? 'checkout'}
      .clock=${options.clock ?? new ManualClock()}
    ></tender-checkout>`,
  );
  await waitUntil(
    () => statusText(el) !== '' && shadow(el).querySelector('.base')?.getAttribute('aria-busy') === 'false',
    'checkout did not load',
  );
  await el.updateComplete;
  return el;
}

// Tests never leave the page: a redirect that nobody canceled would navigate the test runner away
// (and hang the run). Canceling it here still lets a test see that the event was fired. The real
// navigation (location.assign, form POST) is covered in redirect-flow.test.ts, inside iframes that
// this listener does not reach.
document.addEventListener('tender-redirect', (event) => event.preventDefault());

const attached: HTMLElement[] = [];

/**
 * Puts an element built by hand into the page (so listeners can be added before it connects);
 * it is removed after the test. `fixture` is not used for this: it waits for an animation frame,
 * which a background page may never get.
 */
export function attach<T extends HTMLElement>(el: T): T {
  document.body.append(el);
  attached.push(el);
  return el;
}

const listeners: Array<() => void> = [];

afterEach(() => {
  for (const el of attached.splice(0)) el.remove();
  for (const remove of listeners.splice(0)) remove();
});

/**
 * Collects events of one type that reach the document (they are composed and bubble), from
 * before any element exists: nothing an element fires while loading can slip past.
 */
export function recordFromNow<K extends keyof GlobalEventHandlersEventMap>(
  type: K,
): Array<GlobalEventHandlersEventMap[K]> {
  const seen: Array<GlobalEventHandlersEventMap[K]> = [];
  const listener = (event: GlobalEventHandlersEventMap[K]) => seen.push(event);
  document.addEventListener(type, listener);
  listeners.push(() => document.removeEventListener(type, listener));
  return seen;
}

/** Collects every event of one type the element fires, for asserting on counts and details. */
export function record<K extends keyof GlobalEventHandlersEventMap>(
  el: HTMLElement,
  type: K,
): Array<GlobalEventHandlersEventMap[K]> {
  const seen: Array<GlobalEventHandlersEventMap[K]> = [];
  el.addEventListener(type, (event) => seen.push(event));
  return seen;
}

export function shadow(el: HTMLElement): ShadowRoot {
  const root = el.shadowRoot;
  if (!root) throw new Error('no shadow root');
  return root;
}

/**
 * The first element in `el`'s shadow root matching `selector`, which must be a `type`, e.g.
 * `$(el, 'input', HTMLInputElement)`; throws when it is not. Unless named, the type is the
 * HTMLElement of the element's own window, so it works in an iframe too; a named type must be the
 * class of that window (in an iframe, `frame.contentWindow.HTMLInputElement`).
 */
export function $(el: HTMLElement, selector: string): HTMLElement;
export function $<T extends Element>(el: HTMLElement, selector: string, type: new () => T): T;
export function $(el: HTMLElement, selector: string, type?: new () => Element): Element {
  const found = shadow(el).querySelector(selector);
  if (!found) throw new Error(`nothing matches ${selector}`);
  const expected = type ?? found.ownerDocument.defaultView?.HTMLElement ?? HTMLElement;
  const tag = found.localName;
  if (!(found instanceof expected)) throw new Error(`${selector} matches a <${tag}>, not an ${expected.name}`);
  return found;
}

export function $$<T extends Element = HTMLElement>(el: HTMLElement, selector: string): T[] {
  return [...shadow(el).querySelectorAll<T>(selector)];
}

export function statusText(el: HTMLElement): string {
  return shadow(el).querySelector('[part="status"]')?.textContent?.trim() ?? '';
}

export function buttonNamed(el: HTMLElement, name: string): HTMLButtonElement {
  const button = $$<HTMLButtonElement>(el, 'button').find((b) => b.textContent?.trim() === name);
  if (!button) throw new Error(`no button named "${name}"`);
  return button;
}

export function hasButton(el: HTMLElement, name: string): boolean {
  return $$<HTMLButtonElement>(el, 'button').some((b) => b.textContent?.trim() === name);
}

export function radios(el: HTMLElement): HTMLInputElement[] {
  return $$<HTMLInputElement>(el, 'input[type="radio"]');
}

/** Picks a method the way a shopper does: clicking its label. */
export async function choose(el: TenderCheckout, label: string): Promise<void> {
  const method = $$<HTMLLabelElement>(el, 'label.method').find((l) => l.textContent?.trim() === label);
  if (!method) throw new Error(`no method labelled "${label}"`);
  method.click();
  await el.updateComplete;
}

export async function pay(el: TenderCheckout): Promise<void> {
  // Any HTMLElement: the checkout may be in an iframe (redirect-flow.test.ts), whose classes differ.
  $(el, '[part="pay-button"]').click();
  await el.updateComplete;
}

export async function waitForStatus(el: HTMLElement, text: string): Promise<void> {
  await waitUntil(() => statusText(el) === text, `status never became "${text}" (is "${statusText(el)}")`);
}

export async function waitForStreams(id: string, open: number): Promise<void> {
  await waitUntil(async () => (await fake.log(id)).openStreams === open, `expected ${open} open streams`);
}
