/**
 * The methods a checkout offers are asked of each provider once per amount and customer, and reused
 * for `OFFERS_CACHE_MS`: the checkout view is read on every page load, reconnect and poll. A
 * provider that could not answer is asked again on the next read, not left out for the lifetime.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Attempts, OFFERS_CACHE_MS, type AttemptsDeps } from '../../../server/domain/attempts.ts';
import { silentLogger } from '../../../server/domain/log.ts';
import type { ProviderRegistry } from '../../../server/providers/index.ts';
import type { OfferInput, Provider } from '../../../server/providers/provider.ts';
import { makeSession } from '../store/contract.ts';
import { TestClock } from '../harness.ts';

/** A provider whose `offers` counts its calls, and fails while `failing` is set. */
function countingProvider() {
  const seen: OfferInput[] = [];
  let failing = false;
  const provider = {
    id: 'ottpay',
    offers: async (input: OfferInput) => {
      seen.push(input);
      if (failing) throw new Error('provider down');
      return [{ method: 'ottpay.alipay', label: 'Alipay', kind: 'qr', fields: [] }];
    },
  } as unknown as Provider;
  return {
    seen,
    fail: (value: boolean) => (failing = value),
    attempts: (clock: TestClock) =>
      // Only what `methodsFor` reads: the providers, the clock and the log.
      new Attempts({
        providers: new Map([['ottpay', provider]]) as ProviderRegistry,
        clock,
        log: silentLogger,
      } as unknown as AttemptsDeps),
  };
}

describe('offers cache', () => {
  it('asks a provider once per amount and customer within the lifetime, and again after it', async () => {
    const clock = new TestClock();
    const provider = countingProvider();
    const attempts = provider.attempts(clock);
    const session = makeSession({ currency: 'CAD', amount: 10_00 });

    const first = await attempts.methodsFor(session);
    assert.deepEqual(
      first.map((method) => method.id),
      ['ottpay.alipay'],
    );
    assert.deepEqual(await attempts.methodsFor(makeSession({ currency: 'CAD', amount: 10_00 })), first);
    assert.equal(provider.seen.length, 1);

    await attempts.methodsFor(makeSession({ currency: 'CAD', amount: 11_00 }));
    await attempts.methodsFor(makeSession({ currency: 'CAD', amount: 10_00, customer: { email: 'a@b.example' } }));
    assert.equal(provider.seen.length, 3, 'another amount or customer is asked of its own');

    clock.advance(OFFERS_CACHE_MS - 1);
    await attempts.methodsFor(session);
    assert.equal(provider.seen.length, 3);
    clock.advance(1);
    await attempts.methodsFor(session);
    assert.equal(provider.seen.length, 4, 'asked again once the lifetime is over');
  });

  it('does not keep a failure: the next read asks again', async () => {
    const clock = new TestClock();
    const provider = countingProvider();
    const attempts = provider.attempts(clock);
    const session = makeSession({ currency: 'CAD', amount: 20_00 });
    provider.fail(true);
    assert.deepEqual(await attempts.methodsFor(session), []);
    provider.fail(false);
    assert.equal((await attempts.methodsFor(session)).length, 1);
    assert.equal(provider.seen.length, 2);
  });

  it('still applies the session’s own method list to cached offers', async () => {
    const clock = new TestClock();
    const provider = countingProvider();
    const attempts = provider.attempts(clock);
    await attempts.methodsFor(makeSession({ currency: 'CAD', amount: 30_00 }));
    const narrowed = await attempts.methodsFor(
      makeSession({ currency: 'CAD', amount: 30_00, methods: ['ottpay.wechat'] }),
    );
    assert.deepEqual(narrowed, []);
    assert.equal(provider.seen.length, 1);
  });
});
