import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '../../../server/domain/log.ts';
import { Payouts } from '../../../server/domain/payouts.ts';
import { buildProviders } from '../../../server/providers/index.ts';
import { startTestBff, type TestBff } from '../harness.ts';

const post = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

const payoutBody = (overrides: Record<string, unknown> = {}) => ({
  provider: 'one1pay',
  amount: '100.00',
  currency: 'THB',
  bankId: '102',
  holderName: 'Malee Srisuk',
  accountNumber: '987-654-3210',
  ...overrides,
});

interface PayoutView {
  id: string;
  status: string;
  failure: { code: string; message: string } | null;
  [key: string]: unknown;
}

function helpers(bff: () => TestBff) {
  const create = async (overrides: Record<string, unknown> = {}, headers: Record<string, string> = {}) => {
    const response = await bff().merchant('/v1/payouts', post(payoutBody(overrides), headers));
    assert.equal(response.status, 201, await response.clone().text());
    return (await response.json()) as PayoutView;
  };
  const read = async (id: string) => (await (await bff().merchant(`/v1/payouts/${id}`)).json()) as PayoutView;
  const control = (id: string, action: string) =>
    fetch(`${bff().sandboxUrl}/one1pay/_control/withdrawals/${id}/${action}`, { method: 'POST' });
  const withdrawal = async (id: string) =>
    (await (await fetch(`${bff().sandboxUrl}/one1pay/_control/withdrawals/${id}`)).json()) as {
      status: string;
      callbacks: Array<{ forged: boolean; httpStatus: number | null }>;
    };
  const balances = async (currency = 'THB') =>
    (await (await bff().merchant(`/v1/balances?currency=${currency}`)).json()) as {
      object: string;
      data: Array<Record<string, unknown>>;
    };
  return { create, read, control, withdrawal, balances };
}

describe('treasury API', () => {
  let bff: TestBff;
  before(async () => {
    bff = await startTestBff();
  });
  after(() => bff.close());
  const { create, read, control, withdrawal, balances } = helpers(() => bff);

  it('requires the secret key on every treasury route, and only there', async () => {
    const routes: Array<[string, RequestInit]> = [
      ['/v1/balances?currency=THB', {}],
      ['/v1/banks?currency=THB', {}],
      ['/v1/payouts', post(payoutBody())],
      ['/v1/payouts/po_AAAAAAAAAAAAAAAAAAAA', {}],
      ['/v1/payouts', {}],
    ];
    for (const [path, init] of routes) {
      for (const authorization of [undefined, 'Bearer sk_wrong_key_123']) {
        const headers = { ...(init.headers as Record<string, string>), ...(authorization ? { authorization } : {}) };
        const response = await bff.runtime.app.request(path, { ...init, headers });
        assert.equal(response.status, 401, path);
        assert.equal((await response.json()).error.code, 'unauthorized');
      }
    }
    // The provider and browser routes beside them under /v1 are not behind the secret key.
    const notify = await bff.runtime.app.request('/v1/notify/one1pay', post({ order_id: 'x', token: 'y' }));
    assert.equal((await notify.json()).error.code, 'invalid_notification');
    const session = await bff.createSession({ amount: '10.00', currency: 'THB', reference: 'still-works' });
    const checkout = await bff.browser(`/v1/checkout/${session.id}`, session.clientSecret);
    assert.equal(checkout.status, 200);
  });

  it('names the bad field when a request is invalid', async () => {
    const cases: Array<[Record<string, unknown>, number, RegExp]> = [
      [payoutBody({ amount: 100 }), 400, /^body\.amount: /],
      [payoutBody({ amount: '1.234' }), 400, /^body\.amount: THB takes at most 2 decimal places/],
      [payoutBody({ amount: '0.00' }), 400, /^body\.amount: must be greater than zero/],
      [payoutBody({ currency: 'XYZ' }), 400, /^body\.currency: /],
      [payoutBody({ holderName: '  ' }), 400, /^body\.holderName: /],
      [payoutBody({ accountNumber: '12' }), 400, /^body\.accountNumber: /],
      [payoutBody({ bankId: 'a b' }), 400, /^body\.bankId: /],
      [payoutBody({ surprise: true }), 400, /^body/],
      [
        payoutBody({ provider: 'paypal' }),
        422,
        /^body\.provider: "paypal" is not an enabled provider that makes payouts/,
      ],
      [payoutBody({ provider: 'ottpay' }), 422, /^body\.provider: "ottpay" /],
      [payoutBody({ bankId: '999' }), 422, /^body\.bankId: one1pay has no payout bank "999" for THB/],
      [payoutBody({ bankId: '1' }), 422, /^body\.bankId: /],
      [payoutBody({ currency: 'CAD' }), 422, /^body\.currency: one1pay lists no payout banks for CAD/],
    ];
    for (const [body, status, message] of cases) {
      const response = await bff.merchant('/v1/payouts', post(body));
      assert.equal(response.status, status, JSON.stringify(body));
      const error = (await response.json()).error;
      assert.equal(error.code, 'invalid_request');
      assert.match(error.message, message);
    }
    const badKey = await bff.merchant('/v1/payouts', post(payoutBody(), { 'idempotency-key': 'has space' }));
    assert.equal(badKey.status, 400);
    assert.match((await badKey.json()).error.message, /^header\.Idempotency-Key: /);

    for (const [path, message] of [
      ['/v1/balances', /^query\.currency: /],
      ['/v1/balances?currency=thb', /^query\.currency: /],
      ['/v1/banks?currency=THB&purpose=refund', /^query\.purpose: /],
    ] as const) {
      const response = await bff.merchant(path);
      assert.equal(response.status, 400, path);
      assert.match((await response.json()).error.message, message);
    }
  });

  it('lists the provider banks for payouts by default, and for deposits when asked', async () => {
    const withdrawals = await (await bff.merchant('/v1/banks?currency=THB')).json();
    assert.equal(withdrawals.object, 'list');
    assert.deepEqual(
      withdrawals.data.map((bank: { id: string }) => bank.id),
      ['101', '102', '103', '104', '105', '106'],
    );
    assert.deepEqual(withdrawals.data[0], {
      provider: 'one1pay',
      id: '101',
      name: 'Siam Commercial Bank',
      currency: 'THB',
    });
    const deposits = await (await bff.merchant('/v1/banks?currency=THB&purpose=deposit')).json();
    assert.deepEqual(
      deposits.data.map((bank: { id: string }) => bank.id),
      ['1', '2', '3', '4', '5'],
    );
    const myr = await (await bff.merchant('/v1/banks?currency=MYR')).json();
    assert.deepEqual(
      myr.data.map((bank: { id: string; currency: string }) => `${bank.id} ${bank.currency}`),
      ['121 MYR', '122 MYR'],
    );
  });

  it('makes a payout that succeeds once the provider confirms it', async () => {
    const response = await bff.merchant(
      '/v1/payouts',
      post(payoutBody({ reference: 'supplier-7', bankBranch: 'Silom' })),
    );
    assert.equal(response.status, 201);
    const payout = (await response.json()) as PayoutView;
    assert.deepEqual(payout, {
      id: payout.id,
      object: 'payout',
      provider: 'one1pay',
      status: 'pending',
      amount: '100.00',
      currency: 'THB',
      bankId: '102',
      bankBranch: 'Silom',
      holderName: 'Malee Srisuk',
      accountNumberLast4: '3210',
      reference: 'supplier-7',
      failure: null,
      createdAt: bff.clock.now().toISOString(),
      updatedAt: bff.clock.now().toISOString(),
    });
    assert.equal((await read(payout.id)).status, 'pending');

    bff.clock.advance(5_000);
    assert.equal((await control(payout.id, 'complete')).status, 200);
    const done = await read(payout.id);
    assert.equal(done.status, 'succeeded');
    assert.equal(done.failure, null);
    assert.equal(done.updatedAt, bff.clock.now().toISOString());
    assert.equal((await withdrawal(payout.id)).callbacks.at(-1)?.httpStatus, 200);
  });

  it('refreshes a pending payout from the provider when it is read', async () => {
    // Made with a callback URL where nothing listens, so only the read can learn the outcome.
    const payouts = new Payouts({
      config: { ...bff.config, publicUrl: 'http://127.0.0.1:9' },
      store: bff.runtime.store,
      providers: buildProviders(bff.config, { fetch, now: () => bff.clock.now(), timeoutMs: 5000 }, silentLogger),
      clock: bff.clock,
      log: silentLogger,
    });
    const { payout } = await payouts.create({
      provider: 'one1pay',
      money: { minor: 60_00, currency: 'THB' },
      bankId: '103',
      bankBranch: null,
      holderName: 'Malee Srisuk',
      accountNumber: '1112223334',
      reference: null,
    });
    await control(payout.id, 'complete');
    assert.equal((await bff.runtime.store.getPayout(payout.id))?.status, 'pending', 'the callback was lost');
    assert.equal((await read(payout.id)).status, 'succeeded');
  });

  it('ignores a forged payout callback: 401, and nothing changes', async () => {
    const payout = await create();
    const before = await bff.runtime.store.getPayout(payout.id);
    bff.clock.advance(5_000);
    assert.equal((await control(payout.id, 'forged-callback')).status, 200);
    const delivery = (await withdrawal(payout.id)).callbacks.at(-1);
    assert.deepEqual(delivery && { forged: delivery.forged, httpStatus: delivery.httpStatus }, {
      forged: true,
      httpStatus: 401,
    });
    assert.deepEqual(await bff.runtime.store.getPayout(payout.id), before);
  });

  it('reports a rejected payout with its failure', async () => {
    const payout = await create();
    await control(payout.id, 'reject');
    const view = await read(payout.id);
    assert.equal(view.status, 'rejected');
    assert.deepEqual(view.failure, { code: 'rejected', message: 'The provider rejected this payout.' });
  });

  it('answers a repeated Idempotency-Key with the same payout, and refuses it with another body', async () => {
    const [before] = (await balances()).data;
    const first = await bff.merchant(
      '/v1/payouts',
      post(payoutBody({ amount: '77.00' }), { 'idempotency-key': 'po-1' }),
    );
    const second = await bff.merchant(
      '/v1/payouts',
      post(payoutBody({ amount: '77.00' }), { 'idempotency-key': 'po-1' }),
    );
    assert.equal(first.status, 201);
    assert.equal(second.status, 201);
    assert.equal(first.headers.get('idempotent-replayed'), null);
    assert.equal(second.headers.get('idempotent-replayed'), 'true');
    const [one, two] = [(await first.json()) as PayoutView, (await second.json()) as PayoutView];
    assert.equal(two.id, one.id);
    assert.deepEqual(two, one);

    const other = await bff.merchant(
      '/v1/payouts',
      post(payoutBody({ amount: '78.00' }), { 'idempotency-key': 'po-1' }),
    );
    assert.equal(other.status, 422);
    assert.equal((await other.json()).error.code, 'idempotency_mismatch');

    const [after] = (await balances()).data;
    assert.equal(Number(before!.amount) - Number(after!.amount), 77, 'one withdrawal at the provider');
  });

  it('refuses a payout above the balance with a clear 4xx and no provider wording', async () => {
    const response = await bff.merchant('/v1/payouts', post(payoutBody({ amount: '2000000.00' })));
    assert.equal(response.status, 422);
    const { error } = await response.json();
    assert.equal(error.code, 'provider_declined');
    assert.match(error.message, /balance is lower than the payout amount/);
    assert.doesNotMatch(error.message, /Balance not enough/);
    const id = /payout (po_\S+) was/.exec(error.message)![1]!;
    const view = await read(id);
    assert.equal(view.status, 'failed');
    assert.equal(view.failure?.code, 'insufficient_balance');
  });

  it('never sends the account number back in full', async () => {
    const response = await bff.merchant('/v1/payouts', post(payoutBody({ accountNumber: '5566778899' })));
    const text = await response.text();
    const payout = JSON.parse(text) as PayoutView;
    assert.equal(payout.accountNumberLast4, '8899');
    assert.ok(!text.includes('5566778899'));
    assert.ok(!(await (await bff.merchant(`/v1/payouts/${payout.id}`)).text()).includes('5566778899'));
  });

  it('404s a payout it does not know', async () => {
    for (const id of ['po_AAAAAAAAAAAAAAAAAAAA', 'att_x', '..']) {
      const response = await bff.merchant(`/v1/payouts/${id}`);
      assert.equal(response.status, 404, id);
      assert.equal((await response.json()).error.code, 'not_found');
    }
  });

  it('lists payouts newest first, paged with limit and before, the account number never in full', async () => {
    const made: PayoutView[] = [];
    for (const reference of ['list-1', 'list-2', 'list-3']) {
      // After every payout the earlier tests made (the test clock stands still unless moved).
      bff.clock.advance(1000);
      made.push(await create({ reference }));
    }
    await control(made[0]!.id, 'complete');
    const page1 = (await (await bff.merchant('/v1/payouts?limit=2')).json()) as {
      object: string;
      data: PayoutView[];
      hasMore: boolean;
    };
    assert.equal(page1.object, 'list');
    assert.deepEqual(
      page1.data.map((payout) => payout.reference),
      ['list-3', 'list-2'],
    );
    assert.equal(page1.hasMore, true);
    assert.deepEqual(page1.data[0], await read(made[2]!.id), 'the same view as reading one');
    assert.equal(JSON.stringify(page1).includes('9876543210'), false);
    assert.equal(JSON.stringify(page1).includes('987-654-3210'), false);

    const page2 = (await (await bff.merchant(`/v1/payouts?limit=2&before=${page1.data[1]!.id}`)).json()) as {
      data: PayoutView[];
      hasMore: boolean;
    };
    assert.equal(page2.data[0]!.reference, 'list-1');
    assert.equal(page2.data[0]!.status, 'succeeded');
    const seen = [...page1.data, ...page2.data].map((payout) => payout.id);
    assert.equal(new Set(seen).size, seen.length, 'no payout twice across pages');

    const unknown = await (await bff.merchant('/v1/payouts?before=po_AAAAAAAAAAAAAAAAAAAA')).json();
    assert.deepEqual(unknown, { object: 'list', data: [], hasMore: false });
    for (const query of ['limit=0', 'limit=101', 'limit=x', 'status=pending']) {
      const response = await bff.merchant(`/v1/payouts?${query}`);
      assert.equal(response.status, 400, query);
      assert.equal((await response.json()).error.code, 'invalid_request');
    }
  });

  it('describes the treasury routes in the OpenAPI document', async () => {
    const doc = await (await bff.runtime.app.request('/openapi.json')).json();
    assert.ok(doc.paths['/v1/balances'].get);
    assert.ok(doc.paths['/v1/banks'].get);
    assert.ok(doc.paths['/v1/payouts'].post);
    assert.ok(doc.paths['/v1/payouts'].get);
    assert.ok(doc.paths['/v1/payouts/{id}'].get);
  });
});

describe('treasury API: balances', () => {
  let bff: TestBff;
  before(async () => {
    bff = await startTestBff();
  });
  after(() => bff.close());
  const { create, control, balances } = helpers(() => bff);

  it('reads the balance from each provider, and follows payouts', async () => {
    assert.deepEqual(await balances(), {
      object: 'list',
      data: [
        { object: 'balance', provider: 'one1pay', currency: 'THB', amount: '100000.00', available: true, error: null },
      ],
    });
    const payout = await create({ amount: '1500.00' });
    assert.equal((await balances()).data[0]!.amount, '98500.00', 'held as soon as the provider takes it');
    await control(payout.id, 'reject');
    assert.equal((await balances()).data[0]!.amount, '100000.00', 'given back when rejected');
  });

  it('lists a provider that cannot answer as unavailable instead of failing the call', async () => {
    const response = await bff.merchant('/v1/balances?currency=CAD');
    assert.equal(response.status, 200);
    const [entry] = ((await response.json()) as { data: Array<Record<string, unknown>> }).data;
    assert.deepEqual(entry, {
      object: 'balance',
      provider: 'one1pay',
      currency: 'CAD',
      amount: null,
      available: false,
      error: { code: 'provider_error', message: 'the payment provider could not handle this request' },
    });
  });
});
