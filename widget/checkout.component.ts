import { html, nothing, type TemplateResult } from 'lit/html.js';
import { CheckoutApi, CheckoutError, resolveApiBase, toCheckoutError } from './api.ts';
import type { CardFrameController } from './card-frame.ts';
import {
  attemptRank,
  isFinal,
  normalizeView,
  pickInitialMethod,
  settledAs,
  takesFocus,
  type CheckoutState,
  type Settled,
} from './checkout-state.ts';
import { checkoutStyles } from './checkout.styles.ts';
import { ReactiveElement, type PropertyOptions, type PropertyValues } from './element.ts';
import { detectClient } from './client-context.ts';
import { systemClock, type Clock } from './clock.ts';
import type { CodeScannerController } from './code-scanner.ts';
import { tenderEvent, type TenderEventDetail, type TenderEventName } from './events.ts';
import type { FieldProblem } from './fields.ts';
import { formatAmount } from './format.ts';
import { loadTranslator, resolveLocale, translator, type Locale, type MessageKey, type Translator } from './i18n.ts';
import { loadPart, type Parts } from './parts.ts';
import { isNavigableUrl } from './redirect.ts';
import type { StatusStream, StreamConnection } from './status-stream.ts';
import { saveClientSecret, savedClientSecret, saveFields, savedFields } from './tab-storage.ts';
import type {
  AppAction,
  AttemptFailure,
  AttemptView,
  ChallengeAction,
  CheckoutView,
  CreateAttemptBody,
  FieldSpec,
  MethodId,
  MethodView,
  QrAction,
  RedirectAction,
  StatusEvent,
} from './wire.ts';

export type { CheckoutState, CheckoutStateName } from './checkout-state.ts';

interface FormErrors {
  method: boolean;
  fields: Record<string, FieldProblem>;
}

/** A note under the form that is not a BFF error: the card frame's own words, or a till's code check. */
type FormNote = { text: string } | { key: MessageKey } | null;

/**
 * `<tender-checkout>`: a shopper's side of a Tender checkout session. It loads the session from the
 * BFF, lets the shopper pick a method (and fill in what that method needs), shows the QR code, goes
 * to the provider's page, opens the wallet's payment sheet or the card issuer's check, and follows
 * the payment's status live until it settles. Every screen offers a next step. Coming back to a
 * page whose session already has an attempt in progress resumes waiting for it.
 *
 * With `mode="pos"` it is a till instead: the cashier scans (or types) the buyer's payment code and
 * sees the outcome.
 *
 * @fires tender-ready - The checkout view loaded (`detail.view`).
 * @fires tender-attempt - An attempt was created for the chosen method (`detail.attempt`).
 * @fires tender-status - A status event from the BFF changed the checkout (`detail.event`).
 * @fires tender-succeeded - The session is paid (also when it loads already paid).
 * @fires tender-failed - The latest attempt failed; `detail.canRetry` says whether another method may be tried.
 * @fires tender-expired - The session expired.
 * @fires tender-redirect - About to send the shopper to the provider; cancel it to navigate yourself.
 * @fires tender-error - The checkout could not be loaded, or the BFF refused the client secret.
 *
 * @csspart base - The card around everything.
 * @csspart header - Merchant, amount and description.
 * @csspart merchant - The merchant's name.
 * @csspart amount - The formatted amount.
 * @csspart estimate - The approximate amount in the wallet's currency ("≈ ¥72.15").
 * @csspart description - The session's description.
 * @csspart status - The heading that says where the checkout is (focused when the screen changes).
 * @csspart hint - The line under the status that says what to do next.
 * @csspart connection - The "reconnecting" note shown while the status stream is down.
 * @csspart form - The method and fields form.
 * @csspart methods - The fieldset of method radios.
 * @csspart legend - The method list's legend.
 * @csspart method - One method's label, radio, logo and name.
 * @csspart radio - A method's radio button.
 * @csspart logo - A method's logo.
 * @csspart field - One field: label, control and error.
 * @csspart label - A field's label.
 * @csspart input - A field's input or select.
 * @csspart field-error - A field's (or the method choice's) validation message.
 * @csspart card-frame - The card tokenizer's frame.
 * @csspart challenge-frame - The card issuer's 3-D Secure frame.
 * @csspart pay-button - The submit button.
 * @csspart button - Secondary buttons (try again, choose another method, continue, copy).
 * @csspart qr - The QR code block.
 * @csspart qr-code - The QR code's SVG.
 * @csspart countdown - Time left before the QR code expires.
 * @csspart deep-link - "Open in WeChat" (or another app) link.
 * @csspart save-qr - "Save QR image" link (a PNG drawn in the page).
 * @csspart return-link - Link back to the merchant.
 * @csspart camera - The till's camera preview (`mode="pos"`).
 *
 * Dark colours (the defaults in parentheses after "dark") apply with `prefers-color-scheme: dark`
 * or `theme="dark"`; `theme="light"` keeps the light ones. The QR code always sits on white.
 *
 * @cssprop --tender-accent - Buttons, focus ring and the chosen method (default `#2563eb`; dark `#60a5fa`).
 * @cssprop --tender-accent-contrast - Text on the accent colour (default `#ffffff`; dark `#0b1220`).
 * @cssprop --tender-radius - Corner radius (default `12px`).
 * @cssprop --tender-font - The `font` shorthand used throughout (default the system UI font).
 * @cssprop --tender-text - Text colour (default `#111827`; dark `#f3f4f6`).
 * @cssprop --tender-muted - Secondary text colour (default `#4b5563`; dark `#c4c9d2`).
 * @cssprop --tender-surface - Background (default `#ffffff`; dark `#111827`).
 * @cssprop --tender-border - The card's border (default `#d1d5db`; dark `#374151`).
 * @cssprop --tender-control-border - Borders of inputs, method choices and secondary buttons; keep
 *   it at 3:1 against the surface (WCAG 1.4.11) (default `#6b7280`; dark `#9ca3af`).
 * @cssprop --tender-danger - Errors (default `#b91c1c`; dark `#fca5a5`).
 * @cssprop --tender-success - Success text (default `#15803d`; dark `#86efac`).
 * @cssprop --tender-gap - Spacing unit (default `1rem`).
 * @cssprop --tender-qr-size - Largest width of the QR code (default `240px`).
 */
export class TenderCheckout extends ReactiveElement {
  static override styles = checkoutStyles;
  static override properties: Readonly<Record<string, PropertyOptions>> = {
    phase: { state: true },
    view: { state: true },
    selected: { state: true },
    values: { state: true },
    formErrors: { state: true },
    note: { state: true },
    now: { state: true },
    connection: { state: true },
    copied: { state: true },
    translation: { state: true },
    session: { reflect: true },
    clientSecret: { attribute: 'client-secret' },
    api: { reflect: true },
    locale: { reflect: true },
    mode: { reflect: true },
    theme: { reflect: true },
    clock: { attribute: false },
  };

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
  /** The QR code as a saveable PNG, for the code on screen (`url` null while it is being drawn). */
  #qrImage: { path: string; url: string | null } | null = null;
  /** Whether focus was inside the element when "Pay" was pressed. */
  #payHadFocus = false;
  /** Set when the next render must move focus to the status heading. */
  #focusStatus = false;
  /** Set when the challenge frame has rendered and its form must be posted into it. */
  #postChallenge = false;
  /** Buyer codes this till already sent for the session: a code is charged once, however often it is read. */
  #usedCodes = new Set<string>();
  #stopCountdown: (() => void) | null = null;
  /** The language asked for last, and its table once loaded (English meanwhile). */
  #wantedLocale: Locale = 'en';
  #localeReady: Promise<unknown> = Promise.resolve();
  /** The parts loaded on demand (`parts.ts`), once they are here. */
  #till: Parts['till'] | null = null;
  #cardPart: Parts['card'] | null = null;
  #qr: Parts['qr'] | null = null;
  #fields: Parts['fields'] | null = null;
  #outcome: Parts['outcome'] | null = null;
  #logos: Parts['logos'] | null = null;
  /** The card tokenizer's frame, once the card part is here and the session offers a tokenizer. */
  #card: CardFrameController | null = null;
  /** The till's camera, once the till part is here. */
  #camera: CodeScannerController | null = null;

  private phase: CheckoutState = { name: 'loading' };
  private view: CheckoutView | null = null;
  private selected: MethodId | null = null;
  private values: Record<string, string> = {};
  private formErrors: FormErrors | null = null;
  private note: FormNote = null;
  private now = 0;
  private connection: StreamConnection = 'open';
  private copied = false;
  private translation: Translator = translator();

  /** The checkout session id (`cs_…`) to pay. */
  session = '';
  // Not reflected: a secret set as a property stays out of the DOM's attributes.
  /** The session's client secret, as returned to the merchant server when the session was made. */
  clientSecret = '';
  /** Base URL of the BFF; defaults to the directory `tender.js` came from, else the page's origin. */
  api = '';
  /**
   * BCP 47 tag for the text (`en`, `th`, `zh-Hant`, `ar`…); without it the element follows the
   * nearest `lang` attribute (its own, then the page's), then the browser's languages.
   */
  locale = '';
  /** `checkout` for shoppers; `pos` for a till that charges the buyer's payment code. */
  mode: 'checkout' | 'pos' = 'checkout';
  /** `light` or `dark`; anything else follows the system's `prefers-color-scheme`. */
  theme: 'auto' | 'light' | 'dark' = 'auto';
  /** Source of time for the QR countdown, request timeouts and reconnect delays (tests move it by hand). */
  clock: Clock = systemClock;

  override connectedCallback(): void {
    super.connectedCallback();
    this.#syncLocale();
    // A first connection starts from willUpdate; this covers being moved or re-attached.
    if (this.hasUpdated) this.#start();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#stop();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('locale')) this.#syncLocale();
    if ((changed.has('session') || changed.has('clientSecret') || changed.has('api')) && this.isConnected) {
      this.#start();
    }
    if (changed.has('mode') && this.hasUpdated && this.phase.name === 'choosing') {
      this.selected = this.view ? pickInitialMethod(this.view, this.#methods()) : null;
      if (this.mode === 'pos') void this.#loadTill().catch(() => this.#start());
    }
  }

  protected override updated(): void {
    // The card frame's messages are checked against the frame on screen and its tokenizer's origin.
    if (this.#card) {
      this.#card.frame = this.renderRoot.querySelector('iframe.card-frame');
      this.#card.tokenizer = this.#selectedMethod()?.tokenizer ?? null;
    }
    const challenge = this.#postChallenge ? this.renderRoot.querySelector<HTMLFormElement>('form.challenge') : null;
    if (challenge) {
      this.#postChallenge = false;
      challenge.submit();
    }
    if (!this.#focusStatus) return;
    this.#focusStatus = false;
    this.renderRoot.querySelector<HTMLElement>('[part="status"]')?.focus();
  }

  private onMethodChange(event: Event): void {
    const input = event.currentTarget as HTMLInputElement;
    this.selected = input.value as MethodId;
    this.formErrors = null;
    this.note = null;
    // An error about the previous choice no longer applies.
    if (this.phase.name === 'choosing' && this.phase.error) this.#enter({ name: 'choosing', error: null });
  }

  private onFieldInput(spec: FieldSpec, event: Event): void {
    const control = event.currentTarget as HTMLInputElement | HTMLSelectElement;
    this.values = { ...this.values, [spec.name]: control.value };
    // Once a field was flagged, re-check it as the shopper types so the message goes when fixed.
    const errors = this.formErrors;
    if (errors && spec.name in errors.fields) {
      const fields = { ...errors.fields };
      const problem = this.#fields?.checkFields([spec], this.values)[spec.name];
      if (problem) fields[spec.name] = problem;
      else delete fields[spec.name];
      this.formErrors = { ...errors, fields };
    }
  }

  private onSubmit(event: SubmitEvent): void {
    event.preventDefault();
    if (this.phase.name !== 'choosing') return;
    const method = this.#selectedMethod();
    if (!method) {
      this.formErrors = { method: true, fields: {} };
      void this.#focusAfterRender('input[name="method"]');
      return;
    }
    // Fields on screen mean their part is here (#load waits for it).
    const problems = this.#fields?.checkFields(method.fields, this.values) ?? {};
    if (Object.keys(problems).length > 0) {
      this.formErrors = { method: false, fields: problems };
      void this.#focusAfterRender('[aria-invalid="true"]');
      return;
    }
    this.formErrors = null;
    this.note = null;
    if (method.tokenizer) {
      // The frame tokenizes what was typed in it and answers with a message (#onCardToken).
      this.#enter({ name: 'submitting' });
      if (!this.#card?.submit()) this.#enter({ name: 'choosing', error: null });
      return;
    }
    void this.#pay(method, {});
  }

  private onCodeSubmit(event: SubmitEvent): void {
    event.preventDefault();
    const code = this.#till?.readBuyerCode(event.currentTarget as HTMLFormElement);
    if (!code) {
      this.note = { key: 'posCodeInvalid' };
      void this.#focusAfterRender('[aria-invalid="true"]');
      return;
    }
    this.#charge(code);
  }

  private onStartCamera(): void {
    const video = this.renderRoot.querySelector('video');
    if (video) void this.#camera?.start(video);
  }

  private onChooseAgain(): void {
    this.note = null;
    this.#enter({ name: 'choosing', error: null });
    void this.#focusAfterRender(
      this.mode === 'pos' ? 'input[name="code"]' : 'input[name="method"]:checked',
      'input[name="method"]',
    );
  }

  /** A fresh QR code for the same method, once the one on screen ran out. */
  private onNewCode(): void {
    const method = this.phase.name === 'code-expired' ? this.#methodOf(this.phase.attempt) : null;
    if (method) void this.#pay(method, {});
    else this.onChooseAgain();
  }

  /** Back from the provider's page without paying: the same attempt, where it was left. */
  private onContinue(): void {
    const phase = this.phase;
    if (phase.name !== 'awaiting') return;
    const attempt = phase.attempt;
    const action = attempt.action;
    if (action?.type === 'redirect') this.#redirect(attempt, action);
    else if (action?.type === 'app') this.#openWallet(attempt, action);
    else if (action?.type === 'challenge') this.#challenge(attempt, action);
  }

  private async onCopy(content: string): Promise<void> {
    try {
      await navigator.clipboard.writeText(content);
      this.copied = true;
    } catch {
      // No clipboard permission: the code stays on screen to scan or save.
    }
  }

  private onRetryLoad(): void {
    this.#start();
  }

  private onBack(): void {
    history.back();
  }

  /** Loads the checkout again from the BFF, e.g. after the host restored a lost connection. */
  reload(): void {
    this.#start();
  }

  #start(): void {
    this.#stop();
    this.view = null;
    this.#attempt = null;
    if (!this.session) {
      this.#enter({ name: 'unavailable', error: configError('set the session and client-secret attributes') });
      return;
    }
    let base: string;
    try {
      base = resolveApiBase(this.api);
    } catch (cause) {
      this.#enter({ name: 'unavailable', error: configError(`api is not a URL: ${this.api}`, cause) });
      return;
    }
    // Back from a provider on the hosted page: the URL has no secret, but this tab kept it.
    const secret = this.clientSecret || savedClientSecret(this.session);
    if (!secret) {
      // Another browser (a wallet's, say): what became of the payment, and the way back.
      void this.#showOutcome(base, this.#generation);
      return;
    }
    this.#secret = secret;
    this.#api = new CheckoutApi({ base, sessionId: this.session, clientSecret: secret, clock: this.clock });
    void this.#load(this.#api, this.#generation);
  }

  #stop(): void {
    this.#generation += 1;
    this.#abort?.abort();
    this.#abort = null;
    this.#stream?.close();
    this.#stream = null;
    this.#held = [];
    this.#stopCountdown?.();
    this.#stopCountdown = null;
    this.#camera?.stop();
    this.#dropQrImage();
    this.connection = 'open';
  }

  async #load(api: CheckoutApi, generation: number): Promise<void> {
    this.#enter({ name: 'loading' });
    const abort = new AbortController();
    this.#abort = abort;
    let loaded: CheckoutView;
    // Not drawn on the first screen, but needed right after it: fetched beside the session.
    loadPart('stream').catch(() => undefined);
    try {
      // The first screen in the shopper's language: its table loads beside the session, and so
      // does the till at a till.
      [loaded] = await Promise.all([
        api.firstView(abort.signal),
        this.#localeReady,
        this.mode === 'pos' ? this.#loadTill() : null,
      ]);
    } catch (caught) {
      if (generation !== this.#generation) return;
      const error = toCheckoutError(caught);
      this.#enter({ name: 'unavailable', error });
      this.#emit('tender-error', { error });
      return;
    }
    if (generation !== this.#generation) return;
    const view = normalizeView(loaded);
    if (view.methods.some((method) => method.fields.length > 0) && !this.#fields) {
      // The form is drawn with its fields or not at all: one more small file for such sessions.
      try {
        this.#fields = await loadPart('fields');
      } catch (caught) {
        if (generation !== this.#generation) return;
        const error = toCheckoutError(caught);
        this.#enter({ name: 'unavailable', error });
        this.#emit('tender-error', { error });
        return;
      }
      if (generation !== this.#generation) return;
    }
    this.view = view;
    if (view.methods.some((method) => method.tokenizer)) void this.#loadCard(generation);
    // The logos fill the space kept for them beside each method once they are here.
    if (!this.#logos && view.methods.some((method) => method.brand)) {
      loadPart('logos').then(
        (logos) => {
          this.#logos = logos;
          this.requestUpdate();
        },
        () => undefined,
      );
    }
    this.#attempt = view.attempt;
    this.selected = pickInitialMethod(view, this.#methods());
    // What the shopper typed before going to the provider's page.
    this.values = savedFields(view.id);
    this.#emit('tender-ready', { view });
    // Back from the provider's page, nothing else on the page has focus: the news is here.
    const active = document.activeElement;
    if (view.attempt && (active === null || active === document.body)) this.#focusStatus = true;
    this.#enterFromView(view);
    if (!isFinal(view.status)) this.#listen(api, generation);
  }

  /** Follows the session live, once the stream part is here (it was asked for beside the session). */
  #listen(api: CheckoutApi, generation: number): void {
    const current = () =>
      generation === this.#generation && this.phase.name !== 'succeeded' && this.phase.name !== 'canceled';
    loadPart('stream').then(
      ({ StatusStream }) => {
        if (current()) this.#openStream(StatusStream, api, generation);
      },
      () => {
        if (!current()) return;
        // Without it nothing on screen would change by itself: say so, and try again.
        this.connection = 'reconnecting';
        this.clock.after(STREAM_PART_RETRY_MS, () => {
          if (current()) this.#listen(api, generation);
        });
      },
    );
  }

  #openStream(Stream: typeof StatusStream, api: CheckoutApi, generation: number): void {
    const stream: StatusStream = new Stream({
      url: (lastEventId) => api.eventsUrl(lastEventId),
      onStatus: (event) => {
        if (generation === this.#generation) this.#onStatus(event);
      },
      onConnection: (connection) => {
        if (generation === this.#generation) this.connection = connection;
      },
      // Where no stream stays open: the session as it is now, read as one more status event.
      poll: async (): Promise<StatusEvent> => {
        const view = await api.getView(this.#abort?.signal);
        const attempt = view.attempt;
        return {
          seq: stream.lastSeq ?? 0,
          status: view.status,
          attempt: attempt ? { id: attempt.id, status: attempt.status, failure: attempt.failure ?? null } : null,
          at: view.serverTime,
        };
      },
      clock: this.clock,
    });
    this.#stream = stream;
    stream.open();
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
    this.#enter({ name: 'choosing', error: null });
  }

  #onCardToken(fields: Record<string, string>): void {
    const method = this.#selectedMethod();
    if (this.phase.name !== 'submitting' || !method?.tokenizer) return;
    // The frame's tokens go beside what the shopper typed in the checkout's own fields.
    void this.#create(method, { fields: { ...this.#fields?.fieldValues(method.fields, this.values), ...fields } });
  }

  /** A buyer's code read by the camera or typed at the till; each code is sent once. */
  #charge(code: string): void {
    if (this.phase.name !== 'choosing') return;
    const method = this.#selectedMethod();
    if (!method) {
      this.formErrors = { method: true, fields: {} };
      return;
    }
    if (this.#usedCodes.has(code)) {
      this.note = { key: 'posCodeUsed' };
      return;
    }
    this.#usedCodes.add(code);
    this.note = null;
    void this.#create(method, { buyerCode: code });
  }

  async #pay(method: MethodView, extra: Pick<CreateAttemptBody, 'fields' | 'buyerCode'>): Promise<void> {
    const fields = this.#fields?.fieldValues(method.fields, this.values);
    if (this.view) saveFields(this.view.id, this.values);
    await this.#create(method, fields && method.fields.length > 0 ? { ...extra, fields } : extra);
  }

  async #create(method: MethodView, extra: Pick<CreateAttemptBody, 'fields' | 'buyerCode'>): Promise<void> {
    const api = this.#api;
    if (!api) return;
    const generation = this.#generation;
    this.#enter({ name: 'submitting' });
    // Most attempts answer with a QR code or a provider's page: both load while the attempt is made.
    if (this.mode !== 'pos') {
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
        this.#start();
        return;
      }
      this.#enter({ name: 'choosing', error });
      if (error.status === 401 || error.status === 403) this.#emit('tender-error', { error });
      this.#releaseHeld();
      return;
    }
    if (generation !== this.#generation) return;
    this.#attempt = attempt;
    if (this.view) this.view = { ...this.view, attempt };
    this.#emit('tender-attempt', { attempt });
    // News that came while the attempt was being made goes first: if the session settled or the
    // attempt failed meanwhile, sending the shopper to the provider would ask them to pay again.
    this.#releaseHeld();
    if (this.phase.name === 'submitting' && this.#attempt) this.#showAttempt(this.#attempt, false);
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

  #redirect(attempt: AttemptView, action: RedirectAction): void {
    if (!isNavigableUrl(action.url)) {
      const error = new CheckoutError('bad_response', 'redirect URL is not http(s)', { recoverable: false });
      this.#enter({ name: 'choosing', error });
      return;
    }
    const proceed = this.#emit('tender-redirect', {
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
    saveClientSecret(this.session, this.#secret);
    if (this.view) saveFields(this.view.id, this.values);
    const generation = this.#generation;
    loadPart('redirect').then(
      ({ performRedirect }) => {
        if (generation === this.#generation && this.phase.name === 'redirecting') performRedirect(action);
      },
      () => {
        // "Continue to …" tries again.
        if (generation === this.#generation && this.phase.name === 'redirecting')
          this.#enter({ name: 'awaiting', attempt });
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
      if (generation !== this.#generation || this.phase.name !== 'in-app') return;
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
    if (!isNavigableUrl(action.url)) {
      const error = new CheckoutError('bad_response', 'challenge URL is not http(s)', { recoverable: false });
      this.#enter({ name: 'choosing', error });
      return;
    }
    if (action.display === 'redirect') {
      this.#redirect(attempt, { type: 'redirect', url: action.url, method: action.method, fields: action.fields });
      return;
    }
    // The issuer's fields are posted into the frame once it is on screen (renderChallenge).
    this.#postChallenge = action.method === 'POST' || Object.keys(action.fields).length > 0;
    this.#enter({ name: 'challenge', attempt, action });
    if (this.#cardPart) return;
    // The frame appears once the card part is here; without it, "continue" tries again.
    const generation = this.#generation;
    void this.#loadCard(generation).then((loaded) => {
      if (!loaded && generation === this.#generation && this.phase.name === 'challenge') {
        this.#enter({ name: 'awaiting', attempt });
      }
    });
  }

  async #showOutcome(base: string, generation: number): Promise<void> {
    this.#enter({ name: 'loading' });
    const abort = new AbortController();
    this.#abort = abort;
    try {
      const [part] = await Promise.all([loadPart('outcome'), this.#localeReady]);
      const outcome = await part.fetchOutcome(base, this.session, abort.signal);
      if (generation !== this.#generation) return;
      this.#outcome = part;
      this.#enter({ name: 'outcome', outcome });
    } catch (caught) {
      if (generation !== this.#generation) return;
      const found = toCheckoutError(caught);
      // Without the secret nothing else can be done here: the link is not this browser's.
      const error = found.recoverable
        ? found
        : new CheckoutError(
            found.code === 'not_found' ? 'not_found' : 'unauthorized',
            'no client secret for this session',
            {
              recoverable: false,
              cause: found,
            },
          );
      this.#enter({ name: 'unavailable', error });
      this.#emit('tender-error', { error });
    }
  }

  /** Loads the till and starts its camera controller; rejects when the part cannot be fetched. */
  async #loadTill(): Promise<void> {
    const till = await loadPart('till');
    this.#till = till;
    this.#camera ??= new till.CodeScannerController(
      this,
      () => this.clock,
      (code) => this.#charge(code),
    );
    this.requestUpdate();
  }

  /** Loads the card part (tokenizer frame and 3-D Secure); false when it cannot be fetched. */
  async #loadCard(generation: number): Promise<boolean> {
    try {
      const card = await loadPart('card');
      this.#cardPart = card;
      this.#card ??= new card.CardFrameController(this, {
        onToken: (fields) => this.#onCardToken(fields),
        onError: (text) => {
          if (this.phase.name !== 'submitting') return;
          this.note = { text };
          this.#enter({ name: 'choosing', error: null });
        },
      });
      if (generation === this.#generation) this.requestUpdate();
      return true;
    } catch {
      return false;
    }
  }

  #onStatus(event: StatusEvent): void {
    if (this.phase.name === 'submitting') {
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
    const view = this.view;
    if (!view) return;
    const current = this.#attempt;
    const about = event.attempt;
    const sameAttempt = about !== null && current !== null && about.id === current.id;

    const settled = settledAs(event.status);
    if (settled) {
      if (this.phase.name === settled) return;
      if (sameAttempt) this.#attempt = { ...current, status: about.status, failure: about.failure };
      this.view = { ...view, status: event.status, attempt: this.#attempt };
      this.#emit('tender-status', { event });
      this.#settle(settled, about?.id ?? null);
      return;
    }

    if (!sameAttempt || attemptRank(about.status) <= attemptRank(current.status)) return;
    const attempt: AttemptView = { ...current, status: about.status, failure: about.failure ?? current.failure };
    this.#attempt = attempt;
    this.view = { ...view, status: event.status, attempt };
    this.#emit('tender-status', { event });

    // The shopper already walked away from this attempt; its news must not pull them back.
    if (this.phase.name === 'choosing') return;
    if (this.#showFinished(attempt)) return;
    // Still waiting: keep the same screen, with the fresher attempt.
    if ('attempt' in this.phase) this.phase = { ...this.phase, attempt };
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
        this.#enter({ name: 'choosing', error: null });
        return true;
      case 'requires_action':
      case 'pending':
        return false;
    }
  }

  #settle(settled: Settled, attemptId: string | null): void {
    switch (settled) {
      case 'succeeded':
        this.#enter({ name: 'succeeded', attemptId });
        return;
      case 'expired':
        this.#enter({ name: 'expired' });
        return;
      case 'canceled':
        this.#enter({ name: 'canceled' });
        return;
    }
  }

  #fail(attemptId: string | null, failure: AttemptFailure | null): void {
    const view = this.view;
    const expiresAt = view ? Date.parse(view.expiresAt) : Number.NaN;
    // Without a readable expiry, let the shopper try; the BFF refuses if the session is closed.
    const canRetry = Number.isNaN(expiresAt) || expiresAt > this.#now();
    this.#enter({ name: 'failed', attemptId, failure, canRetry });
  }

  /** The one way the state changes: keeps timers and the stream in step and fires the outcome events. */
  #enter(next: CheckoutState): void {
    const previous = this.phase;
    const focusInside = this.shadowRoot?.activeElement != null;
    if (next.name === 'submitting') {
      this.#payHadFocus = focusInside;
    } else if (
      previous.name !== next.name &&
      takesFocus(next) &&
      (focusInside || (previous.name === 'submitting' && this.#payHadFocus))
    ) {
      this.#focusStatus = true;
    }
    this.phase = next;
    this.copied = false;
    this.#syncQrImage();
    this.#syncCountdown();
    if (next.name !== 'choosing') this.#camera?.stop();
    // Paid or canceled, nothing can change any more. An expired session keeps listening: a payment
    // made just before the deadline can still be confirmed after it.
    if (next.name === 'succeeded' || next.name === 'canceled') {
      this.#stream?.close();
      this.connection = 'open';
    }
    if (previous.name === next.name) return;
    const sessionId = this.view?.id ?? this.session;
    switch (next.name) {
      case 'succeeded':
        this.#emit('tender-succeeded', { sessionId, attemptId: next.attemptId });
        return;
      case 'failed':
        this.#emit('tender-failed', {
          sessionId,
          attemptId: next.attemptId,
          failure: next.failure,
          canRetry: next.canRetry,
        });
        return;
      case 'expired':
        this.#emit('tender-expired', { sessionId });
        return;
      default:
        return;
    }
  }

  #syncCountdown(): void {
    const phase = this.phase;
    if (phase.name !== 'scanning') {
      this.#stopCountdown?.();
      this.#stopCountdown = null;
      return;
    }
    this.now = this.#now();
    if (this.#codeExpired(phase.qr)) {
      this.#enter({ name: 'code-expired', attempt: phase.attempt });
      return;
    }
    this.#stopCountdown ??= this.clock.every(1_000, () => {
      this.now = this.#now();
      const current = this.phase;
      if (current.name === 'scanning' && this.#codeExpired(current.qr)) {
        this.#enter({ name: 'code-expired', attempt: current.attempt });
      }
    });
  }

  #codeExpired(qr: QrAction): boolean {
    const expiresAt = Date.parse(qr.expiresAt);
    return !Number.isNaN(expiresAt) && expiresAt - this.#now() <= 0;
  }

  /** The BFF's time: every `expiresAt` is on its clock, and a phone's own clock may be minutes off. */
  #now(): number {
    return this.#api?.now() ?? this.clock.now();
  }

  #syncQrImage(): void {
    const phase = this.phase;
    const path = phase.name === 'scanning' ? phase.qr.modules.path : null;
    if (path === this.#qrImage?.path) return;
    this.#dropQrImage();
    if (phase.name !== 'scanning') return;
    const image: { path: string; url: string | null } = { path: phase.qr.modules.path, url: null };
    this.#qrImage = image;
    const modules = phase.qr.modules;
    // Without the part (or a canvas) there is no save link; the code stays on screen to scan.
    void loadPart('qr').then(
      (part) => {
        this.#qr = part;
        if (this.#qrImage === image) image.url = part.qrPngUrl(modules);
        this.requestUpdate();
      },
      () => undefined,
    );
  }

  #dropQrImage(): void {
    if (this.#qrImage?.url) URL.revokeObjectURL(this.#qrImage.url);
    this.#qrImage = null;
  }

  #emit<K extends TenderEventName>(type: K, detail: TenderEventDetail<K>): boolean {
    return this.dispatchEvent(tenderEvent(type, detail));
  }

  /** The methods this mode offers: all of them, or at a till those that take a buyer's code. */
  #methods(): MethodView[] {
    const methods = this.view?.methods ?? [];
    return this.mode === 'pos' ? methods.filter((method) => method.buyerCode) : methods;
  }

  #selectedMethod(): MethodView | null {
    return this.#methods().find((method) => method.id === this.selected) ?? null;
  }

  #methodOf(attempt: AttemptView): MethodView | null {
    return this.view?.methods.find((method) => method.id === attempt.method) ?? null;
  }

  /** Once the form has rendered, focuses the first match of the first selector that matches. */
  async #focusAfterRender(...selectors: string[]): Promise<void> {
    await this.updateComplete;
    for (const selector of selectors) {
      const target = this.renderRoot.querySelector('form')?.querySelector<HTMLElement>(selector);
      if (target) {
        target.focus();
        return;
      }
    }
  }

  /** Loads the table for the language this element should speak, if it is not the one in use. */
  #syncLocale(): void {
    const wanted = resolveLocale([this.locale, this.closest('[lang]')?.getAttribute('lang'), ...navigator.languages]);
    if (wanted === this.#wantedLocale && wanted === this.translation.locale) return;
    this.#wantedLocale = wanted;
    this.#localeReady = loadTranslator(wanted).then((loaded) => {
      if (this.#wantedLocale === wanted) this.translation = loaded;
    });
  }

  get #t(): Translator {
    return this.translation;
  }

  get #localeTag(): string {
    return this.translation.locale;
  }

  #amount(view: CheckoutView): string {
    return formatAmount(view.amount, view.currency, this.#localeTag);
  }

  /** The wallet's name in the shopper's language (by brand), else the BFF's English label. */
  #methodLabel(method: MethodView): string {
    const t = this.#t;
    return (method.brand && t.maybe(`brand.${method.brand}`)) || t.maybe(`method.${method.id}`) || method.label;
  }

  #methodLabelOf(attempt: AttemptView): string {
    const method = this.#methodOf(attempt);
    return method ? this.#methodLabel(method) : attempt.method;
  }

  /** "Open in WeChat" where the wallet's app is known by its brand, else "Open in app". */
  #openInText(attempt: AttemptView): string {
    const t = this.#t;
    const brand = this.#methodOf(attempt)?.brand;
    const app = brand ? t.maybe(`app.${brand}`) : undefined;
    return app ? t('openIn', { app }) : t('openInApp');
  }

  #estimate(method: MethodView | null): string | null {
    const estimate = method?.estimate;
    if (!estimate) return null;
    return this.#t('estimate', { amount: formatAmount(estimate.amount, estimate.currency, this.#localeTag) });
  }

  #errorText(error: CheckoutError, fallback: string): string {
    // `forbidden` and `unauthorized` mean the same to a shopper: the link is not theirs.
    const code = error.code === 'forbidden' ? 'unauthorized' : error.code;
    return this.#t.maybe(`error.${code}`) ?? fallback;
  }

  #statusLine(): { text: string; tone: 'error' | 'success' | 'plain' } {
    const t = this.#t;
    const phase = this.phase;
    const pos = this.mode === 'pos';
    switch (phase.name) {
      case 'loading':
        return { text: t('loading'), tone: 'plain' };
      case 'unavailable':
        return { text: this.#errorText(phase.error, t('loadFailed')), tone: 'error' };
      case 'choosing':
        if (phase.error) return { text: this.#errorText(phase.error, t('error.generic')), tone: 'error' };
        if (this.#methods().length === 0) return { text: t('noMethods'), tone: 'error' };
        return { text: pos ? t('posScan') : t('choose'), tone: 'plain' };
      case 'submitting':
        return { text: t('paying'), tone: 'plain' };
      case 'scanning':
        return { text: t('scan', { method: this.#methodLabelOf(phase.attempt) }), tone: 'plain' };
      case 'redirecting':
        return { text: t('redirecting', { method: this.#methodLabelOf(phase.attempt) }), tone: 'plain' };
      case 'in-app':
        return { text: t('inApp', { method: this.#methodLabelOf(phase.attempt) }), tone: 'plain' };
      case 'challenge':
        return { text: t('challenge'), tone: 'plain' };
      case 'awaiting':
        return { text: pos ? t('posConfirming') : t('awaiting'), tone: 'plain' };
      case 'unsupported':
        return { text: t('cardUnsupported'), tone: 'error' };
      case 'code-expired':
        return { text: t('codeExpired'), tone: 'error' };
      case 'succeeded':
        return { text: t('succeeded'), tone: 'success' };
      case 'failed': {
        // The BFF's own words (shopper-safe, wire.ts) when there is no translation for the code.
        const failure = phase.failure;
        const merchant = this.view?.merchant.name ?? '';
        const reason = failure
          ? (t.maybe(`failure.${failure.code}`, { merchant }) ?? (failure.message ?? '').trim())
          : '';
        return { text: reason ? `${t('failed')} ${reason}` : t('failed'), tone: 'error' };
      }
      case 'expired':
        return { text: t('expired'), tone: 'error' };
      case 'canceled':
        return { text: t('canceled'), tone: 'error' };
      case 'outcome':
        return this.#outcome?.outcomeStatus(t, phase.outcome) ?? { text: t('loading'), tone: 'plain' };
    }
  }

  private renderHeader(): TemplateResult | typeof nothing {
    const view = this.view;
    const phase = this.phase;
    if (phase.name === 'outcome') return this.#outcome?.renderOutcomeHeader(this.#t, phase.outcome) ?? nothing;
    if (!view) return nothing;
    const estimate = this.#estimate(this.#selectedMethod());
    // Not a <header>: that would be a second banner landmark on the merchant's page.
    return html`<div class="header" part="header">
      <p class="merchant" part="merchant">${view.merchant.name}</p>
      <p class="amount" part="amount">${this.#amount(view)}</p>
      ${estimate ? html`<p class="estimate" part="estimate">${estimate}</p>` : nothing}
      ${view.description ? html`<p class="description" part="description">${view.description}</p>` : nothing}
    </div>`;
  }

  private renderStatus(): TemplateResult {
    const { text, tone } = this.#statusLine();
    const settled = this.phase.name === 'succeeded' || this.phase.name === 'canceled';
    // One live region for both lines, so losing the connection is announced too. The status is the
    // screen's heading: focus moves to it when the screen changes under the shopper.
    return html`<div class="live" role="status" aria-live="polite">
      <h2 class="status ${tone === 'plain' ? '' : `is-${tone}`}" part="status" tabindex="-1">${text}</h2>
      ${
        this.connection === 'reconnecting' && !settled
          ? html`<p class="connection" part="connection">${this.#t('reconnecting')}</p>`
          : nothing
      }
    </div>`;
  }

  private renderMethodList(methods: MethodView[], disabled: boolean): TemplateResult {
    const t = this.#t;
    const methodError = this.formErrors?.method === true;
    return html`<fieldset part="methods" aria-describedby=${methodError ? 'method-error' : nothing}>
      <legend part="legend">${t('methodsLegend')}</legend>
      ${methods.map((m) => {
        const estimate = this.#estimate(m);
        return html`<label class="method" part="method">
          <input
            type="radio"
            name="method"
            part="radio"
            .value=${m.id}
            .checked=${this.selected === m.id}
            ?disabled=${disabled}
            @change=${this.onMethodChange}
          />
          ${m.brand ? html`<span class="logo" part="logo">${this.#logos?.logo(m.brand) ?? nothing}</span>` : nothing}
          <span class="method-name">${this.#methodLabel(m)}</span>
          ${estimate ? html`<span class="method-estimate">${estimate}</span>` : nothing}
        </label>`;
      })}
      ${
        methodError
          ? html`<p id="method-error" class="field-error" part="field-error">${t('chooseMethodError')}</p>`
          : nothing
      }
    </fieldset>`;
  }

  private renderNote(): TemplateResult | typeof nothing {
    const note = this.note;
    if (!note) return nothing;
    return html`<p id="form-note" class="field-error" part="field-error">
      ${'text' in note ? note.text : this.#t(note.key)}
    </p>`;
  }

  private renderMethods(): TemplateResult | typeof nothing {
    const view = this.view;
    const methods = this.#methods();
    if (!view || methods.length === 0) return nothing;
    const t = this.#t;
    const submitting = this.phase.name === 'submitting';
    const method = this.#selectedMethod();
    // Plain property bindings, no live(): every change a shopper makes to a control goes through a
    // handler that updates the state bound here, so what Lit last wrote is what the control holds.
    return html`<form part="form" novalidate @submit=${this.onSubmit}>
      ${this.renderMethodList(methods, submitting)} ${method ? this.renderFields(method, submitting) : nothing}
      ${method?.tokenizer ? this.renderCardFrame(method) : nothing} ${this.renderNote()}
      <button type="submit" class="primary" part="pay-button" ?disabled=${submitting}>
        ${submitting ? t('paying') : t('pay', { amount: this.#amount(view) })}
      </button>
    </form>`;
  }

  private renderCardFrame(method: MethodView): TemplateResult | typeof nothing {
    const card = this.#card;
    const url = method.tokenizer?.url;
    return card && url ? (this.#cardPart?.renderCardFrame(card, url, this.#t('cardFrame')) ?? nothing) : nothing;
  }

  private renderFields(method: MethodView, submitting: boolean): TemplateResult[] | typeof nothing {
    return (
      this.#fields?.renderFields({
        t: this.#t,
        specs: method.fields,
        values: this.values,
        problems: this.formErrors?.fields ?? {},
        submitting,
        onInput: (spec, event) => this.onFieldInput(spec, event),
      }) ?? nothing
    );
  }

  /** The till: the method (when there are several), the camera and typed entry of the buyer's code. */
  private renderPos(): TemplateResult | typeof nothing {
    const view = this.view;
    const methods = this.#methods();
    const till = this.#till;
    if (!view || methods.length === 0 || !till || !this.#camera) return nothing;
    const submitting = this.phase.name === 'submitting';
    return till.renderTill({
      t: this.#t,
      methods: methods.length > 1 ? this.renderMethodList(methods, submitting) : nothing,
      note: this.renderNote(),
      amount: this.#amount(view),
      submitting,
      camera: this.#camera,
      onCamera: () => this.onStartCamera(),
      onSubmit: (event) => this.onCodeSubmit(event),
    });
  }

  private renderQr(attempt: AttemptView, qr: QrAction): TemplateResult | typeof nothing {
    const part = this.#qr;
    const t = this.#t;
    // Until the QR screen is here (or if it cannot be fetched), the way back to the methods.
    if (!part) return this.renderChooseButton(t('chooseAnother'), 'secondary');
    const view = this.view;
    const expiresAt = Date.parse(qr.expiresAt);
    const method = this.#methodLabelOf(attempt);
    return part.renderQr({
      t,
      qr,
      label: t('qrLabel', { amount: view ? this.#amount(view) : '', method }),
      remainingMs: Number.isNaN(expiresAt) ? null : expiresAt - this.now,
      openIn: this.#openInText(attempt),
      image: this.#qrImage?.url ?? null,
      copied: this.copied,
      onCopy: () => void this.onCopy(qr.content),
      chooseAnother: this.renderChooseButton(t('chooseAnother'), 'secondary'),
    });
  }

  private renderChallenge(action: ChallengeAction): TemplateResult {
    const frame = this.#cardPart?.renderChallenge(
      action,
      `tender-challenge-${this.#generation}`,
      this.#t('challengeFrame'),
    );
    return html`${frame ?? nothing} ${this.renderChooseButton(this.#t('chooseAnother'), 'secondary')}`;
  }

  private renderReturn(): TemplateResult | typeof nothing {
    const view = this.view;
    return view?.returnUrl && isNavigableUrl(view.returnUrl)
      ? html`<a
          class="link-button ${this.phase.name === 'succeeded' ? 'primary' : 'secondary'}"
          part="return-link"
          href=${view.returnUrl}
          >${this.#t('returnToShop', { merchant: view.merchant.name })}</a
        >`
      : nothing;
  }

  private renderHint(key: MessageKey): TemplateResult {
    return html`<p class="hint" part="hint">${this.#t(key)}</p>`;
  }

  /** The next step on each screen that is not a form: every state has one (or says why not). */
  private renderOutcome(): TemplateResult | typeof nothing {
    const t = this.#t;
    const phase = this.phase;
    const pos = this.mode === 'pos';
    switch (phase.name) {
      case 'succeeded':
        return this.renderReturn();
      case 'failed':
        return phase.canRetry
          ? this.renderChooseButton(pos ? t('posScanAgain') : t('tryAnother'))
          : html`${this.renderHint('expiredHint')} ${this.renderReturn()}`;
      case 'unsupported':
        return this.renderChooseButton(t('tryAnother'));
      case 'code-expired':
        return html`<button type="button" class="primary" part="button" @click=${this.onNewCode}>
            ${t('newCode')}
          </button>
          ${this.renderChooseButton(t('chooseAnother'), 'secondary')}`;
      case 'awaiting': {
        const action = phase.attempt.action;
        const resumable =
          !pos && (action?.type === 'redirect' || action?.type === 'app' || action?.type === 'challenge');
        return html`${this.renderHint(pos ? 'posConfirmingHint' : 'awaitingHint')}
        ${
          resumable
            ? html`<button type="button" class="primary" part="button" @click=${this.onContinue}>
                ${t('continueAt', { method: this.#methodLabelOf(phase.attempt) })}
              </button>`
            : nothing
        }
        ${pos ? nothing : this.renderChooseButton(t('chooseAnother'), 'secondary')}`;
      }
      case 'in-app':
        return this.renderChooseButton(t('chooseAnother'), 'secondary');
      case 'expired':
      case 'canceled':
        return html`${this.renderHint(phase.name === 'expired' ? 'expiredHint' : 'startAgainHint')}
        ${this.renderReturn()}`;
      case 'outcome':
        return this.#outcome?.renderOutcome(t, phase.outcome) ?? nothing;
      case 'unavailable':
        if (phase.error.recoverable) {
          return html`<button type="button" class="primary" part="button" @click=${this.onRetryLoad}>
            ${t('retry')}
          </button>`;
        }
        // No session to go back to: the shop's page is the way on, one step back in this tab.
        return html`${this.renderHint('startAgainHint')}
        ${
          history.length > 1
            ? html`<button type="button" class="secondary" part="button" @click=${this.onBack}>${t('goBack')}</button>`
            : nothing
        }`;
      default:
        return nothing;
    }
  }

  private renderChooseButton(text: string, kind: 'primary' | 'secondary' = 'primary'): TemplateResult {
    return html`<button type="button" class=${kind} part="button" @click=${this.onChooseAgain}>${text}</button>`;
  }

  private renderBody(): TemplateResult | typeof nothing {
    const phase = this.phase;
    switch (phase.name) {
      case 'choosing':
      case 'submitting':
        return this.mode === 'pos' ? this.renderPos() : this.renderMethods();
      case 'scanning':
        return this.renderQr(phase.attempt, phase.qr);
      case 'challenge':
        return this.renderChallenge(phase.action);
      default:
        return this.renderOutcome();
    }
  }

  override render(): TemplateResult {
    const t = this.#t;
    return html`<div class="base" part="base" lang=${t.locale} dir=${t.dir} aria-busy=${this.phase.name === 'loading'}>
      ${this.renderHeader()} ${this.renderStatus()} ${this.renderBody()}
    </div>`;
  }
}

/** How soon to try again when the status stream's part could not be fetched. */
const STREAM_PART_RETRY_MS = 5_000;

function configError(message: string, cause?: unknown): CheckoutError {
  return new CheckoutError('invalid_config', message, { recoverable: false, cause });
}
