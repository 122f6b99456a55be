/**
 * The page a shopper meets inside a simulator (One1Pay's payment page, a wallet "scanning" a QR).
 * Plain HTML forms and no script, so it works under any CSP and on any phone. Buttons are named
 * exactly "Pay" and "Decline", and every colour pair meets WCAG 2.1 AA (4.5:1 for text, 3:1 for a
 * control's edge and the focus ring); `PAGE_COLOURS` lists the pairs so a test can measure them.
 */
import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';

export interface SandboxPageInput {
  /** Whose page this pretends to be, e.g. "One1Pay" or "WeChat Pay (sandbox wallet)". */
  title: string;
  merchant: string;
  /** Decimal string. */
  amount: string;
  currency: string;
  /** Form targets (POST) for the two buttons. */
  payAction: string;
  declineAction: string;
  /** Extra lines shown under the amount (order id, method). */
  details?: Array<[label: string, value: string]>;
  /** Set once the order is final: the page shows the outcome instead of the buttons. */
  outcome?: { text: string; continueUrl: string | null };
}

export function renderSandboxPage(input: SandboxPageInput): HtmlEscapedString | Promise<HtmlEscapedString> {
  const details = (input.details ?? []).map(
    ([label, value]) =>
      html`<dt>${label}</dt>
        <dd>${value}</dd>`,
  );
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <link rel="icon" href="data:," />
        <meta name="referrer" content="no-referrer" />
        <title>${input.title} — sandbox</title>
        <style>
          ${raw(PAGE_CSS)}
        </style>
      </head>
      <body>
        <main>
          <p class="badge">Sandbox — no real money moves</p>
          <h1>${input.title}</h1>
          <p class="merchant">Pay <strong>${input.merchant}</strong></p>
          <p class="amount"><span>${input.amount}</span> ${input.currency}</p>
          <dl>${details}</dl>
          ${
            input.outcome
              ? html`<p class="outcome" role="status">${input.outcome.text}</p>
                  ${input.outcome.continueUrl ? html`<p><a href="${input.outcome.continueUrl}">Return to the shop</a></p>` : ''}`
              : html`<div class="actions">
                  <form method="post" action="${input.payAction}"><button type="submit" class="pay">Pay</button></form>
                  <form method="post" action="${input.declineAction}">
                    <button type="submit" class="decline">Decline</button>
                  </form>
                </div>`
          }
        </main>
      </body>
    </html>`;
}

/**
 * The page's colours. Each text colour is used on the background named beside it; `edge` and
 * `focus` are non-text (a button's border, the focus ring) and need 3:1 against the card.
 */
export const PAGE_COLOURS = {
  page: '#f3f4f6',
  card: '#ffffff',
  text: '#111827',
  muted: '#4b5563',
  badgeText: '#92400e',
  badge: '#fef3c7',
  payText: '#ffffff',
  pay: '#15803d',
  declineText: '#111827',
  decline: '#e5e7eb',
  edge: '#4b5563',
  focus: '#1d4ed8',
  link: '#1d4ed8',
} as const;

/** [foreground, background, minimum ratio] for every pair the page shows. */
export const PAGE_CONTRAST_PAIRS: ReadonlyArray<[keyof typeof PAGE_COLOURS, keyof typeof PAGE_COLOURS, number]> = [
  ['text', 'page', 4.5],
  ['text', 'card', 4.5],
  ['muted', 'card', 4.5],
  ['badgeText', 'badge', 4.5],
  ['payText', 'pay', 4.5],
  ['declineText', 'decline', 4.5],
  ['link', 'card', 4.5],
  ['edge', 'card', 3],
  ['pay', 'card', 3],
  ['focus', 'card', 3],
];

const C = PAGE_COLOURS;
const PAGE_CSS = `
body{margin:0;font:16px/1.5 system-ui,sans-serif;background:${C.page};color:${C.text}}
main{max-width:26rem;margin:2rem auto;background:${C.card};border-radius:12px;padding:1.5rem;box-shadow:0 1px 4px #0002}
h1{font-size:1.25rem;margin:.25rem 0 1rem}
.badge{display:inline-block;background:${C.badge};color:${C.badgeText};border-radius:999px;padding:.1rem .6rem;font-size:.8rem;margin:0}
.amount{font-size:2rem;font-weight:600;margin:.25rem 0}
dl{display:grid;grid-template-columns:auto 1fr;gap:.25rem 1rem;font-size:.9rem;color:${C.muted}}
dd{margin:0;word-break:break-all}
a{color:${C.link}}
.actions{display:flex;gap:.75rem;margin-top:1.5rem}
.actions form{flex:1}
button{width:100%;font:inherit;font-weight:600;padding:.8rem;border-radius:8px;border:1px solid ${C.edge};cursor:pointer}
button:focus-visible{outline:3px solid ${C.focus};outline-offset:2px}
.pay{background:${C.pay};color:${C.payText};border-color:${C.pay}}
.decline{background:${C.decline};color:${C.declineText}}
.outcome{font-weight:600;margin-top:1.5rem}
`;
