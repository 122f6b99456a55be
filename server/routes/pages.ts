/**
 * What the BFF serves to browsers besides JSON: the hosted checkout page, the script-tag bundle and
 * the page's stylesheet. The hosted page carries a strict CSP: no inline script or style, no eval.
 */
import { readFile } from 'node:fs/promises';
import { Hono } from 'hono';
import { html } from 'hono/html';
import type { Checkout } from '../domain/checkout.ts';
import { secretsEqual } from '../domain/ids.ts';
import { SESSION_ID, type AppEnv } from '../http/middleware.ts';

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

  /**
   * The hosted page. With `?secret=` it opens the session. Without one (the shopper coming back from
   * a provider's page, whose return URL must not carry the secret) it serves the same shell with no
   * session data: the element finds the secret it kept in this tab's sessionStorage before leaving,
   * or says the link is not valid.
   */
  app.get('/pay/:id', async (c) => {
    const id = c.req.param('id');
    const secret = c.req.query('secret');
    const lang = pickLanguage(c.req.header('accept-language'));
    c.header('Content-Security-Policy', HOSTED_PAGE_CSP);
    c.header('Referrer-Policy', 'no-referrer');
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Cache-Control', 'no-store');
    const notFound = () =>
      c.html(
        page(
          'en',
          'Checkout not found',
          html`<p class="notice">This checkout link is not valid. Please return to the shop and start again.</p>`,
        ),
        404,
      );
    if (!SESSION_ID.test(id)) return notFound();
    const { name } = checkout.config.merchant;
    if (secret === undefined) {
      return c.html(
        page(
          lang,
          `Pay ${name}`,
          html`<header><h1>${name}</h1></header>
            <tender-checkout session="${id}"></tender-checkout>`,
        ),
      );
    }
    const session = await checkout.loadSession(id);
    if (!session || !secretsEqual(secret, session.clientSecret)) return notFound();
    return c.html(
      page(
        lang,
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

/** The languages the widget has tables for, best match for the browser's Accept-Language first. */
const LANGUAGES = ['en', 'th', 'zh-CN'] as const;

export function pickLanguage(header: string | undefined): (typeof LANGUAGES)[number] {
  const wanted = (header ?? '')
    .split(',')
    .map((part) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.find((param) => param.trim().startsWith('q='));
      return { tag: tag.toLowerCase(), q: q ? Number(q.trim().slice(2)) : 1 };
    })
    .filter((entry) => entry.tag && entry.q > 0)
    .sort((a, b) => b.q - a.q);
  for (const { tag } of wanted) {
    if (tag.startsWith('th')) return 'th';
    if (tag.startsWith('zh')) return 'zh-CN';
    if (tag.startsWith('en')) return 'en';
  }
  return 'en';
}

function page(lang: string, title: string, body: unknown) {
  return html`<!doctype html>
    <html lang="${lang}">
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
