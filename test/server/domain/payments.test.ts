/**
 * Money end to end inside the BFF: callbacks verified and confirmed, duplicates, lost callbacks and
 * restarts (the reconciler), wrong amounts, double payments and expiry. The providers are the
 * simulators, reached over real HTTP; they deliver their callbacks to the BFF over real HTTP too.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AttemptView, CheckoutView } from '../../../widget/wire.ts';
import { startTestBff, type TestBff } from '../harness.ts';

const post = (body: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

describe('payments', () => {
  let bff: TestBff;
  before(async () => {
    bff = await startTestBff();
  });
  after(() => bff.close());

  async function start(currency: 'CAD' | 'THB', method: string, extra: Record<string, unknown> = {}) {
    const session = await bff.createSession({
      amount: currency === 'CAD' ? '25.00' : '300.00',
      currency,
      reference: `pay-${Math.random()}`,
      customer: { email: 'buyer@example.com', phone: '66812345678' },
      ...extra,
    });
    let fields: Record<string, string> | undefined;
    if (method.startsWith('one1pay.')) {
      const view = (await (
        await bff.browser(`/v1/checkout/${session.id}`, session.clientSecret)
      ).json()) as CheckoutView;
      const bankId = view.methods
        .find((candidate) => candidate.id === method)!
        .fields.find((field) => field.name === 'bankId')!.options![0]!.value;
      fields = { bankId, holderName: 'Somchai Jaidee', accountNumber: '1234567890' };
    }
    const response = await bff.browser(
      `/v1/checkout/${session.id}/attempts`,
      session.clientSecret,
      post({ method, fields }),
    );
    assert.equal(response.status, 201, await response.clone().text());
    return { session, attempt: (await response.json()) as AttemptView };
  }

  const merchantView = async (id: string) =>
    (await (await bff.merchant(`/v1/sessions/${id}`)).json()) as {
      status: string;
      succeededAttemptId: string | null;
      attempts: Array<{ id: string; status: string; doublePayment: boolean; failure: { code: string } | null }>;
    };
  const events = async (id: string) => bff.runtime.store.listEvents(id, 0);

  it('counts an OTT Pay payment once its callback is verified and confirmed', async () => {
    const { session, attempt } = await start('CAD', 'ottpay.wechat');
    assert.equal((await bff.control('ottpay', attempt.id, 'pay')).status, 200);
    const view = await merchantView(session.id);
    assert.equal(view.status, 'succeeded');
    assert.equal(view.succeededAttemptId, attempt.id);
    assert.equal(view.attempts[0]!.status, 'succeeded');
    assert.deepEqual(
      (await events(session.id)).map((event) => event.data.status),
      ['pending', 'succeeded'],
    );
  });

  it('ignores a forged callback and changes nothing on a duplicate', async () => {
    const { session, attempt } = await start('CAD', 'ottpay.alipay');
    await bff.control('ottpay', attempt.id, 'forged-callback');
    assert.equal((await merchantView(session.id)).status, 'pending');
    const record = await (await fetch(`${bff.sandboxUrl}/ottpay/_control/orders/${attempt.id}`)).json();
    assert.equal(JSON.stringify(record).includes('401'), true, 'the BFF answered the forged callback with 401');

    await bff.control('ottpay', attempt.id, 'pay');
    const before = (await events(session.id)).length;
    await bff.control('ottpay', attempt.id, 'callback');
    await bff.control('ottpay', attempt.id, 'callback');
    assert.equal((await events(session.id)).length, before);
    assert.equal((await merchantView(session.id)).status, 'succeeded');
  });

  it('rejects a forged One1Pay callback and confirms a real one with check_status', async () => {
    const { session, attempt } = await start('THB', 'one1pay.thaiqr');
    await bff.control('one1pay', attempt.id, 'forged-callback');
    assert.equal((await merchantView(session.id)).status, 'pending');
    await bff.control('one1pay', attempt.id, 'pay');
    assert.equal((await merchantView(session.id)).status, 'succeeded');
  });

  it('marks a declined attempt failed, then lets the shopper try again', async () => {
    const { session, attempt } = await start('THB', 'one1pay.truemoney');
    await bff.control('one1pay', attempt.id, 'decline');
    const failed = await merchantView(session.id);
    assert.equal(failed.status, 'failed');
    assert.equal(failed.attempts[0]!.failure?.code, 'declined');
    const view = (await (await bff.browser(`/v1/checkout/${session.id}`, session.clientSecret)).json()) as CheckoutView;
    assert.equal(view.attempt?.status, 'failed');
    assert.equal(view.attempt?.failure?.message, 'The payment was declined.');
    assert.ok(view.methods.length > 0, 'methods are offered again');
    const retry = await bff.browser(
      `/v1/checkout/${session.id}/attempts`,
      session.clientSecret,
      post({
        method: 'one1pay.thaiqr',
        fields: {
          bankId: view.methods[0]!.fields[0]!.options![0]!.value,
          holderName: 'Somchai',
          accountNumber: '1234567890',
        },
      }),
    );
    assert.equal(retry.status, 201);
    assert.equal((await merchantView(session.id)).status, 'pending');
  });

  it('finds a payment whose callback was lost, through the reconciler', async () => {
    const { session, attempt } = await start('CAD', 'ottpay.wechat');
    assert.equal((await bff.control('ottpay', attempt.id, 'pay', '?callback=none')).status, 200);
    assert.equal((await merchantView(session.id)).status, 'pending');
    bff.clock.advance(6_000);
    await bff.runtime.reconciler.runOnce();
    assert.equal((await merchantView(session.id)).status, 'succeeded');
  });

  it('resumes from the store after a restart', async () => {
    const { session, attempt } = await start('THB', 'one1pay.thaiqr');
    await bff.restart();
    await bff.control('one1pay', attempt.id, 'pay', '?callback=none');
    bff.clock.advance(6_000);
    await bff.runtime.reconciler.runOnce();
    assert.equal((await merchantView(session.id)).status, 'succeeded');
  });

  it('never counts a payment of the wrong amount', async () => {
    const { session, attempt } = await start('CAD', 'ottpay.wechat');
    await bff.control('ottpay', attempt.id, 'pay', '?amount=1');
    const view = await merchantView(session.id);
    assert.notEqual(view.status, 'succeeded');
    assert.equal(view.attempts[0]!.status, 'failed');
    assert.equal(view.attempts[0]!.failure?.code, 'amount_mismatch');
  });

  it('records a second success as a double payment, never merged or lost', async () => {
    const { session, attempt: first } = await start('CAD', 'ottpay.wechat');
    const second = (await (
      await bff.browser(`/v1/checkout/${session.id}/attempts`, session.clientSecret, post({ method: 'ottpay.alipay' }))
    ).json()) as AttemptView;
    await bff.control('ottpay', second.id, 'pay');
    await bff.control('ottpay', first.id, 'pay');
    const view = await merchantView(session.id);
    assert.equal(view.status, 'succeeded');
    assert.equal(view.succeededAttemptId, second.id);
    const byId = Object.fromEntries(view.attempts.map((attempt) => [attempt.id, attempt]));
    assert.equal(byId[first.id]!.status, 'succeeded');
    assert.equal(byId[first.id]!.doublePayment, true);
    assert.equal(byId[second.id]!.doublePayment, false);
  });

  it('expires a session on time and still counts a late payment', async () => {
    const { session, attempt } = await start('CAD', 'ottpay.wechat', { expiresInSeconds: 60 });
    bff.clock.advance(61_000);
    const view = (await (await bff.browser(`/v1/checkout/${session.id}`, session.clientSecret)).json()) as CheckoutView;
    assert.equal(view.status, 'expired');
    assert.equal(view.attempt?.status, 'expired');
    const refused = await bff.browser(
      `/v1/checkout/${session.id}/attempts`,
      session.clientSecret,
      post({ method: 'ottpay.alipay' }),
    );
    assert.equal(refused.status, 409);
    await bff.control('ottpay', attempt.id, 'pay');
    assert.equal((await merchantView(session.id)).status, 'succeeded');
  });

  it('answers notifications for unknown providers and unknown orders with errors', async () => {
    const unknown = await bff.runtime.app.request('/v1/notify/paypal', { method: 'POST', body: '{}' });
    assert.equal(unknown.status, 404);
    const garbage = await bff.runtime.app.request('/v1/notify/ottpay', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"data":"x","md5":"y"}',
    });
    assert.equal(garbage.status, 401);
    assert.equal((await garbage.json()).error.code, 'invalid_notification');
  });
});
