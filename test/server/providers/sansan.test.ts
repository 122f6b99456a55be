/**
 * The SanSan Fintech adapter against its simulator over real HTTP: sealed calls both ways, the card
 * flows (frictionless, challenge, declined), refunds, webhooks, wrong keys and tampered answers, and
 * the provider contract. docs/providers/sansan.md holds the conventions.
 */
import assert from 'node:assert/strict';
import { createPublicKey, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { formatDecimal, type Money } from '../../../server/domain/money.ts';
import { createSanSanProvider, SANSAN_NOTIFICATION_ACK } from '../../../server/providers/sansan/adapter.ts';
import { sansan } from '../../../server/providers/sansan/index.ts';
import { sansanOptionsSchema } from '../../../server/providers/sansan/options.ts';
import { splitPhone } from '../../../server/providers/sansan/payer.ts';
import {
  memoryCache,
  ProviderError,
  type CreatePaymentInput,
  type Provider,
  type ProviderContext,
  type ProviderErrorCode,
  type ProviderLogger,
  silentLogger,
  type VerifiedNotification,
} from '../../../server/providers/provider.ts';
import {
  aesKeyFromBase64,
  open as openSealed,
  privateKeyFromPem,
  publicKeyFromPem,
  seal,
} from '../../../server/sandbox/sansan/crypto.ts';
import { createSanSanSimulator, generateSanSanSandboxKeys } from '../../../server/sandbox/sansan/index.ts';
import { listen } from '../harness.ts';
import { CONTRACT_TIMEOUT_MS, providerContract, type ContractHarness } from './contract.ts';
import { bodyOf } from '../../fetch-args.ts';

const KEYS = generateSanSanSandboxKeys();
const OTHER_KEYS = generateSanSanSandboxKeys();
const AES_KEY = randomBytes(16).toString('base64');
const TOKEN = `tok_${randomBytes(16).toString('hex')}`;
const NOTIFY_URL = 'http://127.0.0.1:9/v1/notify/sansan';

const CARDS = {
  frictionless: '4000000000000002',
  mastercard: '5555555555554444',
  challenge: '4000000000003220',
  declined: '4000000000000069',
  authenticationFailed: '4000000000000101',
};

/** Billing details the offer asks for when the merchant passed none. */
const BILLING = { address: '1 Infinite Loop', city: 'Cupertino', province: 'CA', postcode: '95014', country: 'US' };
const CUSTOMER = { name: 'Ada Lovelace', email: 'ada@example.com', phone: '+1 415 555 0100' };

interface Logged {
  level: string;
  message: string;
  fields?: Record<string, unknown>;
}

interface Sandbox {
  url: string;
  provider: Provider;
  /** Services the adapter called, in order. */
  calls: string[];
  logs: Logged[];
  /** Webhook bodies the simulator sent. */
  webhooks: string[];
  /** How the next webhook tries are answered (default `{"code":0}`). */
  webhookAnswer: { status: number; body: string };
  adapter(options?: Record<string, unknown>, fetchImpl?: typeof fetch): Provider;
  tokenize(card: string): Promise<Record<string, string>>;
  control(method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }>;
  challenge(orderId: string, choice: 'pay' | 'decline'): Promise<Response>;
  close(): Promise<void>;
}

async function startSandbox(options: Record<string, unknown> = {}): Promise<Sandbox> {
  const running = await listen();
  const webhooks: string[] = [];
  const sandbox = {} as Sandbox;
  const app = createSanSanSimulator({
    publicUrl: running.url,
    aesKey: AES_KEY,
    token: TOKEN,
    merchantPublicKey: KEYS.merchantPublicKey,
    platformPrivateKey: KEYS.platformPrivateKey,
    merchantName: 'Lovelace Books',
    webhookUrl: NOTIFY_URL,
    webhookPolicy: { attempts: 3, backoffMs: 10, maxBackoffMs: 20 },
    // Webhooks are kept here and answered as the test says; nothing leaves the process.
    fetch: async (_input, init) => {
      webhooks.push(bodyOf(init));
      const { status, body } = sandbox.webhookAnswer;
      return new Response(body, { status, headers: { 'Content-Type': 'application/json' } });
    },
  });
  running.handle((request) => app.fetch(request));
  const calls: string[] = [];
  const logs: Logged[] = [];
  const logger: ProviderLogger = {
    info: (message, fields) => logs.push({ level: 'info', message, fields }),
    warn: (message, fields) => logs.push({ level: 'warn', message, fields }),
    error: (message, fields) => logs.push({ level: 'error', message, fields }),
  };
  const recording: typeof fetch = async (input, init) => {
    calls.push((JSON.parse(bodyOf(init)) as { service: string }).service);
    return fetch(input, init);
  };
  const adapter = (extra: Record<string, unknown> = {}, fetchImpl: typeof fetch = recording) =>
    createSanSanProvider(
      {
        baseUrl: running.url,
        aesKey: AES_KEY,
        token: TOKEN,
        merchantPrivateKey: KEYS.merchantPrivateKey,
        platformPublicKey: KEYS.platformPublicKey,
        ...options,
        ...extra,
      },
      context(fetchImpl, logger),
    );
  return Object.assign(sandbox, {
    url: running.url,
    calls,
    logs,
    webhooks,
    webhookAnswer: { status: 200, body: '{"code":0}' },
    provider: adapter(),
    adapter,
    async tokenize(card: string) {
      const response = await fetch(`${running.url}/tokenizer/sessions`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ cardNumber: card, expiry: '12/39', cvc: '123', holder: 'Ada Lovelace' }),
      });
      assert.equal(response.status, 201, await response.clone().text());
      const tokens = (await response.json()) as Record<string, string>;
      return { ...tokens, cardHolderName: 'Ada Lovelace' };
    },
    async control(method: string, path: string, body?: unknown) {
      const response = await fetch(`${running.url}/_control${path}`, {
        method,
        headers: { 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    },
    challenge: (orderId: string, choice: 'pay' | 'decline') =>
      fetch(`${running.url}/challenge/${orderId}/${choice}`, { method: 'POST', redirect: 'manual' }),
    close: () => running.close(),
  });
}

function context(fetchImpl: typeof fetch, log: ProviderLogger): ProviderContext {
  return { fetch: fetchImpl, now: () => new Date(), timeoutMs: 3000, cache: memoryCache(), log };
}

function usd(minor: number): Money {
  return { minor, currency: 'USD' };
}

function orderId(): string {
  return `ss-${randomBytes(10).toString('hex')}`;
}

function input(
  id: string,
  fields: Record<string, string>,
  overrides: Partial<CreatePaymentInput> = {},
): CreatePaymentInput {
  return {
    orderId: id,
    method: 'sansan.card',
    money: usd(12_50),
    description: 'Two books',
    customer: { ...CUSTOMER },
    fields: { ...BILLING, ...fields },
    notifyUrl: NOTIFY_URL,
    returnUrl: 'http://127.0.0.1:9/thanks',
    expiresAt: new Date(Date.now() + 3600_000),
    ...overrides,
  };
}

async function assertCode(promise: Promise<unknown>, code: ProviderErrorCode): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof ProviderError, String(error));
    assert.equal(error.code, code, error.message);
    return true;
  });
}

/** A fetch that alters each answer's sealed bizContent before the adapter sees it. */
function tampering(alter: (bizContent: string) => string): typeof fetch {
  return async (request, init) => {
    const response = await fetch(request, init);
    const body = (await response.json()) as Record<string, unknown>;
    if (typeof body.bizContent === 'string') body.bizContent = alter(body.bizContent);
    return new Response(JSON.stringify(body), { status: response.status, headers: response.headers });
  };
}

/**
 * Cuts the second AES block out (ECB lets blocks be cut and pasted): the rest still decrypts to
 * valid text, so only the signature can tell it is not what the platform signed.
 */
function dropSecondBlock(bizContent: string): string {
  const bytes = Buffer.from(bizContent, 'base64');
  return Buffer.concat([bytes.subarray(0, 16), bytes.subarray(32)]).toString('base64');
}

/** Changes the last block, so its padding no longer checks out. */
function spoilLastBlock(bizContent: string): string {
  const bytes = Buffer.from(bizContent, 'base64');
  bytes[bytes.length - 1]! ^= 0x5a;
  return bytes.toString('base64');
}

describe('SanSan adapter', () => {
  let sandbox: Sandbox;
  before(async () => {
    sandbox = await startSandbox();
  });
  after(() => sandbox.close());

  async function status(id: string, money = usd(12_50)) {
    return sandbox.provider.queryPayment({ orderId: id, method: 'sansan.card', money });
  }

  describe('options', () => {
    const base = {
      baseUrl: 'https://api.sansan.example/',
      aesKey: AES_KEY,
      token: TOKEN,
      merchantPrivateKey: KEYS.merchantPrivateKey,
      platformPublicKey: KEYS.platformPublicKey,
    };

    it('takes PEM whose line breaks came from an environment variable as "\\n", and bare Base64 DER', () => {
      const escaped = sansanOptionsSchema.parse({
        ...base,
        merchantPrivateKey: KEYS.merchantPrivateKey.trim().replace(/\n/g, '\\n'),
        platformPublicKey: createPublicKey(KEYS.platformPublicKey)
          .export({ type: 'spki', format: 'der' })
          .toString('base64'),
      });
      assert.equal(escaped.merchantPrivateKey, KEYS.merchantPrivateKey);
      assert.equal(escaped.platformPublicKey, KEYS.platformPublicKey);
      assert.equal(escaped.baseUrl, 'https://api.sansan.example');
      assert.equal(escaped.challengeDisplay, 'frame');
    });

    it('names the field whose key does not parse, or is the wrong kind', () => {
      const cases: Array<[Record<string, unknown>, string]> = [
        [
          { merchantPrivateKey: '-----BEGIN PRIVATE KEY-----\\nnot a key\\n-----END PRIVATE KEY-----' },
          'merchantPrivateKey',
        ],
        [{ merchantPrivateKey: KEYS.merchantPublicKey }, 'merchantPrivateKey'],
        [{ platformPublicKey: 'garbage' }, 'platformPublicKey'],
        [{ aesKey: randomBytes(32).toString('base64') }, 'aesKey'],
        [{ aesKey: 'not base64!' }, 'aesKey'],
        [{ token: '' }, 'token'],
      ];
      for (const [override, field] of cases) {
        const result = sansanOptionsSchema.safeParse({ ...base, ...override });
        assert.equal(result.success, false, field);
        assert.deepEqual(result.error.issues[0]!.path, [field]);
      }
    });
  });

  it('offers sansan.card for USD only, with the tokenizer and only the payer details missing', async () => {
    const offers = await sandbox.provider.offers({ money: usd(12_50), customer: { ...CUSTOMER } });
    assert.equal(offers.length, 1);
    const [offer] = offers;
    assert.deepEqual([offer!.method, offer!.kind, offer!.brand], ['sansan.card', 'card', 'card']);
    assert.deepEqual(offer!.tokenizer, {
      url: `${sandbox.url}/tokenizer`,
      origin: sandbox.url,
      fields: ['sessionCard', 'sessionCvc', 'sessionId', 'cardHolderName', 'userAgent'],
    });
    assert.deepEqual(
      offer!.fields.map((field) => [field.name, field.required]),
      [
        ['address', true],
        ['city', true],
        ['province', false],
        ['postcode', true],
        ['country', true],
      ],
    );
    const bare = await sandbox.provider.offers({ money: usd(12_50), customer: { phone: '4155550100' } });
    assert.deepEqual(
      bare[0]!.fields.slice(0, 2).map((field) => field.name),
      ['email', 'phone'],
      'a phone without its country code is asked for again',
    );
    assert.deepEqual(await sandbox.provider.offers({ money: { minor: 12_50, currency: 'THB' }, customer: {} }), []);

    const production = sandbox.adapter({ tokenizerUrl: 'https://cards.shop.example/worldpay-frame.html' });
    const [custom] = await production.offers({ money: usd(1), customer: {} });
    assert.deepEqual(custom!.tokenizer, {
      url: 'https://cards.shop.example/worldpay-frame.html',
      origin: 'https://cards.shop.example',
      fields: ['sessionCard', 'sessionCvc', 'sessionId', 'cardHolderName', 'userAgent'],
    });
  });

  it('splits international phone numbers by country calling code', () => {
    assert.deepEqual(splitPhone('+1 415 555 0100'), { areaCode: 1, phone: '4155550100' });
    assert.deepEqual(splitPhone('+66 81 234 5678'), { areaCode: 66, phone: '812345678' });
    assert.deepEqual(splitPhone('+852 9123 4567'), { areaCode: 852, phone: '91234567' });
    assert.deepEqual(splitPhone('0044 20 7946 0958'), { areaCode: 44, phone: '2079460958' });
    assert.equal(splitPhone('4155550100'), null);
  });

  it('pays a frictionless card at once: payer, order, checkout, pay; then confirmed with the exact amount', async () => {
    const id = orderId();
    const before = sandbox.calls.length;
    const result = await sandbox.provider.createPayment(
      input(id, await sandbox.tokenize(CARDS.frictionless), { money: usd(99_999_99) }),
    );
    assert.deepEqual(result.action, { type: 'none' });
    assert.equal(result.state, 'succeeded');
    assert.match(result.providerPaymentId ?? '', /^SS\d+/);
    assert.deepEqual(sandbox.calls.slice(before), ['createPayer', 'createOrder', 'checkoutOrder', 'payOrder']);
    assert.deepEqual(await status(id, usd(99_999_99)), {
      state: 'succeeded',
      money: usd(99_999_99),
      providerPaymentId: result.providerPaymentId,
    });
    const order = (await sandbox.control('GET', `/orders/${id}`)).body;
    assert.equal(order.amount, '99999.99');
    assert.equal(order.payerID !== undefined, true);
  });

  it('reuses the payer for the same details, so a retry on the same checkout makes no second payer', async () => {
    const fields = { ...BILLING, address: `${randomBytes(4).toString('hex')} Main Street` };
    const first = sandbox.calls.length;
    await sandbox.provider.createPayment(input(orderId(), { ...fields, ...(await sandbox.tokenize(CARDS.declined)) }));
    await sandbox.provider.createPayment(
      input(orderId(), { ...fields, ...(await sandbox.tokenize(CARDS.mastercard)) }),
    );
    assert.deepEqual(
      sandbox.calls.slice(first).filter((call) => call === 'createPayer'),
      ['createPayer'],
    );
  });

  it('answers a challenge card with the challenge page in a frame; Pay completes it', async () => {
    const id = orderId();
    const result = await sandbox.provider.createPayment(input(id, await sandbox.tokenize(CARDS.challenge)));
    assert.deepEqual(result.action, {
      type: 'challenge',
      display: 'frame',
      url: `${sandbox.url}/challenge/${id}`,
      method: 'GET',
      fields: {},
    });
    assert.equal(result.state, undefined);
    assert.equal((await status(id)).state, 'pending');
    // In a frame, payOrder carries no returnUrl: the page tells the checkout instead of navigating.
    assert.equal((await sandbox.control('GET', `/orders/${id}`)).body.returnUrl, null);
    const page = await fetch(result.action.type === 'challenge' ? result.action.url : '');
    assert.match(await page.text(), /Pay[\s\S]*Decline/);
    assert.equal((await sandbox.challenge(id, 'pay')).status, 303);
    assert.deepEqual((await status(id)).state, 'succeeded');
  });

  it('sends the shopper to the challenge with returnUrl when challengeDisplay is redirect; Decline fails it', async () => {
    const redirecting = sandbox.adapter({ challengeDisplay: 'redirect' });
    const id = orderId();
    const result = await redirecting.createPayment(input(id, await sandbox.tokenize(CARDS.challenge)));
    assert.ok(result.action.type === 'challenge' && result.action.display === 'redirect');
    const declined = await sandbox.challenge(id, 'decline');
    assert.equal(declined.headers.get('location'), 'http://127.0.0.1:9/thanks');
    assert.equal((await status(id)).state, 'failed');
  });

  it('reads a declined card and a failed authentication as failed, with no action', async () => {
    for (const card of [CARDS.declined, CARDS.authenticationFailed]) {
      const id = orderId();
      const result = await sandbox.provider.createPayment(input(id, await sandbox.tokenize(card)));
      assert.deepEqual([result.action.type, result.state], ['none', 'failed'], card);
      assert.equal((await status(id)).state, 'failed', card);
    }
  });

  it('refuses a field that looks like a card number before calling SanSan, and never logs it', async () => {
    const before = sandbox.calls.length;
    const tokens = await sandbox.tokenize(CARDS.frictionless);
    for (const pan of ['4000000000000002', '4000 0000 0000 0002', '4000-0000-0000-0002']) {
      await assertCode(
        sandbox.provider.createPayment(input(orderId(), { ...tokens, sessionCard: pan })),
        'invalid_request',
      );
      await assertCode(
        sandbox.provider.createPayment(input(orderId(), { ...tokens, address: pan })),
        'invalid_request',
      );
    }
    assert.equal(sandbox.calls.length, before);
    assert.ok(!JSON.stringify(sandbox.logs).includes('0000'), 'no card number in the logs');
  });

  it('refuses missing tokenizer fields and missing payer details before calling SanSan', async () => {
    const before = sandbox.calls.length;
    const tokens = await sandbox.tokenize(CARDS.frictionless);
    const { sessionId: _dropped, ...withoutDevice } = tokens;
    await assertCode(sandbox.provider.createPayment(input(orderId(), withoutDevice)), 'invalid_request');
    await assertCode(
      sandbox.provider.createPayment(input(orderId(), { ...tokens, country: 'USA' })),
      'invalid_request',
    );
    await assertCode(
      sandbox.provider.createPayment(input(orderId(), tokens, { customer: { ...CUSTOMER, phone: '4155550100' } })),
      'invalid_request',
    );
    await assertCode(
      sandbox.provider.createPayment(input(orderId(), tokens, { money: { minor: 100, currency: 'EUR' } })),
      'invalid_request',
    );
    assert.equal(sandbox.calls.length, before);
  });

  it('takes the payer name from the card when the merchant passed none', async () => {
    const id = orderId();
    const { name: _name, ...customer } = CUSTOMER;
    const result = await sandbox.provider.createPayment(
      input(id, await sandbox.tokenize(CARDS.frictionless), { customer }),
    );
    assert.equal(result.state, 'succeeded');
  });

  it('refuses tokens SanSan does not know as invalid_request', async () => {
    const tokens = await sandbox.tokenize(CARDS.frictionless);
    await assertCode(
      sandbox.provider.createPayment(input(orderId(), { ...tokens, sessionCvc: 'cvc_unknown' })),
      'invalid_request',
    );
  });

  describe('refused answers change nothing', () => {
    function warnings(from: number): string[] {
      return sandbox.logs
        .slice(from)
        .filter((entry) => entry.level === 'warn')
        .map((entry) => entry.message);
    }

    function assertNoSecrets(messages: string[]): void {
      const text = JSON.stringify(messages);
      for (const secret of [
        AES_KEY,
        TOKEN,
        KEYS.merchantPrivateKey.slice(40, 80),
        KEYS.platformPublicKey.slice(40, 80),
      ]) {
        assert.ok(!text.includes(secret), 'a secret in the log');
      }
    }

    it('a wrong AES key: the answer cannot be read, no order is made', async () => {
      const logged = sandbox.logs.length;
      const wrong = sandbox.adapter({ aesKey: randomBytes(16).toString('base64') });
      const id = orderId();
      await assertCode(wrong.createPayment(input(id, await sandbox.tokenize(CARDS.frictionless))), 'bad_response');
      assert.equal((await sandbox.control('GET', `/orders/${id}`)).status, 404);
      const messages = warnings(logged);
      assert.equal(messages.length, 1);
      assert.match(messages[0]!, /createPayer answer refused: .*aesKey/);
      assertNoSecrets(messages);
    });

    it('a wrong platform key: nothing is read, no order is made, a paid order is not seen as paid', async () => {
      const logged = sandbox.logs.length;
      const wrong = sandbox.adapter({ platformPublicKey: OTHER_KEYS.platformPublicKey });
      const id = orderId();
      await assertCode(wrong.createPayment(input(id, await sandbox.tokenize(CARDS.frictionless))), 'bad_response');
      assert.equal((await sandbox.control('GET', `/orders/${id}`)).status, 404);

      const paid = orderId();
      await sandbox.provider.createPayment(input(paid, await sandbox.tokenize(CARDS.frictionless)));
      await assertCode(wrong.queryPayment({ orderId: paid, method: 'sansan.card', money: usd(12_50) }), 'bad_response');
      const messages = warnings(logged);
      assert.ok(
        messages.every((message) => /platformPublicKey/.test(message)),
        messages.join('\n'),
      );
      assertNoSecrets(messages);
    });

    it('a tampered answer: refused whether the change breaks the padding or only the signature', async () => {
      const id = orderId();
      await sandbox.provider.createPayment(input(id, await sandbox.tokenize(CARDS.challenge)));
      for (const [alter, setting] of [
        [dropSecondBlock, 'platformPublicKey'],
        [spoilLastBlock, 'aesKey'],
      ] as const) {
        const logged = sandbox.logs.length;
        const tampered = sandbox.adapter({}, tampering(alter));
        await assertCode(
          tampered.queryPayment({ orderId: id, method: 'sansan.card', money: usd(12_50) }),
          'bad_response',
        );
        await assertCode(
          tampered.createPayment(input(orderId(), await sandbox.tokenize(CARDS.frictionless))),
          'bad_response',
        );
        const messages = warnings(logged);
        assert.equal(messages.length, 2, setting);
        assert.ok(
          messages.every((message) => message.includes(setting)),
          messages.join('\n'),
        );
        assertNoSecrets(messages);
      }
      assert.equal((await status(id)).state, 'pending');
    });

    it('SanSan refusing our seal (a merchant key it does not hold) is authentication', async () => {
      const wrong = sandbox.adapter({ merchantPrivateKey: OTHER_KEYS.merchantPrivateKey });
      await assertCode(
        wrong.queryPayment({ orderId: orderId(), method: 'sansan.card', money: usd(1) }),
        'authentication',
      );
    });
  });

  describe('refunds', () => {
    async function paidOrder(minor = 12_50): Promise<string> {
      const id = orderId();
      const result = await sandbox.provider.createPayment(
        input(id, await sandbox.tokenize(CARDS.frictionless), { money: usd(minor) }),
      );
      assert.equal(result.state, 'succeeded');
      return id;
    }

    it('refunds in part, then the rest, confirms each, and refuses more than is left', async () => {
      const id = await paidOrder(20_00);
      const refundId = `${id}-r1`;
      assert.deepEqual(await sandbox.provider.refund!({ orderId: id, refundId, money: usd(5_00), reason: 'Damaged' }), {
        state: 'succeeded',
      });
      assert.deepEqual(
        await sandbox.provider.queryRefund!({ orderId: id, refundId, money: usd(5_00), refundedBefore: usd(0) }),
        { state: 'succeeded' },
      );
      // The same refund asked again answers its state; it is not a second refund.
      assert.deepEqual(await sandbox.provider.refund!({ orderId: id, refundId, money: usd(5_00), reason: null }), {
        state: 'succeeded',
      });
      await assertCode(
        sandbox.provider.refund!({ orderId: id, refundId: `${id}-r2`, money: usd(15_01), reason: null }),
        'amount_out_of_range',
      );
      assert.deepEqual(
        await sandbox.provider.refund!({ orderId: id, refundId: `${id}-r3`, money: usd(15_00), reason: null }),
        { state: 'succeeded' },
      );
      // Refunded, the payment itself still reads as paid.
      assert.deepEqual((await status(id, usd(20_00))).state, 'succeeded');
    });

    it('a held refund is pending until SanSan settles it, completed or failed', async () => {
      await sandbox.control('POST', '/refund-mode', { mode: 'hold' });
      try {
        for (const result of ['complete', 'fail'] as const) {
          const id = await paidOrder();
          const refundId = `${id}-r`;
          const query = () =>
            sandbox.provider.queryRefund!({ orderId: id, refundId, money: usd(12_50), refundedBefore: usd(0) });
          assert.deepEqual(await sandbox.provider.refund!({ orderId: id, refundId, money: usd(12_50), reason: null }), {
            state: 'pending',
          });
          assert.deepEqual(await query(), { state: 'pending' });
          await sandbox.control('POST', `/orders/${id}/refund${result === 'fail' ? '?result=fail' : ''}`);
          assert.deepEqual(await query(), { state: result === 'fail' ? 'failed' : 'succeeded' });
        }
      } finally {
        await sandbox.control('POST', '/refund-mode', { mode: 'complete' });
      }
    });

    it('refuses a refund of an unpaid order and of an unknown one; an unknown refund id is pending', async () => {
      const id = orderId();
      await sandbox.provider.createPayment(input(id, await sandbox.tokenize(CARDS.challenge)));
      await assertCode(
        sandbox.provider.refund!({ orderId: id, refundId: `${id}-r`, money: usd(1_00), reason: null }),
        'refused',
      );
      await assertCode(
        sandbox.provider.refund!({ orderId: orderId(), refundId: orderId(), money: usd(1_00), reason: null }),
        'not_found',
      );
      assert.deepEqual(
        await sandbox.provider.queryRefund!({
          orderId: id,
          refundId: 'ref_never',
          money: usd(1),
          refundedBefore: usd(0),
        }),
        { state: 'pending' },
      );
    });
  });

  describe('webhooks', () => {
    /** Reads webhooks without logging, to find those of one order among all the simulator sent. */
    const reader = () =>
      createSanSanProvider(
        {
          baseUrl: sandbox.url,
          aesKey: AES_KEY,
          token: TOKEN,
          merchantPrivateKey: KEYS.merchantPrivateKey,
          platformPublicKey: KEYS.platformPublicKey,
        },
        context(fetch, silentLogger),
      );

    /** Waits until the simulator has sent `count` genuine webhooks about `id` that match, and returns them. */
    async function noticesFor(
      id: string,
      count: number,
      match: (news: VerifiedNotification) => boolean = () => true,
    ): Promise<Array<{ rawBody: string; news: VerifiedNotification }>> {
      const parse = reader();
      for (let waited = 0; ; waited += 10) {
        const found: Array<{ rawBody: string; news: VerifiedNotification }> = [];
        for (const rawBody of sandbox.webhooks) {
          const news = await parse.parseNotification!({ rawBody, contentType: 'application/json' }).catch(() => null);
          if (news && news.orderId === id && match(news)) found.push({ rawBody, news });
        }
        if (found.length >= count) return found;
        assert.ok(waited < 3000, `expected ${count} webhooks about ${id}, got ${found.length}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }

    it('verifies a genuine webhook: payment news with its money, and the documented acknowledgement', async () => {
      const id = orderId();
      await sandbox.provider.createPayment(input(id, await sandbox.tokenize(CARDS.challenge)));
      await sandbox.challenge(id, 'pay');
      const { rawBody } = (await noticesFor(id, 1, (news) => news.claimed === 'succeeded'))[0]!;
      const parsed = await sandbox.provider.parseNotification!({ rawBody, contentType: 'application/json' });
      assert.equal(parsed.kind, 'payment');
      assert.equal(parsed.orderId, id);
      assert.equal(parsed.claimed, 'succeeded');
      assert.deepEqual(parsed.money, usd(12_50));
      assert.deepEqual(parsed.ack, { status: 200, body: '{"code":0}', contentType: 'application/json' });
      assert.deepEqual(parsed.ack, SANSAN_NOTIFICATION_ACK);
      const processing = await noticesFor(id, 1, (news) => news.claimed === 'pending');
      assert.notEqual(processing[0]!.news.dedupeKey, parsed.dedupeKey, 'another status, another key');
    });

    it('gives a retried or resent notification the same dedupeKey', async () => {
      const id = orderId();
      await sandbox.provider.createPayment(input(id, await sandbox.tokenize(CARDS.challenge)));
      await noticesFor(id, 1); // Processing, delivered
      sandbox.webhookAnswer = { status: 500, body: 'busy' };
      try {
        await sandbox.control('POST', `/orders/${id}/fail`);
        // The first try failed; the retry (10 ms later) reports failTimes 1.
        await noticesFor(id, 2, (news) => news.claimed === 'failed');
      } finally {
        sandbox.webhookAnswer = { status: 200, body: '{"code":0}' };
      }
      await sandbox.control('POST', `/orders/${id}/callback`);
      const failed = await noticesFor(id, 3, (news) => news.claimed === 'failed');
      assert.equal(new Set(failed.map((each) => each.rawBody)).size, 3, 'three different bodies');
      assert.equal(new Set(failed.map((each) => each.news.dedupeKey)).size, 1, 'one dedupeKey');
    });

    it('reads refund news as kind refund', async () => {
      const id = orderId();
      await sandbox.provider.createPayment(input(id, await sandbox.tokenize(CARDS.frictionless)));
      await sandbox.provider.refund!({ orderId: id, refundId: `${id}-r`, money: usd(12_50), reason: null });
      const news = await noticesFor(id, 2, (each) => each.kind === 'refund');
      assert.deepEqual(
        news.map(({ news: each }) => [each.kind, each.orderId, each.claimed, each.refundId, each.money]),
        [
          ['refund', id, 'pending', null, null],
          ['refund', id, 'succeeded', null, null],
        ],
      );
    });

    it('refuses forged webhooks (another signer, another AES key, a tampered ciphertext) and logs why', async () => {
      const id = orderId();
      await sandbox.provider.createPayment(input(id, await sandbox.tokenize(CARDS.frictionless)));
      for (const [kind, setting] of [
        ['sign', 'platformPublicKey'],
        ['key', 'aesKey'],
        ['tamper', 'platformPublicKey'],
      ] as const) {
        const logged = sandbox.logs.length;
        const before = sandbox.webhooks.length;
        await sandbox.control('POST', `/orders/${id}/forged-callback?kind=${kind}`);
        // The forged notification is the one a reader with the right keys cannot verify.
        const unverifiable = [];
        for (const body of sandbox.webhooks.slice(before)) {
          if (!(await reader().parseNotification!({ rawBody: body, contentType: null }).catch(() => null)))
            unverifiable.push(body);
        }
        assert.equal(unverifiable.length, 1, kind);
        const rawBody = unverifiable[0]!;
        await assertCode(
          sandbox.provider.parseNotification!({ rawBody, contentType: 'application/json' }),
          'invalid_signature',
        );
        const warned = sandbox.logs.slice(logged).map((entry) => entry.message);
        assert.equal(warned.length, 1, kind);
        assert.match(warned[0]!, new RegExp(`webhook refused: .*${setting}`), kind);
      }
      for (const rawBody of [
        'not json',
        '{}',
        JSON.stringify({ noticeType: 'PaymentOrderStatus', bizContent: 'AAAA', sign: 'AAAA' }),
      ]) {
        await assertCode(
          sandbox.provider.parseNotification!({ rawBody, contentType: 'application/json' }),
          'invalid_signature',
        );
      }
    });
  });

  it('maps faults: 5xx to unavailable; garbage and a huge answer to bad_response; a wrong token to authentication', async () => {
    try {
      await sandbox.control('POST', '/faults', { mode: 'http500' });
      await assertCode(status(orderId()), 'unavailable');
      await sandbox.control('POST', '/faults', { mode: 'garbage' });
      await assertCode(status(orderId()), 'bad_response');
      await sandbox.control('POST', '/faults', { mode: 'huge' });
      await assertCode(status(orderId()), 'bad_response');
    } finally {
      await sandbox.control('POST', '/faults', { mode: 'none' });
    }
    await assertCode(
      sandbox
        .adapter({ token: 'wrong-token' })
        .queryPayment({ orderId: orderId(), method: 'sansan.card', money: usd(1) }),
      'authentication',
    );
  });

  it("asks SanSan where the order stands when payOrder's answer is lost, and reports a paid order as paid", async () => {
    let lose = false;
    const losing: typeof fetch = async (request, init) => {
      const response = await fetch(request, init);
      if (lose && (JSON.parse(bodyOf(init)) as { service: string }).service === 'payOrder')
        throw new TypeError('connection reset');
      return response;
    };
    const adapter = sandbox.adapter({}, losing);
    lose = true;
    const paid = await adapter.createPayment(input(orderId(), await sandbox.tokenize(CARDS.frictionless)));
    assert.deepEqual([paid.action.type, paid.state], ['none', 'succeeded']);
    // A challenge card's order is still open after a lost answer: that is not a result, the error stands.
    await assertCode(adapter.createPayment(input(orderId(), await sandbox.tokenize(CARDS.challenge))), 'unavailable');
  });
});

describe('SanSan descriptor', () => {
  it('makes sandbox keys once per process and builds a simulator that accepts them', async () => {
    const credentials = sansan.sandbox.credentials();
    assert.deepEqual(sansan.sandbox.credentials(), credentials, 'the same keys every time');
    assert.deepEqual(Object.keys(credentials).sort(), ['aesKey', 'merchantPrivateKey', 'platformPublicKey', 'token']);
    const running = await listen();
    try {
      const options = sansan.options.parse({ ...credentials, baseUrl: running.url });
      const app = sansan.sandbox.simulator({
        options,
        publicUrl: running.url,
        merchantName: 'Lovelace Books',
        fetch: async () => new Response('{"code":0}'),
      });
      running.handle((request) => app.fetch(request));
      const provider = sansan.create(options, context(fetch, { info() {}, warn() {}, error() {} }));
      await assertCode(
        provider.queryPayment({ orderId: orderId(), method: 'sansan.card', money: usd(1) }),
        'not_found',
      );
      assert.throws(
        () =>
          sansan.sandbox.simulator({
            options: sansan.options.parse({
              ...credentials,
              platformPublicKey: KEYS.platformPublicKey,
              baseUrl: running.url,
            }),
            publicUrl: running.url,
            merchantName: 'x',
            fetch,
          }),
        /platformPublicKey/,
      );
    } finally {
      await running.close();
    }
  });
});

providerContract('sansan', async (): Promise<ContractHarness> => {
  const sandbox = await startSandbox();
  const aesKey = aesKeyFromBase64(AES_KEY);
  const platformPublic = publicKeyFromPem(KEYS.platformPublicKey);
  const adapter = (token = TOKEN) =>
    createSanSanProvider(
      {
        baseUrl: sandbox.url,
        aesKey: AES_KEY,
        token,
        merchantPrivateKey: KEYS.merchantPrivateKey,
        platformPublicKey: KEYS.platformPublicKey,
      },
      { ...context(fetch, silentLogger), timeoutMs: CONTRACT_TIMEOUT_MS },
    );
  /** A control that must answer 200. */
  async function control(path: string, body?: unknown): Promise<void> {
    const { status, body: answer } = await sandbox.control('POST', path, body);
    assert.equal(status, 200, `control ${path}: ${JSON.stringify(answer)}`);
  }
  /** What a webhook says, read with the simulator's own crypto (never the adapter's); null if it does not open. */
  function news(rawBody: string): { json: string; orderSn: string; status: string } | null {
    const { bizContent, sign } = JSON.parse(rawBody) as { bizContent: string; sign: string };
    const opened = openSealed({ bizContent, sign }, aesKey, platformPublic);
    if (!opened.ok) return null;
    const { order_sn: orderSn, status } = (JSON.parse(opened.json) as { PaymentOrderStatus: Record<string, string> })
      .PaymentOrderStatus;
    return { json: opened.json, orderSn: orderSn!, status: status! };
  }
  /** The first webhook from `from` on about the order in that status, waited for (the challenge does not wait). */
  async function webhookAbout(orderId: string, status: string, from: number): Promise<string> {
    for (let waited = 0; waited < 3000; waited += 10) {
      const found = sandbox.webhooks.slice(from).find((body) => {
        const said = news(body);
        return said?.orderSn === orderId && said.status === status;
      });
      if (found) return found;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.fail(`no ${status} webhook about ${orderId}`);
  }
  const asInput = (rawBody: string) => ({ rawBody, contentType: 'application/json' });
  return {
    provider: adapter(),
    badCredentials: adapter('not-the-token'),
    payIn: {
      method: 'sansan.card',
      money: usd(12_50),
      unsupportedMoney: { minor: 12_50, currency: 'THB' },
      // The contract's customer has a phone without its country code, so the offer asks for it.
      fields: { ...BILLING, phone: '+66 81 234 5678' },
      // A card that needs a challenge, so the order waits for the shopper's Pay or Decline.
      freshFields: () => sandbox.tokenize(CARDS.challenge),
      pay: async (id) => assert.equal((await sandbox.challenge(id, 'pay')).status, 303),
      decline: async (id) => assert.equal((await sandbox.challenge(id, 'decline')).status, 303),
    },
    notifications: {
      async paid(orderId, amount) {
        const from = sandbox.webhooks.length;
        assert.equal((await sandbox.challenge(orderId, 'pay')).status, 303);
        const genuine = await webhookAbout(orderId, 'Paid', from);
        if (!amount) return asInput(genuine);
        // SanSan's cards pay what was ordered; a webhook claiming another amount is made the way the
        // simulator makes every webhook, sealed with the platform's keys.
        const json = news(genuine)!.json;
        const claimed = json.replace(/"amount":\d+\.\d{2}/, `"amount":${formatDecimal(amount)}`);
        assert.notEqual(claimed, json, 'the webhook names an amount');
        const sealed = seal(claimed, aesKey, privateKeyFromPem(KEYS.platformPrivateKey));
        return asInput(JSON.stringify({ noticeType: 'PaymentOrderStatus', ...sealed }));
      },
      async resent(orderId) {
        const from = sandbox.webhooks.length;
        await control(`/orders/${orderId}/callback`);
        return asInput(await webhookAbout(orderId, 'Paid', from));
      },
      async forged(orderId) {
        const from = sandbox.webhooks.length;
        await control(`/orders/${orderId}/forged-callback?kind=sign`);
        const sent = sandbox.webhooks.slice(from);
        assert.equal(sent.length, 1, 'one forged webhook');
        return asInput(sent[0]!);
      },
      // docs/providers/sansan.md: HTTP 200 with JSON whose code is 0.
      ack: { body: '{"code":0}', contentType: 'application/json' },
    },
    refunds: {
      // The simulator holds every later refund; the contract makes one after this.
      holdNext: () => control('/refund-mode', { mode: 'hold' }),
      settle: (orderId) => control(`/orders/${orderId}/refund`),
    },
    setFault: (mode) => control('/faults', { mode }),
    close: () => sandbox.close(),
  };
});
