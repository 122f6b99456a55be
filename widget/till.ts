/**
 * The till (`mode="pos"`), loaded on demand (`parts.ts`): the form where the cashier types or scans
 * the buyer's payment code, and the camera that reads it. The element keeps the session, the state
 * and the codes already charged; this part draws the screen, reads the typed code and starts the
 * camera.
 */
import { html, nothing, type TemplateResult } from 'lit/html.js';
import { BUYER_CODE, canScan, type CodeScannerController } from './code-scanner.ts';
import type { Translator } from './i18n.ts';

export { CodeScannerController } from './code-scanner.ts';

/** What the till's screen shows, handed over by the element on each render. */
export interface TillScreen {
  t: Translator;
  /** The method radios, shared with the checkout (only when there is more than one method). */
  methods: TemplateResult | typeof nothing;
  /** The note under the form (a code check's message), or nothing. */
  note: TemplateResult | typeof nothing;
  amount: string;
  submitting: boolean;
  camera: CodeScannerController;
  /** The form was sent: the buyer's code typed in it, or null when it is not one. */
  onCode(code: string | null): void;
}

/** The buyer's code typed into the till's form, spaces dropped; null when it is not one (the form is left as it was). */
function readBuyerCode(form: HTMLFormElement): string | null {
  const input = form.elements.namedItem('code') as HTMLInputElement | null;
  const code = (input?.value ?? '').replace(/\s+/g, '');
  if (!BUYER_CODE.test(code)) return null;
  if (input) input.value = '';
  return code;
}

export function renderTill(screen: TillScreen): TemplateResult {
  const { t, submitting, camera } = screen;
  // The camera's picture is shown in the video beside the button.
  const startCamera = (event: Event): void => {
    const video = ((event.currentTarget as Element).getRootNode() as ParentNode).querySelector('video');
    if (video) void camera.start(video);
  };
  const submit = (event: SubmitEvent): void => {
    event.preventDefault();
    screen.onCode(readBuyerCode(event.currentTarget as HTMLFormElement));
  };
  const invalid = screen.note !== nothing;
  return html`${screen.methods}
    ${
      canScan() && camera.state !== 'unavailable'
        ? html`<video class="camera" part="camera" ?hidden=${camera.state !== 'on'} muted playsinline></video> ${
              camera.state === 'on'
                ? nothing
                : html`<button
                    type="button"
                    class="secondary"
                    part="button"
                    ?disabled=${submitting}
                    @click=${startCamera}
                  >
                    ${t('posCamera')}
                  </button>`
            }`
        : nothing
    }
    <form part="form" novalidate @submit=${submit}>
      <div class="field" part="field">
        <label for="buyer-code" part="label">${t('posCode')}</label>
        <input
          id="buyer-code"
          name="code"
          part="input"
          inputmode="numeric"
          autocomplete="off"
          enterkeyhint="go"
          maxlength="24"
          ?disabled=${submitting}
          aria-invalid=${invalid ? 'true' : 'false'}
          aria-describedby=${invalid ? 'form-note' : nothing}
        />
      </div>
      ${screen.note}
      <button type="submit" class="primary" part="pay-button" ?disabled=${submitting}>
        ${submitting ? t('paying') : t('posCharge', { amount: screen.amount })}
      </button>
    </form>`;
}
