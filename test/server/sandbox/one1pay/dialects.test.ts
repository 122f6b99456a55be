/**
 * The One1Pay adapter against each form the simulator can send where One1Pay's document is open:
 * JSON with trailing commas (as every example in the document is written) or clean, and a callback
 * whose `order_id` is the merchant's order number or One1Pay's own payment id.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createOne1PayProvider, one1payOptionsSchema } from '../../../../server/providers/one1pay/adapter.ts';
import {
  memoryCache,
  silentLogger,
  type CreatePaymentInput,
  type Provider,
} from '../../../../server/providers/provider.ts';
import { createOne1PaySimulator, type One1PayDialect } from '../../../../server/sandbox/one1pay/index.ts';
import { bodyOf, urlOf } from '../../../fetch-args.ts';

const CREDENTIALS = { username: 'dialect-merchant', apiKey: 'dialect-api-key', callbackSecret: 'dialect-secret' };
const BASE = 'http://one1pay.sandbox.test';
const THB = (minor: number) => ({ minor, currency: 'THB' });

function harness(dialect: Partial<One1PayDialect>) {
  const received: string[] = [];
  const app = createOne1PaySimulator({
    ...CREDENTIALS,
    publicUrl: BASE,
    merchantName: 'Test Shop',
    dialect,
    fetch: async (_input, init) => {
      received.push(bodyOf(init));
      return new Response('success');
    },
  });
  const provider: Provider = createOne1PayProvider(one1payOptionsSchema.parse({ ...CREDENTIALS, baseUrl: BASE }), {
    fetch: async (input, init) => app.request(urlOf(input), init),
    now: () => new Date(),
    cache: memoryCache(),
    log: silentLogger,
    timeoutMs: 2000,
  });
  let sequence = 0;
  return {
    app,
    provider,
    received,
    async control(path: string) {
      const response = await app.request(`/_control/${path}`, { method: 'POST' });
      assert.equal(response.status, 200, path);
      return (await response.json()) as Record<string, unknown>;
    },
    async newPayment(): Promise<CreatePaymentInput & { paymentId: string }> {
      sequence += 1;
      const input: CreatePaymentInput = {
        orderId: `dialect-${sequence}`,
        method: 'one1pay.thaiqr',
        money: THB(500_00),
        description: null,
        customer: { email: 'buyer@example.com', phone: '+66812345678' },
        fields: { bankId: '2', holderName: 'Somchai Jaidee', accountNumber: '1234567890' },
        notifyUrl: 'http://shop.test/v1/notify/one1pay',
        returnUrl: 'http://shop.test/thanks',
        expiresAt: new Date(Date.now() + 3600_000),
      };
      const result = await provider.createPayment(input);
      return { ...input, paymentId: result.providerPaymentId! };
    },
    lastCallback() {
      return provider.parseNotification!({ rawBody: received.at(-1)!, contentType: 'application/json' });
    },
  };
}

describe('One1Pay adapter against trailing commas and clean JSON', () => {
  for (const json of ['clean', 'trailingCommas'] as const) {
    it(`reads answers and callbacks written ${json}`, async () => {
      const h = harness({ json });
      const input = await h.newPayment();
      const answer = await (
        await h.app.request('/merchant/check_status', {
          method: 'POST',
          body: new URLSearchParams({ username: CREDENTIALS.username, id: input.orderId }),
        })
      ).text();
      assert.equal(/,\s*}/.test(answer), json === 'trailingCommas', answer);
      if (json === 'trailingCommas') assert.throws(() => JSON.parse(answer), SyntaxError);
      else assert.equal((JSON.parse(answer) as { status: boolean }).status, true);

      await h.control(`orders/${input.orderId}/pay`);
      assert.equal(/,\s*}/.test(h.received.at(-1)!), json === 'trailingCommas');
      const notification = await h.lastCallback();
      assert.deepEqual([notification.orderId, notification.claimed], [input.orderId, 'succeeded']);
      assert.deepEqual(notification.money, THB(500_00));
      const status = await h.provider.queryPayment({
        orderId: input.orderId,
        method: input.method,
        money: input.money,
      });
      assert.deepEqual([status.state, status.money], ['succeeded', THB(500_00)]);

      const payout = await h.provider.payout!({
        orderId: `${input.orderId}-out`,
        money: THB(100_00),
        destination: {
          type: 'bank',
          bankId: '102',
          bankBranch: null,
          holderName: 'Somchai Jaidee',
          accountNumber: '1234567890',
        },
        notifyUrl: 'http://shop.test/v1/notify/one1pay',
      });
      assert.equal(payout.state, 'pending');
      await h.control(`withdrawals/${input.orderId}-out/complete`);
      const payoutNews = await h.lastCallback();
      assert.deepEqual([payoutNews.kind, payoutNews.orderId], ['payout', `${input.orderId}-out`]);
    });
  }
});

describe('One1Pay callback order_id', () => {
  it('carries the merchant order number by default, and the adapter finds the order by it', async () => {
    const h = harness({ callbackOrderId: 'merchant' });
    const input = await h.newPayment();
    await h.control(`orders/${input.orderId}/pay`);
    assert.equal((JSON.parse(h.received.at(-1)!) as { order_id: string }).order_id, input.orderId);
    assert.equal((await h.lastCallback()).orderId, input.orderId);
  });

  it('may carry the platform payment id: the callback is tied to the order whose number its token covers', async () => {
    const h = harness({ callbackOrderId: 'platform' });
    const input = await h.newPayment();
    await h.control(`orders/${input.orderId}/pay`);
    const sent = JSON.parse(h.received.at(-1)!) as { order_id: string; token: string };
    assert.equal(sent.order_id, input.paymentId);
    // The token covers the merchant's order number, which this callback does not name: the caller
    // finds the order by One1Pay's id and checks the token against that order's number.
    const notification = await h.lastCallback();
    assert.equal(notification.providerPaymentId, input.paymentId);
    assert.equal(notification.authenticate!(input.orderId), true);
    assert.equal(notification.authenticate!(`${input.orderId}x`), false);
    const status = await h.provider.queryPayment({ orderId: input.orderId, method: input.method, money: input.money });
    assert.equal(status.state, 'succeeded');
  });
});
