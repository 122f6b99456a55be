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
    const record = (await (await fetch(`${bff.sandboxUrl}/ottpay/_control/orders/${attempt.id}`)).json()) as {
      callbacks: Array<{ forged: boolean; httpStatus: number | null }>;
    };
    assert.deepEqual(record.callbacks.at(-1), { ...record.callbacks.at(-1), forged: true, httpStatus: 401 });
    assert.deepEqual(await events(session.id).then((list) => list.length), 1, 'nothing was appended');

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

  it("takes a One1Pay callback that names One1Pay's own payment id, for the order its token covers", async () => {
    const dialect = (body: object) =>
      fetch(`${bff.sandboxUrl}/one1pay/_control/dialect`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    assert.equal((await dialect({ callbackOrderId: 'platform' })).status, 200);
    try {
      const { session, attempt } = await start('THB', 'one1pay.thaiqr');
      await bff.control('one1pay', attempt.id, 'forged-callback');
      assert.equal((await merchantView(session.id)).status, 'pending');
      await bff.control('one1pay', attempt.id, 'pay');
      assert.equal((await merchantView(session.id)).status, 'succeeded');
    } finally {
      await dialect({ callbackOrderId: 'merchant' });
    }
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

  it('does not count a success whose amount the provider leaves out, and keeps asking', async () => {
    const { session, attempt } = await start('CAD', 'ottpay.wechat');
    await bff.control('ottpay', attempt.id, 'pay', '?omit=amount');
    const view = await merchantView(session.id);
    assert.equal(view.status, 'pending');
    assert.equal(view.attempts[0]!.status, 'requires_action');
    const stored = await bff.runtime.store.getAttempt(attempt.id);
    assert.ok(stored!.nextCheckAt, 'the reconciler keeps watching it');
  });

  it('keeps watching an attempt when the provider cannot answer near the end of the watch', async () => {
    const { attempt } = await start('CAD', 'ottpay.wechat', { expiresInSeconds: 60 });
    const stored = (await bff.runtime.store.getAttempt(attempt.id))!;
    // Just before the late-payment watch would end.
    bff.clock.advance(new Date(stored.expiresAt!).getTime() - bff.clock.now().getTime() + 24 * 3600_000 - 60_000);
    await fetch(`${bff.sandboxUrl}/ottpay/_control/tamper-next-response`, { method: 'POST' });
    await bff.runtime.checkout.reconcile((await bff.runtime.store.getAttempt(attempt.id))!);
    const after = (await bff.runtime.store.getAttempt(attempt.id))!;
    assert.ok(after.nextCheckAt, 'an unreadable answer never ends the watch');
    bff.clock.advance(2 * 3600_000);
    await bff.control('ottpay', attempt.id, 'pay', '?callback=none');
    await bff.runtime.checkout.reconcile((await bff.runtime.store.getAttempt(attempt.id))!);
    assert.equal((await bff.runtime.store.getAttempt(attempt.id))!.status, 'succeeded');
  });

  it('answers 409, not an error, when the session is paid while another method is being started', async () => {
    const { session, attempt } = await start('CAD', 'ottpay.wechat');
    await fetch(`${bff.sandboxUrl}/ottpay/_control/delay-next-response?ms=300`, { method: 'POST' });
    const slow = bff.browser(
      `/v1/checkout/${session.id}/attempts`,
      session.clientSecret,
      post({ method: 'ottpay.alipay' }),
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    await bff.control('ottpay', attempt.id, 'pay');
    const response = await slow;
    assert.equal(response.status, 409);
    assert.equal((await response.json()).error.code, 'session_closed');
    const view = await merchantView(session.id);
    assert.equal(view.status, 'succeeded');
    assert.equal(view.attempts.length, 2);
    const late = (await bff.runtime.store.listAttempts(session.id)).find((each) => each.id !== attempt.id)!;
    assert.equal(late.status, 'requires_action', 'its order exists, so it stays watched');
    assert.ok(late.nextCheckAt);
  });

  it('fails the session when the attempt the shopper used fails, even after a later create failed', async () => {
    const { session, attempt } = await start('CAD', 'ottpay.wechat');
    await fetch(`${bff.sandboxUrl}/ottpay/_control/tamper-next-response`, { method: 'POST' });
    const broken = await bff.browser(
      `/v1/checkout/${session.id}/attempts`,
      session.clientSecret,
      post({ method: 'ottpay.alipay' }),
    );
    assert.equal(broken.status, 502);
    await bff.control('ottpay', attempt.id, 'decline');
    assert.equal((await merchantView(session.id)).status, 'failed');
  });

  it('expires a session nobody is looking at, on the reconciler pass', async () => {
    const session = await bff.createSession({
      amount: '25.00',
      currency: 'CAD',
      reference: 'abandoned',
      expiresInSeconds: 60,
    });
    bff.clock.advance(61_000);
    await bff.runtime.reconciler.runOnce();
    const stored = await bff.runtime.store.getSession(session.id);
    assert.equal(stored!.status, 'expired');
    assert.deepEqual(
      (await events(session.id)).map((event) => event.data.status),
      ['expired'],
    );
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
