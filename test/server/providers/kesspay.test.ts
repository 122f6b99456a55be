/**
 * The KessPay adapter against its simulator over real HTTP: tokens, the three ways to pay, status
 * checks, refunds, exact amounts and faults. docs/providers/kesspay.md holds the conventions.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Money } from '../../../server/domain/money.ts';
import { createKessPayProvider, kesspayPollDelayMs } from '../../../server/providers/kesspay/adapter.ts';
import {
  memoryCache,
  ProviderError,
  silentLogger,
  type CreatePaymentInput,
  type Provider,
  type ProviderContext,
  type ProviderErrorCode,
} from '../../../server/providers/provider.ts';
import { createKessPaySimulator } from '../../../server/sandbox/kesspay/index.ts';
import { listen } from '../harness.ts';
import { CONTRACT_TIMEOUT_MS, providerContract, type ContractHarness } from './contract.ts';
import { urlOf } from '../../fetch-args.ts';

const CREDENTIALS = { user: 'cashier-1', password: 'kess-secret-1', storeId: '109038', currency: 'USD' };

interface Sandbox {
  url: string;
  provider: Provider;
  calls: string[];
  control(method: string, path: string, body?: unknown): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

async function startSandbox(
  options: Record<string, unknown> = {},
  simulator: Record<string, unknown> = {},
): Promise<Sandbox> {
  const running = await listen();
  const app = createKessPaySimulator({
    publicUrl: running.url,
    merchantName: 'Angkor Tea',
    ...CREDENTIALS,
    quickPayPinSeconds: 1,
    ...simulator,
  });
  running.handle((request) => app.fetch(request));
  const calls: string[] = [];
  const recording: typeof fetch = (input, init) => {
    calls.push(new URL(urlOf(input)).pathname);
    return fetch(input, init);
  };
  return {
    url: running.url,
    calls,
    provider: createKessPayProvider({ ...CREDENTIALS, baseUrl: running.url, ...options }, context(recording)),
    async control(method, path, body) {
      const response = await fetch(`${running.url}/_control${path}`, {
        method,
        headers: { 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return (await response.json()) as Record<string, unknown>;
    },
    close: () => running.close(),
  };
}

function context(fetchImpl: typeof fetch = fetch): ProviderContext {
  return { fetch: fetchImpl, now: () => new Date(), timeoutMs: 3000, cache: memoryCache(), log: silentLogger };
}

function usd(minor: number): Money {
  return { minor, currency: 'USD' };
}

function orderId(): string {
  return `kp-${randomBytes(10).toString('hex')}`;
}

function input(id: string, overrides: Partial<CreatePaymentInput> = {}): CreatePaymentInput {
  return {
    orderId: id,
    method: 'kesspay.wechat',
    money: usd(12_30),
    description: null,
    customer: {},
    fields: {},
    notifyUrl: 'http://127.0.0.1:9/v1/notify/kesspay',
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

/** A buyer's WeChat payment code whose last four digits choose the simulator's outcome. */
function wechatCode(ending: string): string {
  return `13${String(Math.floor(Math.random() * 1e12)).padStart(12, '0')}${ending}`;
}

describe('KessPay adapter', () => {
  let sandbox: Sandbox;
  before(async () => {
    sandbox = await startSandbox();
  });
  after(() => sandbox.close());

  it('offers WeChat Pay and Alipay for the store currency only, as QR methods that take buyer codes', async () => {
    const offers = await sandbox.provider.offers({ money: usd(500), customer: {} });
    assert.deepEqual(
      offers.map((o) => [o.method, o.kind, o.brand, o.buyerCode]),
      [
        ['kesspay.wechat', 'qr', 'wechat', true],
        ['kesspay.alipay', 'qr', 'alipay', true],
      ],
    );
    assert.deepEqual(await sandbox.provider.offers({ money: { minor: 500, currency: 'KHR' }, customer: {} }), []);
  });

  it('fetches a token before each request, as the document says', async () => {
    const before = sandbox.calls.length;
    const id = orderId();
    await sandbox.provider.createPayment(input(id));
    await sandbox.provider.queryPayment({ orderId: id, method: 'kesspay.wechat', money: usd(12_30) });
    assert.deepEqual(sandbox.calls.slice(before), [
      '/api/get_token',
      '/api/native_pay',
      '/api/get_token',
      '/api/check_payment_status',
    ]);
  });

  it('reuses a token within tokenReuseSeconds, and fetches a new one when it is refused', async () => {
    let clock = Date.now();
    const local = await startSandbox({ tokenReuseSeconds: 50 }, { now: () => new Date(clock) });
    try {
      const id = orderId();
      await local.provider.createPayment(input(id));
      await local.provider.queryPayment({ orderId: id, method: 'kesspay.wechat', money: usd(12_30) });
      assert.deepEqual(local.calls, ['/api/get_token', '/api/native_pay', '/api/check_payment_status']);
      // The simulator's clock runs past the token's minute while the adapter still holds it.
      clock += 61_000;
      const status = await local.provider.queryPayment({ orderId: id, method: 'kesspay.wechat', money: usd(12_30) });
      assert.equal(status.state, 'pending');
      assert.deepEqual(local.calls.slice(3), [
        '/api/check_payment_status',
        '/api/get_token',
        '/api/check_payment_status',
      ]);
    } finally {
      await local.close();
    }
  });

  it('answers NATIVE PAY with a QR of the wallet page, then pending, then paid with the exact amount', async () => {
    const id = orderId();
    const result = await sandbox.provider.createPayment(input(id, { money: usd(1_234_567_89) }));
    assert.equal(result.action.type, 'qr');
    assert.ok(result.action.type === 'qr' && result.action.content.startsWith(`${sandbox.url}/wallet/`));
    const query = () =>
      sandbox.provider.queryPayment({ orderId: id, method: 'kesspay.wechat', money: usd(1_234_567_89) });
    assert.equal((await query()).state, 'pending');
    await sandbox.control('POST', `/orders/${id}/pay`);
    assert.deepEqual(await query(), { state: 'succeeded', money: usd(1_234_567_89), providerPaymentId: null });
  });

  it('reads a declined and a closed order as failed', async () => {
    for (const action of ['fail', 'expire']) {
      const id = orderId();
      await sandbox.provider.createPayment(input(id, { method: 'kesspay.alipay' }));
      await sandbox.control('POST', `/orders/${id}/${action}`);
      const status = await sandbox.provider.queryPayment({ orderId: id, method: 'kesspay.alipay', money: usd(12_30) });
      assert.equal(status.state, 'failed', action);
    }
  });

  it('charges a buyer code with QUICK PAY: paid at once, declined, or waiting for the PIN', async () => {
    const paid = await sandbox.provider.createPayment(input(orderId(), { buyerCode: wechatCode('0000') }));
    assert.deepEqual([paid.action.type, paid.state], ['none', 'succeeded']);
    assert.ok(paid.expiresAt, 'a till charge is given up after 45 s');

    const declined = await sandbox.provider.createPayment(input(orderId(), { buyerCode: wechatCode('9999') }));
    assert.equal(declined.state, 'failed');

    const id = orderId();
    const pin = await sandbox.provider.createPayment(input(id, { buyerCode: wechatCode('1111') }));
    assert.equal(pin.state, 'pending');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    assert.equal(
      (await sandbox.provider.queryPayment({ orderId: id, method: 'kesspay.wechat', money: usd(12_30) })).state,
      'succeeded',
    );
  });

  it('never charges the same buyer code twice', async () => {
    const code = wechatCode('0000');
    await sandbox.provider.createPayment(input(orderId(), { buyerCode: code }));
    await assertCode(sandbox.provider.createPayment(input(orderId(), { buyerCode: code })), 'declined');
  });

  it('refuses a buyer code that is not a payment code before asking KessPay', async () => {
    const before = sandbox.calls.length;
    await assertCode(sandbox.provider.createPayment(input(orderId(), { buyerCode: 'abc' })), 'invalid_request');
    assert.equal(sandbox.calls.length, before);
  });

  it('pays inside WeChat with JSAPI parameters', async () => {
    const result = await sandbox.provider.createPayment(
      input(orderId(), { client: { device: 'phone', inApp: 'wechat' } }),
    );
    assert.equal(result.action.type, 'app');
    assert.ok(result.action.type === 'app' && result.action.params.paySign && result.action.params.package);
  });

  it('refunds a paid order in part, confirms it, and refuses more than was paid', async () => {
    const id = orderId();
    await sandbox.provider.createPayment(input(id));
    await sandbox.control('POST', `/orders/${id}/pay`);
    const refund = await sandbox.provider.refund!({
      orderId: id,
      refundId: `${id}-r1`,
      money: usd(5_00),
      reason: null,
    });
    assert.equal(refund.state, 'succeeded');
    const confirmed = await sandbox.provider.queryRefund!({
      orderId: id,
      refundId: `${id}-r1`,
      money: usd(5_00),
      refundedBefore: usd(0),
    });
    assert.equal(confirmed.state, 'succeeded');
    await assertCode(
      sandbox.provider.refund!({ orderId: id, refundId: `${id}-r2`, money: usd(8_00), reason: null }),
      'refused',
    );
  });

  it('passes fee_rate through and counts the surcharged total as the order amount', async () => {
    const local = await startSandbox({ feeRate: 2 });
    try {
      const id = orderId();
      await local.provider.createPayment(input(id, { money: usd(10_05) }));
      await local.control('POST', `/orders/${id}/pay`);
      const status = await local.provider.queryPayment({ orderId: id, method: 'kesspay.wechat', money: usd(10_05) });
      assert.deepEqual(status.money, usd(10_05));
    } finally {
      await local.close();
    }
  });

  it('maps provider faults: 5xx to unavailable, garbage to bad_response', async () => {
    await sandbox.control('POST', '/faults', { mode: 'http500', count: 1 });
    await assertCode(sandbox.provider.createPayment(input(orderId())), 'unavailable');
    await sandbox.control('POST', '/faults', { mode: 'garbage', count: 2 });
    await assertCode(sandbox.provider.createPayment(input(orderId())), 'bad_response');
    await sandbox.control('POST', '/faults', { mode: 'none' });
  });

  it('polls every 3 s for the first minute, then less often', () => {
    assert.equal(kesspayPollDelayMs(0), 3000);
    assert.equal(kesspayPollDelayMs(59_000), 3000);
    assert.ok(kesspayPollDelayMs(61_000) > 3000);
  });
});

providerContract('kesspay', async (): Promise<ContractHarness> => {
  const sandbox = await startSandbox();
  const contractContext = () => ({ ...context(), timeoutMs: CONTRACT_TIMEOUT_MS });
  /** A control that must answer 200. */
  async function control(path: string, body?: unknown): Promise<void> {
    const response = await fetch(`${sandbox.url}/_control${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    assert.equal(response.status, 200, `control ${path}: ${await response.text()}`);
  }
  return {
    provider: createKessPayProvider({ ...CREDENTIALS, baseUrl: sandbox.url }, contractContext()),
    badCredentials: createKessPayProvider(
      { ...CREDENTIALS, password: 'wrong', baseUrl: sandbox.url },
      contractContext(),
    ),
    payIn: {
      method: 'kesspay.wechat',
      money: usd(12_30),
      unsupportedMoney: { minor: 12_30, currency: 'THB' },
      fields: {},
      pay: (id) => control(`/orders/${id}/pay`),
      decline: (id) => control(`/orders/${id}/fail`),
    },
    refunds: {
      holdNext: () => control('/refunds/next', { outcome: 'processing' }),
      settle: (_orderId, refundId) => control(`/refunds/${refundId}/succeed`),
    },
    setFault: (mode) => control('/faults', { mode }),
    close: () => sandbox.close(),
  };
});
