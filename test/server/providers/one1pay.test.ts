import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import {
  createOne1PayProvider,
  one1payOptionsSchema,
  parseOne1PayJson,
  type One1PayOptions,
} from '../../../server/providers/one1pay/adapter.ts';
import { bankNames } from '../../../server/providers/one1pay/banks.ts';
import { formatDecimal } from '../../../server/domain/money.ts';
import { createOne1PaySimulator } from '../../../server/sandbox/one1pay/index.ts';
import {
  ProviderError,
  type CreatePaymentInput,
  type NotificationInput,
  type Provider,
  type ProviderContext,
  type PayoutDestination,
  type ProviderErrorCode,
  memoryCache,
  silentLogger,
} from '../../../server/providers/provider.ts';
import { CONTRACT_TIMEOUT_MS, providerContract, type ContractHarness } from './contract.ts';
import { urlOf } from '../../fetch-args.ts';

const CREDENTIALS = {
  username: 'test-merchant',
  apiKey: 'test-api-key-0001',
  callbackSecret: 'test-callback-secret',
};

interface Running {
  url: string;
  close(): Promise<void>;
}

/** What `listen` serves: a Hono app (routes added or not), or anything else that answers a Request. */
interface Handler {
  fetch(request: Request): Response | Promise<Response>;
}

/** Serves a Hono app on a loopback port; `build` gets the base URL before the first request. */
async function listen(build: (url: string) => Handler): Promise<Running> {
  const server = await new Promise<Server>((resolve) => {
    // `app` is built below once the port is known; no request can arrive before then.
    const started = serve({ fetch: (request) => app.fetch(request), port: 0, hostname: '127.0.0.1' }, () =>
      resolve(started as Server),
    );
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const app = build(url);
  return {
    url,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function startSimulator(): Promise<Running> {
  return listen((url) =>
    createOne1PaySimulator({ ...CREDENTIALS, publicUrl: url, merchantName: 'Test Shop', callbackTimeoutMs: 2_000 }),
  );
}

function bank(bankId: string, bankBranch: string | null, accountNumber: string): PayoutDestination {
  return { type: 'bank', bankId, bankBranch, holderName: 'Somchai Jaidee', accountNumber };
}

function optionsFor(baseUrl: string, overrides: Partial<Record<string, unknown>> = {}): One1PayOptions {
  return one1payOptionsSchema.parse({ ...CREDENTIALS, baseUrl, ...overrides });
}

function context(overrides: Partial<ProviderContext> = {}): ProviderContext {
  const now = overrides.now ?? (() => new Date());
  return { fetch, now, timeoutMs: 5_000, cache: memoryCache(now), log: silentLogger, ...overrides };
}

async function control(baseUrl: string, path: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${baseUrl}/_control/${path}`, { method: 'POST' });
  const body = (await response.json()) as Record<string, unknown>;
  if (response.status !== 200) throw new Error(`control ${path}: HTTP ${response.status} ${JSON.stringify(body)}`);
  return body;
}

async function record(baseUrl: string, path: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${baseUrl}/_control/${path}`);
  return { httpStatus: response.status, ...((await response.json()) as Record<string, unknown>) };
}

function orderId(): string {
  return `t-${randomBytes(10).toString('hex')}`;
}

async function assertCode(promise: Promise<unknown>, code: ProviderErrorCode): Promise<ProviderError> {
  let caught: unknown;
  await assert.rejects(promise, (error: unknown) => {
    caught = error;
    return true;
  });
  assert.ok(caught instanceof ProviderError, `expected a ProviderError, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  return caught;
}

const THB_500 = { minor: 500_00, currency: 'THB' };
const BANK_FIELDS = { bankId: '2', holderName: 'Somchai Jaidee', accountNumber: '1234567890' };

providerContract('one1pay', async (): Promise<ContractHarness> => {
  const sim = await startSimulator();
  const contractContext = () => context({ timeoutMs: CONTRACT_TIMEOUT_MS });
  /** The order's (or withdrawal's) last callback, as the simulator posted it. */
  const lastCallback = (record: Record<string, unknown>): NotificationInput => {
    const sent = (record.callbacks as Array<{ sent: string }>).at(-1);
    assert.ok(sent, 'the simulator sent a callback');
    return { rawBody: sent.sent, contentType: 'application/json' };
  };
  return {
    provider: createOne1PayProvider(optionsFor(sim.url), contractContext()),
    badCredentials: createOne1PayProvider(optionsFor(sim.url, { apiKey: 'not-the-key' }), contractContext()),
    payIn: {
      method: 'one1pay.thaiqr',
      money: THB_500,
      unsupportedMoney: { minor: 500_00, currency: 'USD' },
      fields: { ...BANK_FIELDS },
      pay: async (id) => {
        await control(sim.url, `orders/${id}/pay`);
      },
      decline: async (id) => {
        await control(sim.url, `orders/${id}/decline`);
      },
    },
    notifications: {
      paid: async (id, amount) =>
        lastCallback(await control(sim.url, `orders/${id}/pay${amount ? `?amount=${formatDecimal(amount)}` : ''}`)),
      resent: async (id) => lastCallback(await control(sim.url, `orders/${id}/callback`)),
      forged: async (id) => lastCallback(await control(sim.url, `orders/${id}/forged-callback`)),
      // docs/providers/one1pay.md: HTTP 200 with the body `success`.
      ack: { body: 'success', contentType: 'text/plain' },
    },
    payouts: {
      money: { minor: 1_000_00, currency: 'THB' },
      destination: bank('101', null, '1234567890'),
      complete: async (id) => {
        await control(sim.url, `withdrawals/${id}/complete`);
      },
      lastCallback: async (id) => lastCallback(await record(sim.url, `withdrawals/${id}`)),
    },
    // A fresh simulator's wallet (server/sandbox/one1pay/).
    balance: { expected: { minor: 100_000_00, currency: 'THB' } },
    setFault: async (mode) => {
      const response = await fetch(`${sim.url}/_control/faults`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ mode }),
      });
      assert.equal(response.status, 200, await response.text());
    },
    close: () => sim.close(),
  };
});

describe('one1pay adapter against its simulator', () => {
  let sim: Running;
  let captured: Running;
  /** Callbacks the simulator sent, by order id, raw as they arrived. */
  const callbacks = new Map<string, Array<{ body: string; contentType: string | null }>>();
  let provider: Provider;

  before(async () => {
    sim = await startSimulator();
    captured = await listen(() =>
      new Hono().post('/notify', async (c) => {
        const body = await c.req.text();
        const id = (JSON.parse(body) as { order_id: string }).order_id;
        callbacks.set(id, [...(callbacks.get(id) ?? []), { body, contentType: c.req.header('content-type') ?? null }]);
        return c.text('success');
      }),
    );
    provider = createOne1PayProvider(optionsFor(sim.url), context());
  });

  after(async () => {
    await sim.close();
    await captured.close();
  });

  function payment(id: string, overrides: Partial<CreatePaymentInput> = {}): CreatePaymentInput {
    return {
      orderId: id,
      method: 'one1pay.truemoney',
      money: THB_500,
      description: null,
      customer: { email: 'shopper@example.com', phone: '+66 81 234 5678' },
      fields: { ...BANK_FIELDS },
      notifyUrl: `${captured.url}/notify`,
      returnUrl: 'https://shop.example/thanks',
      expiresAt: new Date(Date.now() + 600_000),
      ...overrides,
    };
  }

  function lastCallback(id: string): { rawBody: string; contentType: string | null } {
    const list = callbacks.get(id);
    assert.ok(list?.length, `no callback arrived for ${id}`);
    const last = list[list.length - 1]!;
    return { rawBody: last.body, contentType: last.contentType };
  }

  describe('callbacks', () => {
    it('accepts a callback with the right token and reports what it claims', async () => {
      const id = orderId();
      await provider.createPayment(payment(id));
      await control(sim.url, `orders/${id}/pay`);
      const notification = await provider.parseNotification!(lastCallback(id));
      assert.deepEqual(
        {
          kind: notification.kind,
          orderId: notification.orderId,
          claimed: notification.claimed,
          money: notification.money,
        },
        { kind: 'payment', orderId: id, claimed: 'succeeded', money: THB_500 },
      );
      const view = await record(sim.url, `orders/${id}`);
      const deliveries = view.callbacks as Array<{ acknowledged: boolean; httpStatus: number }>;
      assert.equal(deliveries.length, 1);
      assert.equal(deliveries[0]!.acknowledged, true, 'the simulator records our "success" as acknowledged');
    });

    it('reports a declined order as failed', async () => {
      const id = orderId();
      await provider.createPayment(payment(id));
      await control(sim.url, `orders/${id}/decline`);
      const notification = await provider.parseNotification!(lastCallback(id));
      assert.equal(notification.claimed, 'failed');
    });

    it('never lets a forged callback stand for the order it names', async () => {
      const id = orderId();
      await provider.createPayment(payment(id));
      await control(sim.url, `orders/${id}/forged-callback`);
      // Its token fits no order id it names: at most it could be One1Pay's own id for an order, and
      // then only the order whose number the token covers would be touched.
      const notification = await provider.parseNotification!(lastCallback(id));
      assert.equal(notification.orderId, '');
      assert.equal(notification.providerPaymentId, id);
      assert.equal(notification.authenticate!(id), false);
    });

    it('rejects a token that belongs to another order', async () => {
      const paid = orderId();
      const other = orderId();
      await provider.createPayment(payment(paid));
      await provider.createPayment(payment(other));
      await control(sim.url, `orders/${paid}/pay`);
      const body = JSON.parse(lastCallback(paid).rawBody) as Record<string, unknown>;
      const moved = JSON.stringify({ ...body, order_id: other });
      const notification = await provider.parseNotification!({ rawBody: moved, contentType: 'application/json' });
      assert.equal(notification.orderId, '');
      assert.equal(notification.authenticate!(other), false);
      assert.equal(notification.authenticate!(paid), true);
    });

    it('rejects a body that is not JSON, or has no token, as invalid_signature', async () => {
      await assertCode(
        provider.parseNotification!({ rawBody: 'order_id=1&token=x', contentType: null }),
        'invalid_signature',
      );
      await assertCode(
        provider.parseNotification!({
          rawBody: '{"order_id":"A1","order_status":"completed"}',
          contentType: 'application/json',
        }),
        'invalid_signature',
      );
    });

    it('gives a redelivered callback the same dedupeKey and another state another key', async () => {
      const id = orderId();
      await provider.createPayment(payment(id));
      await control(sim.url, `orders/${id}/pay`);
      const first = await provider.parseNotification!(lastCallback(id));
      await control(sim.url, `orders/${id}/callback`);
      assert.equal(callbacks.get(id)?.length, 2);
      const again = await provider.parseNotification!(lastCallback(id));
      assert.equal(again.dedupeKey, first.dedupeKey);

      const failedClaim = JSON.stringify({ ...JSON.parse(lastCallback(id).rawBody), order_status: 'fail' });
      const other = await provider.parseNotification!({ rawBody: failedClaim, contentType: 'application/json' });
      assert.notEqual(other.dedupeKey, first.dedupeKey);
    });

    it("accepts the document's own layout: a trailing comma and a four-decimal number", async () => {
      const token = createHash('md5').update(`${CREDENTIALS.callbackSecret}Example_123`).digest('hex');
      const rawBody = `{
    "order_id": "Example_123",
    "amount": 300.0000,
    "currency": "THB",
    "order_status":"completed",
    "status": true,
    "charge": "9.0000",
    "token":"${token}",
    "name":"john doe",
    "type":"deposit",
   
} `;
      const notification = await provider.parseNotification!({ rawBody, contentType: 'application/json' });
      assert.deepEqual(notification.money, { minor: 300_00, currency: 'THB' });
      assert.equal(notification.claimed, 'succeeded');
      // Acknowledged with HTTP 200 "success" (docs/providers/one1pay.md).
      assert.deepEqual(notification.ack, { status: 200, body: 'success', contentType: 'text/plain' });
    });
  });

  describe('amounts', () => {
    it('reports the amount the provider says was paid, not the one ordered', async () => {
      const id = orderId();
      await provider.createPayment(payment(id));
      await control(sim.url, `orders/${id}/pay?amount=450.00`);
      const status = await provider.queryPayment({ orderId: id, method: 'one1pay.truemoney', money: THB_500 });
      assert.equal(status.state, 'succeeded');
      assert.deepEqual(status.money, { minor: 450_00, currency: 'THB' });
      const notification = await provider.parseNotification!(lastCallback(id));
      assert.deepEqual(notification.money, { minor: 450_00, currency: 'THB' });
    });

    it('maps an amount the provider refuses to amount_out_of_range', async () => {
      await assertCode(
        provider.createPayment(payment(orderId(), { money: { minor: 99_99, currency: 'THB' } })),
        'amount_out_of_range',
      );
      await assertCode(
        provider.createPayment(payment(orderId(), { money: { minor: 50_000_01, currency: 'THB' } })),
        'amount_out_of_range',
      );
    });
  });

  describe('offers', () => {
    it('asks for email and phone only when the customer lacks them', async () => {
      const names = async (customer: { email?: string; phone?: string }) => {
        const offers = await provider.offers({ money: THB_500, customer });
        assert.deepEqual(
          offers.map((o) => o.method),
          ['one1pay.thaiqr', 'one1pay.truemoney'],
        );
        return offers[0]!.fields.map((f) => f.name);
      };
      assert.deepEqual(await names({}), ['bankId', 'holderName', 'accountNumber', 'email', 'phone']);
      assert.deepEqual(await names({ email: 'a@example.com' }), ['bankId', 'holderName', 'accountNumber', 'phone']);
      assert.deepEqual(await names({ phone: '66812345678' }), ['bankId', 'holderName', 'accountNumber', 'email']);
      assert.deepEqual(await names({ email: 'a@example.com', phone: '66812345678' }), [
        'bankId',
        'holderName',
        'accountNumber',
      ]);
    });

    it("fills the bank choice from the simulator's list for the currency", async () => {
      const [thb] = await provider.offers({ money: THB_500, customer: {} });
      const thbBank = thb!.fields.find((f) => f.name === 'bankId');
      assert.equal(thbBank?.type, 'select');
      assert.deepEqual(
        thbBank?.options?.map((o) => o.label),
        ['Siam Commercial Bank', 'Kasikornbank', 'Bangkok Bank', 'Krungthai Bank', 'Krungsri (Bank of Ayudhya)'],
      );
    });

    it('names each listed bank in the languages that have a name for it', async () => {
      const [offer] = await provider.offers({ money: THB_500, customer: {} });
      const options = offer!.fields.find((f) => f.name === 'bankId')?.options ?? [];
      const kasikorn = options.find((o) => o.label === 'Kasikornbank');
      assert.equal(kasikorn?.labels?.th, 'ธนาคารกสิกรไทย');
      assert.equal(kasikorn?.labels?.ja, 'カシコン銀行');
      assert.equal(kasikorn?.labels?.['zh-Hant'], '開泰銀行');
      // Malay has no name of its own for a Thai bank: the widget shows One1Pay's.
      assert.equal(kasikorn?.labels?.ms, undefined);
      assert.ok(options.every((o) => o.labels?.th?.startsWith('ธนาคาร')));
    });

    it('offers the Thai schemes for THB only', async () => {
      assert.deepEqual(await provider.offers({ money: { minor: 100_00, currency: 'MYR' }, customer: {} }), []);
    });

    it('offers nothing for a listed currency without deposit banks', async () => {
      assert.deepEqual(await provider.offers({ money: { minor: 100_00, currency: 'CNY' }, customer: {} }), []);
    });

    it('follows the limits from /merchant/currency', async () => {
      const count = async (minor: number) =>
        (await provider.offers({ money: { minor, currency: 'THB' }, customer: {} })).length;
      assert.equal(await count(99_99), 0);
      assert.equal(await count(100_00), 2);
      assert.equal(await count(50_000_00), 2);
      assert.equal(await count(50_000_01), 0);
      assert.equal(await count(4_00), 0);
    });

    it('keeps limits and banks for cacheSeconds, by the injected clock', async () => {
      let clock = new Date('2026-11-21T10:00:00Z');
      const asked: string[] = [];
      const counting: typeof fetch = (input, init) => {
        asked.push(new URL(urlOf(input)).pathname);
        return fetch(input, init);
      };
      const cachedProvider = createOne1PayProvider(
        optionsFor(sim.url, { cacheSeconds: 60 }),
        context({ fetch: counting, now: () => clock }),
      );
      await cachedProvider.offers({ money: THB_500, customer: {} });
      await cachedProvider.offers({ money: THB_500, customer: {} });
      assert.deepEqual(asked, ['/merchant/currency', '/wallet/bank_list']);
      clock = new Date(clock.getTime() + 61_000);
      await cachedProvider.offers({ money: THB_500, customer: {} });
      assert.deepEqual(asked, ['/merchant/currency', '/wallet/bank_list', '/merchant/currency', '/wallet/bank_list']);
    });
  });

  describe('createPayment', () => {
    it('sends the shopper to the payment page and names the provider payment id', async () => {
      const id = orderId();
      const result = await provider.createPayment(payment(id));
      assert.equal(result.action.type, 'redirect');
      assert.ok(result.action.type === 'redirect');
      assert.equal(result.action.method, 'GET');
      assert.deepEqual(result.action.fields, {});
      assert.equal(result.action.url, `${sim.url}/pay/${result.providerPaymentId}`);
      const view = await record(sim.url, `orders/${id}`);
      assert.equal(view.paymentId, result.providerPaymentId);
      assert.equal(view.payMethod, 'truemoney');
      assert.equal(view.amount, '500.00');
      assert.equal(view.phoneNumber, '66812345678', 'the phone is sent as digits only');
      assert.equal(view.callbackUrl, `${captured.url}/notify`);
    });

    it('takes email and phone from fields when the customer lacks them', async () => {
      const id = orderId();
      await provider.createPayment(
        payment(id, { customer: {}, fields: { ...BANK_FIELDS, email: 'typed@example.com', phone: '66899999999' } }),
      );
      const view = await record(sim.url, `orders/${id}`);
      assert.equal(view.email, 'typed@example.com');
      assert.equal(view.phoneNumber, '66899999999');
    });

    it('names a missing field and creates no order', async () => {
      const id = orderId();
      const error = await assertCode(provider.createPayment(payment(id, { customer: {} })), 'invalid_request');
      assert.match(error.message, /email/);
      const noHolder = await assertCode(
        provider.createPayment(payment(id, { fields: { bankId: '2', accountNumber: '1' } })),
        'invalid_request',
      );
      assert.match(noHolder.message, /holderName/);
      assert.equal((await record(sim.url, `orders/${id}`)).httpStatus, 404);
    });

    it("maps the provider's refusals of bad values to invalid_request", async () => {
      await assertCode(
        provider.createPayment(payment(orderId(), { customer: { email: 'not-an-email', phone: '66' } })),
        'invalid_request',
      );
      await assertCode(
        provider.createPayment(payment(orderId(), { fields: { ...BANK_FIELDS, bankId: '21' } })),
        'invalid_request',
      );
    });

    it('uses multipart/form-data for every call; the simulator refuses JSON', async () => {
      const bodies: string[] = [];
      const watching: typeof fetch = (input, init) => {
        bodies.push(init?.body instanceof FormData ? 'form-data' : typeof init?.body);
        return fetch(input, init);
      };
      const watched = createOne1PayProvider(optionsFor(sim.url), context({ fetch: watching }));
      const id = orderId();
      await watched.createPayment(payment(id));
      await watched.queryPayment({ orderId: id, method: 'one1pay.truemoney', money: THB_500 });
      assert.deepEqual(bodies, ['form-data', 'form-data', 'form-data']);

      const asJson = await fetch(`${sim.url}/merchant/auth`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: CREDENTIALS.username, api_key: CREDENTIALS.apiKey }),
      });
      assert.deepEqual(await asJson.json(), { status: false, message: 'Params missing.' });
    });
  });

  describe('queryPayment', () => {
    it('maps a wrong username to authentication', async () => {
      const stranger = createOne1PayProvider(optionsFor(sim.url, { username: 'someone-else' }), context());
      await assertCode(
        stranger.queryPayment({ orderId: orderId(), method: 'one1pay.thaiqr', money: THB_500 }),
        'authentication',
      );
    });

    it('treats an order_status it does not know as bad_response', async () => {
      const answering =
        (body: string): typeof fetch =>
        async () =>
          new Response(body, { status: 200 });
      const odd = createOne1PayProvider(
        optionsFor('https://one1pay.test'),
        context({
          fetch: answering(
            '{"status":true,"order_status":"refunded","order_datetime":"2021-11-18 15:00:00","amount":300.0000,"currency":"THB",}',
          ),
        }),
      );
      await assertCode(odd.queryPayment({ orderId: 'A1', method: 'one1pay.thaiqr', money: THB_500 }), 'bad_response');
      const garbled = createOne1PayProvider(
        optionsFor('https://one1pay.test'),
        context({ fetch: answering('<html>') }),
      );
      await assertCode(
        garbled.queryPayment({ orderId: 'A1', method: 'one1pay.thaiqr', money: THB_500 }),
        'bad_response',
      );
    });

    it('reads the four-decimal amounts exactly (no float)', async () => {
      const exact = createOne1PayProvider(
        optionsFor('https://one1pay.test'),
        context({
          fetch: async () =>
            new Response('{"status":true,"order_status":"pending","amount":1234567890123.4500,"currency":"THB"}'),
        }),
      );
      const status = await exact.queryPayment({ orderId: 'A1', method: 'one1pay.thaiqr', money: THB_500 });
      assert.deepEqual(status.money, { minor: 123456789012345, currency: 'THB' });
    });
  });

  describe('payouts, banks and balance', () => {
    it('lists withdrawal banks separately from deposit banks', async () => {
      const withdrawal = await provider.banks!({ currency: 'THB', purpose: 'withdrawal' });
      const deposit = await provider.banks!({ currency: 'THB', purpose: 'deposit' });
      assert.ok(withdrawal.some((b) => b.id === '106' && b.name === 'TMBThanachart Bank' && b.currency === 'THB'));
      assert.ok(!deposit.some((b) => b.id === '106'));
    });

    it('has a home-language name for every bank the simulator lists', async () => {
      // Thai banks in Thai; Malaysian banks in Chinese, as Malaysia's Chinese press and the banks name them.
      const home: Record<string, readonly string[]> = { THB: ['th'], MYR: ['zh-Hans', 'zh-Hant'] };
      for (const [currency, tags] of Object.entries(home)) {
        for (const purpose of ['deposit', 'withdrawal'] as const) {
          const banks = await provider.banks!({ currency, purpose });
          assert.ok(banks.length > 0, `${currency} ${purpose}`);
          for (const bank of banks) {
            const names = bankNames(bank.currency, bank.name);
            assert.deepEqual(
              tags.filter((tag) => !names?.[tag]),
              [],
              `${bank.name} (${currency}) lacks a name`,
            );
          }
        }
      }
    });

    it('finds a bank by its English name in any case, among the banks of its currency', () => {
      assert.equal(bankNames('MYR', 'Maybank')?.['zh-Hans'], '马来亚银行');
      assert.equal(bankNames('MYR', '  CIMB   bank ')?.['zh-Hant'], '聯昌銀行');
      assert.equal(bankNames('MYR', 'PUBLIC BANK')?.['zh-Hans'], '大众银行');
      assert.equal(bankNames('THB', 'bangkok bank')?.ja, 'バンコック銀行');
      // SCB is Siam Commercial Bank in baht, another bank in dong.
      assert.equal(bankNames('THB', 'SCB')?.th, 'ธนาคารไทยพาณิชย์');
      assert.equal(bankNames('VND', 'SCB'), undefined);
      assert.equal(bankNames('THB', 'Bank of Nowhere'), undefined);
      // A copy: one offer's labels cannot change the next one's.
      bankNames('THB', 'Kasikornbank')!.th = 'x';
      assert.equal(bankNames('THB', 'Kasikornbank')?.th, 'ธนาคารกสิกรไทย');
    });

    it('runs a payout to completion and moves the balance', async () => {
      const payouts = createOne1PayProvider(optionsFor(sim.url), context());
      const before = await payouts.balance!('THB');
      const id = orderId();
      const started = await payouts.payout!({
        orderId: id,
        money: { minor: 1_000_00, currency: 'THB' },
        destination: bank('101', null, '9876543210'),
        notifyUrl: `${captured.url}/notify`,
      });
      assert.deepEqual(started, { state: 'pending', money: { minor: 1_000_00, currency: 'THB' } });
      assert.equal((await payouts.balance!('THB')).minor, before.minor - 1_000_00);
      assert.equal((await payouts.queryPayout!({ orderId: id, currency: 'THB' })).state, 'pending');

      await control(sim.url, `withdrawals/${id}/complete`);
      assert.deepEqual(await payouts.queryPayout!({ orderId: id, currency: 'THB' }), {
        state: 'succeeded',
        money: { minor: 1_000_00, currency: 'THB' },
      });
      const notification = await payouts.parseNotification!(lastCallback(id));
      assert.deepEqual(
        { kind: notification.kind, claimed: notification.claimed, orderId: notification.orderId },
        { kind: 'payout', claimed: 'succeeded', orderId: id },
      );
    });

    it('reports a rejected payout and gives the amount back', async () => {
      const id = orderId();
      const before = await provider.balance!('THB');
      await provider.payout!({
        orderId: id,
        money: { minor: 2_000_00, currency: 'THB' },
        destination: bank('102', 'Silom', '1111111111'),
        notifyUrl: `${captured.url}/notify`,
      });
      await control(sim.url, `withdrawals/${id}/reject`);
      assert.equal((await provider.queryPayout!({ orderId: id, currency: 'THB' })).state, 'rejected');
      assert.equal((await provider.balance!('THB')).minor, before.minor);
      assert.equal((await provider.parseNotification!(lastCallback(id))).claimed, 'failed');
      assert.equal((await record(sim.url, `withdrawals/${id}`)).bankBranch, 'Silom');
    });

    it('maps payout refusals: duplicate id, short balance, unknown bank', async () => {
      const input = {
        orderId: orderId(),
        money: { minor: 10_00, currency: 'THB' },
        destination: bank('103', null, '2222222222'),
        notifyUrl: `${captured.url}/notify`,
      };
      await provider.payout!(input);
      await assertCode(provider.payout!(input), 'duplicate_order');
      await assertCode(
        provider.payout!({ ...input, orderId: orderId(), money: { minor: 10_000_000_00, currency: 'THB' } }),
        'declined',
      );
      await assertCode(
        provider.payout!({ ...input, orderId: orderId(), destination: bank('1', null, '2222222222') }),
        'invalid_request',
      );
    });

    it("names USDT as One1Pay's USDT-TRC20", async () => {
      assert.deepEqual(await provider.balance!('USDT'), { minor: 0, currency: 'USDT' });
    });
  });

  describe('options', () => {
    it('strips the trailing slash, fills the documented paths and names a bad field', () => {
      const options = optionsFor('https://one1pay.test/api/');
      assert.equal(options.baseUrl, 'https://one1pay.test/api');
      assert.equal(options.paths.generateOrders, '/merchant/generate_orders');
      assert.equal(options.cacheSeconds, 300);
      const missing = one1payOptionsSchema.safeParse({ baseUrl: 'https://one1pay.test', username: 'u', apiKey: 'k' });
      assert.equal(missing.success, false);
      assert.deepEqual(missing.error?.issues[0]?.path, ['callbackSecret']);
      assert.equal(one1payOptionsSchema.safeParse({ ...CREDENTIALS, baseUrl: 'ftp://one1pay.test' }).success, false);
      assert.equal(
        one1payOptionsSchema.safeParse({ ...CREDENTIALS, baseUrl: 'https://x.test', extra: 1 }).success,
        false,
      );
    });

    it('sends each call to its overridden path', async () => {
      const asked: string[] = [];
      const overridden = createOne1PayProvider(
        optionsFor('https://one1pay.test/root', { paths: { checkStatus: '/v2/status' } }),
        context({
          fetch: async (input) => {
            asked.push(urlOf(input));
            return new Response('{"status":true,"order_status":"pending","amount":1,"currency":"THB"}');
          },
        }),
      );
      await overridden.queryPayment({ orderId: 'A1', method: 'one1pay.thaiqr', money: THB_500 });
      assert.deepEqual(asked, ['https://one1pay.test/root/v2/status']);
    });
  });
});

describe('parseOne1PayJson', () => {
  it('keeps numbers as their text and drops trailing commas, but not commas inside strings', () => {
    assert.deepEqual(parseOne1PayJson('{"a": 300.0000, "b": [1, 2,], "c": "x,}", "d": true,}'), {
      a: '300.0000',
      b: ['1', '2'],
      c: 'x,}',
      d: true,
    });
  });

  it('still refuses what is not JSON', () => {
    assert.throws(() => parseOne1PayJson('{"a": 1 "b": 2}'), SyntaxError);
    assert.throws(() => parseOne1PayJson('{"a": "\\"}'), SyntaxError);
  });

  it('handles escapes, exponents, whitespace before a closer and numbers inside strings', () => {
    assert.deepEqual(parseOne1PayJson('{"a\\"1,]": -1.5e3 ,\n\t} '), { 'a"1,]': '-1.5e3' });
    assert.deepEqual(parseOne1PayJson('[[1,\r\n],[],{"b":"2",},]'), [['1'], [], { b: '2' }]);
    assert.throws(() => parseOne1PayJson('[-]'), SyntaxError);
  });

  it('reads a long answer of many numbers and trailing commas exactly', () => {
    const rows = Array.from({ length: 50_000 }, (_, i) => `{"id":${i},"amount":${i}.0000,"s":"${i},}",}`);
    const parsed = parseOne1PayJson(`{"rows":[${rows.join(',')},],}`) as { rows: Array<Record<string, string>> };
    assert.equal(parsed.rows.length, 50_000);
    assert.deepEqual(parsed.rows[49_999], { id: '49999', amount: '49999.0000', s: '49999,}' });
  });
});

describe('one1pay answers within limits', () => {
  const queryWith = (body: string | ReadableStream<Uint8Array>) =>
    createOne1PayProvider(
      optionsFor('https://one1pay.test'),
      context({ fetch: async () => new Response(body), timeoutMs: 300 }),
    ).queryPayment({ orderId: 'A1', method: 'one1pay.thaiqr', money: THB_500 });

  it('refuses a 5 MB answer as bad_response', async () => {
    let produced = 0;
    const huge = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          if (produced >= 5_000_000) return controller.close();
          produced += 64 * 1024;
          controller.enqueue(new Uint8Array(64 * 1024).fill(0x20));
        },
      },
      { highWaterMark: 0 },
    );
    await assertCode(queryWith(huge), 'bad_response');
    assert.ok(produced < 2 * 1024 * 1024, `read ${produced} bytes`);
  });

  it('refuses a deeply nested answer as bad_response', async () => {
    await assertCode(queryWith(`{"status":true,"x":${'['.repeat(200_000)}${']'.repeat(200_000)},}`), 'bad_response');
  });

  it('maps a body that stalls to unavailable', async () => {
    const stalled = new ReadableStream<Uint8Array>({
      start: (controller) => controller.enqueue(new TextEncoder().encode('{"status":tr')),
      pull: () => new Promise<void>(() => undefined),
    });
    await assertCode(queryWith(stalled), 'unavailable');
  });
});
