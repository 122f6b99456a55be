/**
 * The page a shopper meets inside a simulator (One1Pay's payment page, a wallet "scanning" a QR).
 * Plain HTML forms and no script, so it works under any CSP and on any phone. Buttons are named
 * exactly "Pay" and "Decline" (DESIGN.md, Sandbox).
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

const PAGE_CSS = `
body{margin:0;font:16px/1.5 system-ui,sans-serif;background:#f3f4f6;color:#111827}
main{max-width:26rem;margin:2rem auto;background:#fff;border-radius:12px;padding:1.5rem;box-shadow:0 1px 4px #0002}
h1{font-size:1.25rem;margin:.25rem 0 1rem}
.badge{display:inline-block;background:#fef3c7;color:#92400e;border-radius:999px;padding:.1rem .6rem;font-size:.8rem;margin:0}
.amount{font-size:2rem;font-weight:600;margin:.25rem 0}
dl{display:grid;grid-template-columns:auto 1fr;gap:.25rem 1rem;font-size:.9rem;color:#4b5563}
dd{margin:0;word-break:break-all}
.actions{display:flex;gap:.75rem;margin-top:1.5rem}
.actions form{flex:1}
button{width:100%;font:inherit;font-weight:600;padding:.8rem;border-radius:8px;border:0;cursor:pointer}
.pay{background:#16a34a;color:#fff}
.decline{background:#e5e7eb;color:#111827}
.outcome{font-weight:600;margin-top:1.5rem}
`;
