/**
 * What the BFF serves to browsers besides JSON: the hosted checkout page, the script-tag bundle and
 * the page's stylesheet. The hosted page carries a strict CSP: no inline script or style, no eval.
 */
import { readFile } from 'node:fs/promises';
import { Hono } from 'hono';
import { html } from 'hono/html';
import type { Checkout } from '../domain/checkout.ts';
import { secretsEqual } from '../domain/ids.ts';
import type { AppEnv } from '../http/middleware.ts';

export const HOSTED_PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

export function pageRoutes({ checkout, widgetBundlePath }: { checkout: Checkout; widgetBundlePath: string }) {
  const app = new Hono<AppEnv>();

  app.get('/pay/:id', async (c) => {
    const id = c.req.param('id');
    const secret = c.req.query('secret') ?? '';
    const session = /^ses_[A-Za-z0-9]{1,40}$/.test(id) && secret ? await checkout.loadSession(id) : null;
    c.header('Content-Security-Policy', HOSTED_PAGE_CSP);
    c.header('Referrer-Policy', 'no-referrer');
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Cache-Control', 'no-store');
    if (!session || !secretsEqual(secret, session.clientSecret)) {
      return c.html(
        page(
          'Checkout not found',
          html`<p class="notice">This checkout link is not valid. Please return to the shop and start again.</p>`,
        ),
        404,
      );
    }
    const { name } = checkout.config.merchant;
    return c.html(
      page(
        `Pay ${name}`,
        html`<header><h1>${name}</h1></header>
          <tender-checkout session="${session.id}" client-secret="${session.clientSecret}"></tender-checkout>`,
      ),
    );
  });

  app.get('/pay.css', (c) => {
    c.header('Cache-Control', 'public, max-age=300');
    return c.body(PAGE_CSS, 200, { 'content-type': 'text/css; charset=utf-8' });
  });

  app.get('/tender.js', async (c) => {
    let bundle: string;
    try {
      bundle = await readFile(widgetBundlePath, 'utf8');
    } catch {
      return c.json(
        {
          error: {
            code: 'internal',
            message: 'the widget bundle is not built: run `npm run build`',
            requestId: c.get('requestId'),
          },
        },
        503,
      );
    }
    c.header('Cache-Control', 'public, max-age=300');
    c.header('Cross-Origin-Resource-Policy', 'cross-origin');
    return c.body(bundle, 200, { 'content-type': 'text/javascript; charset=utf-8' });
  });

  return app;
}

function page(title: string, body: unknown) {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <link rel="icon" href="data:," />
        <title>${title}</title>
        <link rel="stylesheet" href="/pay.css" />
        <script src="/tender.js" defer></script>
      </head>
      <body>
        <main>${body}</main>
      </body>
    </html>`;
}

const PAGE_CSS = `
body{margin:0;font:16px/1.5 system-ui,sans-serif;background:#f5f5f7;color:#111827}
main{max-width:28rem;margin:0 auto;padding:1.5rem 1rem}
header h1{font-size:1.1rem;margin:0 0 1rem}
.notice{background:#fff;border-radius:12px;padding:1rem}
`;
