/**
 * The reconciler's due attempts are leased: reconcilers sharing one database (several BFF instances)
 * never ask a provider about the same attempt at once, and an attempt whose checker died is taken
 * over once its lease runs out. The checkout is a recorder here; what a check does to an attempt is
 * tested with the real checkout in payments.test.ts.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Checkout } from '../../../server/domain/checkout.ts';
import { silentLogger } from '../../../server/domain/log.ts';
import { Reconciler } from '../../../server/domain/reconciler.ts';
import { SqliteStore } from '../../../server/store/sqlite.ts';
import type { AttemptRecord, SessionRecord, Store } from '../../../server/store/store.ts';

const dir = mkdtempSync(join(tmpdir(), 'tender-reconciler-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

const T0 = Date.parse('2026-11-21T10:00:00.000Z');
const iso = (ms: number) => new Date(T0 + ms).toISOString();

/** Two stores on one new file, as two BFF instances on one database would have. */
async function twoInstances(): Promise<[Store, Store]> {
  files += 1;
  const path = join(dir, `case-${files}.db`);
  const one = new SqliteStore(path);
  await one.migrate();
  const two = new SqliteStore(path);
  await two.migrate();
  after(async () => {
    await one.close();
    await two.close();
  });
  return [one, two];
}

/** A session with `count` attempts due at T0. */
async function seedDue(store: Store, count: number): Promise<string[]> {
  const session: SessionRecord = {
    id: `ses_${files}`,
    clientSecret: 'secret',
    amount: 1_000,
    currency: 'THB',
    reference: 'r',
    description: null,
    returnUrl: null,
    customer: {},
    methods: null,
    status: 'pending',
    succeededAttemptId: null,
    expiresAt: iso(3_600_000),
    createdAt: iso(0),
    updatedAt: iso(0),
    version: 1,
  };
  await store.createSession(session);
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const attempt: AttemptRecord = {
      id: `att_${files}_${i}`,
      sessionId: session.id,
      method: 'ottpay.wechat',
      provider: 'ottpay',
      providerOrderId: `order_${files}_${i}`,
      providerPaymentId: null,
      status: 'requires_action',
      action: null,
      amount: 1_000,
      currency: 'THB',
      fieldsHash: 'h',
      failureCode: null,
      failureMessage: null,
      doublePayment: false,
      expiresAt: null,
      nextCheckAt: iso(0),
      checkCount: 0,
      createdAt: iso(0),
      updatedAt: iso(0),
    };
    await store.commit({ sessionId: session.id, expectedVersion: 1 + i, newAttempt: attempt });
    ids.push(attempt.id);
  }
  return ids;
}

/**
 * A checkout that records each check and holds it open until `release()`, so checks of two
 * reconcilers overlap in time; it notes any attempt checked by two at once.
 */
function recordingCheckout(store: Store) {
  const checked: string[] = [];
  const overlapping: string[] = [];
  const inFlight = new Set<string>();
  const waiting: (() => void)[] = [];
  let held = true;
  const checkout = {
    async reconcile(attempt: AttemptRecord) {
      if (inFlight.has(attempt.id)) overlapping.push(attempt.id);
      inFlight.add(attempt.id);
      checked.push(attempt.id);
      if (held) await new Promise<void>((resolve) => waiting.push(resolve));
      inFlight.delete(attempt.id);
      // As the real checkout does, a check schedules the next one itself.
      await store.updateAttempt(attempt.id, { nextCheckAt: iso(3_600_000), checkCount: attempt.checkCount + 1 });
    },
    async expireIfDue() {
      return null;
    },
    async reconcileRefund() {},
  };
  return {
    checkout: checkout as unknown as Checkout,
    checked,
    overlapping,
    /** Lets every held check, and every later one, finish. */
    release() {
      held = false;
      for (const resolve of waiting.splice(0)) resolve();
    },
    /** Resolves once `count` checks have started. */
    async started(count: number) {
      while (checked.length < count) await new Promise((resolve) => setTimeout(resolve, 1));
    },
  };
}

describe('Reconciler leases', () => {
  it('never lets two instances check the same attempt at once', async () => {
    const [one, two] = await twoInstances();
    const ids = await seedDue(one, 6);
    const clock = { now: () => new Date(T0) };
    const recorder = recordingCheckout(one);
    const options = { checkout: recorder.checkout, clock, log: silentLogger, batchSize: 10, concurrency: 10 };
    const first = new Reconciler({ ...options, store: one });
    const second = new Reconciler({ ...options, store: two });

    const passes = [first.runOnce(), second.runOnce()];
    await recorder.started(ids.length);
    // Both passes have claimed; the checks are still running.
    await new Promise((resolve) => setTimeout(resolve, 20));
    recorder.release();
    const handled = await Promise.all(passes);

    assert.deepEqual(recorder.overlapping, []);
    assert.deepEqual([...recorder.checked].sort(), [...ids].sort(), 'each attempt checked exactly once');
    assert.equal(
      handled.reduce((sum, each) => sum + each, 0),
      ids.length,
    );
  });

  it('takes over an attempt whose checker died, once its lease has run out', async () => {
    const [one, two] = await twoInstances();
    const [id] = await seedDue(one, 1);
    let now = T0;
    const clock = { now: () => new Date(now) };
    const leaseMs = 60_000;

    // The first instance claims the attempt and never finishes (its process is gone).
    const dead = recordingCheckout(one);
    const stuck = new Reconciler({ store: one, checkout: dead.checkout, clock, log: silentLogger, leaseMs }).runOnce();
    await dead.started(1);

    const survivor = recordingCheckout(two);
    survivor.release();
    const reconciler = new Reconciler({ store: two, checkout: survivor.checkout, clock, log: silentLogger, leaseMs });
    now = T0 + leaseMs - 1;
    assert.equal(await reconciler.runOnce(), 0, 'leased: left alone');
    now = T0 + leaseMs;
    assert.equal(await reconciler.runOnce(), 1);
    assert.deepEqual(survivor.checked, [id]);
    dead.release();
    await stuck;
  });
});
