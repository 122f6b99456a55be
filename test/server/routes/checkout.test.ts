import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AttemptView, CheckoutView, ErrorBody } from '../../../widget/wire.ts';
import { readEvents, startTestBff, type TestBff } from '../harness.ts';

const post = (body: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

describe('browser checkout API', () => {
  let bff: TestBff;
  before(async () => {
    bff = await startTestBff();
  });
  after(() => bff.close());

  async function view(id: string, secret: string): Promise<CheckoutView> {
    const response = await bff.browser(`/v1/checkout/${id}`, secret);
    assert.equal(response.status, 200);
    return (await response.json()) as CheckoutView;
  }

  it('opens only with the session client secret, by header or query', async () => {
    const session = await bff.createSession({ amount: '120.00', currency: 'THB', reference: 'auth-1' });
    assert.equal((await bff.browser(`/v1/checkout/${session.id}`, session.clientSecret)).status, 200);
    assert.equal(
      (await bff.runtime.app.request(`/v1/checkout/${session.id}?secret=${session.clientSecret}`)).status,
      200,
    );
    const other = await bff.createSession({ amount: '120.00', currency: 'THB', reference: 'auth-2' });
    for (const secret of ['', 'wrong', other.clientSecret]) {
      const response = await bff.browser(`/v1/checkout/${session.id}`, secret);
      assert.equal(response.status, 401, secret);
      assert.equal((await response.json()).error.code, 'unauthorized');
    }
    const unknown = await bff.browser('/v1/checkout/ses_unknownunknown', session.clientSecret);
    assert.equal(unknown.status, 401);
  });

  it('shows the public view with One1Pay methods for THB and no secrets', async () => {
    const session = await bff.createSession({
      amount: '150.00',
      currency: 'THB',
      reference: 'view-1',
      customer: { email: 'shopper@example.com' },
    });
    const response = await bff.browser(`/v1/checkout/${session.id}`, session.clientSecret);
    const text = await response.text();
    for (const secret of [
      bff.config.merchant.secretKey,
      'one1pay-sandbox-api-key',
      'one1pay-sandbox-callback-secret',
      '5A9D0C3E7B21F468',
    ]) {
      assert.ok(!text.includes(secret), `the view leaks ${secret}`);
    }
    const body = JSON.parse(text) as CheckoutView;
    assert.equal(body.amount, '150.00');
    assert.equal(body.merchant.name, 'Test Shop');
    assert.equal(body.attempt, null);
    assert.deepEqual(body.methods.map((method) => method.id).sort(), ['one1pay.thaiqr', 'one1pay.truemoney']);
    const thaiqr = body.methods.find((method) => method.id === 'one1pay.thaiqr')!;
    assert.equal(thaiqr.kind, 'redirect');
    const names = thaiqr.fields.map((field) => field.name);
    assert.ok(names.includes('bankId') && names.includes('holderName') && names.includes('accountNumber'));
    assert.ok(!names.includes('email'), 'email is known from the customer and must not be asked again');
    assert.ok(names.includes('phone'));
    assert.ok(thaiqr.fields.find((field) => field.name === 'bankId')!.options!.length > 0);
  });

  it('offers OTT Pay QR methods for CAD, honouring the merchant method filter', async () => {
    const all = await bff.createSession({ amount: '12.00', currency: 'CAD', reference: 'view-2' });
    const ids = (await view(all.id, all.clientSecret)).methods.map((method) => method.id);
    assert.ok(ids.includes('ottpay.wechat') && ids.includes('ottpay.alipay'));
    assert.ok(!ids.some((id) => id.startsWith('one1pay.')));
    const filtered = await bff.createSession({
      amount: '12.00',
      currency: 'CAD',
      reference: 'view-3',
      methods: ['ottpay.alipay'],
    });
    assert.deepEqual(
      (await view(filtered.id, filtered.clientSecret)).methods.map((method) => method.id),
      ['ottpay.alipay'],
    );
    const none = await bff.createSession({ amount: '12.00', currency: 'USD', reference: 'view-4' });
    assert.deepEqual((await view(none.id, none.clientSecret)).methods, []);
  });

  it('creates a QR attempt with server-encoded modules, and returns the same attempt when repeated', async () => {
    const session = await bff.createSession({ amount: '12.34', currency: 'CAD', reference: 'qr-1' });
    const first = await bff.browser(
      `/v1/checkout/${session.id}/attempts`,
      session.clientSecret,
      post({ method: 'ottpay.wechat' }),
    );
    assert.equal(first.status, 201);
    const attempt = (await first.json()) as AttemptView;
    assert.equal(attempt.status, 'requires_action');
    assert.equal(attempt.action?.type, 'qr');
    if (attempt.action?.type !== 'qr') return;
    assert.ok(attempt.action.content.startsWith(`${bff.sandboxUrl}/ottpay/wallet/`), attempt.action.content);
    assert.ok(attempt.action.modules.size >= 21);
    assert.match(attempt.action.modules.path, /^M\d+ \d+h\d+v1H\d+z/);
    assert.ok(new Date(attempt.action.expiresAt).getTime() > bff.clock.now().getTime());

    const again = (await (
      await bff.browser(`/v1/checkout/${session.id}/attempts`, session.clientSecret, post({ method: 'ottpay.wechat' }))
    ).json()) as AttemptView;
    assert.equal(again.id, attempt.id);

    const current = await view(session.id, session.clientSecret);
    assert.equal(current.status, 'pending');
    assert.equal(current.attempt?.id, attempt.id);

    const svg = await bff.browser(`/v1/checkout/${session.id}/qr.svg`, session.clientSecret);
    assert.equal(svg.headers.get('content-type'), 'image/svg+xml');
    assert.match(await svg.text(), /^<svg [^>]*viewBox="-4 -4 /);

    const other = (await (
      await bff.browser(`/v1/checkout/${session.id}/attempts`, session.clientSecret, post({ method: 'ottpay.alipay' }))
    ).json()) as AttemptView;
    assert.notEqual(other.id, attempt.id);
  });

  it('makes one provider order when the same choice is submitted twice at once', async () => {
    const session = await bff.createSession({ amount: '12.34', currency: 'CAD', reference: 'double-tap' });
    const submit = () =>
      bff.browser(`/v1/checkout/${session.id}/attempts`, session.clientSecret, post({ method: 'ottpay.wechat' }));
    const [a, b] = await Promise.all([submit(), submit()]);
    const [first, second] = [(await a.json()) as AttemptView, (await b.json()) as AttemptView];
    assert.equal(first.id, second.id);
    assert.equal((await bff.runtime.store.listAttempts(session.id)).length, 1);
  });

  it('reuses the live order when the shopper switches back, and keeps at most three live orders', async () => {
    const session = await bff.createSession({ amount: '12.34', currency: 'CAD', reference: 'switching' });
    const choose = async (method: string) => {
      const response = await bff.browser(`/v1/checkout/${session.id}/attempts`, session.clientSecret, post({ method }));
      return { status: response.status, body: (await response.json()) as AttemptView & ErrorBody };
    };
    const wechat = await choose('ottpay.wechat');
    const alipay = await choose('ottpay.alipay');
    for (let round = 0; round < 5; round++) {
      assert.equal((await choose('ottpay.wechat')).body.id, wechat.body.id);
      assert.equal((await choose('ottpay.alipay')).body.id, alipay.body.id);
    }
    assert.equal((await bff.runtime.store.listAttempts(session.id)).length, 2);

    assert.equal((await choose('ottpay.unionpay')).status, 201);
    assert.equal((await bff.runtime.store.listAttempts(session.id)).length, 3);
  });

  it('refuses a fourth live provider order on one checkout, in the one error shape', async () => {
    const session = await bff.createSession({
      amount: '500.00',
      currency: 'THB',
      reference: 'four-orders',
      customer: { email: 'a@example.com', phone: '66812345678' },
    });
    const bankId = (await view(session.id, session.clientSecret)).methods
      .find((method) => method.id === 'one1pay.thaiqr')!
      .fields.find((field) => field.name === 'bankId')!.options![0]!.value;
    const attempt = (accountNumber: string) =>
      bff.browser(
        `/v1/checkout/${session.id}/attempts`,
        session.clientSecret,
        post({ method: 'one1pay.thaiqr', fields: { bankId, holderName: 'Somchai Jaidee', accountNumber } }),
      );
    for (const account of ['1111111111', '2222222222', '3333333333'])
      assert.equal((await attempt(account)).status, 201);
    const fourth = await attempt('4444444444');
    assert.equal(fourth.status, 422);
    assert.match((await fourth.json()).error.message, /already has 3 payments started/);
    assert.equal((await bff.runtime.store.listAttempts(session.id)).length, 3);
  });

  it('creates a One1Pay redirect attempt after checking the shopper fields', async () => {
    const session = await bff.createSession({
      amount: '500.00',
      currency: 'THB',
      reference: 'redir-1',
      customer: { email: 'a@example.com', phone: '66812345678' },
    });
    const methods = (await view(session.id, session.clientSecret)).methods;
    const bankId = methods
      .find((method) => method.id === 'one1pay.thaiqr')!
      .fields.find((field) => field.name === 'bankId')!.options![0]!.value;

    const missing = await bff.browser(
      `/v1/checkout/${session.id}/attempts`,
      session.clientSecret,
      post({ method: 'one1pay.thaiqr', fields: { bankId } }),
    );
    assert.equal(missing.status, 400);
    assert.match((await missing.json()).error.message, /fields\.holderName is required/);

    const badBank = await bff.browser(
      `/v1/checkout/${session.id}/attempts`,
      session.clientSecret,
      post({
        method: 'one1pay.thaiqr',
        fields: { bankId: '99999', holderName: 'Somchai', accountNumber: '1234567890' },
      }),
    );
    assert.equal(badBank.status, 400);
    assert.match((await badBank.json()).error.message, /fields\.bankId/);

    const ok = await bff.browser(
      `/v1/checkout/${session.id}/attempts`,
      session.clientSecret,
      post({ method: 'one1pay.thaiqr', fields: { bankId, holderName: 'Somchai', accountNumber: '1234567890' } }),
    );
    assert.equal(ok.status, 201);
    const attempt = (await ok.json()) as AttemptView;
    assert.equal(attempt.action?.type, 'redirect');
    if (attempt.action?.type === 'redirect') {
      assert.ok(attempt.action.url.startsWith(`${bff.sandboxUrl}/one1pay/`));
      assert.equal(attempt.action.method, 'GET');
    }
  });

  it('refuses methods that do not fit the session, and unknown methods', async () => {
    const session = await bff.createSession({ amount: '12.00', currency: 'CAD', reference: 'bad-method' });
    const wrong = await bff.browser(
      `/v1/checkout/${session.id}/attempts`,
      session.clientSecret,
      post({ method: 'one1pay.thaiqr', fields: {} }),
    );
    assert.equal(wrong.status, 422);
    assert.equal((await wrong.json()).error.code, 'method_unavailable');
    const unknown = await bff.browser(
      `/v1/checkout/${session.id}/attempts`,
      session.clientSecret,
      post({ method: 'paypal' }),
    );
    assert.equal(unknown.status, 400);
    const tiny = await bff.createSession({ amount: '1.00', currency: 'THB', reference: 'below-min' });
    assert.deepEqual(
      (await view(tiny.id, tiny.clientSecret)).methods,
      [],
      'One1Pay limits come from /merchant/currency',
    );
  });

  it('allows CORS only for the configured origins', async () => {
    const session = await bff.createSession({ amount: '12.00', currency: 'CAD', reference: 'cors' });
    const allowed = await bff.browser(`/v1/checkout/${session.id}`, session.clientSecret, {
      headers: { origin: 'https://shop.example' },
    });
    assert.equal(allowed.headers.get('access-control-allow-origin'), 'https://shop.example');
    const denied = await bff.browser(`/v1/checkout/${session.id}`, session.clientSecret, {
      headers: { origin: 'https://evil.example' },
    });
    assert.equal(denied.headers.get('access-control-allow-origin'), null);
    const preflight = await bff.runtime.app.request(`/v1/checkout/${session.id}/attempts`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://shop.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,tender-client-secret',
      },
    });
    assert.equal(preflight.status, 204);
    assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /Tender-Client-Secret/i);
    const merchantApi = await bff.merchant('/v1/sessions', { headers: { origin: 'https://shop.example' } });
    assert.equal(
      merchantApi.headers.get('access-control-allow-origin'),
      null,
      'the merchant API is never open to browsers',
    );
  });

  it('streams status over SSE and replays from Last-Event-ID', async () => {
    const session = await bff.createSession({ amount: '20.00', currency: 'CAD', reference: 'sse-1' });
    const attempt = (await (
      await bff.browser(`/v1/checkout/${session.id}/attempts`, session.clientSecret, post({ method: 'ottpay.wechat' }))
    ).json()) as AttemptView;

    const stream = await bff.runtime.app.request(`/v1/checkout/${session.id}/events?secret=${session.clientSecret}`);
    assert.equal(stream.status, 200);
    assert.match(stream.headers.get('content-type') ?? '', /^text\/event-stream/);
    const pending = readEvents(stream, 2);
    assert.equal((await bff.control('ottpay', attempt.id, 'pay')).status, 200);
    const events = await pending;
    assert.deepEqual(
      events.map((event) => event.id),
      ['1', '2'],
    );
    assert.deepEqual(
      events.map((event) => (event.data as { status: string }).status),
      ['pending', 'succeeded'],
    );
    assert.deepEqual((events[1]!.data as { attempt: unknown }).attempt, {
      id: attempt.id,
      status: 'succeeded',
      failure: null,
    });

    const resumed = await bff.runtime.app.request(`/v1/checkout/${session.id}/events?secret=${session.clientSecret}`, {
      headers: { 'last-event-id': '1' },
    });
    const replay = await readEvents(resumed, 1);
    assert.deepEqual(
      replay.map((event) => event.id),
      ['2'],
    );
    const byQuery = await bff.runtime.app.request(
      `/v1/checkout/${session.id}/events?secret=${session.clientSecret}&lastEventId=2`,
    );
    assert.deepEqual(await readEvents(byQuery, 1, 300), []);

    const bad = await bff.runtime.app.request(
      `/v1/checkout/${session.id}/events?secret=${session.clientSecret}&lastEventId=abc`,
    );
    assert.equal(bad.status, 400);
  });

  it('sends heartbeats on an idle stream', async () => {
    const quiet = await startTestBff({ sseHeartbeatMs: 50 });
    try {
      const session = await quiet.createSession({ amount: '20.00', currency: 'CAD', reference: 'hb' });
      const stream = await quiet.runtime.app.request(
        `/v1/checkout/${session.id}/events?secret=${session.clientSecret}`,
      );
      const reader = stream.body!.pipeThrough(new TextDecoderStream()).getReader();
      let text = '';
      while (!text.includes('event: ping')) text += (await reader.read()).value ?? '';
      await reader.cancel();
    } finally {
      await quiet.close();
    }
  });

  it('refuses new attempts once the session has been paid', async () => {
    const session = await bff.createSession({ amount: '20.00', currency: 'CAD', reference: 'closed' });
    const attempt = (await (
      await bff.browser(`/v1/checkout/${session.id}/attempts`, session.clientSecret, post({ method: 'ottpay.alipay' }))
    ).json()) as AttemptView;
    await bff.control('ottpay', attempt.id, 'pay');
    const late = await bff.browser(
      `/v1/checkout/${session.id}/attempts`,
      session.clientSecret,
      post({ method: 'ottpay.wechat' }),
    );
    assert.equal(late.status, 409);
    assert.equal((await late.json()).error.code, 'session_closed');
    assert.deepEqual((await view(session.id, session.clientSecret)).methods, []);
  });
});
