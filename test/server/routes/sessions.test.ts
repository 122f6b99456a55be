import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AttemptView } from '../../../widget/wire.ts';
import type { merchantSessionView } from '../../../server/domain/views.ts';
import { readEvents, startTestBff, type TestBff } from '../harness.ts';

/** A session as the merchant API answers it. */
type MerchantSession = ReturnType<typeof merchantSessionView>;

const json = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

describe('merchant sessions API', () => {
  let bff: TestBff;
  before(async () => {
    bff = await startTestBff();
  });
  after(() => bff.close());

  it('refuses a missing or wrong secret key with the one error shape', async () => {
    for (const headers of [{}, { authorization: 'Bearer sk_wrong_key_123' }, { authorization: 'Basic abc' }] as Array<
      Record<string, string>
    >) {
      const response = await bff.runtime.app.request(
        '/v1/sessions',
        json({ amount: '1.00', currency: 'THB', reference: 'r' }, headers),
      );
      assert.equal(response.status, 401);
      const body = await response.json();
      assert.equal(body.error.code, 'unauthorized');
      assert.match(body.error.requestId, /^req_/);
      assert.equal(response.headers.get('x-request-id'), body.error.requestId);
    }
  });

  it('creates a session with a decimal amount and a random client secret', async () => {
    const response = await bff.merchant(
      '/v1/sessions',
      json({ amount: '250.50', currency: 'THB', reference: 'order-1', description: 'Tea' }),
    );
    assert.equal(response.status, 201);
    const session = (await response.json()) as MerchantSession;
    assert.match(session.id, /^ses_[A-Za-z0-9]{20}$/);
    assert.equal(session.amount, '250.50');
    assert.equal(session.currency, 'THB');
    assert.equal(session.status, 'open');
    assert.equal(session.reference, 'order-1');
    assert.ok(session.clientSecret.startsWith(`${session.id}_secret_`));
    assert.ok(session.clientSecret.length >= session.id.length + 8 + 24);
    assert.equal(session.url, `${bff.url}/pay/${session.id}?secret=${encodeURIComponent(session.clientSecret)}`);
    assert.deepEqual(session.attempts, []);
    const expires = new Date(session.expiresAt).getTime() - bff.clock.now().getTime();
    assert.equal(expires, 3600 * 1000);
  });

  it('names the bad field when the body is invalid', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ amount: 100, currency: 'THB', reference: 'r' }, /^body\.amount: /],
      [{ amount: '1.234', currency: 'THB', reference: 'r' }, /^body\.amount: THB takes at most 2 decimal places/],
      [{ amount: '0.00', currency: 'THB', reference: 'r' }, /^body\.amount: must be greater than zero/],
      [{ amount: '1.00', currency: 'XYZ', reference: 'r' }, /^body\.currency: /],
      [{ amount: '1.00', currency: 'THB' }, /^body\.reference: /],
      [{ amount: '1.00', currency: 'THB', reference: 'r', returnUrl: 'javascript:alert(1)' }, /^body\.returnUrl: /],
      [{ amount: '1.00', currency: 'THB', reference: 'r', methods: ['paypal'] }, /^body\.methods\.0: /],
      [{ amount: '1.00', currency: 'THB', reference: 'r', surprise: true }, /^body: |^body\.surprise/],
      [{ amount: '1.00', currency: 'THB', reference: 'r', customer: { email: 'nope' } }, /^body\.customer\.email: /],
    ];
    for (const [body, message] of cases) {
      const response = await bff.merchant('/v1/sessions', json(body));
      assert.equal(response.status, 400, JSON.stringify(body));
      const error = (await response.json()).error;
      assert.equal(error.code, 'invalid_request');
      assert.match(error.message, message);
    }
  });

  it('refuses a method whose provider is not configured, so no session is made that cannot be paid', async () => {
    // The harness configures One1Pay and OTT Pay only.
    const refused = await bff.merchant(
      '/v1/sessions',
      json({ amount: '1.00', currency: 'USD', reference: 'r-kess', methods: ['kesspay.wechat'] }),
    );
    assert.equal(refused.status, 422);
    const error = (await refused.json()).error;
    assert.equal(error.code, 'method_unavailable');
    assert.match(error.message, /kesspay\.wechat/);
    const accepted = await bff.merchant(
      '/v1/sessions',
      json({ amount: '1.00', currency: 'CAD', reference: 'r-ott', methods: ['ottpay.wechat'] }),
    );
    assert.equal(accepted.status, 201);
  });

  it('refuses a body that is not JSON', async () => {
    const response = await bff.merchant('/v1/sessions', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"amount":',
    });
    assert.equal(response.status, 400);
    assert.match((await response.json()).error.message, /not valid JSON/);
    const wrongType = await bff.merchant('/v1/sessions', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: '{}',
    });
    assert.equal(wrongType.status, 415);
  });

  it('answers a repeated Idempotency-Key with the first answer, and refuses it with another body', async () => {
    const body = { amount: '99.00', currency: 'THB', reference: 'idem-1' };
    const first = await bff.merchant('/v1/sessions', json(body, { 'idempotency-key': 'key-abc' }));
    const second = await bff.merchant('/v1/sessions', json(body, { 'idempotency-key': 'key-abc' }));
    assert.equal(first.status, 201);
    assert.equal(second.status, 201);
    assert.equal(second.headers.get('idempotent-replayed'), 'true');
    assert.deepEqual(await second.json(), await first.json());

    const other = await bff.merchant(
      '/v1/sessions',
      json({ ...body, amount: '98.00' }, { 'idempotency-key': 'key-abc' }),
    );
    assert.equal(other.status, 422);
    assert.equal((await other.json()).error.code, 'idempotency_mismatch');

    const different = await bff.merchant('/v1/sessions', json(body, { 'idempotency-key': 'key-def' }));
    assert.notEqual((await different.json()).id, undefined);
  });

  it('writes a keyed session and the claim on its key in one transaction', async () => {
    const store = bff.runtime.store;
    const writes: string[] = [];
    const { putIdempotency, createSession } = store;
    store.putIdempotency = async (record) => {
      writes.push('claim');
      return putIdempotency.call(store, record);
    };
    store.createSession = async (session, extras) => {
      writes.push(extras?.idempotency ? 'session with claim' : 'session');
      return createSession.call(store, session, extras);
    };
    try {
      const body = { amount: '12.00', currency: 'THB', reference: 'idem-one-write' };
      const first = await bff.merchant('/v1/sessions', json(body, { 'idempotency-key': 'key-one-write' }));
      assert.equal(first.status, 201);
      assert.deepEqual(writes, ['session with claim']);
      // The retry's transaction finds the key taken and writes nothing: one session, the first.
      const again = await bff.merchant('/v1/sessions', json(body, { 'idempotency-key': 'key-one-write' }));
      assert.equal(again.headers.get('idempotent-replayed'), 'true');
      const firstId = ((await first.json()) as { id: string }).id;
      assert.equal(((await again.json()) as { id: string }).id, firstId);
      assert.ok(!writes.includes('claim') && !writes.includes('session'));
      const made = (await store.listSessions({ limit: 100 })).filter((s) => s.reference === body.reference);
      assert.deepEqual(
        made.map((s) => s.id),
        [firstId],
      );
    } finally {
      Object.assign(store, { putIdempotency, createSession });
    }
  });

  it('leaves an Idempotency-Key free when the request is refused on its face', async () => {
    const body = { amount: '99.999', currency: 'THB', reference: 'idem-2' };
    const bad = await bff.merchant('/v1/sessions', json(body, { 'idempotency-key': 'key-bad-amount' }));
    assert.equal(bad.status, 400);
    const fixed = await bff.merchant(
      '/v1/sessions',
      json({ ...body, amount: '99.99' }, { 'idempotency-key': 'key-bad-amount' }),
    );
    assert.equal(fixed.status, 201);
    assert.equal(fixed.headers.get('idempotent-replayed'), null);
  });

  it('reads a session back, and 404s an unknown one', async () => {
    const created = await bff.createSession({
      amount: '10.00',
      currency: 'CAD',
      reference: 'read-1',
      customer: { email: 'a@b.co' },
    });
    const response = await bff.merchant(`/v1/sessions/${created.id}`);
    assert.equal(response.status, 200);
    const session = await response.json();
    assert.equal(session.id, created.id);
    assert.deepEqual(session.customer, { email: 'a@b.co' });
    const missing = await bff.merchant('/v1/sessions/ses_doesnotexist');
    assert.equal(missing.status, 404);
    assert.equal((await missing.json()).error.code, 'not_found');
  });

  it('lists sessions newest first with paging', async () => {
    bff.clock.advance(1000);
    const a = await bff.createSession({ amount: '1.00', currency: 'THB', reference: 'list-a' });
    bff.clock.advance(1000);
    const b = await bff.createSession({ amount: '1.00', currency: 'THB', reference: 'list-b' });
    const page = await (await bff.merchant('/v1/sessions?limit=1')).json();
    assert.equal(page.data.length, 1);
    assert.equal(page.data[0].id, b.id);
    assert.equal(page.hasMore, true);
    const next = await (await bff.merchant(`/v1/sessions?limit=1&before=${b.id}`)).json();
    assert.equal(next.data[0].id, a.id);
    const bad = await bff.merchant('/v1/sessions?limit=1000');
    assert.equal(bad.status, 400);
  });

  it('answers unknown routes, health and the API description', async () => {
    const unknown = await bff.runtime.app.request('/v1/nothing');
    assert.equal(unknown.status, 404);
    assert.equal((await unknown.json()).error.code, 'not_found');
    assert.deepEqual(await (await bff.runtime.app.request('/healthz')).json(), { status: 'ok' });
    const openapi = await (await bff.runtime.app.request('/openapi.json')).json();
    assert.equal(openapi.openapi, '3.1.0');
    assert.ok(openapi.paths['/v1/checkout/{id}/events']);
  });

  describe('cancel', () => {
    const cancel = (id: string) => bff.merchant(`/v1/sessions/${id}/cancel`, { method: 'POST' });
    const startAttempt = async (session: { id: string; clientSecret: string }) => {
      const response = await bff.browser(
        `/v1/checkout/${session.id}/attempts`,
        session.clientSecret,
        json({ method: 'ottpay.wechat' }),
      );
      assert.equal(response.status, 201, await response.clone().text());
      return (await response.json()) as AttemptView;
    };

    it('cancels an open session, tells its streams, and answers a second cancel the same', async () => {
      const session = await bff.createSession({ amount: '12.00', currency: 'CAD', reference: 'cancel-1' });
      const stream = await bff.runtime.app.request(`/v1/checkout/${session.id}/events?secret=${session.clientSecret}`);
      const heard = readEvents(stream, 1);

      const response = await cancel(session.id);
      assert.equal(response.status, 200);
      const canceled = await response.json();
      assert.equal(canceled.id, session.id);
      assert.equal(canceled.status, 'canceled');
      const events = await heard;
      assert.deepEqual(
        events.map((event) => (event.data as { status: string }).status),
        ['canceled'],
      );

      const again = await cancel(session.id);
      assert.equal(again.status, 200);
      assert.deepEqual(await again.json(), canceled, 'nothing changed');
      assert.deepEqual(
        (await bff.runtime.store.listEvents(session.id, 0)).map((event) => event.data.status),
        ['canceled'],
        'one event, not two',
      );

      // No payment can start on it any more.
      const attempt = await bff.browser(
        `/v1/checkout/${session.id}/attempts`,
        session.clientSecret,
        json({ method: 'ottpay.wechat' }),
      );
      assert.equal(attempt.status, 409);
      assert.equal((await attempt.json()).error.code, 'session_closed');
      assert.equal((await (await bff.merchant(`/v1/sessions/${session.id}`)).json()).status, 'canceled');
    });

    it('refuses while the shopper may be paying, and cancels once that attempt has failed', async () => {
      const session = await bff.createSession({ amount: '13.00', currency: 'CAD', reference: 'cancel-2' });
      const attempt = await startAttempt(session);
      const busy = await cancel(session.id);
      assert.equal(busy.status, 409);
      const body = await busy.json();
      assert.equal(body.error.code, 'payment_in_progress');
      assert.ok(body.error.message.includes(attempt.id));
      assert.equal((await bff.runtime.store.getSession(session.id))!.status, 'pending', 'nothing changed');

      assert.equal((await bff.control('ottpay', attempt.id, 'decline')).status, 200);
      assert.equal((await bff.runtime.store.getSession(session.id))!.status, 'failed');
      const response = await cancel(session.id);
      assert.equal(response.status, 200);
      const canceled = await response.json();
      assert.equal(canceled.status, 'canceled');
      assert.equal(canceled.attempts[0].status, 'failed', 'the attempt is left as it was');
    });

    it('refuses a paid or expired session, and 404s an unknown one', async () => {
      const paid = await bff.createSession({ amount: '14.00', currency: 'CAD', reference: 'cancel-3' });
      const attempt = await startAttempt(paid);
      assert.equal((await bff.control('ottpay', attempt.id, 'pay')).status, 200);
      const refused = await cancel(paid.id);
      assert.equal(refused.status, 409);
      assert.deepEqual((await refused.json()).error.code, 'session_closed');
      assert.equal((await bff.runtime.store.getSession(paid.id))!.status, 'succeeded');

      const late = await bff.createSession({
        amount: '15.00',
        currency: 'CAD',
        reference: 'cancel-4',
        expiresInSeconds: 60,
      });
      bff.clock.advance(61_000);
      const expired = await cancel(late.id);
      assert.equal(expired.status, 409);
      const body = await expired.json();
      assert.equal(body.error.code, 'session_closed');
      assert.match(body.error.message, /is expired/);
      assert.equal((await bff.runtime.store.getSession(late.id))!.status, 'expired', 'expired, not canceled');

      const unknown = await cancel('ses_AAAAAAAAAAAAAAAAAAAA');
      assert.equal(unknown.status, 404);
      assert.equal((await unknown.json()).error.code, 'not_found');
      const anonymous = await bff.runtime.app.request(`/v1/sessions/${late.id}/cancel`, { method: 'POST' });
      assert.equal(anonymous.status, 401);
    });
  });
});
