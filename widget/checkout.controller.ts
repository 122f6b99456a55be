/**
 * The checkout's state machine, as a Lit reactive controller. It owns the current `CheckoutState`
 * and moves it on the shopper's intentions (pay, pay by card, choose again, continue at the
 * provider, start again) and on the BFF's news: the session's first view, the attempt it creates,
 * and each status event from the live stream (or its polling fallback). It keeps what a round trip
 * to the provider's page needs (the client secret, in this tab), drops answers that arrive for an
 * older start, holds the news that comes while an attempt is being made, and runs the QR code's
 * countdown (`countdown`). It starts again when its host is moved or re-attached and stops when it
 * is removed.
 *
 * The element renders `state`, keeps the form, and does what the controller asks of it through
 * `CheckoutScreen`: fire an event, fetch what a screen needs, follow a change of state.
 */
import type { ReactiveController } from 'lit';
import { CheckoutApi, CheckoutError, resolveApiBase, toCheckoutError } from './api.ts';
import { attemptRank, isFinal, normalizeView, settledAs, type CheckoutState, type Settled } from './checkout-state.ts';
import { detectClient } from './client-context.ts';
import type { Clock } from './clock.ts';
import { CountdownController } from './countdown.controller.ts';
import type { ControllerHost } from './element.ts';
import type { TenderEventDetail, TenderEventName } from './events.ts';
import { loadPart } from './parts.ts';
import { isNavigableUrl } from './redirect.ts';
import type { StatusStream, StreamConnection } from './status-stream.ts';
import { saveClientSecret, savedClientSecret } from './tab-storage.ts';
import type {
  AppAction,
  AttemptFailure,
  AttemptView,
  ChallengeAction,
  CheckoutView,
  CreateAttemptBody,
  MethodView,
  RedirectAction,
  StatusEvent,
} from './wire.ts';

/** The host's attributes, read each time the checkout (re)starts. */
export interface CheckoutHost extends ControllerHost {
  readonly session: string;
  readonly clientSecret: string;
  readonly api: string;
  readonly mode: 'checkout' | 'pos';
  readonly clock: Clock;
  readonly hasUpdated: boolean;
}

/** What the state machine asks of the element that shows it. */
export interface CheckoutScreen {
  /** Fires a `tender-*` event on the element; false when a listener canceled it. */
  emit<K extends TenderEventName>(type: K, detail: TenderEventDetail<K>): boolean;
  /**
   * Fetches what a screen needs before it is drawn, and rejects when it cannot be had:
   * - `'session'`, beside the session's first view: the shopper's language (and the till at a till);
   * - the view, once it is here: the parts its form is drawn with;
   * - `'outcome'`: the language and the outcome screen, for a link opened without the secret.
   */
  prepare(screen: 'session' | 'outcome' | CheckoutView): Promise<unknown>;
  /** The session's first view is here, just before its screen: the form takes its method and values. */
  loaded(view: CheckoutView): void;
  /** The state has just changed from `previous` to `next` (an update is requested after). */
  entered(previous: CheckoutState, next: CheckoutState): void;
}

/** What the shopper gave for an attempt besides the method: the fields typed, or a buyer's code. */
export type AttemptExtra = Pick<CreateAttemptBody, 'fields' | 'buyerCode'>;

/** How soon to try again when the status stream's part could not be fetched. */
const STREAM_PART_RETRY_MS = 5_000;

export class CheckoutController implements ReactiveController {
  /** The QR code's countdown, running while `state` is `scanning`. */
  readonly countdown: CountdownController;
  readonly #host: CheckoutHost;
  readonly #screen: CheckoutScreen;
  #state: CheckoutState = { name: 'loading' };
  #view: CheckoutView | null = null;
  #connection: StreamConnection = 'open';
  #api: CheckoutApi | null = null;
  #stream: StatusStream | null = null;
  #abort: AbortController | null = null;
  /** Bumped on every (re)start; answers that arrive for an older generation are dropped. */
  #generation = 0;
  /** The latest attempt this page knows of; status events about other attempts are history. */
  #attempt: AttemptView | null = null;
  /** Events that arrive while an attempt is being created, applied once its id is known. */
  #held: StatusEvent[] = [];
  /** The client secret in use: the attribute's, or the one this tab kept before a redirect. */
  #secret = '';

  constructor(host: CheckoutHost, screen: CheckoutScreen) {
    this.#host = host;
    this.#screen = screen;
    this.countdown = new CountdownController(
      host,
      () => this.#now(),
      () => {
        // The QR code ran out while it was on screen.
        const state = this.#state;
        if (state.name === 'scanning') this.#enter({ name: 'code-expired', attempt: state.attempt });
      },
    );
    host.addController(this);
  }

  /** Where the checkout is. */
  get state(): CheckoutState {
    return this.#state;
  }

  /** The session as last known (null until it loads, and without the secret). */
  get view(): CheckoutView | null {
    return this.#view;
  }

  /** Whether the status stream is connected (`reconnecting` while it is down). */
  get connection(): StreamConnection {
    return this.#connection;
  }

  hostConnected(): void {
    // A first connection starts from the host's first update, once its attributes are read; this
    // covers being moved or re-attached.
    if (this.#host.hasUpdated) this.start();
  }

  hostDisconnected(): void {
    this.#stop();
  }

  /**
   * Takes `view` (a session with no attempt yet) as the method list at once, loading and starting
   * nothing: how a server draws the first screen before the page's script runs
   * (`TenderCheckout.firstScreen`).
   */
  show(view: CheckoutView): void {
    this.#view = normalizeView(view);
    this.#state = { name: 'choosing', error: null };
  }

  /** (Re)loads the checkout from the BFF with the host's attributes. */
  start(): void {
    this.#stop();
    this.#view = null;
    this.#attempt = null;
    const { session, api } = this.#host;
    if (!session) {
      this.#enter({ name: 'unavailable', error: configError('set the session and client-secret attributes') });
      return;
    }
    let base: string;
    try {
      base = resolveApiBase(api);
    } catch (cause) {
      this.#enter({ name: 'unavailable', error: configError(`api is not a URL: ${api}`, cause) });
      return;
    }
    // Back from a provider on the hosted page: the URL has no secret, but this tab kept it.
    const secret = this.#host.clientSecret || savedClientSecret(session);
    if (!secret) {
      // Another browser (a wallet's, say): what became of the payment, and the way back.
      void this.#showOutcome(base, this.#generation);
      return;
    }
    this.#secret = secret;
    this.#api = new CheckoutApi({ base, sessionId: session, clientSecret: secret, clock: this.#host.clock });
    void this.#load(this.#api, this.#generation);
  }

  /**
   * Pays with `method`: creates an attempt (with the fields or buyer code in `extra`) and shows
   * what it asks of the shopper.
   */
  async pay(method: MethodView, extra: AttemptExtra): Promise<void> {
    const api = this.#api;
    if (!api) return;
    const generation = this.#generation;
    this.#enter({ name: 'submitting' });
    // Most attempts answer with a QR code or a provider's page: both load while the attempt is made.
    if (this.#host.mode !== 'pos') {
      loadPart('qr').catch(() => undefined);
      loadPart('redirect').catch(() => undefined);
    }
    let attempt: AttemptView;
    try {
      attempt = await api.createAttempt({ method: method.id, ...extra, client: detectClient() }, this.#abort?.signal);
    } catch (caught) {
      if (generation !== this.#generation) return;
      const error = toCheckoutError(caught);
      if (error.code === 'session_closed') {
        // The session settled meanwhile (paid elsewhere, expired): show what it became.
        this.start();
        return;
      }
      this.#enter({ name: 'choosing', error });
      if (error.status === 401 || error.status === 403) this.#screen.emit('tender-error', { error });
      this.#releaseHeld();
      return;
    }
    if (generation !== this.#generation) return;
    this.#attempt = attempt;
    if (this.#view) this.#setView({ ...this.#view, attempt });
    this.#screen.emit('tender-attempt', { attempt });
    // News that came while the attempt was being made goes first: if the session settled or the
    // attempt failed meanwhile, sending the shopper to the provider would ask them to pay again.
    this.#releaseHeld();
    if (this.#state.name === 'submitting' && this.#attempt) this.#showAttempt(this.#attempt, false);
  }

  /**
   * Pays by card: waits (`submitting`) while the card frame tokenizes what was typed in it; its
   * tokens come back as `pay`. `ask` asks the frame, and is false when there is none to ask.
   */
  payByCard(ask: () => boolean): void {
    this.#enter({ name: 'submitting' });
    if (!ask()) this.chooseAgain();
  }

  /** Back to the method list (or the till's code entry), with no error. */
  chooseAgain(): void {
    this.#enter({ name: 'choosing', error: null });
  }

  /** Back from the provider's page (or the wallet, or the issuer) without paying: the same attempt, where it was left. */
  resume(): void {
    if (this.#state.name === 'awaiting') this.#showAttempt(this.#state.attempt, false);
  }

  #stop(): void {
    this.#generation += 1;
    this.#abort?.abort();
    this.#abort = null;
    this.#stream?.close();
    this.#stream = null;
    this.#held = [];
    this.countdown.stop();
    this.#connection = 'open';
  }

  #signal(): AbortSignal {
    this.#abort = new AbortController();
    return this.#abort.signal;
  }

  /** The first load: the session's first view (`CheckoutApi.firstView`), its screen, then its live status. */
  async #load(api: CheckoutApi, generation: number): Promise<void> {
    this.#enter({ name: 'loading' });
    const signal = this.#signal();
    // Not drawn on the first screen, but needed right after it: fetched beside the session.
    loadPart('stream').catch(() => undefined);
    let view: CheckoutView;
    try {
      // The first screen in the shopper's language: its table loads beside the session (the one
      // the hosted page carries inline, else the BFF's: `CheckoutApi.firstView`).
      const [loaded] = await Promise.all([api.firstView(signal), this.#screen.prepare('session')]);
      if (generation !== this.#generation) return;
      view = normalizeView(loaded);
      // The form is drawn with its fields or not at all.
      await this.#screen.prepare(view);
    } catch (caught) {
      if (generation === this.#generation) this.#unavailable(toCheckoutError(caught));
      return;
    }
    if (generation !== this.#generation) return;
    this.#setView(view);
    this.#attempt = view.attempt;
    this.#screen.loaded(view);
    this.#screen.emit('tender-ready', { view });
    this.#enterFromView(view);
    if (!isFinal(view.status)) this.#listen(api, generation);
  }

  async #showOutcome(base: string, generation: number): Promise<void> {
    this.#enter({ name: 'loading' });
    const signal = this.#signal();
    try {
      const [part] = await Promise.all([loadPart('outcome'), this.#screen.prepare('outcome')]);
      // Without the secret nothing else can be done here; an error says the link is not this browser's.
      const outcome = await part.outcomeWithoutSecret(base, this.#host.session, signal);
      if (generation === this.#generation) this.#enter({ name: 'outcome', outcome });
    } catch (caught) {
      if (generation === this.#generation) this.#unavailable(toCheckoutError(caught));
    }
  }

  #unavailable(error: CheckoutError): void {
    this.#enter({ name: 'unavailable', error });
    this.#screen.emit('tender-error', { error });
  }

  /** Follows the session live, once the stream part is here (it was asked for beside the session). */
  #listen(api: CheckoutApi, generation: number): void {
    const current = () =>
      generation === this.#generation && this.#state.name !== 'succeeded' && this.#state.name !== 'canceled';
    loadPart('stream').then(
      ({ followSession }) => {
        if (!current()) return;
        this.#stream = followSession(api, {
          onStatus: (event) => {
            if (generation === this.#generation) this.#onStatus(event);
          },
          onConnection: (connection) => {
            if (generation === this.#generation) this.#setConnection(connection);
          },
          clock: this.#host.clock,
          signal: this.#abort?.signal,
        });
      },
      () => {
        if (!current()) return;
        // Without it nothing on screen would change by itself: say so, and try again.
        this.#setConnection('reconnecting');
        this.#host.clock.after(STREAM_PART_RETRY_MS, () => {
          if (current()) this.#listen(api, generation);
        });
      },
    );
  }

  #setConnection(connection: StreamConnection): void {
    this.#connection = connection;
    this.#host.requestUpdate();
  }

  #setView(view: CheckoutView): void {
    this.#view = view;
    this.#host.requestUpdate();
  }

  #enterFromView(view: CheckoutView): void {
    const settled = settledAs(view.status);
    if (settled) {
      this.#settle(settled, view.attempt?.id ?? null);
      return;
    }
    const attempt = view.attempt;
    if (view.status === 'failed' || attempt?.status === 'failed') {
      this.#fail(attempt?.id ?? null, attempt?.failure ?? null);
      return;
    }
    if (attempt && (attempt.status === 'requires_action' || attempt.status === 'pending')) {
      this.#showAttempt(attempt, true);
      return;
    }
    if (attempt?.status === 'expired') {
      this.#enter({ name: 'code-expired', attempt });
      return;
    }
    this.chooseAgain();
  }

  #releaseHeld(): void {
    const held = this.#held;
    this.#held = [];
    for (const event of held) this.#apply(event);
  }

  /** Puts an attempt on screen. `resumed`: it was found on load, so nothing is opened again by itself. */
  #showAttempt(attempt: AttemptView, resumed: boolean): void {
    if (this.#showFinished(attempt)) return;
    const action = attempt.action;
    if (!action || action.type === 'none' || (resumed && action.type !== 'qr')) {
      // Back from the provider's page, the wallet or the issuer: `awaiting` offers to continue there.
      this.#enter({ name: 'awaiting', attempt });
      return;
    }
    switch (action.type) {
      case 'qr':
        this.#enter({ name: 'scanning', attempt, qr: action });
        return;
      case 'redirect':
        this.#redirect(attempt, action);
        return;
      case 'app':
        this.#openWallet(attempt, action);
        return;
      case 'challenge':
        this.#challenge(attempt, action);
        return;
      case 'card':
        this.#enter({ name: 'unsupported', attempt });
        return;
    }
  }

  /** Whether a provider's URL is one to go to; if not, the shopper chooses again. */
  #navigable(url: string, what: string): boolean {
    if (isNavigableUrl(url)) return true;
    this.#enter({
      name: 'choosing',
      error: new CheckoutError('bad_response', `${what} URL is not http(s)`, { recoverable: false }),
    });
    return false;
  }

  /** Whether nothing restarted the checkout or left `state` since `generation`. */
  #still(generation: number, state: CheckoutState['name']): boolean {
    return generation === this.#generation && this.#state.name === state;
  }

  #redirect(attempt: AttemptView, action: RedirectAction): void {
    if (!this.#navigable(action.url, 'redirect')) return;
    const proceed = this.#screen.emit('tender-redirect', {
      url: action.url,
      method: action.method,
      fields: { ...action.fields },
    });
    if (!proceed) {
      // The host navigates (a popup, a router); this page waits for the status like any other.
      this.#enter({ name: 'awaiting', attempt });
      return;
    }
    this.#enter({ name: 'redirecting', attempt });
    // The shopper may come back to the hosted page, whose URL never carries the secret.
    saveClientSecret(this.#host.session, this.#secret);
    const generation = this.#generation;
    loadPart('redirect').then(
      ({ performRedirect }) => {
        if (this.#still(generation, 'redirecting')) performRedirect(action);
      },
      () => {
        // "Continue to …" tries again.
        if (this.#still(generation, 'redirecting')) this.#enter({ name: 'awaiting', attempt });
      },
    );
  }

  #openWallet(attempt: AttemptView, action: AppAction): void {
    this.#enter({ name: 'in-app', attempt, action });
    const generation = this.#generation;
    const answered = loadPart('wallet').then(
      (wallet) => wallet.payInApp(action),
      () => 'fail' as const,
    );
    void answered.then((answer) => {
      if (!this.#still(generation, 'in-app')) return;
      if (answer === 'ok') {
        // Confirmed in the sheet; the BFF's status says whether the money moved.
        this.#enter({ name: 'awaiting', attempt: this.#attempt ?? attempt });
        return;
      }
      const code = answer === 'cancel' ? 'wallet_canceled' : 'wallet_unavailable';
      this.#enter({
        name: 'choosing',
        error: new CheckoutError(code, `wallet answered ${answer}`, { recoverable: true }),
      });
    });
  }

  #challenge(attempt: AttemptView, action: ChallengeAction): void {
    if (!this.#navigable(action.url, 'challenge')) return;
    if (action.display === 'redirect') {
      this.#redirect(attempt, { type: 'redirect', url: action.url, method: action.method, fields: action.fields });
      return;
    }
    // The screen posts the issuer's fields into the frame once it is drawn.
    this.#enter({ name: 'challenge', attempt, action });
    // The frame appears once its part is here (the screen draws it); without it, "continue" tries again.
    const generation = this.#generation;
    loadPart('card').catch(() => {
      if (this.#still(generation, 'challenge')) this.#enter({ name: 'awaiting', attempt });
    });
  }

  #onStatus(event: StatusEvent): void {
    if (this.#state.name === 'submitting') {
      this.#held.push(event);
      return;
    }
    this.#apply(event);
  }

  /**
   * Applies one status event. A fresh stream may replay the session's history, so an event only
   * counts when it moves things forward: the session settles, or the current attempt advances.
   */
  #apply(event: StatusEvent): void {
    const view = this.#view;
    if (!view) return;
    const current = this.#attempt;
    const about = event.attempt;
    const sameAttempt = about !== null && current !== null && about.id === current.id;

    const settled = settledAs(event.status);
    if (settled) {
      if (this.#state.name === settled) return;
      if (sameAttempt) this.#attempt = { ...current, status: about.status, failure: about.failure };
      this.#setView({ ...view, status: event.status, attempt: this.#attempt });
      this.#screen.emit('tender-status', { event });
      this.#settle(settled, about?.id ?? null);
      return;
    }

    if (!sameAttempt || attemptRank(about.status) <= attemptRank(current.status)) return;
    const attempt: AttemptView = { ...current, status: about.status, failure: about.failure ?? current.failure };
    this.#attempt = attempt;
    this.#setView({ ...view, status: event.status, attempt });
    this.#screen.emit('tender-status', { event });

    // The shopper already walked away from this attempt; its news must not pull them back.
    if (this.#state.name === 'choosing') return;
    if (this.#showFinished(attempt)) return;
    // Still waiting: keep the same screen, with the fresher attempt.
    if ('attempt' in this.#state) this.#state = { ...this.#state, attempt };
  }

  /** Shows the screen for an attempt that has finished; false while it still waits for payment. */
  #showFinished(attempt: AttemptView): boolean {
    switch (attempt.status) {
      case 'succeeded':
        this.#settle('succeeded', attempt.id);
        return true;
      case 'failed':
        this.#fail(attempt.id, attempt.failure);
        return true;
      case 'expired':
        this.#enter({ name: 'code-expired', attempt });
        return true;
      case 'canceled':
        this.chooseAgain();
        return true;
      case 'requires_action':
      case 'pending':
        return false;
    }
  }

  #settle(settled: Settled, attemptId: string | null): void {
    this.#enter(settled === 'succeeded' ? { name: settled, attemptId } : { name: settled });
  }

  #fail(attemptId: string | null, failure: AttemptFailure | null): void {
    const expiresAt = this.#view ? Date.parse(this.#view.expiresAt) : Number.NaN;
    // Without a readable expiry, let the shopper try; the BFF refuses if the session is closed.
    const canRetry = Number.isNaN(expiresAt) || expiresAt > this.#now();
    this.#enter({ name: 'failed', attemptId, failure, canRetry });
  }

  /** The one way the state changes: keeps the countdown and the stream in step and fires the outcome events. */
  #enter(next: CheckoutState): void {
    const previous = this.#state;
    this.#state = next;
    this.#screen.entered(previous, next);
    this.#host.requestUpdate();
    if (next.name === 'scanning') this.countdown.start(next.qr.expiresAt);
    else this.countdown.stop();
    // Paid or canceled, nothing can change any more. An expired session keeps listening: a payment
    // made just before the deadline can still be confirmed after it.
    if (next.name === 'succeeded' || next.name === 'canceled') {
      this.#stream?.close();
      this.#connection = 'open';
    }
    // The outcome events carry what the state says (the attempt, the failure), and the session.
    if (
      previous.name !== next.name &&
      (next.name === 'succeeded' || next.name === 'failed' || next.name === 'expired')
    ) {
      const { name, ...detail } = next;
      this.#screen.emit(`tender-${name}`, { sessionId: this.#view?.id ?? this.#host.session, ...detail });
    }
  }

  /** The BFF's time: every `expiresAt` is on its clock, and a phone's own clock may be minutes off. */
  #now(): number {
    return this.#api?.now() ?? this.#host.clock.now();
  }
}

function configError(message: string, cause?: unknown): CheckoutError {
  return new CheckoutError('invalid_config', message, { recoverable: false, cause });
}
