/**
 * Webhooks to the merchant: written to the outbox with the change they report, signed, delivered
 * over real HTTP, retried until acknowledged, and verifiable by the receiver.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { signWebhook, verifyWebhookSignature } from '../../../server/domain/webhooks.ts';
import type { AttemptView } from '../../../widget/wire.ts';
import { listen, startTestBff, WEBHOOK_SECRET, type TestBff } from '../harness.ts';

interface Received {
  signature: string | null;
  id: string | null;
  body: string;
}

describe('merchant webhooks', () => {
  let bff: TestBff;
  let receiver: Awaited<ReturnType<typeof listen>>;
  const received: Received[] = [];
  let answer = 200;

  before(async () => {
    receiver = await listen();
    receiver.handle(async (request) => {
      received.push({
        signature: request.headers.get('tender-signature'),
        id: request.headers.get('tender-webhook-id'),
        body: await request.text(),
      });
      return new Response('ok', { status: answer });
    });
    bff = await startTestBff({ webhookUrl: `${receiver.url}/hooks` });
  });
  after(async () => {
    await bff.close();
    await receiver.close();
  });

  async function paidSession(reference: string) {
    const session = await bff.createSession({ amount: '25.00', currency: 'CAD', reference });
    const response = await bff.browser(`/v1/checkout/${session.id}/attempts`, session.clientSecret, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ method: 'ottpay.wechat' }),
    });
    const attempt = (await response.json()) as AttemptView;
    await bff.control('ottpay', attempt.id, 'pay');
    return { session, attempt };
  }

  it('sends a signed session.succeeded once the payment is confirmed', async () => {
    received.length = 0;
    const { session, attempt } = await paidSession('hook-1');
    const outbox = await bff.runtime.store.listWebhooks(session.id);
    assert.deepEqual(
      outbox.map((hook) => hook.type),
      ['session.succeeded'],
    );
    await bff.runtime.webhooks!.runOnce();
    assert.equal(received.length, 1);
    const [delivery] = received;
    const now = bff.clock.now().getTime();
    assert.ok(verifyWebhookSignature(delivery!.signature, delivery!.body, WEBHOOK_SECRET, { now }));
    assert.ok(
      !verifyWebhookSignature(delivery!.signature, delivery!.body.replace('25.00', '2.50'), WEBHOOK_SECRET, { now }),
    );
    assert.ok(!verifyWebhookSignature(delivery!.signature, delivery!.body, 'whsec_other_secret_000', { now }));
    assert.ok(
      !verifyWebhookSignature(delivery!.signature, delivery!.body, WEBHOOK_SECRET, { now: now + 10 * 60_000 }),
      'an old signature is refused',
    );
    const event = JSON.parse(delivery!.body);
    assert.equal(event.type, 'session.succeeded');
    assert.equal(delivery!.id, event.id);
    assert.deepEqual(event.data.session, {
      id: session.id,
      reference: 'hook-1',
      status: 'succeeded',
      amount: '25.00',
      currency: 'CAD',
      attemptId: attempt.id,
    });
    const [stored] = await bff.runtime.store.listWebhooks(session.id);
    assert.equal(stored!.attempts, 1);
    assert.ok(stored!.deliveredAt);
    await bff.runtime.webhooks!.runOnce();
    assert.equal(received.length, 1, 'a delivered webhook is not sent again');
  });

  it('retries until the merchant acknowledges, with back-off', async () => {
    received.length = 0;
    answer = 500;
    const { session } = await paidSession('hook-2');
    await bff.runtime.webhooks!.runOnce();
    assert.equal(received.length, 1);
    let [stored] = await bff.runtime.store.listWebhooks(session.id);
    assert.equal(stored!.lastError, 'HTTP 500');
    assert.equal(stored!.deliveredAt, null);

    await bff.runtime.webhooks!.runOnce();
    assert.equal(received.length, 1, 'not before its back-off has passed');

    answer = 204;
    bff.clock.advance(11_000);
    await bff.runtime.webhooks!.runOnce();
    assert.equal(received.length, 2);
    assert.equal(received[0]!.id, received[1]!.id, 'the same webhook, redelivered');
    [stored] = await bff.runtime.store.listWebhooks(session.id);
    assert.equal(stored!.attempts, 2);
    assert.ok(stored!.deliveredAt);
    answer = 200;
  });

  it('tells the merchant about a failed attempt and about a double payment', async () => {
    const session = await bff.createSession({ amount: '25.00', currency: 'CAD', reference: 'hook-3' });
    const create = async (method: string) =>
      (await (
        await bff.browser(`/v1/checkout/${session.id}/attempts`, session.clientSecret, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ method }),
        })
      ).json()) as AttemptView;
    const first = await create('ottpay.wechat');
    const second = await create('ottpay.alipay');
    await bff.control('ottpay', second.id, 'pay');
    await bff.control('ottpay', first.id, 'pay');
    const types = (await bff.runtime.store.listWebhooks(session.id)).map((hook) => hook.type);
    assert.deepEqual(types, ['session.succeeded', 'session.double_payment']);

    const declined = await bff.createSession({ amount: '25.00', currency: 'CAD', reference: 'hook-4' });
    const attempt = (await (
      await bff.browser(`/v1/checkout/${declined.id}/attempts`, declined.clientSecret, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ method: 'ottpay.wechat' }),
      })
    ).json()) as AttemptView;
    await bff.control('ottpay', attempt.id, 'decline');
    assert.deepEqual(
      (await bff.runtime.store.listWebhooks(declined.id)).map((hook) => hook.type),
      ['session.failed'],
    );
  });

  it('sends session.canceled when the merchant cancels a session', async () => {
    received.length = 0;
    const session = await bff.createSession({ amount: '25.00', currency: 'CAD', reference: 'hook-cancel' });
    assert.equal((await bff.merchant(`/v1/sessions/${session.id}/cancel`, { method: 'POST' })).status, 200);
    assert.equal((await bff.merchant(`/v1/sessions/${session.id}/cancel`, { method: 'POST' })).status, 200);
    const outbox = await bff.runtime.store.listWebhooks(session.id);
    assert.deepEqual(
      outbox.map((hook) => hook.type),
      ['session.canceled'],
      'one webhook, however often it is canceled',
    );
    await bff.runtime.webhooks!.runOnce();
    const delivery = received.find((each) => JSON.parse(each.body).data.session?.id === session.id)!;
    assert.ok(
      verifyWebhookSignature(delivery.signature, delivery.body, WEBHOOK_SECRET, { now: bff.clock.now().getTime() }),
    );
    assert.deepEqual(JSON.parse(delivery.body).data.session, {
      id: session.id,
      reference: 'hook-cancel',
      status: 'canceled',
      amount: '25.00',
      currency: 'CAD',
      attemptId: null,
    });
  });

  it('sends payout.succeeded, payout.failed and payout.rejected, signed, once each', async () => {
    received.length = 0;
    const payout = async (reference: string) =>
      (
        await bff.runtime.payouts.create({
          provider: 'one1pay',
          money: { minor: 120_00, currency: 'THB' },
          bankId: '101',
          bankBranch: null,
          holderName: 'Somchai Jaidee',
          accountNumber: '1234567890',
          reference,
        })
      ).payout;
    const withdrawal = (id: string, action: string) =>
      fetch(`${bff.sandboxUrl}/one1pay/_control/withdrawals/${id}/${action}`, { method: 'POST' });
    const succeeded = await payout('po-hook-1');
    const failed = await payout('po-hook-2');
    const rejected = await payout('po-hook-3');
    assert.deepEqual(await bff.runtime.store.listPayoutWebhooks(succeeded.id), [], 'nothing while pending');
    assert.equal((await withdrawal(succeeded.id, 'complete')).status, 200);
    assert.equal((await withdrawal(failed.id, 'fail')).status, 200);
    assert.equal((await withdrawal(rejected.id, 'reject')).status, 200);
    // A repeated callback about a settled payout announces nothing again.
    assert.equal((await withdrawal(succeeded.id, 'callback')).status, 200);

    for (const [view, type] of [
      [succeeded, 'payout.succeeded'],
      [failed, 'payout.failed'],
      [rejected, 'payout.rejected'],
    ] as const) {
      const outbox = await bff.runtime.store.listPayoutWebhooks(view.id);
      assert.deepEqual(
        outbox.map((hook) => [hook.type, hook.sessionId]),
        [[type, null]],
      );
    }
    await bff.runtime.webhooks!.runOnce();
    const now = bff.clock.now().getTime();
    const events = received.map((delivery) => {
      assert.ok(verifyWebhookSignature(delivery.signature, delivery.body, WEBHOOK_SECRET, { now }));
      return JSON.parse(delivery.body);
    });
    const byPayout = new Map(events.filter((event) => event.data.payout).map((event) => [event.data.payout.id, event]));
    assert.equal(byPayout.size, 3);
    const success = byPayout.get(succeeded.id);
    assert.equal(success.type, 'payout.succeeded');
    assert.deepEqual(
      success.data.payout,
      await bff.runtime.payouts.get(succeeded.id),
      'the payout as the API reads it',
    );
    assert.equal(success.data.payout.accountNumberLast4, '7890');
    assert.ok(!received.some((delivery) => delivery.body.includes('1234567890')), 'never the full account number');
    assert.equal(byPayout.get(failed.id).type, 'payout.failed');
    assert.deepEqual(byPayout.get(failed.id).data.payout.failure, {
      code: 'failed',
      message: 'The provider could not complete the transfer.',
    });
    assert.equal(byPayout.get(rejected.id).type, 'payout.rejected');
    assert.ok((await bff.runtime.store.listPayoutWebhooks(rejected.id))[0]!.deliveredAt);
  });

  it('signs the timestamp and body together', () => {
    const header = signWebhook('{"a":1}', 'whsec_0123456789abcdef', 1_764_000_000);
    assert.match(header, /^t=1764000000,v1=[0-9a-f]{64}$/);
    assert.ok(verifyWebhookSignature(header, '{"a":1}', 'whsec_0123456789abcdef', { now: 1_764_000_000_000 }));
    assert.ok(
      !verifyWebhookSignature(header.replace('t=1764000000', 't=1764000001'), '{"a":1}', 'whsec_0123456789abcdef', {
        now: 1_764_000_000_000,
      }),
    );
    assert.ok(!verifyWebhookSignature('garbage', '{"a":1}', 'whsec_0123456789abcdef'));
    assert.ok(!verifyWebhookSignature(null, '{"a":1}', 'whsec_0123456789abcdef'));
  });
});
