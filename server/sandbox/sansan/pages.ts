/**
 * What a shopper meets in the SanSan sandbox: the card tokenizer frame (standing in for Worldpay's
 * Checkout SDK) and the 3-D Secure challenge page. Both work under a strict CSP: no inline script;
 * scripts and styles are files served by the simulator itself.
 */
import { html } from 'hono/html';
import { renderSandboxPage, type SandboxPageInput } from '../kit/page.ts';

/** Headers for the tokenizer page: only its own origin for scripts, styles and fetches; framed only by `origin`. */
export function tokenizerCsp(frameAncestor: string): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "connect-src 'self'",
    "form-action 'none'",
    "base-uri 'none'",
    `frame-ancestors ${frameAncestor}`,
  ].join('; ');
}

/** The challenge page uses the shared page, whose styles are inline; its forms post to itself. */
export function challengeCsp(frameAncestor: string | null, returnOrigin: string | null): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'unsafe-inline'",
    // The shared page's empty icon (`data:,`), so the browser does not ask for /favicon.ico.
    'img-src data:',
    // Chrome checks form-action against a redirect's target too, so the return URL's origin is allowed.
    `form-action 'self'${returnOrigin ? ` ${returnOrigin}` : ''}`,
    "base-uri 'none'",
    ...(frameAncestor ? [`frame-ancestors ${frameAncestor}`] : []),
  ].join('; ');
}

export function tokenizerPage(input: { origin: string; showButton: boolean; merchantName: string }): Promise<string> {
  return Promise.resolve(
    html`<!doctype html>
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <meta name="referrer" content="no-referrer" />
          <title>Card details — sandbox</title>
          <link rel="stylesheet" href="tokenizer.css" />
        </head>
        <body>
          <form id="card" method="post" novalidate data-origin="${input.origin}" data-endpoint="tokenizer/sessions">
            <p class="badge">Sandbox card fields for ${input.merchantName} — use a test card</p>
            <div class="field">
              <label for="cardNumber">Card number</label>
              <input
                id="cardNumber"
                name="cardNumber"
                autocomplete="cc-number"
                inputmode="numeric"
                maxlength="23"
                required
                aria-describedby="cardNumber-error"
              />
              <p id="cardNumber-error" class="error" role="alert" hidden></p>
            </div>
            <div class="row">
              <div class="field">
                <label for="expiry">Expiry (MM/YY)</label>
                <input
                  id="expiry"
                  name="expiry"
                  autocomplete="cc-exp"
                  inputmode="numeric"
                  maxlength="7"
                  placeholder="MM/YY"
                  required
                  aria-describedby="expiry-error"
                />
                <p id="expiry-error" class="error" role="alert" hidden></p>
              </div>
              <div class="field">
                <label for="cvc">Security code</label>
                <input
                  id="cvc"
                  name="cvc"
                  autocomplete="cc-csc"
                  inputmode="numeric"
                  maxlength="4"
                  required
                  aria-describedby="cvc-error"
                />
                <p id="cvc-error" class="error" role="alert" hidden></p>
              </div>
            </div>
            <div class="field">
              <label for="holder">Name on card</label>
              <input
                id="holder"
                name="holder"
                autocomplete="cc-name"
                maxlength="100"
                required
                aria-describedby="holder-error"
              />
              <p id="holder-error" class="error" role="alert" hidden></p>
            </div>
            <button type="submit" ${input.showButton ? '' : 'hidden'}>Use this card</button>
          </form>
          <script src="tokenizer.js"></script>
        </body>
      </html>`,
  ).then(String);
}

/**
 * Every colour pair meets WCAG AA on the white the frame sits on: the button's white text 5.0:1 on
 * its green, the fields' edges 4.8:1 (3:1 needed for a control, WCAG 1.4.11), labels 10.3:1.
 */
export const TOKENIZER_CSS = `
body{margin:0;font:15px/1.4 system-ui,sans-serif;color:#111827;background:transparent}
form{padding:.25rem}
.badge{display:inline-block;background:#fef3c7;color:#92400e;border-radius:999px;padding:.1rem .6rem;font-size:.75rem;margin:0 0 .5rem}
.field{margin-bottom:.6rem;flex:1}
.row{display:flex;gap:.75rem}
label{display:block;font-size:.85rem;margin-bottom:.2rem;color:#374151}
input{box-sizing:border-box;width:100%;font:inherit;padding:.55rem .6rem;border:1px solid #6b7280;border-radius:6px}
input[aria-invalid=true]{border-color:#dc2626}
.error{color:#b91c1c;font-size:.8rem;margin:.2rem 0 0}
button{font:inherit;font-weight:600;padding:.6rem 1rem;border:0;border-radius:6px;background:#15803d;color:#fff;cursor:pointer}
`;

/**
 * The frame's behaviour. Messages to the parent go only to the origin the page was given:
 * `tender-card-token` {fields}, `tender-card-error` {message}, `tender-card-resize` {height}.
 * The parent may send `tender-card-submit` to submit the form (the widget's own Pay button).
 */
export const TOKENIZER_JS = `(() => {
  'use strict';
  const form = document.getElementById('card');
  const origin = form.dataset.origin;
  const endpoint = new URL(form.dataset.endpoint, location.href).href;
  const names = ['cardNumber', 'expiry', 'cvc', 'holder'];
  let busy = false;

  const tell = (message) => { if (parent !== window) parent.postMessage(message, origin); };
  const input = (name) => document.getElementById(name);

  function luhn(number) {
    if (!/^\\d{12,19}$/.test(number)) return false;
    let sum = 0;
    for (let i = 0; i < number.length; i += 1) {
      let digit = Number(number[number.length - 1 - i]);
      if (i % 2 === 1) { digit *= 2; if (digit > 9) digit -= 9; }
      sum += digit;
    }
    return sum % 10 === 0;
  }

  function problem(values) {
    const number = values.cardNumber.replace(/[\\s-]/g, '');
    if (!luhn(number)) return ['cardNumber', 'Card number is not valid.'];
    const expiry = /^\\s*(\\d{2})\\s*\\/\\s*(\\d{2}|\\d{4})\\s*$/.exec(values.expiry);
    if (!expiry || Number(expiry[1]) < 1 || Number(expiry[1]) > 12) return ['expiry', 'Expiry must be MM/YY.'];
    const year = expiry[2].length === 2 ? 2000 + Number(expiry[2]) : Number(expiry[2]);
    const today = new Date();
    if (year * 12 + Number(expiry[1]) < today.getFullYear() * 12 + today.getMonth() + 1) return ['expiry', 'This card has expired.'];
    const digits = /^3[47]/.test(number) ? 4 : 3;
    if (!new RegExp('^\\\\d{' + digits + '}$').test(values.cvc)) return ['cvc', 'Security code must be ' + digits + ' digits.'];
    if (!values.holder.trim()) return ['holder', 'Enter the name on the card.'];
    return null;
  }

  function clearErrors() {
    for (const name of names) {
      input(name).removeAttribute('aria-invalid');
      const error = document.getElementById(name + '-error');
      error.textContent = '';
      error.hidden = true;
    }
  }

  function showError(name, message) {
    const field = input(name) ? name : 'cardNumber';
    input(field).setAttribute('aria-invalid', 'true');
    const error = document.getElementById(field + '-error');
    error.textContent = message;
    error.hidden = false;
    input(field).focus();
    tell({ type: 'tender-card-error', message });
  }

  async function submit() {
    if (busy) return;
    clearErrors();
    const values = Object.fromEntries(names.map((name) => [name, input(name).value]));
    const found = problem(values);
    if (found) { showError(found[0], found[1]); return; }
    busy = true;
    try {
      const response = await fetch(endpoint, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(values),
        credentials: 'omit',
      });
      const body = await response.json();
      if (!response.ok) { showError(body.field, body.error || 'This card was not accepted.'); return; }
      tell({
        type: 'tender-card-token',
        fields: { sessionCard: body.sessionCard, sessionCvc: body.sessionCvc, sessionId: body.sessionId, cardHolderName: values.holder.trim() },
      });
    } catch {
      showError('cardNumber', 'The card service could not be reached. Try again.');
    } finally {
      busy = false;
    }
  }

  form.addEventListener('submit', (event) => { event.preventDefault(); void submit(); });
  window.addEventListener('message', (event) => {
    if (event.origin !== origin || event.source !== parent) return;
    if (event.data && event.data.type === 'tender-card-submit') void submit();
  });
  input('expiry').addEventListener('input', (event) => {
    const el = event.target;
    if (/^\\d{2}$/.test(el.value) && !(event.inputType || '').startsWith('delete')) el.value += '/';
  });

  let lastHeight = 0;
  const resize = () => {
    // The content's own height (the document's is at least the frame's).
    const height = Math.ceil(document.body.getBoundingClientRect().height);
    if (height !== lastHeight) { lastHeight = height; tell({ type: 'tender-card-resize', height }); }
  };
  new ResizeObserver(resize).observe(document.body);
  resize();
})();
`;

/** Posts `tender-challenge-done` to the parent frame; the page says where in its data attribute. */
export const CHALLENGE_DONE_JS = `(() => {
  'use strict';
  const origin = document.currentScript.dataset.origin || '*';
  // Carries nothing but the fact: the merchant learns the outcome from its server.
  if (parent !== window) parent.postMessage({ type: 'tender-challenge-done' }, origin);
})();
`;

/** The shared Pay/Decline page, with the frame-notifying script added once the challenge is over. */
export async function challengePage(
  input: SandboxPageInput,
  notify: { origin: string | null } | null,
): Promise<string> {
  const page = String(await renderSandboxPage(input));
  if (!notify) return page;
  const script = String(await html`<script src="challenge-done.js" data-origin="${notify.origin ?? ''}"></script>`);
  return page.replace('</body>', `${script}</body>`);
}
