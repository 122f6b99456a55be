import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AttemptView, CheckoutView } from '../../../widget/wire.ts';
import { startTestBff, type TestBff } from '../harness.ts';

const json = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

describe('refunds', () => {
  let bff: TestBff;
  before(async () => {
    bff = await startTestBff();
  });
  after(() => bff.close());

  async function paid(currency: 'CAD' | 'THB' = 'CAD') {
    const session = await bff.createSession({
      amount: currency === 'CAD' ? '25.00' : '300.00',
      currency,
      reference: `refund-${Math.random()}`,
      customer: { email: 'a@example.com', phone: '66812345678' },
    });
    let body: Record<string, unknown> = { method: 'ottpay.wechat' };
    if (currency === 'THB') {
      const view = (await (
        await bff.browser(`/v1/checkout/${session.id}`, session.clientSecret)
      ).json()) as CheckoutView;
      const bankId = view.methods[0]!.fields.find((field) => field.name === 'bankId')!.options![0]!.value;
      body = { method: 'one1pay.thaiqr', fields: { bankId, holderName: 'Somchai', accountNumber: '1234567890' } };
    }
    const attempt = (await (
      await bff.browser(`/v1/checkout/${session.id}/attempts`, session.clientSecret, json(body))
    ).json()) as AttemptView;
    await bff.control(currency === 'CAD' ? 'ottpay' : 'one1pay', attempt.id, 'pay');
    return { session, attempt };
  }

  const refund = (id: string, body: unknown, headers: Record<string, string> = {}) =>
    bff.merchant(`/v1/sessions/${id}/refunds`, json(body, headers));
  const sessionView = async (id: string) =>
    (await (await bff.merchant(`/v1/sessions/${id}`)).json()) as Record<string, unknown>;

  it('refunds in full by default and marks the session refunded', async () => {
    const { session, attempt } = await paid();
    const response = await refund(session.id, { reason: 'out of stock' });
    assert.equal(response.status, 201);
    const body = await response.json();
    assert.match(body.id, /^ref_/);
    assert.equal(body.status, 'succeeded');
    assert.equal(body.amount, '25.00');
    assert.equal(body.reason, 'out of stock');
    const view = await sessionView(session.id);
    assert.equal(view.status, 'refunded');
    assert.equal(view.amountRefunded, '25.00');
    const record = await (await fetch(`${bff.sandboxUrl}/ottpay/_control/orders/${attempt.id}`)).json();
    assert.equal(JSON.stringify(record).includes(body.id), true, 'the provider has the refund under our id');
    const events = await bff.runtime.store.listEvents(session.id, 0);
    assert.equal(events.at(-1)!.data.status, 'refunded');
  });

  it('refunds in parts, never more than was paid', async () => {
    const { session } = await paid();
    const first = await refund(session.id, { amount: '10.00' });
    assert.equal(first.status, 201);
    assert.equal((await sessionView(session.id)).status, 'partially_refunded');

    const tooMuch = await refund(session.id, { amount: '15.01' });
    assert.equal(tooMuch.status, 422);
    const error = (await tooMuch.json()).error;
    assert.equal(error.code, 'amount_out_of_range');
    assert.match(error.message, /at most 15\.00 CAD/);

    assert.equal((await refund(session.id, { amount: '15.00' })).status, 201);
    const view = await sessionView(session.id);
    assert.equal(view.status, 'refunded');
    assert.equal(view.amountRefunded, '25.00');
    assert.equal((view.refunds as unknown[]).length, 2);
    const again = await refund(session.id, {});
    assert.equal(again.status, 409);
    assert.equal((await again.json()).error.code, 'not_refundable');
  });

  it('lets only one of two racing refunds take the same money', async () => {
    const { session } = await paid();
    const results = await Promise.all([
      refund(session.id, { amount: '20.00' }),
      refund(session.id, { amount: '20.00' }),
    ]);
    assert.deepEqual(results.map((response) => response.status).sort(), [201, 422]);
    assert.equal((await sessionView(session.id)).amountRefunded, '20.00');
  });

  it('answers a repeated Idempotency-Key with the first refund', async () => {
    const { session } = await paid();
    const first = await (await refund(session.id, { amount: '5.00' }, { 'idempotency-key': 'refund-key-1' })).json();
    const second = await refund(session.id, { amount: '5.00' }, { 'idempotency-key': 'refund-key-1' });
    assert.equal(second.headers.get('idempotent-replayed'), 'true');
    assert.equal((await second.json()).id, first.id);
    assert.equal((await sessionView(session.id)).amountRefunded, '5.00', 'one refund, not two');
    const racing = await Promise.all([
      refund(session.id, { amount: '2.00' }, { 'idempotency-key': 'refund-key-2' }),
      refund(session.id, { amount: '2.00' }, { 'idempotency-key': 'refund-key-2' }),
    ]);
    const [a, b] = await Promise.all(racing.map((response) => response.json()));
    assert.equal(a.id, b.id, 'two requests racing with one key make one refund');
    assert.equal((await sessionView(session.id)).amountRefunded, '7.00');
    const other = await refund(session.id, { amount: '6.00' }, { 'idempotency-key': 'refund-key-1' });
    assert.equal(other.status, 422);
  });

  it('refuses refunds of unpaid sessions, of providers without refunds, and bad input', async () => {
    const unpaid = await bff.createSession({ amount: '25.00', currency: 'CAD', reference: 'unpaid' });
    const notPaid = await refund(unpaid.id, {});
    assert.equal(notPaid.status, 409);
    assert.equal((await notPaid.json()).error.code, 'not_refundable');

    const { session } = await paid('THB');
    const unsupported = await refund(session.id, {});
    assert.equal(unsupported.status, 422);
    assert.equal((await unsupported.json()).error.code, 'refund_unsupported');

    const { session: cad } = await paid();
    assert.equal((await refund(cad.id, { amount: '1.234' })).status, 400);
    assert.equal((await refund(cad.id, { amount: 5 })).status, 400);
    assert.equal((await refund('ses_nothing', {})).status, 404);
    const noAuth = await bff.runtime.app.request(`/v1/sessions/${cad.id}/refunds`, json({}));
    assert.equal(noAuth.status, 401);
  });

  it('leaves a key refused before any refund was recorded free for the real refund', async () => {
    const session = await bff.createSession({ amount: '25.00', currency: 'CAD', reference: 'early-refund' });
    const early = await refund(session.id, { amount: '5.00' }, { 'idempotency-key': 'early-1' });
    assert.equal(early.status, 409);
    assert.equal(await bff.runtime.store.getIdempotency(`refunds.create:${session.id}`, 'early-1'), null);
    const { session: cad } = await paid();
    const tooMuch = await refund(cad.id, { amount: '99.00' }, { 'idempotency-key': 'early-2' });
    assert.equal(tooMuch.status, 422);
    // The key did nothing, so another body under it is a new request, not a mismatch.
    const real = await refund(cad.id, { amount: '5.00' }, { 'idempotency-key': 'early-2' });
    assert.equal(real.status, 201);
    assert.equal(real.headers.get('idempotent-replayed'), null);
  });

  it('answers 422 when the provider refuses a refund, and frees the amount', async () => {
    const { session } = await paid();
    await fetch(`${bff.sandboxUrl}/ottpay/_control/refuse-next-refund`, { method: 'POST' });
    const refused = await refund(session.id, { amount: '10.00' }, { 'idempotency-key': 'refused-1' });
    assert.equal(refused.status, 422);
    const error = (await refused.json()).error;
    assert.equal(error.code, 'provider_declined');
    assert.match(error.message, /no money was sent back/);
    const again = await refund(session.id, { amount: '10.00' }, { 'idempotency-key': 'refused-1' });
    assert.equal(again.status, 422, 'the same key answers the same refusal');
    const view = await sessionView(session.id);
    assert.equal(view.status, 'succeeded');
    assert.equal((view.refunds as Array<{ status: string }>)[0]!.status, 'failed');
    assert.equal((await refund(session.id, {})).status, 201, 'the refused amount can be refunded again');
  });

  it('keeps a refund with an unreadable answer pending, and settles it from the provider later', async () => {
    const { session } = await paid();
    // The provider refunds, but its answer does not verify: the outcome is unknown to Tender.
    await fetch(`${bff.sandboxUrl}/ottpay/_control/tamper-next-response`, { method: 'POST' });
    const unknown = await refund(session.id, { amount: '10.00' }, { 'idempotency-key': 'unknown-1' });
    assert.equal(unknown.status, 202);
    const pending = await unknown.json();
    assert.equal(pending.status, 'pending');

    // A retry with the same key does not send a second refund.
    const retry = await refund(session.id, { amount: '10.00' }, { 'idempotency-key': 'unknown-1' });
    assert.equal(retry.status, 202);
    assert.equal((await retry.json()).id, pending.id);
    // The reserved amount cannot be refunded twice meanwhile.
    const tooMuch = await refund(session.id, { amount: '15.01' });
    assert.equal(tooMuch.status, 422);

    bff.clock.advance(61_000);
    await bff.runtime.reconciler.runOnce();
    const view = await sessionView(session.id);
    assert.equal((view.refunds as Array<{ id: string; status: string }>)[0]!.status, 'succeeded');
    assert.equal(view.status, 'partially_refunded');
    assert.equal(view.amountRefunded, '10.00');
  });
});

describe('refund webhooks', () => {
  it('tells the merchant about every refund, with the total refunded', async () => {
    // Only the outbox is read here; delivery itself is tested with the webhooks.
    const bff = await startTestBff({ webhookUrl: 'http://127.0.0.1:9/hooks' });
    try {
      const session = await bff.createSession({ amount: '25.00', currency: 'CAD', reference: 'refund-hooks' });
      const attempt = (await (
        await bff.browser(
          `/v1/checkout/${session.id}/attempts`,
          session.clientSecret,
          json({ method: 'ottpay.wechat' }),
        )
      ).json()) as AttemptView;
      await bff.control('ottpay', attempt.id, 'pay');
      for (const amount of ['5.00', '5.00']) {
        assert.equal((await bff.merchant(`/v1/sessions/${session.id}/refunds`, json({ amount }))).status, 201);
      }
      await fetch(`${bff.sandboxUrl}/ottpay/_control/refuse-next-refund`, { method: 'POST' });
      assert.equal((await bff.merchant(`/v1/sessions/${session.id}/refunds`, json({ amount: '1.00' }))).status, 422);
      const hooks = (await bff.runtime.store.listWebhooks(session.id)).map((hook) => JSON.parse(hook.payload));
      assert.deepEqual(
        hooks.map((hook) => hook.type),
        ['session.succeeded', 'session.partially_refunded', 'refund.succeeded', 'refund.succeeded', 'refund.failed'],
      );
      const [first, second, failed] = hooks.slice(2);
      assert.equal(first.data.refund.amount, '5.00');
      assert.equal(first.data.session.amountRefunded, '5.00');
      assert.equal(second.data.session.amountRefunded, '10.00');
      assert.equal(failed.data.refund.status, 'failed');
      assert.equal(failed.data.session.amountRefunded, '10.00');
      assert.ok(second.sequence > first.sequence);
    } finally {
      await bff.close();
    }
  });
});
