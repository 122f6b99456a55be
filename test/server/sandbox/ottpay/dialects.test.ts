/**
 * The OTT Pay adapter against every form the simulator can send where OTT Pay's document leaves the
 * form open (status spellings, callbacks with and without `order_status`, numbers or strings,
 * wrapped Base64), and against the simulator's faults. The simulator is driven through its dialect
 * and fault controls, as a test outside the repository would drive it.
 */
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';
import { createOttPayProvider } from '../../../../server/providers/ottpay/adapter.ts';
import type { CreatePaymentInput, Provider, ProviderErrorCode } from '../../../../server/providers/provider.ts';
import { memoryCache, ProviderError, silentLogger } from '../../../../server/providers/provider.ts';
import { createOttPaySimulator } from '../../../../server/sandbox/ottpay/index.ts';
import { FAILED_FORMS, PAID_FORMS, PENDING_FORMS, type OttDialect } from '../../../../server/sandbox/ottpay/dialect.ts';
import { FAULT_MODES } from '../../../../server/sandbox/kit/index.ts';
import { bodyOf, urlOf } from '../../../fetch-args.ts';

const CREDENTIALS = {
  merchantId: 'QC00000055',
  operatorId: '0000000055',
  signKey: '7C6B5A4938271605',
  currency: 'CAD',
};
const BASE = 'http://ottpay.sandbox.test';
const NOW = new Date('2026-11-21T08:00:00Z');

interface Harness {
  app: Hono;
  provider: Provider;
  /** Callback bodies the simulator posted, as received. */
  received: string[];
  control(path: string, body?: unknown): Promise<Record<string, unknown>>;
  dialect(change: Partial<OttDialect>): Promise<void>;
  newPayment(overrides?: Partial<CreatePaymentInput>): Promise<CreatePaymentInput>;
}

function harness(): Harness {
  const received: string[] = [];
  const app = createOttPaySimulator({
    publicUrl: BASE,
    ...CREDENTIALS,
    merchantName: 'Maple Tea House',
    now: () => NOW,
    fetch: async (_input, init) => {
      received.push(bodyOf(init));
      return new Response('SUCCESS');
    },
  });
  const provider = createOttPayProvider(
    { ...CREDENTIALS, baseUrl: BASE, methods: ['ottpay.wechat', 'ottpay.alipay', 'ottpay.unionpay'] },
    {
      fetch: async (input, init) => app.request(urlOf(input), init),
      now: () => NOW,
      timeoutMs: 2000,
      cache: memoryCache(),
      log: silentLogger,
    },
  );
  let sequence = 0;
  const control = async (path: string, body?: unknown) => {
    const response = await app.request(`/_control${path}`, {
      method: 'POST',
      ...(body === undefined ? {} : { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }),
    });
    const answer = (await response.json()) as Record<string, unknown>;
    assert.equal(response.status, 200, `${path}: ${JSON.stringify(answer)}`);
    return answer;
  };
  return {
    app,
    provider,
    received,
    control,
    async dialect(change) {
      await control('/dialect', change);
    },
    async newPayment(overrides = {}) {
      sequence += 1;
      const input: CreatePaymentInput = {
        orderId: `dialect-${sequence}`,
        method: 'ottpay.wechat',
        money: { minor: 1999, currency: 'CAD' },
        description: null,
        customer: {},
        fields: {},
        notifyUrl: 'http://shop.test/v1/notify/ottpay',
        returnUrl: 'http://shop.test/thanks',
        expiresAt: new Date(NOW.getTime() + 3600_000),
        ...overrides,
      };
      await provider.createPayment(input);
      return input;
    },
  };
}

async function query(h: Harness, input: CreatePaymentInput) {
  return h.provider.queryPayment({ orderId: input.orderId, method: input.method, money: input.money });
}

async function lastCallback(h: Harness) {
  return h.provider.parseNotification!({ rawBody: h.received.at(-1)!, contentType: 'application/json' });
}

describe('OTT Pay adapter against each status spelling the simulator can send', () => {
  const h = harness();

  for (const style of ['lower', 'upper', 'alt'] as const) {
    it(`reads statusStyle "${style}" in queries and callbacks`, async () => {
      await h.dialect({ statusStyle: style, paid: null, failed: null, pending: null });
      const paid = await h.newPayment();
      assert.equal((await query(h, paid)).state, 'pending');
      await h.control(`/orders/${paid.orderId}/pay`);
      assert.equal((await query(h, paid)).state, 'succeeded');
      assert.equal((await lastCallback(h)).claimed, 'succeeded');

      const declined = await h.newPayment();
      await h.control(`/orders/${declined.orderId}/decline`);
      assert.equal((await query(h, declined)).state, 'failed');
      assert.equal((await lastCallback(h)).claimed, 'failed');

      const expired = await h.newPayment();
      await h.control(`/orders/${expired.orderId}/expire`);
      assert.equal((await query(h, expired)).state, 'expired');
    });
  }

  it('sends the spelling it was told to, and the adapter reads every paid, failed and pending form', async () => {
    for (const [forms, command, expected] of [
      [PAID_FORMS, 'pay', 'succeeded'],
      [FAILED_FORMS, 'decline', 'failed'],
      [PENDING_FORMS, null, 'pending'],
    ] as const) {
      for (const form of forms) {
        const key = expected === 'succeeded' ? 'paid' : expected === 'failed' ? 'failed' : 'pending';
        await h.dialect({ [key]: form });
        const input = await h.newPayment();
        if (command) await h.control(`/orders/${input.orderId}/${command}`);
        const raw = await h.app.request('/_control/dialect');
        assert.equal(((await raw.json()) as Record<string, unknown>)[key], form);
        assert.equal((await query(h, input)).state, expected, form);
        if (command) assert.equal((await lastCallback(h)).claimed, expected, `callback ${form}`);
      }
    }
  });
});

describe('OTT Pay adapter against callbacks without order_status', () => {
  const h = harness();

  it('takes a paid callback without order_status as a success claim', async () => {
    await h.dialect({ callbackOrderStatus: 'absent' });
    const input = await h.newPayment();
    await h.control(`/orders/${input.orderId}/pay`);
    const body = JSON.parse(h.received.at(-1)!) as Record<string, string>;
    assert.equal(body.rsp_code, 'SUCCESS');
    const notification = await lastCallback(h);
    assert.equal(notification.claimed, 'succeeded');
    assert.deepEqual(notification.money, { minor: 1999, currency: 'CAD' });
  });

  it('takes an unpaid one (rsp_code FAIL) as a failure claim, and the query settles it', async () => {
    await h.dialect({ callbackOrderStatus: 'absent' });
    const input = await h.newPayment();
    await h.control(`/orders/${input.orderId}/decline`);
    assert.equal((JSON.parse(h.received.at(-1)!) as Record<string, string>).rsp_code, 'FAIL');
    assert.equal((await lastCallback(h)).claimed, 'failed');
    assert.equal((await query(h, input)).state, 'failed');
  });
});

describe('OTT Pay adapter against number and layout forms', () => {
  for (const amounts of ['string', 'number', 'javaNumber'] as const) {
    for (const wrap of ['none', 'newlines'] as const) {
      it(`reads amounts as ${amounts}, data wrapped: ${wrap}`, async () => {
        const h = harness();
        await h.dialect({ amounts, wrap });
        const input = await h.newPayment({ money: { minor: 2500, currency: 'CAD' } });
        await h.control(`/orders/${input.orderId}/pay`);

        const body = JSON.parse(h.received.at(-1)!) as Record<string, string>;
        assert.equal(body.data!.includes('\n'), wrap === 'newlines');
        const notification = await lastCallback(h);
        assert.deepEqual(notification.money, { minor: 2500, currency: 'CAD' });
        const status = await query(h, input);
        assert.deepEqual([status.state, status.money], ['succeeded', { minor: 2500, currency: 'CAD' }]);

        const refund = await h.provider.refund!({
          orderId: input.orderId,
          refundId: `${input.orderId}-r1`,
          money: { minor: 500, currency: 'CAD' },
          reason: null,
        });
        assert.equal(refund.state, 'succeeded');
        const check = await h.provider.queryRefund!({
          orderId: input.orderId,
          refundId: `${input.orderId}-r1`,
          money: { minor: 500, currency: 'CAD' },
          refundedBefore: { minor: 0, currency: 'CAD' },
        });
        assert.equal(check.state, 'succeeded');
      });
    }
  }
});

describe('OTT Pay adapter against the simulator’s faults, over real HTTP', () => {
  let server: Server;
  let base: string;
  let app: Hono;
  let provider: Provider;

  before(async () => {
    app = createOttPaySimulator({ publicUrl: 'http://127.0.0.1', ...CREDENTIALS, merchantName: 'Maple Tea House' });
    const port = await new Promise<number>((resolve) => {
      server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) =>
        resolve(info.port),
      ) as Server;
    });
    base = `http://127.0.0.1:${port}`;
    provider = createOttPayProvider(
      { ...CREDENTIALS, baseUrl: base },
      { fetch: globalThis.fetch, now: () => new Date(), timeoutMs: 400, cache: memoryCache(), log: silentLogger },
    );
  });
  after(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );

  const expected: Record<Exclude<(typeof FAULT_MODES)[number], 'none'>, ProviderErrorCode[]> = {
    http500: ['unavailable'],
    garbage: ['bad_response'],
    slow: ['unavailable'],
    hang: ['unavailable'],
    huge: ['bad_response'],
    nested: ['bad_response'],
    reset: ['unavailable'],
  };

  for (const [mode, codes] of Object.entries(expected)) {
    it(`answers ${codes.join(' or ')} when the simulator's fault is ${mode}`, async () => {
      const set = await fetch(`${base}/_control/faults`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ mode, count: 1, ...(mode === 'slow' ? { delayMs: 200 } : {}) }),
      });
      assert.equal(set.status, 200);
      await assert.rejects(
        provider.queryPayment({ orderId: 'x-1', method: 'ottpay.wechat', money: { minor: 1, currency: 'CAD' } }),
        (error: unknown) => {
          assert.ok(error instanceof ProviderError, String(error));
          assert.ok(codes.includes(error.code), `${mode}: ${error.code} ${error.message}`);
          return true;
        },
      );
      // The fault was for one request: the next is answered properly.
      await assert.rejects(
        provider.queryPayment({ orderId: 'x-1', method: 'ottpay.wechat', money: { minor: 1, currency: 'CAD' } }),
        (error: unknown) => error instanceof ProviderError && error.code === 'not_found',
      );
    });
  }
});
