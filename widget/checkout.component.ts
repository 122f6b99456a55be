import { html, nothing, type TemplateResult } from 'lit/html.js';
import type { CheckoutError } from './api.ts';
import type { CardFrameController } from './card-frame.ts';
import { pickInitialMethod, takesFocus, type CheckoutState } from './checkout-state.ts';
import { CheckoutController } from './checkout.controller.ts';
import { checkoutStyles } from './checkout.styles.ts';
import { ReactiveElement, type PropertyOptions, type PropertyValues } from './element.ts';
import { systemClock, type Clock } from './clock.ts';
import type { CodeScannerController } from './code-scanner.ts';
import { tenderEvent } from './events.ts';
import type { FieldProblem } from './fields.ts';
import { formatAmount } from './format.ts';
import { loadTranslator, resolveLocale, translator, type Locale, type MessageKey, type Translator } from './i18n.ts';
import { loadPart, type Parts } from './parts.ts';
import { isNavigableUrl } from './redirect.ts';
import { saveFields, savedFields } from './tab-storage.ts';
import type { AttemptView, ChallengeAction, CheckoutView, FieldSpec, MethodId, MethodView, QrAction } from './wire.ts';

export type { CheckoutState, CheckoutStateName } from './checkout-state.ts';

interface FormErrors {
  method: boolean;
  fields: Record<string, FieldProblem>;
}

/** The status heading's text, and whether it reports an error or a success. */
interface StatusLine {
  text: string;
  tone: 'error' | 'success' | 'plain';
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
 * The element renders, keeps the form and fires the events; where the checkout is, and what moves
 * it on, is its `CheckoutController` (`checkout.controller.ts`), which runs the QR code's
 * countdown (`CountdownController`, `countdown.controller.ts`).
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
    selected: { state: true },
    values: { state: true },
    formErrors: { state: true },
    note: { state: true },
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

  /** The state machine (and the QR countdown): this element shows its state and does what it asks. */
  readonly #checkout = new CheckoutController(this, {
    emit: (type, detail) => this.dispatchEvent(tenderEvent(type, detail)),
    prepare: (screen) => this.#prepare(screen),
    loaded: (view) => this.#loaded(view),
    entered: (previous, next) => this.#entered(previous, next),
  });
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
  /** The language asked for last, and its table once loaded (English meanwhile). */
  #wantedLocale: Locale = 'en';
  #localeReady: Promise<unknown> = Promise.resolve();
  /** The parts loaded on demand (`parts.ts`), once they are here. */
  #till: Parts['till'] | undefined;
  #cardPart: Parts['card'] | undefined;
  #qr: Parts['qr'] | undefined;
  #fields: Parts['fields'] | undefined;
  #outcome: Parts['outcome'] | undefined;
  #logos: Parts['logos'] | undefined;
  /** The card tokenizer's frame, once the card part is here and the session offers a tokenizer. */
  #card: CardFrameController | undefined;
  /** The till's camera, once the till part is here. */
  #camera: CodeScannerController | undefined;

  private selected: MethodId | null = null;
  private values: Record<string, string> = {};
  private formErrors: FormErrors | null = null;
  private note: FormNote = null;
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

  /**
   * The first screen of `view`, a session with no attempt yet, as this element draws it in
   * `locale` (logos aside, which arrive later here too): what a server writes into the page as a
   * declarative shadow root, with `styles`, so the method list is on screen before this script has
   * run. The element keeps that root until its own first screen is ready, then draws over it.
   */
  static async firstScreen(view: CheckoutView, locale: Locale): Promise<TemplateResult> {
    const element = new this();
    element.translation = await loadTranslator(locale);
    await element.#prepare(view);
    element.#checkout.show(view);
    element.selected = pickInitialMethod(view);
    return element.render();
  }

  override connectedCallback(): void {
    // Before the controllers hear of it: the checkout starts again on a re-attach, in this language.
    this.#syncLocale();
    super.connectedCallback();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#dropQrImage();
  }

  protected override keepsPrerender(): boolean {
    return this.#state.name === 'loading';
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('locale')) this.#syncLocale();
    if ((changed.has('session') || changed.has('clientSecret') || changed.has('api')) && this.isConnected) {
      this.#checkout.start();
    }
    if (changed.has('mode') && this.hasUpdated && this.#state.name === 'choosing') {
      this.selected = this.#view ? pickInitialMethod(this.#view, this.#methods()) : null;
      if (this.mode === 'pos') void this.#loadTill().catch(() => this.#checkout.start());
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
    const state = this.#state;
    if (state.name === 'choosing' && state.error) this.#checkout.chooseAgain();
  }

  private onFieldInput(spec: FieldSpec, event: Event): void {
    const control = event.currentTarget as HTMLInputElement | HTMLSelectElement;
    this.values = { ...this.values, [spec.name]: control.value };
    // Once a field was flagged, re-check it as the shopper types so the message goes when fixed.
    const errors = this.formErrors;
    if (errors && spec.name in errors.fields) {
      const { [spec.name]: _fixed, ...others } = errors.fields;
      const problem = this.#fields?.checkFields([spec], this.values)[spec.name];
      this.formErrors = { ...errors, fields: problem ? { ...errors.fields, [spec.name]: problem } : others };
    }
  }

  private onSubmit(event: SubmitEvent): void {
    event.preventDefault();
    if (this.#state.name !== 'choosing') return;
    const method = this.#selectedMethod();
    if (!method) {
      this.formErrors = { method: true, fields: {} };
      void this.#focusAfterRender('input[name="method"]');
      return;
    }
    // Fields on screen mean their part is here (the first screen waits for it).
    const problems = this.#fields?.checkFields(method.fields, this.values) ?? {};
    if (Object.keys(problems).length > 0) {
      this.formErrors = { method: false, fields: problems };
      void this.#focusAfterRender('[aria-invalid="true"]');
      return;
    }
    this.formErrors = null;
    this.note = null;
    // The frame tokenizes what was typed in it and answers with a message (#onCardToken).
    if (method.tokenizer) this.#checkout.payByCard(() => this.#card?.submit() ?? false);
    else this.#pay(method);
  }

  /** The code typed at the till, read by the till's form: null when it is not a buyer's code. */
  private onTypedCode(code: string | null): void {
    if (code) {
      this.#charge(code);
      return;
    }
    this.note = { key: 'posCodeInvalid' };
    void this.#focusAfterRender('[aria-invalid="true"]');
  }

  private onChooseAgain(): void {
    this.note = null;
    this.#checkout.chooseAgain();
    void this.#focusAfterRender(
      this.mode === 'pos' ? 'input[name="code"]' : 'input[name="method"]:checked',
      'input[name="method"]',
    );
  }

  /** A fresh QR code for the same method, once the one on screen ran out. */
  private onNewCode(): void {
    const state = this.#state;
    const method = state.name === 'code-expired' ? this.#methodOf(state.attempt) : null;
    if (method) this.#pay(method);
    else this.onChooseAgain();
  }

  /** Back from the provider's page without paying: the same attempt, where it was left. */
  private onContinue(): void {
    this.#checkout.resume();
  }

  private async onCopy(content: string): Promise<void> {
    try {
      await navigator.clipboard.writeText(content);
      this.copied = true;
    } catch {
      // No clipboard permission: the code stays on screen to scan or save.
    }
  }

  private onBack(): void {
    history.back();
  }

  /** Loads the checkout again from the BFF, e.g. after the host restored a lost connection. */
  reload(): void {
    this.#checkout.start();
  }

  get #state(): CheckoutState {
    return this.#checkout.state;
  }

  get #view(): CheckoutView | null {
    return this.#checkout.view;
  }

  /**
   * What a screen needs before the checkout shows it (`CheckoutScreen.prepare`): the language, and
   * the till at a till, beside the session; the fields part for a session whose methods have fields.
   */
  #prepare(screen: 'session' | 'outcome' | CheckoutView): Promise<unknown> {
    if (typeof screen === 'object') {
      return screen.methods.some((method) => method.fields.length > 0) && !this.#fields
        ? loadPart('fields').then((part) => (this.#fields = part))
        : Promise.resolve();
    }
    if (screen === 'outcome') {
      return Promise.all([this.#localeReady, loadPart('outcome').then((part) => (this.#outcome = part))]);
    }
    return Promise.all([this.#localeReady, this.mode === 'pos' ? this.#loadTill() : null]);
  }

  /** The session's first view is here: what the form starts with, and the parts it shows later. */
  #loaded(view: CheckoutView): void {
    if (view.methods.some((method) => method.tokenizer)) this.#loadCard().catch(() => undefined);
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
    this.selected = pickInitialMethod(view, this.#methods());
    // What the shopper typed before going to the provider's page.
    this.values = savedFields(view.id);
    // Back from the provider's page, nothing else on the page has focus: the news is here.
    const active = document.activeElement;
    if (view.attempt && (active === null || active === document.body)) this.#focusStatus = true;
  }

  /** Follows a change of state: focus, the QR image, the camera, the challenge's form. */
  #entered(previous: CheckoutState, next: CheckoutState): void {
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
    this.copied = false;
    this.#syncQrImage(next);
    if (next.name !== 'choosing') this.#camera?.stop();
    if (next.name === 'challenge') {
      // The issuer's fields are posted into the frame once it is on screen (renderChallenge), which
      // is once the card part is here.
      this.#postChallenge = next.action.method === 'POST' || Object.keys(next.action.fields).length > 0;
      this.#loadCard().catch(() => undefined);
    }
    // Leaving for the provider's page: what the shopper typed is here when they come back.
    const view = this.#view;
    if (next.name === 'redirecting' && view) saveFields(view.id, this.values);
  }

  #onCardToken(fields: Record<string, string>): void {
    const method = this.#selectedMethod();
    if (this.#state.name !== 'submitting' || !method?.tokenizer) return;
    // The frame's tokens go beside what the shopper typed in the checkout's own fields.
    void this.#checkout.pay(method, {
      fields: { ...this.#fields?.fieldValues(method.fields, this.values), ...fields },
    });
  }

  /** A buyer's code read by the camera or typed at the till; each code is sent once. */
  #charge(code: string): void {
    if (this.#state.name !== 'choosing') return;
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
    void this.#checkout.pay(method, { buyerCode: code });
  }

  /** Pays with what the shopper chose and typed, which this tab keeps for a round trip to the provider. */
  #pay(method: MethodView): void {
    const fields = this.#fields?.fieldValues(method.fields, this.values);
    const view = this.#view;
    if (view) saveFields(view.id, this.values);
    void this.#checkout.pay(method, fields && method.fields.length > 0 ? { fields } : {});
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

  /** Loads the card part (tokenizer frame and 3-D Secure); rejects when it cannot be fetched. */
  async #loadCard(): Promise<void> {
    const card = await loadPart('card');
    this.#cardPart = card;
    this.#card ??= new card.CardFrameController(this, {
      onToken: (fields) => this.#onCardToken(fields),
      onError: (text) => {
        if (this.#state.name !== 'submitting') return;
        this.note = { text };
        this.#checkout.chooseAgain();
      },
    });
    this.requestUpdate();
  }

  #syncQrImage(state: CheckoutState): void {
    const path = state.name === 'scanning' ? state.qr.modules.path : null;
    if (path === this.#qrImage?.path) return;
    this.#dropQrImage();
    if (state.name !== 'scanning') return;
    const modules = state.qr.modules;
    const image: { path: string; url: string | null } = { path: modules.path, url: null };
    this.#qrImage = image;
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

  /** The methods this mode offers: all of them, or at a till those that take a buyer's code. */
  #methods(): MethodView[] {
    const methods = this.#view?.methods ?? [];
    return this.mode === 'pos' ? methods.filter((method) => method.buyerCode) : methods;
  }

  #selectedMethod(): MethodView | null {
    return this.#methods().find((method) => method.id === this.selected) ?? null;
  }

  #methodOf(attempt: AttemptView): MethodView | null {
    return this.#view?.methods.find((method) => method.id === attempt.method) ?? null;
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

  #statusLine(): StatusLine {
    const t = this.#t;
    const phase = this.#state;
    const pos = this.mode === 'pos';
    const line = (text: string, tone: StatusLine['tone'] = 'plain'): StatusLine => ({ text, tone });
    switch (phase.name) {
      case 'loading':
        return line(t('loading'));
      case 'unavailable':
        return line(this.#errorText(phase.error, t('loadFailed')), 'error');
      case 'choosing':
        if (phase.error) return line(this.#errorText(phase.error, t('error.generic')), 'error');
        if (this.#methods().length === 0) return line(t('noMethods'), 'error');
        return line(pos ? t('posScan') : t('choose'));
      case 'submitting':
        return line(t('paying'));
      case 'scanning':
        return line(t('scan', { method: this.#methodLabelOf(phase.attempt) }));
      case 'redirecting':
        return line(t('redirecting', { method: this.#methodLabelOf(phase.attempt) }));
      case 'in-app':
        return line(t('inApp', { method: this.#methodLabelOf(phase.attempt) }));
      case 'challenge':
        return line(t('challenge'));
      case 'awaiting':
        return line(pos ? t('posConfirming') : t('awaiting'));
      case 'unsupported':
        return line(t('cardUnsupported'), 'error');
      case 'code-expired':
        return line(t('codeExpired'), 'error');
      case 'succeeded':
        return line(t('succeeded'), 'success');
      case 'failed': {
        // The BFF's own words (shopper-safe, wire.ts) when there is no translation for the code.
        const failure = phase.failure;
        const merchant = this.#view?.merchant.name ?? '';
        const reason = failure
          ? (t.maybe(`failure.${failure.code}`, { merchant }) ?? (failure.message ?? '').trim())
          : '';
        return line(reason ? `${t('failed')} ${reason}` : t('failed'), 'error');
      }
      case 'expired':
        return line(t('expired'), 'error');
      case 'canceled':
        return line(t('canceled'), 'error');
      case 'outcome':
        return this.#outcome?.outcomeStatus(t, phase.outcome) ?? line(t('loading'));
    }
  }

  private renderHeader(): TemplateResult | typeof nothing {
    const view = this.#view;
    const phase = this.#state;
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
    const settled = this.#state.name === 'succeeded' || this.#state.name === 'canceled';
    // One live region for both lines, so losing the connection is announced too. The status is the
    // screen's heading: focus moves to it when the screen changes under the shopper.
    return html`<div class="live" role="status" aria-live="polite">
      <h2 class="status ${tone === 'plain' ? '' : `is-${tone}`}" part="status" tabindex="-1">${text}</h2>
      ${
        this.#checkout.connection === 'reconnecting' && !settled
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
    const view = this.#view;
    const methods = this.#methods();
    if (!view || methods.length === 0) return nothing;
    const t = this.#t;
    const submitting = this.#state.name === 'submitting';
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
    const view = this.#view;
    const methods = this.#methods();
    const till = this.#till;
    if (!view || methods.length === 0 || !till || !this.#camera) return nothing;
    const submitting = this.#state.name === 'submitting';
    return till.renderTill({
      t: this.#t,
      methods: methods.length > 1 ? this.renderMethodList(methods, submitting) : nothing,
      note: this.renderNote(),
      amount: this.#amount(view),
      submitting,
      camera: this.#camera,
      onCode: (code) => this.onTypedCode(code),
    });
  }

  private renderQr(attempt: AttemptView, qr: QrAction): TemplateResult | typeof nothing {
    const part = this.#qr;
    const t = this.#t;
    // Until the QR screen is here (or if it cannot be fetched), the way back to the methods.
    if (!part) return this.renderChooseAnother();
    const view = this.#view;
    const method = this.#methodLabelOf(attempt);
    return part.renderQr({
      t,
      qr,
      label: t('qrLabel', { amount: view ? this.#amount(view) : '', method }),
      remainingMs: this.#checkout.countdown.remainingMs,
      openIn: this.#openInText(attempt),
      image: this.#qrImage?.url ?? null,
      copied: this.copied,
      onCopy: () => void this.onCopy(qr.content),
      chooseAnother: this.renderChooseAnother(),
    });
  }

  private renderChallenge(attempt: AttemptView, action: ChallengeAction): TemplateResult {
    // The frame is named after the attempt: unique on the page, even with two checkouts on it.
    const frame = this.#cardPart?.renderChallenge(action, `tender-challenge-${attempt.id}`, this.#t('challengeFrame'));
    return html`${frame ?? nothing} ${this.renderChooseAnother()}`;
  }

  private renderReturn(): TemplateResult | typeof nothing {
    const view = this.#view;
    return view?.returnUrl && isNavigableUrl(view.returnUrl)
      ? html`<a
          class="link-button ${this.#state.name === 'succeeded' ? 'primary' : 'secondary'}"
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
    const phase = this.#state;
    const pos = this.mode === 'pos';
    switch (phase.name) {
      case 'succeeded':
        return this.renderReturn();
      case 'failed':
        return phase.canRetry
          ? this.renderButton(pos ? t('posScanAgain') : t('tryAnother'), this.onChooseAgain)
          : html`${this.renderHint('expiredHint')} ${this.renderReturn()}`;
      case 'unsupported':
        return this.renderButton(t('tryAnother'), this.onChooseAgain);
      case 'code-expired':
        return html`${this.renderButton(t('newCode'), this.onNewCode)} ${this.renderChooseAnother()}`;
      case 'awaiting': {
        const action = phase.attempt.action;
        const resumable =
          !pos && (action?.type === 'redirect' || action?.type === 'app' || action?.type === 'challenge');
        return html`${this.renderHint(pos ? 'posConfirmingHint' : 'awaitingHint')}
        ${
          resumable
            ? this.renderButton(t('continueAt', { method: this.#methodLabelOf(phase.attempt) }), this.onContinue)
            : nothing
        }
        ${pos ? nothing : this.renderChooseAnother()}`;
      }
      case 'in-app':
        return this.renderChooseAnother();
      case 'expired':
      case 'canceled':
        return html`${this.renderHint(phase.name === 'expired' ? 'expiredHint' : 'startAgainHint')}
        ${this.renderReturn()}`;
      case 'outcome':
        return this.#outcome?.renderOutcome(t, phase.outcome) ?? nothing;
      case 'unavailable':
        if (phase.error.recoverable) {
          return this.renderButton(t('retry'), this.reload);
        }
        // No session to go back to: the shop's page is the way on, one step back in this tab.
        return html`${this.renderHint('startAgainHint')}
        ${history.length > 1 ? this.renderButton(t('goBack'), this.onBack, 'secondary') : nothing}`;
      default:
        return nothing;
    }
  }

  /** A button that is not the form's: Lit calls `onClick` with this element as `this`. */
  private renderButton(
    text: string,
    onClick: (this: TenderCheckout) => void,
    kind: 'primary' | 'secondary' = 'primary',
  ): TemplateResult {
    return html`<button type="button" class=${kind} part="button" @click=${onClick}>${text}</button>`;
  }

  /** "Choose another method": back to the method list, on every screen that waits for an attempt. */
  private renderChooseAnother(): TemplateResult {
    return this.renderButton(this.#t('chooseAnother'), this.onChooseAgain, 'secondary');
  }

  private renderBody(): TemplateResult | typeof nothing {
    const phase = this.#state;
    switch (phase.name) {
      case 'choosing':
      case 'submitting':
        return this.mode === 'pos' ? this.renderPos() : this.renderMethods();
      case 'scanning':
        return this.renderQr(phase.attempt, phase.qr);
      case 'challenge':
        return this.renderChallenge(phase.attempt, phase.action);
      default:
        return this.renderOutcome();
    }
  }

  override render(): TemplateResult {
    const t = this.#t;
    return html`<div class="base" part="base" lang=${t.locale} dir=${t.dir} aria-busy=${this.#state.name === 'loading'}>
      ${this.renderHeader()} ${this.renderStatus()} ${this.renderBody()}
    </div>`;
  }
}
