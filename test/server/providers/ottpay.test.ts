/**
 * OTT Pay adapter: the Appendix A worked example as a golden vector, the provider contract against
 * the simulator over real HTTP, and OTT Pay's quirks (encrypted callbacks, md5 integrity checks,
 * wrapped Base64, cents, one account currency, refunds).
 */
import assert from 'node:assert/strict';
import { createCipheriv, createHash } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import type { Money } from '../../../server/domain/money.ts';
import {
  createOttPayProvider,
  mapOrderStatus,
  ottAesKey,
  ottDecrypt,
  ottEncrypt,
  ottMd5,
  ottpayOptionsSchema,
  type OttPayOptions,
} from '../../../server/providers/ottpay/adapter.ts';
import {
  ProviderError,
  type CreatePaymentInput,
  type NotificationInput,
  type Provider,
  type ProviderContext,
  type ProviderErrorCode,
  memoryCache,
  silentLogger,
} from '../../../server/providers/provider.ts';
import { createOttPaySimulator } from '../../../server/sandbox/ottpay/index.ts';
import { CONTRACT_TIMEOUT_MS, providerContract, type ContractHarness } from './contract.ts';
import { bodyOf, urlOf } from '../../fetch-args.ts';

// --- Appendix A worked example (docs/providers/ottpay.md, "Crypto") ----------

const EXAMPLE: Record<string, string> = {
  orderId: '1234567890',
  idCardName: '张三',
  idCardNum: '123456789012345678',
  bankCardNum: '62000000000010',
  mobile: '13711111111',
  idCardType: '1',
};
const EXAMPLE_CONCAT = '62000000000010张三1234567890123456781137111111111234567890';
const EXAMPLE_MD5 = 'C12F9560769C2CB55E6954935B325916';
const EXAMPLE_SIGN_KEY = '6698851A525C9433';
const EXAMPLE_AES_KEY = 'EF1712FC070C2C21';
/** The documented ciphertext ("Y2+GoqBBPc6E...80aRWQ=="), in full. */
const EXAMPLE_CIPHERTEXT =
  'Y2+GoqBBPc6EJ9JzXRFoOziKd+DqWg5FiUZY1IYoVBVv0xfFznT9/qanMpiNEamEN2NM7J+hxoRn8VGSJImA2soeip9nYr+VJvTXe7D8j4aXiKyFipuPVCQLiCDg3jkJP+S2EezYMf7crqKY/YAni1CCeIwr2aJfFVT1vYhsWIm8t3eyPL//cY4kwombAKhE2gAdEFXz6gVvencz80aRWQ==';

describe('OTT Pay Appendix A crypto', () => {
  it('hashes the values in ASCII key order into the documented md5', () => {
    assert.equal(createHash('md5').update(EXAMPLE_CONCAT, 'utf8').digest('hex').toUpperCase(), EXAMPLE_MD5);
    assert.equal(ottMd5(EXAMPLE), EXAMPLE_MD5);
  });

  it('derives the documented 16-character AES key', () => {
    assert.equal(ottAesKey(EXAMPLE_MD5, EXAMPLE_SIGN_KEY), EXAMPLE_AES_KEY);
  });

  it('reproduces the documented ciphertext byte for byte', () => {
    const sealed = ottEncrypt(EXAMPLE, EXAMPLE_SIGN_KEY);
    assert.equal(sealed.md5, EXAMPLE_MD5);
    assert.ok(sealed.data.startsWith('Y2+GoqBBPc6E'), 'documented prefix');
    assert.ok(sealed.data.endsWith('80aRWQ=='), 'documented suffix');
    assert.equal(sealed.data, EXAMPLE_CIPHERTEXT);
  });

  it('decrypts the documented ciphertext back to the same JSON, key order kept', () => {
    const data = ottDecrypt(EXAMPLE_CIPHERTEXT, EXAMPLE_MD5, EXAMPLE_SIGN_KEY);
    assert.equal(JSON.stringify(data), JSON.stringify(EXAMPLE));
  });

  it('reads Base64 wrapped with newlines or spaces, and spaces that were pluses', () => {
    const newlines = EXAMPLE_CIPHERTEXT.replace(/(.{60})/g, '$1\n');
    const spaces = EXAMPLE_CIPHERTEXT.replace(/(.{60})/g, '$1 ');
    const formDecoded = EXAMPLE_CIPHERTEXT.replace(/\+/g, ' ');
    assert.notEqual(formDecoded, EXAMPLE_CIPHERTEXT, 'the example has pluses to lose');
    for (const wrapped of [newlines, spaces, formDecoded, `  ${newlines}\r\n`]) {
      assert.deepEqual(ottDecrypt(wrapped, EXAMPLE_MD5, EXAMPLE_SIGN_KEY), EXAMPLE);
    }
  });

  it('refuses a wrong signKey, tampered data and an md5 of other data', () => {
    const other = ottEncrypt({ ...EXAMPLE, orderId: '9999999999' }, EXAMPLE_SIGN_KEY);
    const flipped = Buffer.from(EXAMPLE_CIPHERTEXT, 'base64');
    flipped[5] = flipped[5]! ^ 0x01;
    const cases: Array<[string, string, string]> = [
      [EXAMPLE_CIPHERTEXT, EXAMPLE_MD5, '6698851A525C9434'],
      [flipped.toString('base64'), EXAMPLE_MD5, EXAMPLE_SIGN_KEY],
      [EXAMPLE_CIPHERTEXT, other.md5, EXAMPLE_SIGN_KEY],
      // Data encrypted under the key of the example's md5, but it is not the example's data.
      [
        encryptUnder({ ...EXAMPLE, mobile: '13700000000' }, EXAMPLE_MD5, EXAMPLE_SIGN_KEY),
        EXAMPLE_MD5,
        EXAMPLE_SIGN_KEY,
      ],
      ['not base64 at all!', EXAMPLE_MD5, EXAMPLE_SIGN_KEY],
      [EXAMPLE_CIPHERTEXT, 'C12F9560', EXAMPLE_SIGN_KEY],
    ];
    for (const [data, md5, signKey] of cases) {
      assertThrowsCode(() => ottDecrypt(data, md5, signKey), 'invalid_signature');
      assertThrowsCode(() => ottDecrypt(data, md5, signKey, 'bad_response'), 'bad_response');
    }
  });

  it('accepts a numeric value hashed as written or in the Java ".0" form, and nothing else', () => {
    const withNumber = { order_id: 'A1', amount: 100 };
    for (const hashedAs of ['100', '100.0']) {
      const md5 = ottMd5({ order_id: 'A1', amount: hashedAs });
      const data = encryptUnder(withNumber, md5, EXAMPLE_SIGN_KEY);
      assert.deepEqual(ottDecrypt(data, md5, EXAMPLE_SIGN_KEY), withNumber);
    }
    const md5 = ottMd5({ order_id: 'A1', amount: '100.00' });
    assertThrowsCode(
      () => ottDecrypt(encryptUnder(withNumber, md5, EXAMPLE_SIGN_KEY), md5, EXAMPLE_SIGN_KEY),
      'invalid_signature',
    );
  });

  it('leaves md5 and code out of the recompute, as OTT Pay does', () => {
    const data = { order_id: 'A1', amount: '100', code: '0', md5: 'whatever' };
    const md5 = ottMd5({ order_id: 'A1', amount: '100' });
    assert.deepEqual(ottDecrypt(encryptUnder(data, md5, EXAMPLE_SIGN_KEY), md5, EXAMPLE_SIGN_KEY), data);
  });
});

describe('OTT Pay status mapping and options', () => {
  it('maps the known order_status values and refuses to guess at others', () => {
    assert.equal(mapOrderStatus('success'), 'succeeded');
    assert.equal(mapOrderStatus('SUCCESS'), 'succeeded');
    assert.equal(mapOrderStatus('closed'), 'failed');
    assert.equal(mapOrderStatus('ORDERCLOSE'), 'failed');
    assert.equal(mapOrderStatus('processing'), 'pending');
    assert.equal(mapOrderStatus('expired'), 'expired');
    assertThrowsCode(() => mapOrderStatus('half-paid'), 'bad_response');
  });

  it('fills in defaults and strips the trailing slash', () => {
    const options = ottpayOptionsSchema.parse({ ...CREDENTIALS, baseUrl: 'https://frontapi.ottpay.com:443/' });
    assert.equal(options.baseUrl, 'https://frontapi.ottpay.com:443');
    assert.equal(options.path, '/processV2');
    assert.equal(options.qrExpirySeconds, 900);
    assert.deepEqual(options.methods, ['ottpay.wechat', 'ottpay.alipay', 'ottpay.unionpay']);
    assert.deepEqual(options.h5Methods, ['ottpay.wechat']);
  });

  it('rejects bad options, naming the field', () => {
    const bad: Array<[Record<string, unknown>, RegExp]> = [
      [{ currency: 'XYZ' }, /currency/],
      [{ baseUrl: 'ftp://ottpay.example' }, /baseUrl/],
      [{ signKey: '' }, /signKey/],
      [{ methods: ['ottpay.paypal'] }, /methods/],
      [{ surprise: true }, /surprise|Unrecognized/],
    ];
    for (const [override, field] of bad) {
      const options = { ...CREDENTIALS, baseUrl: 'https://ottpay.example', ...override } as OttPayOptions;
      assert.throws(() => createOttPayProvider(options, fixedContext(globalThis.fetch)), field);
    }
  });
});

// --- against the simulator -------------------------------------------------------------------

const CREDENTIALS = {
  merchantId: 'QC00000077',
  operatorId: '0000000077',
  signKey: '1F2E3D4C5B6A7988',
  currency: 'CAD',
} as const;

const NOW = new Date('2026-11-21T08:00:00Z');

interface Running {
  url: string;
  close(): Promise<void>;
}

/** Serves a fetch handler on a loopback port; `build` receives the URL before the first request. */
async function listen(build: (url: string) => (request: Request) => Response | Promise<Response>): Promise<Running> {
  let handler: ((request: Request) => Response | Promise<Response>) | null = null;
  let server: Server | null = null;
  const port = await new Promise<number>((resolve) => {
    server = serve(
      { fetch: (request: Request) => handler!(request), port: 0, hostname: '127.0.0.1' },
      (info: AddressInfo) => resolve(info.port),
    ) as Server;
  });
  const url = `http://127.0.0.1:${port}`;
  handler = build(url);
  return {
    url,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server!.closeAllConnections();
        server!.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

interface Sandbox extends Running {
  /** Simulator base URL. */
  base: string;
  provider: Provider;
  control(method: 'GET' | 'POST', path: string): Promise<Record<string, unknown>>;
}

async function startSandbox(overrides: Partial<OttPayOptions> = {}): Promise<Sandbox> {
  const running = await listen(
    (url) =>
      createOttPaySimulator({
        publicUrl: `${url}/sandbox/ottpay`,
        ...CREDENTIALS,
        merchantName: 'Maple Tea House',
        now: () => NOW,
        callbackTimeoutMs: 2000,
      }).fetch,
  );
  // The simulator is mounted at its root here; the base path only shows in the QR content.
  const base = running.url;
  const provider = createOttPayProvider(
    { ...CREDENTIALS, baseUrl: base, ...overrides },
    fixedContext(globalThis.fetch),
  );
  return {
    ...running,
    base,
    provider,
    async control(method, path) {
      const response = await fetch(`${base}/_control${path}`, { method });
      const body = (await response.json()) as Record<string, unknown>;
      assert.equal(response.status, 200, `control ${path}: ${JSON.stringify(body)}`);
      return body;
    },
  };
}

function fixedContext(fetchImpl: typeof fetch, now: Date = NOW): ProviderContext {
  return { fetch: fetchImpl, now: () => now, timeoutMs: 3000, cache: memoryCache(), log: silentLogger };
}

function cad(minor: number): Money {
  return { minor, currency: 'CAD' };
}

let orderSequence = 0;
function newOrderId(): string {
  orderSequence += 1;
  return `ott-test-${process.pid}-${orderSequence}`;
}

function paymentInput(overrides: Partial<CreatePaymentInput> = {}): CreatePaymentInput {
  return {
    orderId: newOrderId(),
    method: 'ottpay.wechat',
    money: cad(1234),
    description: 'Two teas',
    customer: {},
    fields: {},
    notifyUrl: 'http://127.0.0.1:9/v1/notify/ottpay',
    returnUrl: 'http://127.0.0.1:9/thanks',
    expiresAt: new Date(NOW.getTime() + 3600_000),
    ...overrides,
  };
}

providerContract('ottpay', async (): Promise<ContractHarness> => {
  const sandbox = await startSandbox();
  const contractContext = () => ({ ...fixedContext(globalThis.fetch), timeoutMs: CONTRACT_TIMEOUT_MS });
  /** The body of the order's last callback, as the simulator posted it (JSON). */
  const lastCallback = (record: Record<string, unknown>): NotificationInput => {
    const sent = (record.callbacks as Array<{ sent: string }>).at(-1);
    assert.ok(sent, 'the simulator sent a callback');
    return { rawBody: sent.sent, contentType: 'application/json' };
  };
  return {
    provider: createOttPayProvider({ ...CREDENTIALS, baseUrl: sandbox.base }, contractContext()),
    badCredentials: createOttPayProvider(
      { ...CREDENTIALS, signKey: 'FFFFFFFFFFFFFFFF', baseUrl: sandbox.base },
      contractContext(),
    ),
    payIn: {
      method: 'ottpay.wechat',
      money: cad(1234),
      unsupportedMoney: { minor: 1234, currency: 'USD' },
      fields: {},
      pay: async (orderId) => {
        await sandbox.control('POST', `/orders/${orderId}/pay`);
      },
      decline: async (orderId) => {
        await sandbox.control('POST', `/orders/${orderId}/decline`);
      },
    },
    notifications: {
      paid: async (orderId, amount) =>
        lastCallback(await sandbox.control('POST', `/orders/${orderId}/pay${amount ? `?amount=${amount.minor}` : ''}`)),
      resent: async (orderId) => lastCallback(await sandbox.control('POST', `/orders/${orderId}/callback`)),
      forged: async (orderId) => lastCallback(await sandbox.control('POST', `/orders/${orderId}/forged-callback`)),
      // docs/providers/ottpay.md: HTTP 200 with the body SUCCESS.
      ack: { body: 'SUCCESS', contentType: 'text/plain' },
    },
    // REFUND answers at once; the simulator has no refund that stays pending.
    refunds: {},
    setFault: async (mode) => {
      const response = await fetch(`${sandbox.base}/_control/faults`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ mode }),
      });
      assert.equal(response.status, 200, await response.text());
    },
    close: () => sandbox.close(),
  };
});

describe('OTT Pay adapter against the simulator', () => {
  let sandbox: Sandbox;
  let receiver: Running;
  /** Callbacks the simulator delivered to our notify URL, as received. */
  const received: Array<{ rawBody: string; contentType: string | null }> = [];
  let notifyUrl: string;

  before(async () => {
    sandbox = await startSandbox({ methods: ['ottpay.wechat', 'ottpay.alipay', 'ottpay.unionpay'] });
    receiver = await listen(() => {
      const app = new Hono();
      app.post('/v1/notify/ottpay', async (c) => {
        received.push({ rawBody: await c.req.text(), contentType: c.req.header('content-type') ?? null });
        return c.body('SUCCESS', 200, { 'Content-Type': 'text/plain' });
      });
      return app.fetch;
    });
    notifyUrl = `${receiver.url}/v1/notify/ottpay`;
  });
  after(async () => {
    await sandbox.close();
    await receiver.close();
  });

  async function payThroughWallet(choice: 'pay' | 'decline', content: string): Promise<string> {
    const walletUrl = new URL(content);
    const local = `${sandbox.base}${walletUrl.pathname.replace('/sandbox/ottpay', '')}`;
    const page = await fetch(local);
    assert.equal(page.status, 200);
    const response = await fetch(`${local}/${choice}`, { method: 'POST' });
    assert.equal(response.status, 200);
    return response.text();
  }

  it('offers the configured methods only in the account currency', async () => {
    const offers = await sandbox.provider.offers({ money: cad(1234), customer: {} });
    assert.deepEqual(
      offers.map((offer) => [offer.method, offer.label, offer.kind, offer.fields.length]),
      [
        ['ottpay.wechat', 'WeChat Pay', 'qr', 0],
        ['ottpay.alipay', 'Alipay', 'qr', 0],
        ['ottpay.unionpay', 'UnionPay', 'qr', 0],
      ],
    );
    assert.deepEqual(await sandbox.provider.offers({ money: { minor: 1234, currency: 'USD' }, customer: {} }), []);
    const wechatOnly = createOttPayProvider(
      { ...CREDENTIALS, baseUrl: sandbox.base, methods: ['ottpay.wechat'] },
      fixedContext(globalThis.fetch),
    );
    assert.deepEqual(
      (await wechatOnly.offers({ money: cad(1234), customer: {} })).map((offer) => offer.method),
      ['ottpay.wechat'],
    );
    await assertRejectsCode(wechatOnly.createPayment(paymentInput({ method: 'ottpay.alipay' })), 'invalid_request');
  });

  it('refuses to create a payment in another currency', async () => {
    await assertRejectsCode(
      sandbox.provider.createPayment(paymentInput({ money: { minor: 1234, currency: 'USD' } })),
      'invalid_request',
    );
  });

  it('sends the documented envelope with every value a string and the amount in cents', async () => {
    const sent: Array<{ url: string; headers: Headers; body: string }> = [];
    const recording: typeof fetch = async (input, init) => {
      sent.push({ url: urlOf(input), headers: new Headers(init?.headers), body: bodyOf(init) });
      return fetch(input, init);
    };
    const provider = createOttPayProvider({ ...CREDENTIALS, baseUrl: `${sandbox.base}/` }, fixedContext(recording));
    const input = paymentInput({ method: 'ottpay.alipay', money: cad(100) });
    await provider.createPayment(input);

    assert.equal(sent.length, 1);
    const request = sent[0]!;
    assert.equal(request.url, `${sandbox.base}/processV2`);
    assert.equal(request.headers.get('accept'), 'application/json');
    assert.equal(request.headers.get('content-type'), 'application/json');
    const envelope = JSON.parse(request.body) as Record<string, string>;
    assert.deepEqual(Object.keys(envelope), ['action', 'version', 'merchant_id', 'data', 'md5']);
    assert.equal(envelope.action, 'ACTIVEPAY');
    assert.equal(envelope.version, '1.0');
    assert.equal(envelope.merchant_id, CREDENTIALS.merchantId);
    const data = ottDecrypt(envelope.data!, envelope.md5!, CREDENTIALS.signKey);
    assert.deepEqual(data, {
      order_id: input.orderId,
      operator_id: CREDENTIALS.operatorId,
      amount: '100',
      biz_type: 'ALIPAY',
      call_back_url: input.notifyUrl,
    });
  });

  it('answers a QR action that opens the simulator wallet, expiring with the earlier deadline', async () => {
    const first = await sandbox.provider.createPayment(paymentInput());
    assert.equal(first.action.type, 'qr');
    if (first.action.type !== 'qr') return;
    assert.match(first.action.content, /^http:\/\/127\.0\.0\.1:\d+\/sandbox\/ottpay\/wallet\/[A-Za-z0-9_-]{20,}$/);
    assert.equal(first.action.deepLink, null);
    // 900 s of OTT Pay's conventional QR lifetime comes before the attempt's one hour.
    assert.deepEqual(first.action.expiresAt, new Date(NOW.getTime() + 900_000));
    assert.ok(first.providerPaymentId);

    const soon = new Date(NOW.getTime() + 60_000);
    const second = await sandbox.provider.createPayment(paymentInput({ expiresAt: soon }));
    assert.equal(second.action.type, 'qr');
    if (second.action.type !== 'qr') return;
    assert.deepEqual(second.action.expiresAt, soon);
    assert.notEqual(second.action.content, first.action.content);
  });

  it('shows the wallet page with merchant, amount and the two buttons, and a random token', async () => {
    const input = paymentInput({ money: cad(1234) });
    const result = await sandbox.provider.createPayment(input);
    assert.equal(result.action.type, 'qr');
    if (result.action.type !== 'qr') return;
    const token = result.action.content.split('/').pop()!;
    assert.ok(!token.includes(input.orderId) && !input.orderId.includes(token));
    const page = await (await fetch(`${sandbox.base}/wallet/${token}`)).text();
    assert.match(page, /WeChat Pay/);
    assert.match(page, /Maple Tea House/);
    assert.match(page, /12\.34/);
    assert.match(page, /CAD/);
    assert.ok(page.includes(input.orderId));
    assert.match(page, /<button[^>]*>Pay<\/button>/);
    assert.match(page, /<button[^>]*>Decline<\/button>/);
    assert.equal((await fetch(`${sandbox.base}/wallet/${input.orderId}`)).status, 404);
  });

  it('delivers a callback on Pay that verifies, claims success with the money, and is acknowledged', async () => {
    const input = paymentInput({ money: cad(2500), notifyUrl });
    const result = await sandbox.provider.createPayment(input);
    assert.equal(result.action.type, 'qr');
    if (result.action.type !== 'qr') return;
    const before = received.length;
    const outcome = await payThroughWallet('pay', result.action.content);
    assert.match(outcome, /Paid/);
    assert.doesNotMatch(outcome, />Pay<\/button>/);

    assert.equal(received.length, before + 1);
    const callback = received.at(-1)!;
    const notification = await sandbox.provider.parseNotification!(callback);
    assert.equal(notification.kind, 'payment');
    assert.equal(notification.orderId, input.orderId);
    assert.equal(notification.claimed, 'succeeded');
    assert.deepEqual(notification.money, cad(2500));
    // Acknowledged with HTTP 200 "SUCCESS" (docs/providers/ottpay.md).
    assert.deepEqual(notification.ack, { status: 200, body: 'SUCCESS', contentType: 'text/plain' });

    const status = await sandbox.provider.queryPayment({
      orderId: input.orderId,
      method: input.method,
      money: input.money,
    });
    assert.deepEqual(status, { state: 'succeeded', money: cad(2500), providerPaymentId: result.providerPaymentId });

    const record = await sandbox.control('GET', `/orders/${input.orderId}`);
    const deliveries = record.callbacks as Array<{ acknowledged: boolean; forged: boolean }>;
    assert.deepEqual(
      deliveries.map((d) => [d.acknowledged, d.forged]),
      [[true, false]],
    );
  });

  it('gives a resent callback the same dedupeKey, and another order another one', async () => {
    const input = paymentInput({ notifyUrl });
    await sandbox.provider.createPayment(input);
    await sandbox.control('POST', `/orders/${input.orderId}/pay`);
    await sandbox.control('POST', `/orders/${input.orderId}/callback`);
    const [first, second] = received.slice(-2);
    const a = await sandbox.provider.parseNotification!(first!);
    const b = await sandbox.provider.parseNotification!(second!);
    assert.equal(a.dedupeKey, b.dedupeKey);

    const other = paymentInput({ notifyUrl });
    await sandbox.provider.createPayment(other);
    await sandbox.control('POST', `/orders/${other.orderId}/pay`);
    const c = await sandbox.provider.parseNotification!(received.at(-1)!);
    assert.equal(c.orderId, other.orderId);
    assert.notEqual(c.dedupeKey, a.dedupeKey);
  });

  it('claims failure for a Decline callback, and the query agrees', async () => {
    const input = paymentInput({ notifyUrl, method: 'ottpay.unionpay' });
    const result = await sandbox.provider.createPayment(input);
    if (result.action.type !== 'qr') assert.fail('expected a QR action');
    const outcome = await payThroughWallet('decline', result.action.content);
    assert.match(outcome, /declined/);
    const notification = await sandbox.provider.parseNotification!(received.at(-1)!);
    assert.equal(notification.claimed, 'failed');
    const status = await sandbox.provider.queryPayment({
      orderId: input.orderId,
      method: input.method,
      money: input.money,
    });
    assert.equal(status.state, 'failed');
  });

  it('rejects forged callbacks as invalid_signature', async () => {
    const input = paymentInput({ notifyUrl });
    await sandbox.provider.createPayment(input);
    await sandbox.control('POST', `/orders/${input.orderId}/pay`);
    for (const kind of ['md5', 'key', 'merchant']) {
      const record = await sandbox.control('POST', `/orders/${input.orderId}/forged-callback?kind=${kind}`);
      assert.equal((record.callbacks as Array<{ forged: boolean }>).at(-1)!.forged, true);
      await assertRejectsCode(sandbox.provider.parseNotification!(received.at(-1)!), 'invalid_signature');
    }
  });

  it('rejects a callback whose data was altered, or signed for other data', async () => {
    const input = paymentInput({ notifyUrl });
    await sandbox.provider.createPayment(input);
    await sandbox.control('POST', `/orders/${input.orderId}/pay`);
    const genuine = JSON.parse(received.at(-1)!.rawBody) as Record<string, string>;
    const decrypted = ottDecrypt(genuine.data!, genuine.md5!, CREDENTIALS.signKey) as Record<string, string>;

    const bytes = Buffer.from(genuine.data!, 'base64');
    bytes[bytes.length - 20] = bytes[bytes.length - 20]! ^ 0x80;
    const richer = ottEncrypt({ ...decrypted, amount: '999999' }, CREDENTIALS.signKey);
    const wrongKey = ottEncrypt(decrypted, 'A0A0A0A0A0A0A0A0');
    const bodies = [
      { ...genuine, data: bytes.toString('base64') },
      { ...genuine, md5: richer.md5 },
      { ...genuine, data: encryptUnder({ ...decrypted, amount: '999999' }, genuine.md5!, CREDENTIALS.signKey) },
      { ...genuine, ...wrongKey },
      { ...genuine, merchant_id: 'QC00000078' },
    ];
    for (const body of bodies) {
      await assertRejectsCode(
        sandbox.provider.parseNotification!({ rawBody: JSON.stringify(body), contentType: 'application/json' }),
        'invalid_signature',
      );
    }
    await assertRejectsCode(
      sandbox.provider.parseNotification!({ rawBody: 'SUCCESS', contentType: 'text/plain' }),
      'invalid_signature',
    );
  });

  it('reads a callback whose data arrives wrapped or form-encoded', async () => {
    const input = paymentInput({ notifyUrl, money: cad(777) });
    await sandbox.provider.createPayment(input);
    await sandbox.control('POST', `/orders/${input.orderId}/pay`);
    const genuine = JSON.parse(received.at(-1)!.rawBody) as Record<string, string>;
    const wrapped = { ...genuine, data: genuine.data!.replace(/(.{60})/g, '$1\n') };
    const viaJson = await sandbox.provider.parseNotification!({
      rawBody: JSON.stringify(wrapped),
      contentType: 'application/json',
    });
    assert.deepEqual(viaJson.money, cad(777));
    // A form body whose '+' were left unescaped reaches us as spaces.
    const form = Object.entries(genuine)
      .map(([key, value]) => `${key}=${encodeURIComponent(value).replace(/%2B/g, '+')}`)
      .join('&');
    const viaForm = await sandbox.provider.parseNotification!({
      rawBody: form,
      contentType: 'application/x-www-form-urlencoded',
    });
    assert.equal(viaForm.orderId, input.orderId);
    assert.equal(viaForm.dedupeKey, viaJson.dedupeKey);
  });

  it('reports the amount OTT Pay holds, not the one it was asked about', async () => {
    const input = paymentInput({ money: cad(1234) });
    await sandbox.provider.createPayment(input);
    await sandbox.control('POST', `/orders/${input.orderId}/pay`);
    const status = await sandbox.provider.queryPayment({
      orderId: input.orderId,
      method: input.method,
      money: cad(5000),
    });
    assert.equal(status.state, 'succeeded');
    assert.deepEqual(status.money, cad(1234));
  });

  it('reports an order the simulator expired as expired', async () => {
    const input = paymentInput();
    await sandbox.provider.createPayment(input);
    await sandbox.control('POST', `/orders/${input.orderId}/expire`);
    const status = await sandbox.provider.queryPayment({
      orderId: input.orderId,
      method: input.method,
      money: input.money,
    });
    assert.equal(status.state, 'expired');
  });

  it('treats an answer whose md5 does not verify as bad_response', async () => {
    for (const kind of ['md5', 'key']) {
      await sandbox.control('POST', `/tamper-next-response?kind=${kind}`);
      await assertRejectsCode(sandbox.provider.createPayment(paymentInput()), 'bad_response');
    }
    // One answer was spoiled each time; the next is whole again.
    const result = await sandbox.provider.createPayment(paymentInput());
    assert.equal(result.action.type, 'qr');
  });

  it('is refused with a wrong signKey or merchant id, and for a reused order id', async () => {
    const wrongKey = createOttPayProvider(
      { ...CREDENTIALS, signKey: '0000000000000000', baseUrl: sandbox.base },
      fixedContext(globalThis.fetch),
    );
    await assertRejectsCode(wrongKey.createPayment(paymentInput()), 'authentication');
    const wrongMerchant = createOttPayProvider(
      { ...CREDENTIALS, merchantId: 'QC99999999', baseUrl: sandbox.base },
      fixedContext(globalThis.fetch),
    );
    await assertRejectsCode(
      wrongMerchant.queryPayment({ orderId: 'x', method: 'ottpay.wechat', money: cad(1) }),
      'authentication',
    );
    const wrongOperator = createOttPayProvider(
      { ...CREDENTIALS, operatorId: '0000000078', baseUrl: sandbox.base },
      fixedContext(globalThis.fetch),
    );
    await assertRejectsCode(wrongOperator.createPayment(paymentInput()), 'invalid_request');

    const input = paymentInput();
    await sandbox.provider.createPayment(input);
    await assertRejectsCode(sandbox.provider.createPayment(input), 'duplicate_order');
    await sandbox.control('POST', `/orders/${input.orderId}/pay`);
    // ORDER_PAID once paid: still a duplicate order id.
    await assertRejectsCode(sandbox.provider.createPayment(input), 'duplicate_order');
  });

  it('refunds a paid order within the paid amount', async () => {
    const input = paymentInput({ money: cad(2000) });
    await sandbox.provider.createPayment(input);
    const refund = (refundId: string, minor: number) =>
      sandbox.provider.refund!({ orderId: input.orderId, refundId, money: cad(minor), reason: null });

    assert.deepEqual(await refund(`${input.orderId}-r0`, 500), { state: 'failed' }, 'nothing to refund before payment');
    await sandbox.control('POST', `/orders/${input.orderId}/pay`);
    assert.deepEqual(await refund(`${input.orderId}-r1`, 1500), { state: 'succeeded' });
    await assertRejectsCode(refund(`${input.orderId}-r2`, 501), 'invalid_request');
    await assertRejectsCode(refund(`${input.orderId}-r1`, 100), 'duplicate_order');
    assert.deepEqual(await refund(`${input.orderId}-r3`, 500), { state: 'succeeded' });

    const record = await sandbox.control('GET', `/orders/${input.orderId}`);
    assert.equal(record.refunded, '2000');
    assert.deepEqual(
      (record.refunds as Array<{ amount: string }>).map((r) => r.amount),
      ['1500', '500'],
    );
    await assertRejectsCode(
      sandbox.provider.refund!({ orderId: 'never-made', refundId: 'r-x', money: cad(1), reason: null }),
      'not_found',
    );
  });
});

describe('OTT Pay adapter against a fake OTT Pay', () => {
  /** Answers every request with the given envelope; the adapter's own request is decrypted for checks. */
  function fakeOtt(answer: (data: Record<string, unknown>) => { status?: number; body: unknown }): typeof fetch {
    return async (_input, init) => {
      const envelope = JSON.parse(bodyOf(init)) as Record<string, string>;
      const data = ottDecrypt(envelope.data!, envelope.md5!, CREDENTIALS.signKey);
      const { status = 200, body } = answer(data);
      return new Response(typeof body === 'string' ? body : JSON.stringify(body), {
        status,
        headers: { 'Content-Type': 'application/json' },
      });
    };
  }

  function providerWith(fetchImpl: typeof fetch): Provider {
    return createOttPayProvider(
      { ...CREDENTIALS, baseUrl: 'https://frontapi.ottpay.example' },
      fixedContext(fetchImpl),
    );
  }

  function success(data: Record<string, string>) {
    return { rsp_code: 'SUCCESS', rsp_msg: 'success', ...ottEncrypt(data, CREDENTIALS.signKey) };
  }

  it('passes a production weixin:// code through as content and deep link', async () => {
    const code = 'weixin://wxpay/bizpayurl?pr=AbCdEf1';
    const provider = providerWith(
      fakeOtt((data) => ({ body: success({ order_id: String(data.order_id), code_url: code }) })),
    );
    const result = await provider.createPayment(paymentInput());
    assert.deepEqual(result.action, {
      type: 'qr',
      content: code,
      deepLink: code,
      expiresAt: new Date(NOW.getTime() + 900_000),
    });
    assert.equal(result.providerPaymentId, null);
  });

  it('refuses an answer for another order, or without code_url', async () => {
    const otherOrder = providerWith(
      fakeOtt(() => ({ body: success({ order_id: 'someone-else', code_url: 'weixin://x' }) })),
    );
    await assertRejectsCode(otherOrder.createPayment(paymentInput()), 'bad_response');
    const noCode = providerWith(fakeOtt((data) => ({ body: success({ order_id: String(data.order_id) }) })));
    await assertRejectsCode(noCode.createPayment(paymentInput()), 'bad_response');
  });

  it('maps Appendix B codes', async () => {
    const cases: Array<[string, ProviderErrorCode]> = [
      ['PARAM_INVALID', 'invalid_request'],
      ['PARAM_ERROR', 'invalid_request'],
      ['ORDER_USED', 'duplicate_order'],
      ['ORDER_PAID', 'duplicate_order'],
      ['FAIL', 'declined'],
      ['SYSTEM_ERROR', 'unavailable'],
      ['TIMEOUT', 'unavailable'],
      ['DB_ERROR', 'unavailable'],
      ['ORDER_NOT_EXIST', 'not_found'],
      ['SOMETHING_NEW', 'bad_response'],
    ];
    for (const [code, expected] of cases) {
      const provider = providerWith(fakeOtt(() => ({ body: { rsp_code: code, rsp_msg: 'raw provider text' } })));
      await assertRejectsCode(provider.createPayment(paymentInput()), expected);
    }
  });

  it('reads a query answer with JSON numbers hashed the Java way', async () => {
    const provider = providerWith(
      fakeOtt((data) => {
        const answer = { order_id: String(data.order_id), order_status: 'success', amount: 1999 };
        const md5 = ottMd5({ order_id: String(data.order_id), order_status: 'success', amount: '1999.0' });
        return {
          body: { rsp_code: 'SUCCESS', rsp_msg: 'success', data: encryptUnder(answer, md5, CREDENTIALS.signKey), md5 },
        };
      }),
    );
    const status = await provider.queryPayment({ orderId: 'A-1', method: 'ottpay.wechat', money: cad(1999) });
    assert.deepEqual(status, { state: 'succeeded', money: cad(1999), providerPaymentId: null });
  });

  it('refuses an unknown order_status, and an answer that is not an envelope', async () => {
    const unknown = providerWith(
      fakeOtt((data) => ({
        body: success({ order_id: String(data.order_id), order_status: 'half-paid', amount: '1' }),
      })),
    );
    await assertRejectsCode(
      unknown.queryPayment({ orderId: 'A-1', method: 'ottpay.wechat', money: cad(1) }),
      'bad_response',
    );
    const html = providerWith(fakeOtt(() => ({ status: 404, body: '<html>not here</html>' })));
    await assertRejectsCode(
      html.queryPayment({ orderId: 'A-1', method: 'ottpay.wechat', money: cad(1) }),
      'bad_response',
    );
    const down = providerWith(fakeOtt(() => ({ status: 503, body: '' })));
    await assertRejectsCode(
      down.queryPayment({ orderId: 'A-1', method: 'ottpay.wechat', money: cad(1) }),
      'unavailable',
    );
  });
});

// --- helpers ---------------------------------------------------------------------------------

/** AES under the key a given md5 names, whatever that md5 was computed from (forgeries, odd answers). */
function encryptUnder(data: Record<string, unknown>, md5: string, signKey: string): string {
  const cipher = createCipheriv('aes-128-ecb', Buffer.from(ottAesKey(md5, signKey), 'utf8'), null);
  return Buffer.concat([cipher.update(JSON.stringify(data), 'utf8'), cipher.final()]).toString('base64');
}

function assertThrowsCode(run: () => unknown, code: ProviderErrorCode): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof ProviderError, `expected a ProviderError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return true;
  });
}

async function assertRejectsCode(promise: Promise<unknown>, code: ProviderErrorCode): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof ProviderError, `expected a ProviderError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return true;
  });
}
