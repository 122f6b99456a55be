/**
 * Two BFF instances on one PostgreSQL database, as in a scale-out deployment: a payment that one
 * instance learns of reaches a shopper whose status stream is held by the other, with no sticky
 * sessions.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AttemptView } from '../../../widget/wire.ts';
import { readEvents, startTestBff, type TestBff } from '../harness.ts';
import { usePostgres } from '../pg.ts';

const server = await usePostgres();

describe('scale-out on PostgreSQL', { skip: server.skip }, () => {
  let a: TestBff;
  let b: TestBff;
  before(async () => {
    if (server.skip !== false) return;
    const database = await server.database();
    a = await startTestBff({ database });
    b = await startTestBff({ database });
  });
  after(async () => {
    await a?.close();
    await b?.close();
  });

  it('streams to a shopper on one instance what another instance learned', async () => {
    const session = await a.createSession({ amount: '25.00', currency: 'CAD', reference: 'scale-out' });
    const created = await a.browser(`/v1/checkout/${session.id}/attempts`, session.clientSecret, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ method: 'ottpay.wechat' }),
    });
    const attempt = (await created.json()) as AttemptView;

    // The shopper's stream lands on instance B; the provider's callback goes to instance A.
    const stream = await b.runtime.app.request(`/v1/checkout/${session.id}/events?secret=${session.clientSecret}`);
    const arriving = readEvents(stream, 2, 10_000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal((await a.control('ottpay', attempt.id, 'pay')).status, 200);
    const events = await arriving;
    assert.deepEqual(
      events.map((event) => (event.data as { status: string }).status),
      ['pending', 'succeeded'],
    );
    const view = await (await b.merchant(`/v1/sessions/${session.id}`)).json();
    assert.equal(view.status, 'succeeded');
  });
});
