/**
 * The one `Idempotency-Key` path: a key is claimed naming an id before any work, the thing is made
 * under that id, and a retry answers it. Driven with things kept in a map that, like the store, takes
 * each id once; the routes' tests cover sessions, refunds and payouts through it.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { systemClock } from '../../../server/domain/clock.ts';
import { DomainError } from '../../../server/domain/errors.ts';
import { Idempotency, type IdempotencyRequest } from '../../../server/domain/idempotency.ts';
import { openStore } from '../../../server/store/index.ts';
import type { IdempotencyRecord, Store } from '../../../server/store/store.ts';

interface Thing {
  id: string;
  body: string;
}

/** A make-once table, a counter of makes, and the create for `Idempotency.run`. */
function things() {
  const table = new Map<string, Thing>();
  let ids = 0;
  let made = 0;
  let release: (() => void) | null = null;
  return {
    table,
    get made() {
      return made;
    },
    /** Holds every make until `go()`, so requests can be made to race. */
    hold() {
      const gate = new Promise<void>((resolve) => (release = resolve));
      return { gate, go: () => release?.() };
    },
    create(
      request: IdempotencyRequest | undefined,
      body: string,
      options: { gate?: Promise<void>; check?: () => Promise<void> } = {},
    ) {
      return {
        scope: 'things.create',
        request,
        newId: () => `thing_${++ids}_${Math.random().toString(36).slice(2)}`,
        check: options.check,
        find: async (id: string) => table.get(id) ?? null,
        make: async (id: string) => {
          await options.gate;
          if (table.has(id)) throw new Error(`duplicate id ${id}`);
          made++;
          const thing = { id, body };
          table.set(id, thing);
          return thing;
        },
      };
    },
  };
}

const key = (name: string, requestHash = 'hash-a'): IdempotencyRequest => ({ key: name, requestHash });

describe('Idempotency', () => {
  let store: Store;
  beforeEach(async () => {
    store = await openStore('sqlite::memory:');
  });
  afterEach(() => store.close());

  it('simply makes the thing, under a fresh id each time, without a key', async () => {
    const idempotency = new Idempotency({ store, clock: systemClock });
    const box = things();
    const one = await idempotency.run(box.create(undefined, 'a'));
    const two = await idempotency.run(box.create(undefined, 'a'));
    assert.notEqual(one.value.id, two.value.id);
    assert.deepEqual([one.replayed, two.replayed, box.made], [false, false, 2]);
  });

  it('makes one thing per key and answers it again, even for requests racing', async () => {
    const idempotency = new Idempotency({ store, clock: systemClock });
    const box = things();
    const { gate, go } = box.hold();
    const racing = Promise.all([
      idempotency.run(box.create(key('k1'), 'a', { gate })),
      idempotency.run(box.create(key('k1'), 'a', { gate })),
    ]);
    go();
    const [first, second] = await racing;
    assert.equal(first.value.id, second.value.id);
    assert.deepEqual([first.replayed, second.replayed].sort(), [false, true]);
    const third = await idempotency.run(box.create(key('k1'), 'a'));
    assert.deepEqual([third.value.id, third.replayed, box.made], [first.value.id, true, 1]);
  });

  it('makes one thing when two instances race on one key', async () => {
    // Two instances: each has its own turns, only the store is shared.
    const [one, two] = [new Idempotency({ store, clock: systemClock }), new Idempotency({ store, clock: systemClock })];
    const box = things();
    const { gate, go } = box.hold();
    const racing = Promise.all([
      one.run(box.create(key('k2'), 'a', { gate })),
      two.run(box.create(key('k2'), 'a', { gate })),
    ]);
    go();
    const [first, second] = await racing;
    assert.equal(first.value.id, second.value.id);
    assert.equal(box.made, 1);
    assert.deepEqual([first.replayed, second.replayed].sort(), [false, true]);
  });

  it('refuses the key with another request', async () => {
    const idempotency = new Idempotency({ store, clock: systemClock });
    const box = things();
    await idempotency.run(box.create(key('k3', 'hash-a'), 'a'));
    await assert.rejects(
      idempotency.run(box.create(key('k3', 'hash-b'), 'b')),
      (error: unknown) => error instanceof DomainError && error.code === 'idempotency_mismatch',
    );
    assert.equal(box.made, 1);
  });

  it('leaves the key free when a check refuses the request, and skips checks on a replay', async () => {
    const idempotency = new Idempotency({ store, clock: systemClock });
    const box = things();
    const refuse = async () => {
      throw new DomainError('unprocessable', 'no such bank');
    };
    await assert.rejects(idempotency.run(box.create(key('k4', 'hash-a'), 'a', { check: refuse })), DomainError);
    const corrected = await idempotency.run(box.create(key('k4', 'hash-b'), 'b'));
    assert.deepEqual([corrected.value.body, corrected.replayed], ['b', false]);
    const replay = await idempotency.run(box.create(key('k4', 'hash-b'), 'b', { check: refuse }));
    assert.deepEqual([replay.value.id, replay.replayed], [corrected.value.id, true]);
  });

  it('carries on under the claimed id when the first request stopped after its claim', async () => {
    const idempotency = new Idempotency({ store, clock: systemClock });
    const box = things();
    // Claims as written before this path was the only one: each names its id its own way.
    const claims = [
      ['refund-key', { refundId: 're_claimed' }],
      ['payout-key', { payout: 'po_claimed' }],
      ['session-key', { id: 'ses_claimed', object: 'checkout.session' }],
      ['new-key', { id: 'thing_claimed' }],
    ] as const;
    for (const [name, body] of claims) {
      await store.putIdempotency({
        scope: 'things.create',
        key: name,
        requestHash: 'hash-a',
        status: 0,
        body: JSON.stringify(body),
        createdAt: new Date().toISOString(),
      });
    }
    const ids = [];
    for (const [name] of claims) {
      const { value, replayed } = await idempotency.run(box.create(key(name), 'a'));
      assert.equal(replayed, true);
      ids.push(value.id);
    }
    assert.deepEqual(ids, ['re_claimed', 'po_claimed', 'ses_claimed', 'thing_claimed']);
    assert.equal(box.made, 4);
  });

  it('answers a failure of the work, and makes the thing on a retry', async () => {
    const idempotency = new Idempotency({ store, clock: systemClock });
    const box = things();
    const failing = { ...box.create(key('k5'), 'a'), make: () => Promise.reject(new Error('store down')) };
    await assert.rejects(idempotency.run(failing), /store down/);
    const retry = await idempotency.run(box.create(key('k5'), 'a'));
    assert.equal(box.made, 1);
    assert.equal(retry.value.body, 'a');
  });
  describe('with claim and thing written together (claimAndMake)', () => {
    /** `claimAndMake` over the make-once table: the key's claim, then the thing, or the earlier record. */
    function together(
      box: ReturnType<typeof things>,
      request: IdempotencyRequest,
      body: string,
      check?: () => Promise<void>,
    ) {
      const create = box.create(request, body, { check });
      let writes = 0;
      return {
        get writes() {
          return writes;
        },
        create: {
          ...create,
          claimAndMake: async (
            id: string,
            claim: IdempotencyRecord,
          ): Promise<{ made: Thing } | { earlier: IdempotencyRecord }> => {
            writes++;
            if (!(await store.putIdempotency(claim))) {
              return { earlier: (await store.getIdempotency(claim.scope, claim.key))! };
            }
            return { made: await create.make(id) };
          },
        },
      };
    }

    it('makes the thing with its claim, and a retry gets it without making another', async () => {
      const idempotency = new Idempotency({ store, clock: systemClock });
      const box = things();
      const first = together(box, key('t1'), 'a');
      const made = await idempotency.run(first.create);
      const retry = await idempotency.run(together(box, key('t1'), 'a').create);
      assert.deepEqual([made.replayed, retry.replayed, retry.value.id, box.made], [false, true, made.value.id, 1]);
      const other = await idempotency
        .run(together(box, key('t1', 'hash-b'), 'b').create)
        .catch((error: unknown) => error);
      assert.ok(other instanceof DomainError && other.code === 'idempotency_mismatch');
    });

    it('refuses a fresh key when the check refuses, writing nothing, yet answers a retry whose check would now refuse', async () => {
      const idempotency = new Idempotency({ store, clock: systemClock });
      const box = things();
      const refuse = () => Promise.reject(new DomainError('invalid_request', 'no'));
      const refused = together(box, key('t2'), 'a', refuse);
      await assert.rejects(idempotency.run(refused.create), /no/);
      assert.deepEqual([refused.writes, box.made, await store.getIdempotency('things.create', 't2')], [0, 0, null]);

      const made = await idempotency.run(together(box, key('t2'), 'a').create);
      const retry = await idempotency.run(together(box, key('t2'), 'a', refuse).create);
      assert.deepEqual([retry.replayed, retry.value.id], [true, made.value.id]);
    });
  });
});
