/**
 * Payouts inside the BFF, against the One1Pay simulator over real HTTP: stored before the provider
 * is asked, settled only on what check_withdraw_status says, lost callbacks and lost answers found
 * by the background checks, refusals recorded, and Idempotency-Key never making a second order.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { SANDBOX_CREDENTIALS } from '../../../server/config.ts';
import { silentLogger } from '../../../server/domain/log.ts';
import {
  newPayoutId,
  payoutRequestHash,
  Payouts,
  type CreatePayoutInput,
  IDEMPOTENCY_SCOPE,
} from '../../../server/domain/payouts.ts';
import { DomainError } from '../../../server/domain/errors.ts';
import { toApiError } from '../../../server/http/errors.ts';
import { buildProviders } from '../../../server/providers/index.ts';
import { startTestBff, type TestBff } from '../harness.ts';
import { urlOf } from '../../fetch-args.ts';

interface Withdrawal {
  orderId: string;
  status: string;
  amount: string;
  accountNo: string;
  callbackUrl: string | null;
  callbacks: Array<{ forged: boolean; httpStatus: number | null; acknowledged: boolean; error: string | null }>;
}

/** Nothing listens here: a callback sent to it is lost, as a network might lose it. */
const NOWHERE = 'http://127.0.0.1:9';

describe('payouts', () => {
  let bff: TestBff;
  before(async () => {
    bff = await startTestBff();
  });
  after(() => bff.close());

  const input = (overrides: Partial<CreatePayoutInput> = {}): CreatePayoutInput => ({
    provider: 'one1pay',
    money: { minor: 250_00, currency: 'THB' },
    bankId: '101',
    bankBranch: null,
    holderName: 'Somchai Jaidee',
    accountNumber: '1234567890',
    reference: null,
    ...overrides,
  });
  const stored = async (id: string) => (await bff.runtime.store.getPayout(id))!;
  const withdrawal = async (id: string) => {
    const response = await fetch(`${bff.sandboxUrl}/one1pay/_control/withdrawals/${id}`);
    return response.status === 404 ? null : ((await response.json()) as Withdrawal);
  };
  const control = (id: string, action: string) =>
    fetch(`${bff.sandboxUrl}/one1pay/_control/withdrawals/${id}/${action}`, { method: 'POST' });
  const balance = async () => {
    const [entry] = await bff.runtime.payouts.balances('THB');
    return entry!.amount;
  };

  /** A second payouts service on the same store, with its own provider `fetch` and public URL. */
  function payoutsWith({ publicUrl = bff.config.publicUrl, fetchImpl = fetch } = {}) {
    return new Payouts({
      config: { ...bff.config, publicUrl },
      store: bff.runtime.store,
      providers: buildProviders(
        bff.config,
        { fetch: fetchImpl, now: () => bff.clock.now(), timeoutMs: 5000 },
        silentLogger,
      ),
      clock: bff.clock,
      log: silentLogger,
    });
  }

  /** A withdrawal callback signed with the sandbox's callback secret (docs/providers/one1pay.md). */
  function signedCallback(orderId: string, orderStatus: string) {
    const token = createHash('md5')
      .update(SANDBOX_CREDENTIALS.one1pay.callbackSecret! + orderId)
      .digest('hex');
    return bff.runtime.app.request('/v1/notify/one1pay', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        order_id: orderId,
        amount: '250.0000',
        currency: 'THB',
        order_status: orderStatus,
        status: true,
        charge: '0',
        token,
        name: 'Somchai Jaidee',
        type: 'withdrawal',
        remarks: '',
      }),
    });
  }

  it('stores the payout before asking the provider, and sends it under its own id', async () => {
    let storedBeforeSend: unknown = 'not asked';
    const payouts = payoutsWith({
      fetchImpl: async (url, init) => {
        if (urlOf(url).endsWith('/merchant/withdraw_orders')) {
          const orderId = (init?.body as FormData).get('orderid') as string;
          storedBeforeSend = (await bff.runtime.store.getPayout(orderId))?.status;
        }
        return fetch(url, init);
      },
    });
    const { payout, replayed } = await payouts.create(input({ reference: 'rent-11' }));
    assert.equal(replayed, false);
    assert.equal(storedBeforeSend, 'pending');
    assert.match(payout.id, /^po_[A-Za-z0-9_-]{20}$/);
    assert.ok(payout.id.length <= 32);
    assert.equal(payout.status, 'pending');
    assert.equal(payout.reference, 'rent-11');

    const order = await withdrawal(payout.id);
    assert.equal(order?.status, 'proccess');
    assert.equal(order?.amount, '250.00');
    assert.equal(order?.accountNo, '1234567890');
    assert.equal(order?.callbackUrl, `${bff.url}/v1/notify/one1pay`);
  });

  it('treats a callback as a claim: only check_withdraw_status settles a payout', async () => {
    const { payout } = await bff.runtime.payouts.create(input());
    const claim = await signedCallback(payout.id, 'completed');
    assert.equal(claim.status, 200);
    assert.equal(await claim.text(), 'success');
    assert.equal((await stored(payout.id)).status, 'pending', 'the provider still says "proccess"');

    assert.equal((await control(payout.id, 'complete')).status, 200);
    const after = await stored(payout.id);
    assert.equal(after.status, 'succeeded');
    assert.equal(after.failureCode, null);
    assert.equal(after.nextCheckAt, null, 'a final payout is not asked about again');
    assert.equal((await withdrawal(payout.id))?.callbacks.at(-1)?.acknowledged, true);
  });

  it('changes nothing on a duplicate callback', async () => {
    const { payout } = await bff.runtime.payouts.create(input());
    await control(payout.id, 'complete');
    const settled = await stored(payout.id);
    bff.clock.advance(60_000);
    assert.equal((await control(payout.id, 'callback')).status, 200);
    assert.equal((await withdrawal(payout.id))?.callbacks.at(-1)?.acknowledged, true);
    assert.deepEqual(await stored(payout.id), settled);
  });

  it('records a failed and a rejected payout with their failure', async () => {
    const failed = (await bff.runtime.payouts.create(input())).payout;
    const rejected = (await bff.runtime.payouts.create(input())).payout;
    await control(failed.id, 'fail');
    await control(rejected.id, 'reject');
    assert.deepEqual((await bff.runtime.payouts.get(failed.id))?.failure, {
      code: 'failed',
      message: 'The provider could not complete the transfer.',
    });
    const view = await bff.runtime.payouts.get(rejected.id);
    assert.equal(view?.status, 'rejected');
    assert.deepEqual(view?.failure, { code: 'rejected', message: 'The provider rejected this payout.' });
  });

  it('answers a callback for a payout it does not know with 404', async () => {
    const response = await signedCallback(newPayoutId(), 'completed');
    assert.equal(response.status, 404);
    assert.equal((await response.json()).error.code, 'not_found');
  });

  it('finds a payout whose callback was lost, on the background check', async () => {
    const { payout } = await payoutsWith({ publicUrl: NOWHERE }).create(input());
    await control(payout.id, 'complete');
    const order = await withdrawal(payout.id);
    assert.equal(order?.status, 'completed');
    assert.equal(order?.callbacks.at(-1)?.acknowledged, false, 'the callback never arrived');

    await bff.runtime.payouts.runOnce();
    assert.equal((await stored(payout.id)).status, 'pending', 'not due yet');
    bff.clock.advance(11_000);
    await bff.runtime.payouts.runOnce();
    assert.equal((await stored(payout.id)).status, 'succeeded');
  });

  it('keeps a payout pending when the provider answer is lost, and settles it once the provider says', async () => {
    let dropAnswers = true;
    const before = await balance();
    const payouts = payoutsWith({
      publicUrl: NOWHERE,
      fetchImpl: async (url, init) => {
        const response = await fetch(url, init);
        if (dropAnswers && /withdraw_orders|check_withdraw_status/.test(urlOf(url))) {
          throw new TypeError('fetch failed: the connection was reset');
        }
        return response;
      },
    });
    const { payout } = await payouts.create(input({ money: { minor: 700_00, currency: 'THB' } }));
    assert.equal(payout.status, 'pending', 'an unclear answer is not a refusal');
    assert.equal((await withdrawal(payout.id))?.status, 'proccess', 'the provider did make it');
    const record = await stored(payout.id);
    assert.ok(record.nextCheckAt, 'it is checked again');

    dropAnswers = false;
    bff.clock.advance(11_000);
    await bff.runtime.payouts.runOnce();
    assert.equal((await stored(payout.id)).status, 'pending');
    await control(payout.id, 'complete');
    bff.clock.advance(31_000);
    await bff.runtime.payouts.runOnce();
    assert.equal((await stored(payout.id)).status, 'succeeded');
    assert.equal(Number(before) - Number(await balance()), 700, 'sent once');
  });

  it('fails a stored payout the provider never received, once the create cannot still arrive', async () => {
    const now = bff.clock.now();
    const id = newPayoutId();
    await bff.runtime.store.createPayout({
      id,
      provider: 'one1pay',
      amount: 100_00,
      currency: 'THB',
      bankId: '101',
      bankBranch: null,
      holderName: 'Somchai Jaidee',
      accountNumber: '1234567890',
      reference: null,
      status: 'pending',
      failureCode: null,
      nextCheckAt: new Date(now.getTime() + 60_000).toISOString(),
      checkCount: 0,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
    });
    bff.clock.advance(61_000);
    await bff.runtime.payouts.runOnce();
    assert.equal((await stored(id)).status, 'pending', 'too young for "no such order" to prove anything');
    bff.clock.advance(2 * 60_000);
    await bff.runtime.payouts.runOnce();
    const after = await stored(id);
    assert.equal(after.status, 'failed');
    assert.equal(after.failureCode, 'not_found');
    assert.equal(after.nextCheckAt, null);
  });

  it('refuses a payout above the balance with a clear error, records it failed and sends nothing', async () => {
    const error = await bff.runtime.payouts.create(input({ money: { minor: 5_000_000_00, currency: 'THB' } })).then(
      () => assert.fail('the payout should be refused'),
      (caught: unknown) => caught,
    );
    assert.ok(error instanceof DomainError);
    assert.equal(toApiError(error).status, 422);
    assert.equal(error.code, 'provider_declined');
    assert.match(error.message, /^the one1pay THB balance is lower than the payout amount; payout po_\S+ was recorded/);
    assert.doesNotMatch(error.message, /Balance not enough/, 'no provider wording');
    const id = /payout (po_\S+) was/.exec(error.message)![1]!;
    const record = await stored(id);
    assert.equal(record.status, 'failed');
    assert.equal(record.failureCode, 'insufficient_balance');
    assert.equal(record.nextCheckAt, null);
    assert.equal(await withdrawal(id), null);
  });

  it('makes one provider order per Idempotency-Key, even for requests racing', async () => {
    const before = await balance();
    const body = input({ money: { minor: 321_00, currency: 'THB' } });
    const [first, second] = await Promise.all([
      bff.runtime.payouts.create(body, { idempotencyKey: 'race-1' }),
      bff.runtime.payouts.create(body, { idempotencyKey: 'race-1' }),
    ]);
    assert.equal(first.payout.id, second.payout.id);
    assert.deepEqual([first.replayed, second.replayed].sort(), [false, true]);
    const third = await bff.runtime.payouts.create(body, { idempotencyKey: 'race-1' });
    assert.equal(third.payout.id, first.payout.id);
    assert.equal(third.replayed, true);
    assert.equal(Number(before) - Number(await balance()), 321, 'one withdrawal at the provider');

    await assert.rejects(
      bff.runtime.payouts.create({ ...body, holderName: 'Someone Else' }, { idempotencyKey: 'race-1' }),
      (error: unknown) => error instanceof DomainError && error.code === 'idempotency_mismatch',
    );
  });

  it('answers a refused payout the same way when its key is replayed', async () => {
    const body = input({ money: { minor: 9_000_000_00, currency: 'THB' } });
    const refusal = (error: unknown) => error instanceof DomainError && error.code === 'provider_declined';
    let firstMessage = '';
    await assert.rejects(bff.runtime.payouts.create(body, { idempotencyKey: 'too-much-1' }), (error: unknown) => {
      firstMessage = (error as Error).message;
      return refusal(error);
    });
    await assert.rejects(
      bff.runtime.payouts.create(body, { idempotencyKey: 'too-much-1' }),
      (error: unknown) => refusal(error) && (error as Error).message === firstMessage,
    );
  });

  it('carries on a payout whose key was claimed by a request that stopped before storing it', async () => {
    const body = input({ money: { minor: 42_00, currency: 'THB' } });
    const id = newPayoutId();
    await bff.runtime.store.putIdempotency({
      scope: IDEMPOTENCY_SCOPE,
      key: 'claimed-then-crashed',
      requestHash: payoutRequestHash(body),
      status: 201,
      body: JSON.stringify({ payout: id }),
      createdAt: bff.clock.now().toISOString(),
    });
    const { payout } = await bff.runtime.payouts.create(body, { idempotencyKey: 'claimed-then-crashed' });
    assert.equal(payout.id, id);
    assert.equal((await withdrawal(id))?.amount, '42.00');
  });

  it('stops asking about a payout pending for a week, leaving it pending for review', async () => {
    const { payout } = await payoutsWith({ publicUrl: NOWHERE }).create(
      input({ money: { minor: 5_00, currency: 'THB' } }),
    );
    bff.clock.advance(8 * 24 * 3600_000);
    await bff.runtime.payouts.runOnce();
    const record = await stored(payout.id);
    assert.equal(record.status, 'pending');
    assert.equal(record.nextCheckAt, null);
  });
});
