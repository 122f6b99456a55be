/**
 * `GET /v1/checkout/:id/outcome`: a session's link opened without its client secret shows the
 * merchant, the amount, paid or not, and the way back, and nothing else.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AttemptView, CheckoutOutcome } from '../../../widget/wire.ts';
import { startTestBff, type TestBff } from '../harness.ts';

describe('checkout outcome without the client secret', () => {
  let bff: TestBff;
  before(async () => {
    bff = await startTestBff();
  });
  after(() => bff.close());

  const outcome = async (id: string) => {
    const response = await bff.runtime.app.request(`/v1/checkout/${id}/outcome`);
    return { status: response.status, body: (await response.json()) as CheckoutOutcome & { error?: { code: string } } };
  };

  it('says not paid, then paid, with only the merchant, amount, status and return URL', async () => {
    const session = await bff.createSession({
      amount: '20.00',
      currency: 'CAD',
      reference: 'outcome-1',
      returnUrl: 'https://shop.example/orders/outcome-1',
    });
    const open = await outcome(session.id);
    assert.equal(open.status, 200);
    assert.deepEqual(open.body, {
      merchant: { name: bff.config.merchant.name },
      amount: '20.00',
      currency: 'CAD',
      status: 'not_paid',
      returnUrl: 'https://shop.example/orders/outcome-1',
    });

    const attempt = (await (
      await bff.browser(`/v1/checkout/${session.id}/attempts`, session.clientSecret, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ method: 'ottpay.wechat' }),
      })
    ).json()) as AttemptView;
    assert.equal((await bff.control('ottpay', attempt.id, 'pay')).status, 200);
    let paid = await outcome(session.id);
    for (let tries = 0; tries < 50 && paid.body.status !== 'paid'; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      paid = await outcome(session.id);
    }
    assert.equal(paid.body.status, 'paid');
    assert.deepEqual(Object.keys(paid.body).sort(), ['amount', 'currency', 'merchant', 'returnUrl', 'status']);
    const text = JSON.stringify(paid.body);
    assert.ok(!text.includes(session.clientSecret) && !text.includes(attempt.id), 'no secret, no attempt');
  });

  it('answers 404 for an unknown or malformed session id, and the secret-guarded routes stay guarded', async () => {
    assert.equal((await outcome('cs_doesnotexist000000000000000000')).status, 404);
    assert.equal((await outcome('not-a-session')).status, 404);
    const session = await bff.createSession({ amount: '5.00', currency: 'CAD', reference: 'outcome-2' });
    assert.equal((await bff.runtime.app.request(`/v1/checkout/${session.id}`)).status, 401);
    assert.equal((await bff.runtime.app.request(`/v1/checkout/${session.id}/events`)).status, 401);
  });
});
