/**
 * SanSan Fintech ("33fintech") simulator: the card pay-in API at `POST /api/v2/pay`, its webhooks,
 * a card tokenizer frame standing in for Worldpay's Checkout SDK, a 3-D Secure challenge page, and
 * test controls. Written from SanSan's document; docs/providers/sansan.md is the reference for every
 * field, outcome, error code, test card and control, and for the conventions where SanSan is silent.
 *
 * Strict as the real API would be: a wrong or missing bearer token is HTTP 401; a body that is not
 * the JSON envelope `{service, bizContent, sign}` is HTTP 400; bizContent that does not decrypt under
 * the merchant's AES key, a sign that does not verify with the merchant's public key, an unknown
 * service, a missing or malformed field and a state the order is not in are refused in a sealed
 * answer `{status:-1, errorCode, errorMessage, data:null}`.
 *
 * State (payers, orders, card tokens, webhook deliveries) lives in memory for the life of the app.
 */
import { generateKeyPairSync, timingSafeEqual, type KeyObject } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { CardVault } from './cards.ts';
import {
  aesEncrypt,
  aesKeyFromBase64,
  open,
  privateKeyFromPem,
  publicKeyFromPem,
  rsaSignText,
  seal,
} from './crypto.ts';
import { Refusal, dollars, httpOrigin, toJson, type ErrorCode } from './fields.ts';
import { Ledger, type Order } from './orders.ts';
import {
  CHALLENGE_DONE_JS,
  TOKENIZER_CSS,
  TOKENIZER_JS,
  challengeCsp,
  challengePage,
  tokenizerCsp,
  tokenizerPage,
} from './pages.ts';
import { DEFAULT_WEBHOOK_RETRY, Notifier, type WebhookDelivery, type WebhookRetry } from './webhooks.ts';

export { generateSanSanSandboxKeys } from './crypto.ts';
export type { SanSanSandboxKeys } from './crypto.ts';
export type { WebhookDelivery, WebhookRetry } from './webhooks.ts';

export interface SanSanSimulatorOptions {
  /** This simulator's own base URL, e.g. "http://localhost:8787/sandbox/sansan". */
  publicUrl: string;
  /** Base64 of the merchant's 16-byte AES key. */
  aesKey: string;
  /** The bearer token the merchant must send. */
  token: string;
  /** PEM SPKI: verifies merchant requests. */
  merchantPublicKey: string;
  /** PEM PKCS#8: signs answers and webhooks. */
  platformPrivateKey: string;
  merchantName: string;
  /** Delivers webhooks. */
  fetch: typeof fetch;
  /** The webhook URL "registered in the merchant backend"; also settable by a control. */
  webhookUrl?: string;
  now?: () => Date;
  webhookRetry?: Partial<WebhookRetry>;
  /** Lifetime of an order's payment link (`linkExpiry`); 30 minutes unless set. */
  orderTtlMs?: number;
}

type Fault = 'none' | 'http500' | 'garbage' | 'slow' | 'hang' | 'huge';
const SERVICES = ['createPayer', 'createOrder', 'checkoutOrder', 'payOrder', 'queryOrder', 'refundOrder'] as const;
type Service = (typeof SERVICES)[number];

const faultBody = z.object({
  mode: z.enum(['none', 'http500', 'garbage', 'slow', 'hang', 'huge']),
  delayMs: z.number().int().min(0).max(600_000).optional(),
});
const webhookUrlBody = z.object({
  url: z
    .string()
    .url()
    .refine((url) => httpOrigin(new URL(url).origin) !== null)
    .nullable(),
});
const refundModeBody = z.object({ mode: z.enum(['complete', 'hold']) });

export function createSanSanSimulator(options: SanSanSimulatorOptions): Hono {
  const publicUrl = options.publicUrl.replace(/\/+$/, '');
  const now = options.now ?? (() => new Date());
  const aesKey = aesKeyFromBase64(options.aesKey);
  const merchantKey = publicKeyFromPem(options.merchantPublicKey);
  const platformKey = privateKeyFromPem(options.platformPrivateKey);
  const token = Buffer.from(options.token, 'utf8');
  const retry: WebhookRetry = { ...DEFAULT_WEBHOOK_RETRY, ...options.webhookRetry };
  const notifier = new Notifier(options.fetch, retry, now);
  const vault = new CardVault(now);

  let webhookUrl: string | null = options.webhookUrl ?? null;
  let fault: { mode: Fault; delayMs: number | undefined } = { mode: 'none', delayMs: undefined };
  const deliveries = new Map<string, WebhookDelivery[]>();
  /** First tries of the notifications a control caused, which the control awaits. */
  let collecting: Array<Promise<void>> | null = null;

  const ledger = new Ledger({
    publicUrl,
    vault,
    now,
    orderTtlMs: options.orderTtlMs ?? 30 * 60_000,
    onChange: (order) => notify(order, null),
  });

  const app = new Hono();

  // --- the API -------------------------------------------------------------------------------

  app.post('/api/v2/pay', async (c) => {
    if (fault.mode === 'http500') return c.text('Internal Server Error', 500);
    const answer = await handleApi(c);
    switch (fault.mode) {
      case 'garbage':
        return c.body('<html><body>502 Bad Gateway</body></html>\u0000{"statusCode":', 200, {
          'Content-Type': 'application/json',
        });
      case 'huge':
        return c.body(`{"statusCode":0,"bizContent":"${'A'.repeat(16 * 1024 * 1024)}","sign":""}`, 200, {
          'Content-Type': 'application/json',
        });
      case 'slow':
        await sleep(fault.delayMs ?? 3_000, c.req.raw.signal);
        return answer;
      case 'hang':
        // No answer until the client gives up; `delayMs` bounds the wait (then 504).
        await sleep(fault.delayMs ?? 600_000, c.req.raw.signal);
        return c.text('Gateway Timeout', 504);
      default:
        return answer;
    }
  });

  async function handleApi(c: Context): Promise<Response> {
    const authorization = /^Bearer (\S+)$/.exec(c.req.header('authorization') ?? '');
    if (!authorization || !sameSecret(Buffer.from(authorization[1]!, 'utf8'), token)) {
      return c.json({ statusCode: 401, errorCode: 'UNAUTHORIZED', errorMessage: 'token is missing or invalid' }, 401);
    }
    const invalid = (message: string) =>
      c.json({ statusCode: 400, errorCode: 'INVALID_REQUEST', errorMessage: message }, 400);
    if (!/^application\/json\s*(;|$)/i.test(c.req.header('content-type') ?? ''))
      return invalid('Content-Type must be application/json');
    let body: unknown;
    try {
      body = JSON.parse(await c.req.text());
    } catch {
      return invalid('body is not JSON');
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return invalid('body is not a JSON object');
    const envelope = body as Record<string, unknown>;
    for (const name of ['service', 'bizContent', 'sign']) {
      if (typeof envelope[name] !== 'string' || envelope[name] === '') return invalid(`${name} is required`);
    }
    try {
      const opened = open(
        { bizContent: envelope.bizContent as string, sign: envelope.sign as string },
        aesKey,
        merchantKey,
      );
      if (!opened.ok) {
        throw opened.reason === 'decrypt'
          ? new Refusal('DECRYPT_FAILED', 'bizContent does not decrypt with the merchant AES key')
          : new Refusal('SIGN_INVALID', 'sign does not verify with the merchant public key');
      }
      let fields: unknown;
      try {
        fields = JSON.parse(opened.json);
      } catch {
        throw new Refusal('BIZCONTENT_INVALID', 'bizContent is not JSON');
      }
      if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) {
        throw new Refusal('BIZCONTENT_INVALID', 'bizContent is not a JSON object');
      }
      const service = envelope.service as string;
      if (!(SERVICES as readonly string[]).includes(service))
        throw new Refusal('SERVICE_UNKNOWN', `service ${service} does not exist`);
      const data = run(service as Service, fields as Record<string, unknown>);
      return sealedAnswer(c, { status: 0, errorCode: null, errorMessage: null, data });
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      return sealedAnswer(c, { status: -1, errorCode: error.code, errorMessage: error.message, data: null });
    }
  }

  function run(service: Service, fields: Record<string, unknown>): unknown {
    switch (service) {
      case 'createPayer':
        return ledger.createPayer(fields);
      case 'createOrder':
        return ledger.createOrder(fields);
      case 'checkoutOrder':
        return ledger.checkoutOrder(fields);
      case 'payOrder':
        return ledger.payOrder(fields);
      case 'queryOrder':
        return ledger.queryOrder(fields);
      case 'refundOrder':
        return ledger.refundOrder(fields);
    }
  }

  function sealedAnswer(
    c: Context,
    payload: { status: 0 | -1; errorCode: ErrorCode | null; errorMessage: string | null; data: unknown },
  ): Response {
    const sealed = seal(toJson(payload), aesKey, platformKey);
    return c.json({ statusCode: 0, ...sealed });
  }

  // --- webhooks ------------------------------------------------------------------------------

  type Forgery = 'sign' | 'key' | 'tamper';
  let otherKeys: { privateKey: KeyObject; aesKey: Buffer } | null = null;

  function notify(order: Order, forged: Forgery | null): Promise<void> {
    const snapshot = ledger.statusView(order);
    const list = deliveries.get(order.orderSn) ?? [];
    deliveries.set(order.orderSn, list);
    const { first } = notifier.send(
      order.orderSn,
      webhookUrl,
      {
        status: order.status,
        forged,
        once: forged !== null,
        body: (failTimes) => {
          const json = toJson({ PaymentOrderStatus: { ...snapshot, failTimes } });
          return JSON.stringify({ noticeType: 'PaymentOrderStatus', ...sealForWebhook(json, forged, snapshot.status) });
        },
      },
      (delivery) => list.push(delivery),
    );
    collecting?.push(first);
    return first;
  }

  function sealForWebhook(json: string, forged: Forgery | null, status: string) {
    if (forged === null) return seal(json, aesKey, platformKey);
    otherKeys ??= {
      privateKey: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey,
      aesKey: Buffer.from('forged-aes-key!!', 'utf8'),
    };
    switch (forged) {
      case 'sign':
        return seal(json, aesKey, otherKeys.privateKey);
      case 'key':
        return seal(json, otherKeys.aesKey, platformKey);
      case 'tamper': {
        // Genuinely signed, but the ciphertext carries another status than the one signed.
        const other = json.replace(`"status":"${status}"`, `"status":"${status === 'Paid' ? 'Failed' : 'Paid'}"`);
        return { bizContent: aesEncrypt(other, aesKey), sign: rsaSignText(json, platformKey) };
      }
    }
  }

  /** Runs a control's change and waits for the first try of each webhook it caused. */
  async function collected<T>(change: () => T): Promise<T> {
    const waiting: Array<Promise<void>> = [];
    collecting = waiting;
    try {
      return change();
    } finally {
      collecting = null;
      await Promise.all(waiting);
    }
  }

  // --- the card tokenizer (Worldpay Checkout SDK stand-in) ------------------------------------

  app.get('/tokenizer', async (c) => {
    const origin = httpOrigin(c.req.query('origin'));
    if (!origin) return c.text('origin must be the http(s) origin of the page framing this one', 400);
    const page = await tokenizerPage({
      origin,
      showButton: c.req.query('button') !== '0',
      merchantName: options.merchantName,
    });
    return c.html(page, 200, { ...pageHeaders(), 'Content-Security-Policy': tokenizerCsp(origin) });
  });
  app.get('/tokenizer.js', (c) =>
    c.body(TOKENIZER_JS, 200, { ...assetHeaders(), 'Content-Type': 'text/javascript; charset=utf-8' }),
  );
  app.get('/tokenizer.css', (c) =>
    c.body(TOKENIZER_CSS, 200, { ...assetHeaders(), 'Content-Type': 'text/css; charset=utf-8' }),
  );

  app.post('/tokenizer/sessions', async (c) => {
    if (!/^application\/json\s*(;|$)/i.test(c.req.header('content-type') ?? '')) {
      return c.json({ error: 'Content-Type must be application/json', field: null }, 415);
    }
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return c.json({ error: 'body is not JSON', field: null }, 400);
    }
    if (typeof body !== 'object' || body === null)
      return c.json({ error: 'body is not a JSON object', field: null }, 400);
    const result = vault.tokenize(body);
    if (!result.ok) return c.json({ error: result.message, field: result.field }, 422, { 'Cache-Control': 'no-store' });
    const { sessionCard, sessionCvc, sessionId } = result.session;
    return c.json({ sessionCard, sessionCvc, sessionId }, 201, { 'Cache-Control': 'no-store' });
  });

  // --- the 3-D Secure challenge --------------------------------------------------------------

  app.get('/challenge/challenge-done.js', (c) =>
    c.body(CHALLENGE_DONE_JS, 200, { ...assetHeaders(), 'Content-Type': 'text/javascript; charset=utf-8' }),
  );

  app.get('/challenge/:orderSn', async (c) => {
    const order = ledger.orders.get(c.req.param('orderSn'));
    if (order) ledger.refresh(order);
    if (!order || order.challengeReference === null) return c.text('No 3-D Secure challenge for this order', 404);
    const origin = httpOrigin(c.req.query('origin'));
    const query = origin ? `?origin=${encodeURIComponent(origin)}` : '';
    const waiting = order.step === 'challenged';
    const returnOrigin = order.returnUrl ? new URL(order.returnUrl).origin : null;
    const page = await challengePage(
      {
        title: '3-D Secure (sandbox issuer)',
        merchant: options.merchantName,
        amount: dollars(order.cents),
        currency: 'USD',
        payAction: `${encodeURIComponent(order.orderSn)}/pay${query}`,
        declineAction: `${encodeURIComponent(order.orderSn)}/decline${query}`,
        details: [
          ['Order', order.orderSn],
          ['Card', `•••• ${order.card!.number.slice(-4)}`],
        ],
        ...(waiting
          ? {}
          : {
              outcome: {
                text:
                  order.status === 'Paid'
                    ? 'Verified. The payment went through.'
                    : 'Verification failed. The payment did not go through.',
                continueUrl: order.returnUrl,
              },
            }),
      },
      waiting || order.returnUrl ? null : { origin },
    );
    return c.html(page, 200, { ...pageHeaders(), 'Content-Security-Policy': challengeCsp(origin, returnOrigin) });
  });

  app.post('/challenge/:orderSn/:choice{pay|decline}', async (c) => {
    const order = ledger.orders.get(c.req.param('orderSn'));
    if (!order || order.challengeReference === null) return c.text('No 3-D Secure challenge for this order', 404);
    // The shopper does not wait for the webhook (it may be queued behind another order's retries).
    ledger.completeChallenge(order, c.req.param('choice') === 'pay');
    if (order.returnUrl) return c.redirect(order.returnUrl, 303);
    const origin = httpOrigin(c.req.query('origin'));
    return c.redirect(
      `../${encodeURIComponent(order.orderSn)}${origin ? `?origin=${encodeURIComponent(origin)}` : ''}`,
      303,
    );
  });

  // --- test controls -------------------------------------------------------------------------

  app.get('/control/orders/:orderSn', (c) => {
    const order = ledger.orders.get(c.req.param('orderSn'));
    if (!order) return c.json({ error: 'order not found' }, 404);
    ledger.refresh(order);
    return c.json(describe(order));
  });

  app.post(
    '/control/orders/:orderSn/:action{pay|fail|refund|expire|cancel|chargeback|webhook|forged-webhook}',
    async (c) => {
      const order = ledger.orders.get(c.req.param('orderSn'));
      if (!order) return c.json({ error: 'order not found' }, 404);
      const action = c.req.param('action') as
        'pay' | 'fail' | 'refund' | 'expire' | 'cancel' | 'chargeback' | 'webhook' | 'forged-webhook';
      if (action === 'webhook') {
        await notify(order, null);
        return c.json(describe(order));
      }
      if (action === 'forged-webhook') {
        const kind = c.req.query('kind') ?? 'sign';
        if (kind !== 'sign' && kind !== 'key' && kind !== 'tamper')
          return c.json({ error: 'kind must be sign, key or tamper' }, 400);
        await notify(order, kind);
        return c.json(describe(order));
      }
      const refused = await collected(() => ledger.force(order, action, c.req.query('result') === 'fail'));
      return refused ? c.json({ error: refused, order: describe(order) }, 409) : c.json(describe(order));
    },
  );

  app.post('/control/faults', async (c) => {
    const parsed = faultBody.safeParse(await c.req.json().catch(() => null));
    if (!parsed.success)
      return c.json({ error: 'body must be {mode: none|http500|garbage|slow|hang|huge, delayMs?}' }, 400);
    fault = { mode: parsed.data.mode, delayMs: parsed.data.delayMs };
    return c.json(fault);
  });

  app.post('/control/webhook-url', async (c) => {
    const parsed = webhookUrlBody.safeParse(await c.req.json().catch(() => null));
    if (!parsed.success) return c.json({ error: 'body must be {url: an http(s) URL or null}' }, 400);
    webhookUrl = parsed.data.url;
    return c.json({ url: webhookUrl });
  });

  app.post('/control/refund-mode', async (c) => {
    const parsed = refundModeBody.safeParse(await c.req.json().catch(() => null));
    if (!parsed.success) return c.json({ error: 'body must be {mode: complete|hold}' }, 400);
    ledger.refundMode = parsed.data.mode;
    return c.json({ mode: ledger.refundMode });
  });

  function describe(order: Order) {
    return {
      orderSn: order.orderSn,
      platformOrderSn: order.platformOrderSn,
      status: order.status,
      amount: dollars(order.cents),
      currency: 'USD',
      payerID: order.payer.payerID,
      linkID: order.linkId,
      linkExpiry: order.linkExpiry.toISOString(),
      skip3ds: order.skip3ds,
      step: order.step,
      card: ledger.cardSummary(order),
      transactionReference: order.transactionReference,
      challengeUrl: order.challengeReference ? ledger.challengeUrl(order) : null,
      returnUrl: order.returnUrl,
      comment: order.comment,
      refunds: order.refunds.map((refund) => ({
        refundSn: refund.refundSn,
        amount: dollars(refund.cents),
        status: refund.status,
      })),
      createdAt: order.createdAt.toISOString(),
      updatedAt: order.updatedAt.toISOString(),
      webhookUrl,
      webhooks: deliveries.get(order.orderSn) ?? [],
    };
  }

  return app;
}

function sameSecret(given: Buffer, expected: Buffer): boolean {
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function pageHeaders(): Record<string, string> {
  return { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer' };
}

function assetHeaders(): Record<string, string> {
  return { 'Cache-Control': 'no-cache', 'X-Content-Type-Options': 'nosniff' };
}

/** Waits `ms`, or less if the request is aborted. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });
}
