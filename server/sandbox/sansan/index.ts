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
 * Faults, delay, webhook delivery and the test controls are the simulator kit's (../kit/): faults
 * and delay sit in front of `/api/v2/pay` only, and a fault that spoils an answer lets the request
 * be handled first unless it says `handled: false`; webhooks go through the kit's callback sender
 * (redirects never followed, bounded retries); controls live under `/_control/`.
 *
 * State (payers, orders, card tokens, webhook deliveries) lives in memory for the life of the app.
 */
import { generateKeyPairSync, timingSafeEqual, type KeyObject } from 'node:crypto';
import type { Context, Hono } from 'hono';
import { z } from 'zod';
import {
  control,
  ControlError,
  createApiSwitches,
  createCallbackSender,
  createSimulatorApp,
  forgeryKind,
  mountOrderControls,
  mountSwitchControls,
  readControlBody,
  type CallbackDelivery,
  type CallbackPolicy,
  type ReceiverAnswer,
} from '../kit/index.ts';
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

export { generateSanSanSandboxKeys } from './crypto.ts';
export type { SanSanSandboxKeys } from './crypto.ts';

/**
 * Webhook delivery, SanSan's way through the kit's sender: up to 10 tries (SanSan stops after 10
 * failed notifications), here 200 ms doubling to 2 s between them so a test or a demo sees the
 * retries, 5 s per try.
 */
export const DEFAULT_WEBHOOK_POLICY: Readonly<CallbackPolicy> = {
  attempts: 10,
  backoffMs: 200,
  maxBackoffMs: 2_000,
  timeoutMs: 5_000,
};

/** How a forged webhook is spoiled. */
export type Forgery = 'sign' | 'key' | 'tamper';

/** One notification, with its tries (`attempts`) as far as they have gone. */
export interface WebhookDelivery extends CallbackDelivery {
  /** The order status this notification reports. */
  status: string;
  /** Set for a deliberately unverifiable notification: how it was spoiled. */
  forgery: Forgery | null;
}

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
  /** Webhook tries, pauses and timeout; DEFAULT_WEBHOOK_POLICY unless set (and `/_control/callbacks`). */
  webhookPolicy?: Partial<CallbackPolicy>;
  /** Lifetime of an order's payment link (`linkExpiry`); 30 minutes unless set. */
  orderTtlMs?: number;
}

/** The size of the `huge` fault's answer. */
export const HUGE_ANSWER_BYTES = 16 * 1024 * 1024;

const SERVICES = ['createPayer', 'createOrder', 'checkoutOrder', 'payOrder', 'queryOrder', 'refundOrder'] as const;
type Service = (typeof SERVICES)[number];

const webhookUrlBody = z.strictObject({
  url: z
    .string()
    .url()
    .refine((url) => httpOrigin(new URL(url).origin) !== null, 'must be an http(s) URL')
    .nullable(),
});
const refundModeBody = z.strictObject({ mode: z.enum(['complete', 'hold']) });

export function createSanSanSimulator(options: SanSanSimulatorOptions): Hono {
  const publicUrl = options.publicUrl.replace(/\/+$/, '');
  const now = options.now ?? (() => new Date());
  const aesKey = aesKeyFromBase64(options.aesKey);
  const merchantKey = publicKeyFromPem(options.merchantPublicKey);
  const platformKey = privateKeyFromPem(options.platformPrivateKey);
  const token = Buffer.from(options.token, 'utf8');
  const sender = createCallbackSender({
    fetch: options.fetch,
    now,
    ...DEFAULT_WEBHOOK_POLICY,
    ...options.webhookPolicy,
  });
  const switches = createApiSwitches({ hugeBytes: HUGE_ANSWER_BYTES, handled: true });
  const vault = new CardVault(now);

  let webhookUrl: string | null = options.webhookUrl ?? null;
  const deliveries = new Map<string, WebhookDelivery[]>();
  /** Each order's notifications go out one after another, in the order its status changed. */
  const chains = new Map<string, Promise<unknown>>();
  /** First tries of the notifications a control caused, which the control awaits. */
  let collecting: Array<Promise<void>> | null = null;

  const ledger = new Ledger({
    publicUrl,
    vault,
    now,
    orderTtlMs: options.orderTtlMs ?? 30 * 60_000,
    onChange: (order) => void notify(order, null),
  });

  const app = createSimulatorApp();

  // --- the API -------------------------------------------------------------------------------

  app.use('/api/v2/pay', switches.api);
  app.post('/api/v2/pay', handleApi);

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

  let otherKeys: { privateKey: KeyObject; aesKey: Buffer } | null = null;

  /**
   * Queues a notification of the order's current status behind its earlier ones; the promise
   * settles after its first try (the rest go on in the background).
   */
  function notify(order: Order, forgery: Forgery | null): Promise<void> {
    const snapshot = ledger.statusView(order);
    const url = webhookUrl;
    const list = deliveries.get(order.orderSn) ?? [];
    deliveries.set(order.orderSn, list);
    let firstTried!: () => void;
    const first = new Promise<void>((resolve) => (firstTried = resolve));
    let record: WebhookDelivery | null = null;
    const deliver = () =>
      sender.send({
        url,
        forged: forgery !== null,
        // failTimes counts the failed tries of this notification before this one.
        body: (failTimes) => {
          const json = toJson({ PaymentOrderStatus: { ...snapshot, failTimes } });
          return JSON.stringify({
            noticeType: 'PaymentOrderStatus',
            ...sealForWebhook(json, forgery, snapshot.status),
          });
        },
        acknowledged: acknowledgedWithCodeZero,
        onAttempt(delivery) {
          if (record) Object.assign(record, delivery);
          else list.push((record = { ...delivery, status: snapshot.status, forgery }));
          firstTried();
        },
      });
    const previous = chains.get(order.orderSn) ?? Promise.resolve();
    const done = previous.then(deliver).finally(firstTried);
    chains.set(order.orderSn, done);
    void done.finally(() => {
      if (chains.get(order.orderSn) === done) chains.delete(order.orderSn);
    });
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

  function force(action: 'pay' | 'fail' | 'expire' | 'cancel' | 'chargeback' | 'refund') {
    return async (order: Order, c: Context) => {
      const refused = await collected(() => ledger.force(order, action, c.req.query('result') === 'fail'));
      if (refused) throw new ControlError(409, refused);
    };
  }

  mountOrderControls(app, '/_control/orders', {
    noun: 'order',
    find(orderSn) {
      const order = ledger.orders.get(orderSn);
      if (order) ledger.refresh(order);
      return order;
    },
    view: describe,
    commands: {
      pay: force('pay'),
      decline: force('fail'),
      expire: force('expire'),
      cancel: force('cancel'),
      chargeback: force('chargeback'),
      refund: force('refund'),
      callback: (order) => notify(order, null),
      'forged-callback': (order, c) => notify(order, forgeryKind(c, ['sign', 'key', 'tamper'])),
    },
  });

  mountSwitchControls(app, switches, sender);

  app.get('/_control/webhook-url', (c) => c.json({ url: webhookUrl }));
  app.post(
    '/_control/webhook-url',
    control(async (c) => {
      webhookUrl = (await readControlBody(c, webhookUrlBody)).url;
      return { url: webhookUrl };
    }),
  );

  app.get('/_control/refund-mode', (c) => c.json({ mode: ledger.refundMode }));
  app.post(
    '/_control/refund-mode',
    control(async (c) => {
      ledger.refundMode = (await readControlBody(c, refundModeBody)).mode;
      return { mode: ledger.refundMode };
    }),
  );

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

/** `{"code":0}` (other fields allowed): SanSan's "JSON with a code field; 0 means success", with HTTP 200. */
function acknowledgedWithCodeZero(answer: ReceiverAnswer): boolean {
  if (answer.status !== 200 || answer.truncated) return false;
  try {
    const parsed: unknown = JSON.parse(answer.body);
    return typeof parsed === 'object' && parsed !== null && (parsed as { code?: unknown }).code === 0;
  } catch {
    return false;
  }
}
