/**
 * A small merchant shop that uses Tender the way a merchant would: its server creates checkout
 * sessions through the BFF's secret-key API, and its pages show the checkout three ways — the
 * script-tag embed, the npm import, and the BFF's hosted page. The order is confirmed from the
 * server side (GET /v1/sessions/:id), never from browser events.
 */
import { Hono } from 'hono';
import { html } from 'hono/html';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { SIGNATURE_HEADER, verifyWebhookSignature } from '../server/domain/webhooks.ts';

export interface ShopOptions {
  /** The BFF's public URL, e.g. http://localhost:8787. */
  bffUrl: string;
  /** The merchant secret key for the BFF's API; stays on this server. */
  secretKey: string;
  /** This shop's own public URL, e.g. http://localhost:8788. */
  publicUrl: string;
  /** Secret that signs Tender's webhooks to /webhooks/tender (`merchant.webhookSecret`). */
  webhookSecret?: string;
  fetch?: typeof fetch;
}

interface Product {
  id: string;
  name: string;
  blurb: string;
  amount: string;
  currency: string;
  pays: string;
}

const PRODUCTS: Product[] = [
  {
    id: 'silk-scarf',
    name: 'Thai silk scarf',
    blurb: 'Hand-woven in Chiang Mai.',
    amount: '450.00',
    currency: 'THB',
    pays: 'One1Pay: Thai QR or TrueMoney',
  },
  {
    id: 'tea-set',
    name: 'Maple tea set',
    blurb: 'Four cups and a pot.',
    amount: '38.00',
    currency: 'CAD',
    pays: 'OTT Pay: WeChat Pay, Alipay or UnionPay',
  },
  {
    id: 'kampot-pepper',
    name: 'Kampot pepper',
    blurb: 'Red peppercorns from Kampot, 250 g.',
    amount: '12.50',
    currency: 'USD',
    pays: 'KessPay: WeChat Pay or Alipay; cards',
  },
];

const MODES = {
  script: 'Script-tag embed',
  npm: 'npm import',
  hosted: 'Hosted page',
} as const;
type Mode = keyof typeof MODES;

interface Order {
  ref: string;
  product: Product;
  mode: Mode;
  sessionId: string;
  clientSecret: string;
  hostedUrl: string;
  /** Webhook types received for this order, in order of arrival. */
  webhooks: string[];
}

const assetsDir = fileURLToPath(new URL('./public/', import.meta.url));

/**
 * The order page's CSP, as strict as a merchant's should be: scripts from the shop and from the
 * BFF (tender.js), requests to the same two (the checkout API and its event stream), styles from
 * the shop only, and nothing inline anywhere. The checkout must work under it.
 */
export function orderPageCsp(bffUrl: string): string {
  const bff = new URL(bffUrl).origin;
  return [
    "default-src 'none'",
    `script-src 'self' ${bff}`,
    `connect-src 'self' ${bff}`,
    // The card fields and 3-D Secure pages are frames from the card tokenizer's origin (the BFF's sandbox here).
    `frame-src ${bff}`,
    "style-src 'self'",
    "img-src 'self' data:",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
/** The fields of Tender's session reply (`POST /v1/sessions`, `GET /v1/sessions/:id`) the shop reads. */
interface SessionReply {
  id: string;
  clientSecret: string;
  url: string;
  status: string;
}

const bundleDir = fileURLToPath(new URL('../dist/demo/', import.meta.url));

export function createShop({ bffUrl, secretKey, publicUrl, webhookSecret, fetch: fetchImpl = fetch }: ShopOptions) {
  const orders = new Map<string, Order>();
  const app = new Hono();

  async function bff(path: string, init: RequestInit = {}): Promise<SessionReply> {
    const response = await fetchImpl(`${bffUrl}${path}`, {
      ...init,
      headers: {
        authorization: `Bearer ${secretKey}`,
        'content-type': 'application/json',
        ...(init.headers as Record<string, string>),
      },
    });
    const body = (await response.json()) as SessionReply & { error?: { message?: string } };
    if (!response.ok) throw new Error(`Tender answered ${response.status}: ${body.error?.message ?? 'error'}`);
    return body;
  }

  app.get('/', (c) =>
    c.html(
      layout(
        'Demo Shop',
        html`<h1>Demo Shop</h1>
          <p class="lead">A merchant shop paying through Tender's sandbox. No real money moves.</p>
          ${PRODUCTS.map(
            (product) =>
              html`<section class="product">
                <h2>${product.name}</h2>
                <p>${product.blurb}</p>
                <p class="price">${product.amount} ${product.currency}</p>
                <p class="pays">${product.pays}</p>
                <form method="post" action="/checkout">
                  <input type="hidden" name="product" value="${product.id}" />
                  ${Object.entries(MODES).map(
                    ([mode, label]) => html`<button type="submit" name="mode" value="${mode}">Buy — ${label}</button>`,
                  )}
                </form>
              </section>`,
          )}
          <section class="product">
            <h2>The till</h2>
            <p>A cashier charges a buyer's WeChat Pay or Alipay payment code (KessPay QUICK PAY).</p>
            <form method="post" action="/till">
              <label
                >Amount (USD)
                <input name="amount" inputmode="decimal" pattern="[0-9]+(\\.[0-9]{2})?" value="8.00" required
              /></label>
              <button type="submit">Open the till</button>
            </form>
          </section>`,
      ),
    ),
  );

  /** A point-of-sale session: the widget in `mode="pos"` scans the buyer's payment code. */
  app.post('/till', async (c) => {
    const form = await c.req.parseBody();
    const amount = typeof form.amount === 'string' ? form.amount : '';
    if (!/^[0-9]{1,6}(\.[0-9]{2})?$/.test(amount)) return c.text('Enter an amount such as 8.00', 400);
    const ref = `till-${randomUUID().slice(0, 8)}`;
    const session = await bff('/v1/sessions', {
      method: 'POST',
      headers: { 'idempotency-key': ref },
      body: JSON.stringify({
        amount,
        currency: 'USD',
        reference: ref,
        description: 'Till sale',
        methods: ['kesspay.wechat', 'kesspay.alipay'],
      }),
    });
    c.header('Content-Security-Policy', orderPageCsp(bffUrl));
    return c.html(
      layout(
        `Till ${ref}`,
        html`<h1>Till</h1>
          <p class="price">${amount} USD</p>
          <tender-checkout
            mode="pos"
            session="${session.id}"
            client-secret="${session.clientSecret}"
            api="${bffUrl}"
          ></tender-checkout>
          <p><a href="/">Back to the shop</a></p>`,
        html`<script src="${bffUrl}/tender.js" defer></script>`,
      ),
    );
  });

  app.post('/checkout', async (c) => {
    const form = await c.req.parseBody();
    const product = PRODUCTS.find((candidate) => candidate.id === form.product);
    const mode = (typeof form.mode === 'string' ? form.mode : '') as Mode;
    if (!product || !(mode in MODES)) return c.text('Unknown product or checkout mode', 400);
    const ref = `order-${randomUUID().slice(0, 8)}`;
    const session = await bff('/v1/sessions', {
      method: 'POST',
      headers: { 'idempotency-key': ref },
      body: JSON.stringify({
        amount: product.amount,
        currency: product.currency,
        reference: ref,
        description: product.name,
        returnUrl: `${publicUrl}/order/${ref}`,
        customer: { email: 'shopper@example.com', phone: '66812345678' },
      }),
    });
    orders.set(ref, {
      ref,
      product,
      mode,
      sessionId: session.id,
      clientSecret: session.clientSecret,
      hostedUrl: session.url,
      webhooks: [],
    });
    return c.redirect(mode === 'hosted' ? session.url : `/order/${ref}`, 303);
  });

  app.get('/order/:ref', (c) => {
    const order = orders.get(c.req.param('ref'));
    if (!order)
      return c.html(
        layout(
          'Order not found',
          html`<h1>Order not found</h1>
            <p><a href="/">Back to the shop</a></p>`,
        ),
        404,
      );
    const checkout = html`<tender-checkout
      session="${order.sessionId}"
      client-secret="${order.clientSecret}"
      api="${bffUrl}"
    ></tender-checkout>`;
    const script =
      order.mode === 'npm'
        ? html`<script type="module" src="/assets/shop.js"></script>`
        : html`<script src="${bffUrl}/tender.js" defer></script>`;
    c.header('Content-Security-Policy', orderPageCsp(bffUrl));
    return c.html(
      layout(
        `Order ${order.ref}`,
        html`<h1>${order.product.name}</h1>
          <p class="price">${order.product.amount} ${order.product.currency}</p>
          <p class="mode">Checkout: ${order.mode === 'hosted' ? MODES.script : MODES[order.mode]}</p>
          <p id="order-status" class="order-status" data-ref="${order.ref}" role="status">Waiting for payment.</p>
          ${checkout}
          <p><a href="/">Back to the shop</a></p>`,
        html`${script}
          <script type="module" src="/assets/order.js"></script>`,
      ),
    );
  });

  /** The shop's own, server-side view of the order: what releases goods. */
  app.get('/order/:ref/status', async (c) => {
    const order = orders.get(c.req.param('ref'));
    if (!order) return c.json({ error: 'unknown order' }, 404);
    const session = await bff(`/v1/sessions/${order.sessionId}`);
    return c.json({
      ref: order.ref,
      status: session.status,
      paid: session.status === 'succeeded',
      webhooks: order.webhooks,
    });
  });

  /** Tender's signed webhooks. A merchant would mark the order paid here and ship the goods. */
  app.post('/webhooks/tender', async (c) => {
    const body = await c.req.text();
    if (!webhookSecret || !verifyWebhookSignature(c.req.header(SIGNATURE_HEADER), body, webhookSecret)) {
      return c.json({ error: 'bad signature' }, 400);
    }
    const event = JSON.parse(body) as { type: string; data: { session: { reference: string } } };
    orders.get(event.data.session.reference)?.webhooks.push(event.type);
    return c.json({ received: true });
  });

  // shop.js and the chunks the bundler split from it (the widget's languages and parts, `th-<hash>.js`).
  app.get('/assets/:file{[A-Za-z0-9_-]+\\.(?:js|css)}', async (c) => {
    const file = c.req.param('file');
    const dir = file === 'shop.js' || /-[A-Za-z0-9_-]{8}\.js$/.test(file) ? bundleDir : assetsDir;
    try {
      const body = await readFile(dir + file, 'utf8');
      return c.body(body, 200, { 'content-type': file.endsWith('.css') ? 'text/css' : 'text/javascript' });
    } catch {
      return c.text(file === 'shop.js' ? 'not built: run npm run build' : 'not found', 404);
    }
  });

  return app;
}

function layout(title: string, body: unknown, scripts: unknown = '') {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <link rel="icon" href="data:," />
        <title>${title}</title>
        <link rel="stylesheet" href="/assets/shop.css" />
        ${scripts}
      </head>
      <body>
        <main>${body}</main>
      </body>
    </html>`;
}
