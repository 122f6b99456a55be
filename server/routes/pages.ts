/**
 * What the BFF serves to browsers besides JSON: the hosted checkout page, the script-tag bundle and
 * the page's stylesheet. The hosted page carries a strict CSP: no inline script or style, no eval.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Hono } from 'hono';
import { html } from 'hono/html';
import { languageDetector, type DetectorOptions } from 'hono/language';
import type { Checkout } from '../domain/checkout.ts';
import { secretsEqual } from '../domain/ids.ts';
import { SESSION_ID, type AppEnv } from '../http/middleware.ts';

export const HOSTED_PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  // The card issuer's 3-D Secure page and the card tokenizer live in frames from their own origins.
  'frame-src https: http://localhost:* http://127.0.0.1:*',
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
  app.get('/pay/:id', languageDetector(PAGE_LANGUAGE), async (c) => {
    const id = c.req.param('id');
    const secret = c.req.query('secret');
    const lang = c.get('language');
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

  /**
   * The widget's languages other than English, written by the build beside `tender.js` and
   * imported by it on demand. `import()` fetches modules with CORS, so a merchant's page on
   * another origin needs `Access-Control-Allow-Origin`; the files are public and carry no cookies.
   */
  app.get('/tender-locales/:file', async (c) => {
    const file = c.req.param('file');
    const locale = /^([a-z]{2}(?:-[A-Z][a-z]{3})?)\.js$/.exec(file)?.[1];
    if (!locale || !(WIDGET_LOCALES as readonly string[]).includes(locale)) return c.notFound();
    let source: string;
    try {
      source = await readFile(join(dirname(widgetBundlePath), 'tender-locales', file), 'utf8');
    } catch {
      return c.notFound();
    }
    c.header('Cache-Control', 'public, max-age=300');
    c.header('Access-Control-Allow-Origin', '*');
    c.header('Cross-Origin-Resource-Policy', 'cross-origin');
    return c.body(source, 200, { 'content-type': 'text/javascript; charset=utf-8' });
  });

  return app;
}

/** The widget's languages besides English (widget/i18n.ts `LOCALES`); the server does not import widget code. */
const WIDGET_LOCALES = ['zh-Hans', 'zh-Hant', 'th', 'vi', 'id', 'ms', 'km', 'ja', 'ko', 'ar'] as const;

/**
 * The hosted page's `lang` (Hono's `languageDetector`): the widget's language for the browser's
 * Accept-Language, best match first, English when none fits. Only the header decides, and nothing
 * is remembered in a cookie: the page is the shopper's for one payment.
 */
export const PAGE_LANGUAGE: Partial<DetectorOptions> = {
  order: ['header'],
  caches: false,
  supportedLanguages: ['en', ...WIDGET_LOCALES],
  fallbackLanguage: 'en',
  convertDetectedLanguage: widgetLocale,
};

/**
 * A language tag as the widget names it: Chinese by script (Traditional for `Hant` and for Taiwan,
 * Hong Kong and Macao), and `in`, Indonesian's old code, as `id`. Other tags are matched by their
 * language (`th-TH` is `th`) by the detector.
 */
function widgetLocale(tag: string): string {
  const [language = '', ...rest] = tag.toLowerCase().split('-');
  if (language === 'zh') {
    return rest.includes('hant') || rest.some((part) => ['tw', 'hk', 'mo'].includes(part)) ? 'zh-Hant' : 'zh-Hans';
  }
  return language === 'in' ? 'id' : tag;
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
