/**
 * What the BFF serves to browsers besides JSON: the hosted checkout page and the script-tag bundle.
 * The hosted page carries a strict CSP: inline script and style only by their hashes, no eval.
 *
 * The script-tag bundle (`tender.js`) and the files it loads on demand (`tender-locales/<tag>.js`,
 * `tender-parts/<name>.js`, written beside it by `npm run build`) are served compressed (brotli or
 * gzip, by Accept-Encoding, compressed once per file version and kept in memory), each under two
 * names: the plain one, cached for five minutes, and one with the file's content hash
 * (`tender.<hash>.js`, the first 12 hex digits of the SHA-256 of its bytes), cached for a year as
 * immutable. The hosted page and `tender.js` itself ask for the hashed names (vite.config.ts
 * computes the same hash); a hashed name whose hash is not the file's is not found.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlib, gzip } from 'node:zlib';
import { Hono, type Context } from 'hono';
import { html, raw } from 'hono/html';
import { languageDetector, type DetectorOptions } from 'hono/language';
import type { CheckoutView } from '../../widget/wire.ts';
import type { Checkout } from '../domain/checkout.ts';
import type { Logger } from '../domain/log.ts';
import { secretsEqual } from '../domain/ids.ts';
import { cspHashSource } from '../http/csp.ts';
import { SESSION_ID, type AppEnv } from '../http/middleware.ts';
import { loadFirstScreens } from './first-screen.ts';

/**
 * The hosted page's own stylesheet, written into the page (no request holds its first paint), let
 * in by its hash. Light, or dark when the browser prefers it (as the element does without a
 * \`theme\`): the merchant's name and the notice meet WCAG AA contrast on either (16.3:1 and
 * 17.7:1 light, 18.3:1 and 16.1:1 dark).
 */
const PAGE_CSS = `
body{margin:0;font:16px/1.5 system-ui,sans-serif;background:#f5f5f7;color:#111827}
main{max-width:28rem;margin:0 auto;padding:1.5rem 1rem}
header h1{font-size:1.1rem;margin:0 0 1rem}
.notice{background:#fff;border-radius:12px;padding:1rem}
@media (prefers-color-scheme:dark){body{background:#030712;color:#f3f4f6}.notice{background:#111827}}
`;

const PAGE_CSS_SOURCE = cspHashSource(PAGE_CSS);
/** Built outside the page's template, so no formatting of it can change the hashed text. */
const PAGE_STYLE = raw(`<style>${PAGE_CSS}</style>`);

/**
 * The loader of a hosted page that shows the element's first screen, written into the page and
 * let in by its hash: once the browser reports the page's first contentful paint (where it reports
 * paints, else after the first frame) it adds module preloads for its `data-modules` and the
 * bundle named by its `data-bundle`. Nothing is fetched before: on a machine with few cores,
 * fetching and compiling the bundle while the page is parsed delays the paint that already shows
 * the method list (bench/RESULTS.md has the figures). A tab in the background paints nothing, and a
 * browser may not report paints at all: after 250 ms the files are added anyway (that timer is set
 * first).
 */
const PAGE_LOADER = `(() => {
  const { bundle, modules } = document.currentScript.dataset;
  let added = false;
  const add = () => {
    if (added) return;
    added = true;
    for (const href of modules.split(' ').filter(Boolean)) {
      const link = document.createElement('link');
      link.rel = 'modulepreload';
      link.href = href;
      document.head.append(link);
    }
    const script = document.createElement('script');
    script.src = bundle;
    document.head.append(script);
  };
  setTimeout(add, 250);
  try {
    if (!PerformanceObserver.supportedEntryTypes.includes('paint')) throw new Error('no paint entries');
    new PerformanceObserver((list, observer) => {
      if (!list.getEntries().some((entry) => entry.name === 'first-contentful-paint')) return;
      observer.disconnect();
      add();
    }).observe({ type: 'paint', buffered: true });
  } catch {
    requestAnimationFrame(() => setTimeout(add));
  }
})();
`;

const PAGE_LOADER_SOURCE = cspHashSource(PAGE_LOADER);

const HOSTED_PAGE_CSP = hostedPageCsp();

/**
 * The hosted page's CSP. Its inline stylesheets and script are let in by their hashes only: the
 * page's own stylesheet, and with `styleSource` (a page with a first screen, `first-screen.ts`)
 * that screen's stylesheet and the page's loader (`PAGE_LOADER`).
 */
function hostedPageCsp(styleSource?: string): string {
  return [
    "default-src 'none'",
    `script-src 'self'${styleSource ? ` ${PAGE_LOADER_SOURCE}` : ''}`,
    `style-src 'self' ${PAGE_CSS_SOURCE}${styleSource ? ` ${styleSource}` : ''}`,
    "connect-src 'self'",
    "img-src 'self' data:",
    // The card issuer's 3-D Secure page and the card tokenizer live in frames from their own origins.
    'frame-src https: http://localhost:* http://127.0.0.1:*',
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export function pageRoutes({
  checkout,
  log,
  widgetBundlePath,
}: {
  checkout: Checkout;
  log: Pick<Logger, 'warn'>;
  widgetBundlePath: string;
}) {
  const app = new Hono<AppEnv>();
  const assets = new WidgetAssets(dirname(widgetBundlePath));
  const bundleName = basename(widgetBundlePath);
  // Loaded once, from the start (the first page asked for does not wait for it), with the CSP that
  // lets its stylesheet in; null when there is no first screen to draw.
  const firstScreens = loadFirstScreens().then((screens) => {
    if ('unavailable' in screens) {
      log.warn('hosted pages are served without their first screen', { reason: screens.unavailable });
      return null;
    }
    return { draw: screens.draw, csp: hostedPageCsp(screens.styleSource) };
  });
  /** The bundle's long-cached URL for the hosted page, or the plain one when it is not built. */
  const bundleUrl = async () => {
    const bundle = await assets.get(bundleName);
    return bundle ? `/tender.${bundle.hash}.js` : '/tender.js';
  };

  /**
   * The files the element's first screen needs beside the bundle, for the page to fetch alongside
   * it (`page`): the page language's table (`import()`ed by the bundle, so a module preload) and,
   * when a method asks for fields, the fields part, which the element loads before drawing the
   * form. Each under the hashed name the bundle asks for; a file not built is left out.
   */
  const modulesFor = async (lang: string, view: CheckoutView) => {
    const names = [
      lang === 'en' ? null : `tender-locales/${lang}`,
      view.methods.some((method) => method.fields.length > 0) ? 'tender-parts/fields' : null,
    ];
    const urls = [];
    for (const name of names) {
      const asset = name ? await assets.get(`${name}.js`) : null;
      if (asset) urls.push(`/${name}.${asset.hash}.js`);
    }
    return urls;
  };

  /**
   * The hosted page. With `?secret=` it opens the session, and carries the session's first view
   * (what `GET /v1/checkout/:id` would answer) as a JSON data block the element reads instead of
   * asking for it (`CheckoutApi#firstView`), so the bundle and the session no longer load one after
   * the other. A data block is not script: the CSP stays as strict. Without a secret (the shopper
   * coming back from a provider's page, whose return URL must not carry the secret) it serves the
   * same shell with no session data: the element finds the secret it kept in this tab's
   * sessionStorage before leaving, or says the link is not valid. A session with no attempt yet
   * also gets its method list drawn into the element (`first-screen.ts`), painted with the page.
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
          null,
        ),
        404,
      );
    if (!SESSION_ID.test(id)) return notFound();
    const { name } = checkout.config.merchant;
    const bundle = await bundleUrl();
    if (secret === undefined) {
      return c.html(
        page(
          lang,
          `Pay ${name}`,
          html`<header><h1>${name}</h1></header>
            <tender-checkout session="${id}"></tender-checkout>`,
          { bundle, modules: [], afterFirstPaint: false },
        ),
      );
    }
    const found = await checkout.loadSessionWithLatestAttempt(id);
    if (!found || !secretsEqual(secret, found.session.clientSecret)) return notFound();
    const { session, attempt } = found;
    const view = await checkout.viewFor(session, attempt);
    const screens = await firstScreens;
    const screen = screens
      ? await screens.draw(view, lang).catch((error: unknown) => {
          // The element draws the screen itself: the page is served, and the log says why it was not drawn.
          log.warn('the first screen could not be drawn', { sessionId: session.id, error: String(error) });
          return null;
        })
      : null;
    if (screens && screen !== null) c.header('Content-Security-Policy', screens.csp);
    return c.html(
      page(
        lang,
        `Pay ${name}`,
        html`<header><h1>${name}</h1></header>
          <tender-checkout session="${session.id}" client-secret="${session.clientSecret}"
            >${screen === null ? '' : raw(screen)}</tender-checkout
          >
          <script type="application/json" id="tender-view-${session.id}">
            ${raw(jsonForScriptElement(view))}
          </script>`,
        { bundle, modules: await modulesFor(lang, view), afterFirstPaint: screen !== null },
      ),
    );
  });

  /**
   * Serves one of the widget's files: compressed when the browser takes it, with long caching
   * under its hashed name (`hash` given) and short caching under its plain one. `import()` fetches
   * the on-demand files with CORS, so a merchant's page on another origin needs
   * `Access-Control-Allow-Origin`; the files are public and carry no cookies.
   */
  const serve = async (c: Context<AppEnv>, file: string, hash: string | undefined) => {
    const asset = await assets.get(file);
    if (!asset || (hash !== undefined && hash !== asset.hash)) return null;
    const encoding = pickEncoding(c.req.header('accept-encoding'));
    c.header('Cache-Control', hash ? 'public, max-age=31536000, immutable' : 'public, max-age=300');
    c.header('ETag', `"${asset.hash}"`);
    c.header('Vary', 'Accept-Encoding');
    c.header('Access-Control-Allow-Origin', '*');
    c.header('Cross-Origin-Resource-Policy', 'cross-origin');
    c.header('X-Content-Type-Options', 'nosniff');
    if (c.req.header('if-none-match') === `"${asset.hash}"`) return c.body(null, 304);
    if (encoding !== 'identity') c.header('Content-Encoding', encoding);
    const body = encoding === 'br' ? asset.br : encoding === 'gzip' ? asset.gzip : asset.raw;
    return c.body(new Uint8Array(body), 200, { 'content-type': 'text/javascript; charset=utf-8' });
  };

  const bundle = async (c: Context<AppEnv>, hash: string | undefined) =>
    (await serve(c, bundleName, hash)) ??
    (hash
      ? c.notFound()
      : c.json(
          {
            error: {
              code: 'internal',
              message: 'the widget bundle is not built: run `npm run build`',
              requestId: c.get('requestId'),
            },
          },
          503,
        ));

  app.get('/tender.js', (c) => bundle(c, undefined));
  app.get('/:file{tender\\.[0-9a-f]{12}\\.js}', (c) =>
    bundle(c, /\.([0-9a-f]{12})\.js$/.exec(c.req.param('file'))?.[1]),
  );

  /** The widget's languages other than English and its on-demand parts, written by the build beside `tender.js`. */
  for (const [dir, names] of [
    ['tender-locales', WIDGET_LOCALES],
    ['tender-parts', WIDGET_PARTS],
  ] as const) {
    app.get(`/${dir}/:file`, async (c) => {
      const match = /^([a-zA-Z-]+?)(?:\.([0-9a-f]{12}))?\.js$/.exec(c.req.param('file'));
      const name = match?.[1];
      if (!name || !(names as readonly string[]).includes(name)) return c.notFound();
      return (await serve(c, `${dir}/${name}.js`, match[2])) ?? c.notFound();
    });
  }

  return app;
}

/** The widget's languages besides English (widget/i18n.ts `LOCALES`); the server does not import widget code. */
const WIDGET_LOCALES = ['zh-Hans', 'zh-Hant', 'th', 'vi', 'id', 'ms', 'km', 'ja', 'ko', 'ar'] as const;

/** The widget's parts loaded on demand (widget/parts.ts `PART_NAMES`). */
const WIDGET_PARTS = ['till', 'card', 'wallet', 'qr', 'redirect', 'stream', 'fields', 'outcome', 'logos'] as const;

interface WidgetAsset {
  /** First 12 hex digits of the SHA-256 of the file's bytes. */
  hash: string;
  raw: Buffer;
  gzip: Buffer;
  br: Buffer;
}

/**
 * The widget's built files under `dir`, each read and compressed once per version: a file whose
 * size or modification time changed (a rebuild while the BFF runs) is read again.
 */
class WidgetAssets {
  readonly #dir: string;
  readonly #cache = new Map<string, { version: string; asset: Promise<WidgetAsset> }>();

  constructor(dir: string) {
    this.#dir = dir;
  }

  /** The file at `file` (relative to the bundle's directory), or null when it is not there. */
  async get(file: string): Promise<WidgetAsset | null> {
    const path = join(this.#dir, file);
    let version: string;
    try {
      const info = await stat(path);
      if (!info.isFile()) return null;
      version = `${info.size}:${info.mtimeMs}`;
    } catch {
      return null;
    }
    const cached = this.#cache.get(file);
    if (cached?.version === version) return cached.asset;
    const asset = readFile(path).then(compressAsset);
    this.#cache.set(file, { version, asset });
    try {
      return await asset;
    } catch {
      this.#cache.delete(file);
      return null;
    }
  }
}

const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);

async function compressAsset(raw: Buffer): Promise<WidgetAsset> {
  const [gzipped, brotli] = await Promise.all([
    gzipAsync(raw, { level: 9 }),
    brotliAsync(raw, {
      params: {
        [zlib.BROTLI_PARAM_QUALITY]: zlib.BROTLI_MAX_QUALITY,
        [zlib.BROTLI_PARAM_MODE]: zlib.BROTLI_MODE_TEXT,
        [zlib.BROTLI_PARAM_SIZE_HINT]: raw.length,
      },
    }),
  ]);
  return { hash: createHash('sha256').update(raw).digest('hex').slice(0, 12), raw, gzip: gzipped, br: brotli };
}

/** `br` when the browser takes brotli, else `gzip` when it takes that, else the plain bytes. */
export function pickEncoding(header: string | undefined): 'br' | 'gzip' | 'identity' {
  const accepted = new Map<string, number>();
  for (const part of (header ?? '').split(',')) {
    const [name = '', ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const q = params.map((param) => param.trim()).find((param) => param.startsWith('q='));
    accepted.set(name, q ? Number(q.slice(2)) : 1);
  }
  const takes = (name: string) => {
    const q = accepted.get(name) ?? accepted.get('*');
    return q !== undefined && q > 0;
  };
  if (takes('br')) return 'br';
  if (takes('gzip')) return 'gzip';
  return 'identity';
}

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

/**
 * `value` as JSON to put inside a `<script>` element: `<`, `>` and `&` written as `\u003c` and so on,
 * so no text in it (a merchant's `</script>` or `<!--`) can end the element early, and U+2028 and
 * U+2029 escaped as well. `JSON.parse` reads it back unchanged.
 */
export function jsonForScriptElement(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** The direction of the widget's languages: right to left for Arabic (as widget/i18n.ts has it). */
const RIGHT_TO_LEFT = new Set(['ar']);

/** What a hosted page with the element loads: the widget's bundle and the modules it will ask for. */
interface PageScripts {
  bundle: string;
  modules: string[];
  /**
   * The page already shows the element's first screen: nothing is fetched until that is painted
   * (`PAGE_LOADER`). Else the page loads them at once (a deferred script and module preloads).
   */
  afterFirstPaint: boolean;
}

/** A hosted page; `scripts` is null for one without the element. */
function page(lang: string, title: string, body: unknown, scripts: PageScripts | null) {
  return html`<!doctype html>
    <html lang="${lang}" dir="${RIGHT_TO_LEFT.has(lang) ? 'rtl' : 'ltr'}">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <link rel="icon" href="data:," />
        <title>${title}</title>
        ${PAGE_STYLE} ${scripts === null ? '' : loading(scripts)}
      </head>
      <body>
        <main>${body}</main>
      </body>
    </html>`;
}

/** The head's part that loads the element: the inline loader, or the bundle and its preloads at once. */
function loading({ bundle, modules, afterFirstPaint }: PageScripts) {
  if (afterFirstPaint) {
    // Written as one string: the script's text must be exactly the hashed one, untouched by formatting.
    const attributes = `data-bundle="${attributeText(bundle)}" data-modules="${attributeText(modules.join(' '))}"`;
    return raw(`<script ${attributes}>${PAGE_LOADER}</script>`);
  }
  return html`${modules.map((href) => html`<link rel="modulepreload" href="${href}" />`)}
    <script src="${bundle}" defer></script>`;
}

/** `text` for a double-quoted attribute value. */
function attributeText(text: string): string {
  return text.replace(/[&"<>]/g, (char) => `&#${char.charCodeAt(0)};`);
}
