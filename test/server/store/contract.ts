/**
 * The behaviour every `Store` implementation must have. An engine's own test file calls
 * `storeContract(name, open)` once and adds its engine-specific checks beside it.
 *
 * `open` must return a new, migrated store connected to the **same** database on every call, as a
 * restarted BFF would; the suite calls it once per test and again where it closes a store and checks
 * that the data is still there. The database must be empty when the suite starts and used by nothing
 * else while it runs (a temp file, a throwaway PostgreSQL database). The suite closes every store it
 * opens.
 *
 * Tests share that database, so each one makes its own ids. The two queries that see every row use
 * time windows no other test writes in: `listSessions` sessions are created in 2100 and `listPayouts` payouts in 2110 (newer than the
 * rest) and the due-attempt leases use windows in 1970–1990 (older than the rest) and lease to
 * 3000; `operationalStats` looks at attempts due in 1950 and takes them off the schedule after.
 * Every other record in the suite is stamped around `BASE`.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { StatusEvent } from '../../../widget/wire.ts';
import {
  ConflictError,
  type AttemptRecord,
  type PayoutRecord,
  type RefundRecord,
  type SessionRecord,
  type Store,
  type WebhookRecord,
} from '../../../server/store/store.ts';

const BASE = Date.parse('2026-11-21T10:00:00.000Z');

/** The end of the leases the due-attempt tests take: after every time the suite claims at. */
const LEASE_AFTER_ALL = '3000-01-01T00:00:00.000Z';

/** An ISO time `seconds` after `BASE`. */
function at(seconds: number): string {
  return new Date(BASE + seconds * 1000).toISOString();
}

function uid(prefix: string): string {
  return `${prefix}_${randomUUID()}`;
}

/** A session record for store tests, with fresh ids; also used by the engine-specific test files. */
export function makeSession(overrides: Partial<SessionRecord> = {}): SessionRecord {
  return {
    id: uid('ses'),
    clientSecret: uid('secret'),
    amount: 10_000,
    currency: 'THB',
    reference: 'order-1',
    description: null,
    returnUrl: null,
    customer: {},
    methods: null,
    status: 'open',
    succeededAttemptId: null,
    expiresAt: at(900),
    createdAt: at(0),
    updatedAt: at(0),
    version: 1,
    ...overrides,
  };
}

function makeAttempt(sessionId: string, overrides: Partial<AttemptRecord> = {}): AttemptRecord {
  return {
    id: uid('att'),
    sessionId,
    method: 'ottpay.wechat',
    provider: 'ottpay',
    providerOrderId: uid('order'),
    providerPaymentId: null,
    status: 'requires_action',
    action: null,
    amount: 10_000,
    currency: 'THB',
    fieldsHash: 'fields-hash',
    failureCode: null,
    failureMessage: null,
    doublePayment: false,
    expiresAt: null,
    nextCheckAt: null,
    checkCount: 0,
    createdAt: at(10),
    updatedAt: at(10),
    ...overrides,
  };
}

function statusBody(status: StatusEvent['status'], seconds: number): Omit<StatusEvent, 'seq'> {
  return { status, attempt: null, at: at(seconds) };
}

export function storeContract(name: string, open: () => Promise<Store>): void {
  describe(`Store contract: ${name}`, () => {
    let opened: Store[] = [];
    let store: Store;

    /** Opens another store on the suite's database; closed after the test. */
    async function reopen(): Promise<Store> {
      const next = await open();
      opened.push(next);
      return next;
    }

    beforeEach(async () => {
      store = await reopen();
    });

    afterEach(async () => {
      // A store a test already closed is closed again here; `close()` must tolerate that.
      for (const each of opened) await each.close();
      opened = [];
    });

    /** Creates a session and returns it as stored. */
    async function seedSession(overrides: Partial<SessionRecord> = {}): Promise<SessionRecord> {
      const session = makeSession(overrides);
      await store.createSession(session);
      return session;
    }

    describe('sessions', () => {
      it('round-trips every field of a session', async () => {
        const session = makeSession({
          amount: 123_456,
          reference: 'Bestellung №42 — 注文 🧾',
          description: 'Two coffees, one “flat white”',
          returnUrl: 'https://shop.example/thanks?order=42',
          customer: { email: 'mai@example.com', phone: '+66 81 234 5678', name: 'Mai Nguyễn' },
          methods: ['one1pay.thaiqr', 'ottpay.wechat'],
          status: 'pending',
          succeededAttemptId: 'att_previous',
          version: 7,
        });
        await store.createSession(session);

        assert.deepEqual(await store.getSession(session.id), session);
      });

      it('keeps "every method" (null) apart from an empty or explicit list', async () => {
        const every = await seedSession({ methods: null, customer: {} });
        const none = await seedSession({ methods: [] });
        const some = await seedSession({ methods: ['sansan.card'] });

        assert.equal((await store.getSession(every.id))?.methods, null);
        assert.deepEqual((await store.getSession(every.id))?.customer, {});
        assert.deepEqual((await store.getSession(none.id))?.methods, []);
        assert.deepEqual((await store.getSession(some.id))?.methods, ['sansan.card']);
      });

      it('answers null for an unknown session', async () => {
        assert.equal(await store.getSession(uid('ses')), null);
      });

      it('rejects a second session with the same id', async () => {
        const session = await seedSession();
        await assert.rejects(store.createSession({ ...session, reference: 'other' }));
        assert.equal((await store.getSession(session.id))?.reference, session.reference);
      });

      it('writes a session with its first event and idempotency record, all at once', async () => {
        const session = makeSession();
        const idem = {
          scope: 'sessions.create',
          key: uid('idem'),
          requestHash: 'h1',
          status: 201,
          body: JSON.stringify({ id: session.id }),
          createdAt: at(0),
        };
        assert.deepEqual(await store.createSession(session, { event: statusBody('open', 0), idempotency: idem }), {
          created: true,
        });
        assert.deepEqual(await store.getSession(session.id), session);
        assert.deepEqual(await store.getIdempotency(idem.scope, idem.key), idem);
        assert.deepEqual(await store.listEvents(session.id, 0), [
          { sessionId: session.id, seq: 1, data: { ...statusBody('open', 0), seq: 1 } },
        ]);
        const next = await store.commit({
          sessionId: session.id,
          expectedVersion: session.version,
          event: statusBody('pending', 1),
        });
        assert.equal(next.event?.seq, 2, 'later events carry on from the first');
      });

      it('writes nothing for a session whose idempotency key was taken, and names the earlier answer', async () => {
        const first = makeSession();
        const idem = {
          scope: 'sessions.create',
          key: uid('idem'),
          requestHash: 'h1',
          status: 201,
          body: '{"first":true}',
          createdAt: at(0),
        };
        await store.createSession(first, { idempotency: idem });

        const second = makeSession();
        const result = await store.createSession(second, {
          event: statusBody('open', 1),
          idempotency: { ...idem, requestHash: 'h2', body: '{"second":true}', createdAt: at(1) },
        });
        assert.deepEqual(result, { created: false, earlier: idem });
        assert.equal(await store.getSession(second.id), null);
        assert.deepEqual(await store.listEvents(second.id, 0), []);
        assert.deepEqual(await store.getIdempotency(idem.scope, idem.key), idem);
      });

      it('keeps no idempotency record or event when the session itself cannot be written', async () => {
        const taken = await seedSession();
        const key = uid('idem');
        await assert.rejects(
          store.createSession(
            { ...taken, reference: 'other' },
            {
              event: statusBody('open', 0),
              idempotency: {
                scope: 'sessions.create',
                key,
                requestHash: 'h',
                status: 201,
                body: '{}',
                createdAt: at(0),
              },
            },
          ),
        );
        assert.equal(await store.getIdempotency('sessions.create', key), null);
        assert.deepEqual(await store.listEvents(taken.id, 0), []);
      });

      it('lists sessions newest first and pages with `before` without skipping or repeating', async () => {
        // 2100: newer than any other session in the suite (see the header).
        const t = (second: number) => `2100-01-01T00:00:0${second}.000Z`;
        const a = await seedSession({ createdAt: t(1) });
        const b = await seedSession({ createdAt: t(2) });
        // Two sessions in the same millisecond: the order between them is by id, and paging that
        // splits them must still return each exactly once.
        const [c, d] = [await seedSession({ createdAt: t(3) }), await seedSession({ createdAt: t(3) })].sort((x, y) =>
          x.id < y.id ? -1 : 1,
        ) as [SessionRecord, SessionRecord];
        const e = await seedSession({ createdAt: t(4) });
        const expected = [e, d, c, b, a].map((s) => s.id);

        const page1 = await store.listSessions({ limit: 2 });
        const page2 = await store.listSessions({ limit: 2, before: page1.at(-1)!.id });
        const page3 = await store.listSessions({ limit: 1, before: page2.at(-1)!.id });
        assert.deepEqual(
          [...page1, ...page2, ...page3].map((s) => s.id),
          expected,
        );
        assert.deepEqual(page1[0], e, 'listed sessions are whole records');
      });

      it('lists nothing before an unknown session', async () => {
        await seedSession();
        assert.deepEqual(await store.listSessions({ limit: 10, before: uid('ses') }), []);
      });
    });

    describe('commit', () => {
      it('numbers events 1, 2, 3 per session, independently of other sessions', async () => {
        const one = await seedSession();
        const two = await seedSession();

        const r1 = await store.commit({ sessionId: one.id, expectedVersion: 1, event: statusBody('open', 1) });
        const r2 = await store.commit({ sessionId: two.id, expectedVersion: 1, event: statusBody('open', 2) });
        const r3 = await store.commit({
          sessionId: one.id,
          expectedVersion: 2,
          session: { status: 'pending', updatedAt: at(3) },
          event: statusBody('pending', 3),
        });
        const r4 = await store.commit({ sessionId: one.id, expectedVersion: 3, event: statusBody('failed', 4) });

        assert.deepEqual(
          [r1, r2, r3, r4].map((r) => [r.event?.sessionId, r.event?.seq]),
          [
            [one.id, 1],
            [two.id, 1],
            [one.id, 2],
            [one.id, 3],
          ],
        );
        assert.deepEqual(r3.event?.data, { ...statusBody('pending', 3), seq: 2 });
        assert.deepEqual(
          (await store.listEvents(one.id, 0)).map((e) => [e.seq, e.data.seq, e.data.status]),
          [
            [1, 1, 'open'],
            [2, 2, 'pending'],
            [3, 3, 'failed'],
          ],
        );
        assert.deepEqual(
          (await store.listEvents(two.id, 0)).map((e) => e.seq),
          [1],
        );
      });

      it('applies the session patch, bumps the version and returns the session as stored', async () => {
        const session = await seedSession({ version: 1 });
        const result = await store.commit({
          sessionId: session.id,
          expectedVersion: 1,
          session: { status: 'pending', updatedAt: at(60) },
        });

        const expected = { ...session, status: 'pending' as const, updatedAt: at(60), version: 2 };
        assert.deepEqual(result.session, expected);
        assert.equal(result.event, null);
        assert.deepEqual(await store.getSession(session.id), expected);
        assert.deepEqual(await store.listEvents(session.id, 0), []);
      });

      it('leaves updatedAt alone when the patch does not set it, and still bumps the version', async () => {
        const session = await seedSession({ updatedAt: at(5) });
        const result = await store.commit({
          sessionId: session.id,
          expectedVersion: 1,
          session: { status: 'pending' },
        });
        assert.equal(result.session.updatedAt, at(5));
        assert.equal(result.session.version, 2);

        const bare = await store.commit({ sessionId: session.id, expectedVersion: 2 });
        assert.equal(bare.session.version, 3, 'every committed change bumps the version');
      });

      it('rejects a stale version with ConflictError and changes nothing', async () => {
        const session = await seedSession();
        await store.commit({ sessionId: session.id, expectedVersion: 1, event: statusBody('open', 1) });
        const before = await store.getSession(session.id);
        const attempt = makeAttempt(session.id);

        await assert.rejects(
          store.commit({
            sessionId: session.id,
            expectedVersion: 1,
            session: { status: 'succeeded', succeededAttemptId: attempt.id, updatedAt: at(99) },
            newAttempt: attempt,
            event: statusBody('succeeded', 99),
          }),
          ConflictError,
        );

        assert.deepEqual(await store.getSession(session.id), before);
        assert.equal(await store.getAttempt(attempt.id), null);
        assert.deepEqual(
          (await store.listEvents(session.id, 0)).map((e) => e.seq),
          [1],
        );
      });

      it('lets only one of two stores on the same database win a race for a version', async () => {
        const session = await seedSession();
        const other = await reopen();

        await store.commit({ sessionId: session.id, expectedVersion: 1, event: statusBody('pending', 1) });
        await assert.rejects(
          other.commit({ sessionId: session.id, expectedVersion: 1, event: statusBody('failed', 1) }),
          ConflictError,
        );
        const seen = await other.getSession(session.id);
        assert.equal(seen?.version, 2, "the second store sees the first one's write");
        await other.commit({ sessionId: session.id, expectedVersion: 2, event: statusBody('failed', 2) });
        assert.deepEqual(
          (await store.listEvents(session.id, 0)).map((e) => e.data.status),
          ['pending', 'failed'],
        );
      });

      it('rejects a change to an unknown session without calling it a conflict', async () => {
        const failure = await store
          .commit({ sessionId: uid('ses'), expectedVersion: 1, event: statusBody('open', 1) })
          .then(
            () => null,
            (error: unknown) => error,
          );
        assert.ok(failure instanceof Error, 'the commit must fail');
        assert.ok(!(failure instanceof ConflictError), 'retrying cannot help, so it is not a conflict');
      });

      it('inserts a new attempt and later patches it, with the event naming it', async () => {
        const session = await seedSession();
        const attempt = makeAttempt(session.id, {
          action: {
            type: 'qr',
            content: 'https://pay.example/wallet/abc',
            modules: { size: 21, path: 'M0 0h7v1H0z' },
            expiresAt: at(300),
            deepLink: null,
          },
          expiresAt: at(300),
          nextCheckAt: at(15),
        });
        const created = await store.commit({
          sessionId: session.id,
          expectedVersion: 1,
          session: { status: 'pending', updatedAt: at(10) },
          newAttempt: attempt,
          event: {
            status: 'pending',
            attempt: { id: attempt.id, status: 'requires_action', failure: null },
            at: at(10),
          },
        });
        assert.equal(created.session.status, 'pending');
        assert.deepEqual(await store.getAttempt(attempt.id), attempt);

        const patched = {
          status: 'succeeded' as const,
          providerPaymentId: 'provider-payment-9',
          action: { type: 'none' as const },
          doublePayment: true,
          nextCheckAt: null,
          checkCount: 3,
          updatedAt: at(40),
        };
        const paid = await store.commit({
          sessionId: session.id,
          expectedVersion: 2,
          session: { status: 'succeeded', succeededAttemptId: attempt.id, updatedAt: at(40) },
          attempt: { id: attempt.id, patch: patched },
          event: { status: 'succeeded', attempt: { id: attempt.id, status: 'succeeded', failure: null }, at: at(40) },
        });

        assert.deepEqual(await store.getAttempt(attempt.id), { ...attempt, ...patched });
        assert.equal(paid.session.succeededAttemptId, attempt.id);
        assert.equal(paid.session.version, 3);
        assert.deepEqual(paid.event?.data.attempt, { id: attempt.id, status: 'succeeded', failure: null });
      });

      it('can clear nullable attempt fields and record a failure', async () => {
        const session = await seedSession();
        const attempt = makeAttempt(session.id, { providerPaymentId: 'p-1', nextCheckAt: at(20) });
        await store.commit({ sessionId: session.id, expectedVersion: 1, newAttempt: attempt });
        await store.commit({
          sessionId: session.id,
          expectedVersion: 2,
          attempt: {
            id: attempt.id,
            patch: {
              status: 'failed',
              failureCode: 'declined',
              failureMessage: 'The wallet declined.',
              nextCheckAt: null,
            },
          },
        });
        const stored = await store.getAttempt(attempt.id);
        assert.equal(stored?.status, 'failed');
        assert.equal(stored?.failureCode, 'declined');
        assert.equal(stored?.failureMessage, 'The wallet declined.');
        assert.equal(stored?.nextCheckAt, null);
        assert.equal(stored?.providerPaymentId, 'p-1', 'fields outside the patch are kept');
      });

      it("refuses to patch another session's attempt and rolls the whole change back", async () => {
        const mine = await seedSession();
        const theirs = await seedSession();
        const foreign = makeAttempt(theirs.id);
        await store.commit({ sessionId: theirs.id, expectedVersion: 1, newAttempt: foreign });

        await assert.rejects(
          store.commit({
            sessionId: mine.id,
            expectedVersion: 1,
            session: { status: 'succeeded' },
            attempt: { id: foreign.id, patch: { status: 'succeeded' } },
            event: statusBody('succeeded', 5),
          }),
        );
        assert.equal((await store.getAttempt(foreign.id))?.status, 'requires_action');
        assert.deepEqual(await store.getSession(mine.id), mine);
        assert.deepEqual(await store.listEvents(mine.id, 0), []);
      });

      it('refuses a new attempt that names another session', async () => {
        const mine = await seedSession();
        const theirs = await seedSession();
        const attempt = makeAttempt(theirs.id);
        await assert.rejects(store.commit({ sessionId: mine.id, expectedVersion: 1, newAttempt: attempt }));
        assert.equal(await store.getAttempt(attempt.id), null);
        assert.equal((await store.getSession(mine.id))?.version, 1);
      });

      it('rejects a second attempt with the same provider order id and changes nothing', async () => {
        const session = await seedSession();
        const first = makeAttempt(session.id, { provider: 'one1pay', method: 'one1pay.thaiqr' });
        await store.commit({ sessionId: session.id, expectedVersion: 1, newAttempt: first });

        const twin = makeAttempt(session.id, {
          provider: 'one1pay',
          method: 'one1pay.truemoney',
          providerOrderId: first.providerOrderId,
        });
        await assert.rejects(
          store.commit({
            sessionId: session.id,
            expectedVersion: 2,
            newAttempt: twin,
            event: statusBody('pending', 20),
          }),
        );
        assert.equal(await store.getAttempt(twin.id), null);
        assert.equal((await store.getSession(session.id))?.version, 2);
        assert.deepEqual(await store.listEvents(session.id, 0), []);

        // The same order id at another provider is a different order.
        const elsewhere = makeAttempt(session.id, { provider: 'kesspay', providerOrderId: first.providerOrderId });
        await store.commit({ sessionId: session.id, expectedVersion: 2, newAttempt: elsewhere });
        assert.deepEqual(await store.getAttempt(elsewhere.id), elsewhere);
      });
    });

    describe('attempts', () => {
      it('finds an attempt by provider and provider order id', async () => {
        const session = await seedSession();
        const attempt = makeAttempt(session.id, { provider: 'kesspay', method: 'kesspay.alipay' });
        await store.commit({ sessionId: session.id, expectedVersion: 1, newAttempt: attempt });

        assert.deepEqual(await store.findAttemptByOrder('kesspay', attempt.providerOrderId), attempt);
        assert.equal(await store.findAttemptByOrder('ottpay', attempt.providerOrderId), null);
        assert.equal(await store.findAttemptByOrder('kesspay', uid('order')), null);
        assert.equal(await store.getAttempt(uid('att')), null);
      });

      it("lists a session's attempts oldest first, and only that session's", async () => {
        const session = await seedSession();
        const other = await seedSession();
        const late = makeAttempt(session.id, {
          createdAt: at(30),
          doublePayment: true,
          action: { type: 'redirect', url: 'https://pay.example/p?x=1&y=2', method: 'POST', fields: { a: 'ü' } },
        });
        const early = makeAttempt(session.id, { createdAt: at(20) });
        await store.commit({ sessionId: session.id, expectedVersion: 1, newAttempt: late });
        await store.commit({ sessionId: session.id, expectedVersion: 2, newAttempt: early });
        await store.commit({ sessionId: other.id, expectedVersion: 1, newAttempt: makeAttempt(other.id) });

        assert.deepEqual(await store.listAttempts(session.id), [early, late]);
        assert.deepEqual(await store.listAttempts(uid('ses')), []);
      });

      it('lists sessions past their expiry that can still expire', async () => {
        // Expiring in 1970, before any other session of the suite.
        const early = await seedSession({ expiresAt: '1970-01-01T00:00:01.000Z' });
        const later = await seedSession({ expiresAt: '1970-01-01T00:00:02.000Z', status: 'failed' });
        await seedSession({ expiresAt: '1970-01-01T00:00:01.500Z', status: 'succeeded' });
        await seedSession({ expiresAt: '1970-01-01T00:00:01.700Z', status: 'expired' });
        await seedSession({ expiresAt: '1970-01-01T00:00:03.000Z' });
        const ids = (await store.listExpiredSessions('1970-01-01T00:00:02.000Z', 10)).map((session) => session.id);
        assert.deepEqual(ids, [early.id, later.id]);
        assert.equal((await store.listExpiredSessions('1970-01-01T00:00:02.000Z', 1)).length, 1);
      });

      it('lists attempts made in the same instant in the order they were made', async () => {
        const session = await seedSession();
        // Ids that sort the other way round, so an order by id would show.
        const suffix = randomUUID();
        const first = makeAttempt(session.id, { id: `att_z${suffix}`, createdAt: at(40) });
        const second = makeAttempt(session.id, { id: `att_m${suffix}`, createdAt: at(40) });
        const third = makeAttempt(session.id, { id: `att_a${suffix}`, createdAt: at(40) });
        await store.commit({ sessionId: session.id, expectedVersion: 1, newAttempt: first });
        await store.commit({ sessionId: session.id, expectedVersion: 2, newAttempt: second });
        await store.commit({ sessionId: session.id, expectedVersion: 3, newAttempt: third });
        assert.deepEqual(
          (await store.listAttempts(session.id)).map((attempt) => attempt.id),
          [first.id, second.id, third.id],
        );
      });

      it('reads a session with its latest attempt at once: the one listAttempts gives last', async () => {
        const session = await seedSession();
        assert.deepEqual(await store.getSessionWithLatestAttempt(session.id), { session, attempt: null });
        assert.equal(await store.getSessionWithLatestAttempt(uid('ses')), null);

        // Stamped out of order, and two in one instant with ids sorting the other way round.
        const suffix = randomUUID();
        const latest = makeAttempt(session.id, {
          id: `att_a${suffix}`,
          createdAt: at(52),
          doublePayment: true,
          action: { type: 'redirect', url: 'https://pay.example/p?x=1&y=2', method: 'POST', fields: { a: 'ü' } },
        });
        await store.commit({
          sessionId: session.id,
          expectedVersion: 1,
          newAttempt: makeAttempt(session.id, { createdAt: at(51) }),
        });
        await store.commit({
          sessionId: session.id,
          expectedVersion: 2,
          newAttempt: makeAttempt(session.id, { createdAt: at(49) }),
        });
        await store.commit({
          sessionId: session.id,
          expectedVersion: 3,
          newAttempt: makeAttempt(session.id, { id: `att_z${suffix}`, createdAt: at(52) }),
        });
        await store.commit({ sessionId: session.id, expectedVersion: 4, newAttempt: latest });

        const found = await store.getSessionWithLatestAttempt(session.id);
        assert.deepEqual(found, {
          session: await store.getSession(session.id),
          attempt: (await store.listAttempts(session.id)).at(-1),
        });
        assert.equal(found?.attempt?.id, latest.id);
        assert.equal(found?.session.version, 5);
      });

      it('leases due attempts soonest first, up to and including now, within the limit, once', async () => {
        // 1990: due before any other attempt in the suite (see the header). Every lease here runs to
        // 3000, so no leased attempt comes back in another test's window.
        const due = (second: number) => `1990-01-01T00:00:${String(second).padStart(2, '0')}.000Z`;
        const session = await seedSession();
        const third = makeAttempt(session.id, { nextCheckAt: due(30) });
        const first = makeAttempt(session.id, { nextCheckAt: due(10) });
        const later = makeAttempt(session.id, { nextCheckAt: due(31) });
        const second = makeAttempt(session.id, { nextCheckAt: due(20) });
        const never = makeAttempt(session.id, { nextCheckAt: null });
        let version = 1;
        for (const attempt of [third, first, later, second, never]) {
          await store.commit({ sessionId: session.id, expectedVersion: version++, newAttempt: attempt });
        }

        assert.deepEqual(await store.claimDueAttempts(due(9), LEASE_AFTER_ALL, 10), []);
        const claimed = await store.claimDueAttempts(due(30), LEASE_AFTER_ALL, 2);
        assert.deepEqual(claimed, [
          { ...first, nextCheckAt: LEASE_AFTER_ALL },
          { ...second, nextCheckAt: LEASE_AFTER_ALL },
        ]);
        assert.deepEqual(
          (await store.claimDueAttempts(due(30), LEASE_AFTER_ALL, 10)).map((a) => a.id),
          [third.id],
          'leased attempts are not handed out again',
        );
        assert.deepEqual(
          (await store.claimDueAttempts(due(31), LEASE_AFTER_ALL, 10)).map((a) => a.id),
          [later.id],
        );
        assert.equal((await store.getAttempt(first.id))?.nextCheckAt, LEASE_AFTER_ALL, 'the lease is stored');
        assert.equal((await store.getSession(session.id))?.version, version, 'a lease is no session change');
      });

      it('gives claimers on two stores at once disjoint sets of due attempts', async () => {
        // 1980: a window of this test's own (see the one above).
        const session = await seedSession();
        const other = await reopen();
        const attempts = Array.from({ length: 20 }, (_, i) =>
          makeAttempt(session.id, { nextCheckAt: `1980-01-01T00:00:${String(i).padStart(2, '0')}.000Z` }),
        );
        let version = 1;
        for (const attempt of attempts) {
          await store.commit({ sessionId: session.id, expectedVersion: version++, newAttempt: attempt });
        }

        const claims = await Promise.all(
          Array.from({ length: 8 }, (_, i) =>
            (i % 2 ? store : other).claimDueAttempts('1980-01-01T00:01:00.000Z', LEASE_AFTER_ALL, 3),
          ),
        );
        const ids = claims.flat().map((attempt) => attempt.id);
        assert.equal(new Set(ids).size, ids.length, 'no attempt was claimed twice');
        assert.deepEqual(new Set(ids), new Set(attempts.map((attempt) => attempt.id)), 'every due attempt was claimed');
      });

      it('hands out an attempt again once its lease has run out, as after a crash', async () => {
        // 1970: a window of this test's own (see above).
        const session = await seedSession();
        const attempt = makeAttempt(session.id, { nextCheckAt: '1970-01-01T00:00:00.000Z' });
        await store.commit({ sessionId: session.id, expectedVersion: 1, newAttempt: attempt });
        const lease = '1970-01-01T00:05:00.000Z';

        const taken = await store.claimDueAttempts('1970-01-01T00:00:00.000Z', lease, 10);
        assert.deepEqual(taken, [{ ...attempt, nextCheckAt: lease }]);
        // The holder dies without checking. Another instance sees nothing until the lease runs out…
        await store.close();
        const survivor = await reopen();
        assert.deepEqual(await survivor.claimDueAttempts('1970-01-01T00:04:59.999Z', LEASE_AFTER_ALL, 10), []);
        // …and then takes it over.
        assert.deepEqual(await survivor.claimDueAttempts(lease, LEASE_AFTER_ALL, 10), [
          { ...attempt, nextCheckAt: LEASE_AFTER_ALL },
        ]);
      });

      it('updates an attempt outside a session change, without an event or a version bump', async () => {
        const session = await seedSession();
        const attempt = makeAttempt(session.id, { nextCheckAt: at(15), checkCount: 0 });
        await store.commit({ sessionId: session.id, expectedVersion: 1, newAttempt: attempt });

        await store.updateAttempt(attempt.id, { nextCheckAt: at(45), checkCount: 1, updatedAt: at(15) });

        assert.deepEqual(await store.getAttempt(attempt.id), {
          ...attempt,
          nextCheckAt: at(45),
          checkCount: 1,
          updatedAt: at(15),
        });
        assert.equal((await store.getSession(session.id))?.version, 2);
        assert.deepEqual(await store.listEvents(session.id, 0), []);
      });

      it('refuses to update an attempt that does not exist', async () => {
        await assert.rejects(store.updateAttempt(uid('att'), { checkCount: 1 }));
      });
    });

    describe('events', () => {
      it('replays only the events after the given seq, in order', async () => {
        const session = await seedSession();
        const statuses = ['open', 'pending', 'failed', 'pending', 'succeeded'] as const;
        let version = 1;
        for (const [i, status] of statuses.entries()) {
          await store.commit({ sessionId: session.id, expectedVersion: version++, event: statusBody(status, i) });
        }

        const replay = await store.listEvents(session.id, 2);
        assert.deepEqual(
          replay.map((e) => [e.sessionId, e.seq, e.data.status]),
          [
            [session.id, 3, 'failed'],
            [session.id, 4, 'pending'],
            [session.id, 5, 'succeeded'],
          ],
        );
        assert.deepEqual(replay[0]?.data, { ...statusBody('failed', 2), seq: 3 });
        assert.deepEqual(await store.listEvents(session.id, 5), []);
        assert.equal((await store.listEvents(session.id, 0)).length, 5);
      });
    });

    describe('idempotency keys', () => {
      it('keeps the first record for a (scope, key) and refuses the second', async () => {
        const key = uid('idem');
        const first = {
          scope: 'sessions.create',
          key,
          requestHash: 'h1',
          status: 201,
          body: '{"id":"a"}',
          createdAt: at(0),
        };
        const second = { ...first, requestHash: 'h2', status: 200, body: '{"id":"b"}', createdAt: at(1) };

        assert.equal(await store.putIdempotency(first), true);
        assert.equal(await store.putIdempotency(second), false);
        assert.deepEqual(await store.getIdempotency('sessions.create', key), first);
      });

      it('releases a claim only while it is the record that was written', async () => {
        const key = uid('idem');
        const claim = {
          scope: 'refunds.create',
          key,
          requestHash: 'h1',
          status: 202,
          body: '{"refundId":"ref_a"}',
          createdAt: at(0),
        };
        assert.equal(await store.putIdempotency(claim), true);
        // Another body under the key is not this claim: nothing is released.
        assert.equal(await store.releaseIdempotency({ ...claim, body: '{"refundId":"ref_b"}' }), false);
        assert.equal(await store.releaseIdempotency({ ...claim, requestHash: 'h2' }), false);
        assert.deepEqual(await store.getIdempotency('refunds.create', key), claim);
        assert.equal(await store.releaseIdempotency(claim), true);
        assert.equal(await store.getIdempotency('refunds.create', key), null);
        assert.equal(await store.releaseIdempotency(claim), false);
        // Released, the key can be claimed again.
        assert.equal(await store.putIdempotency({ ...claim, requestHash: 'h2' }), true);
      });

      it('treats the same key in another scope as a different record', async () => {
        const key = uid('idem');
        const create = { scope: 'sessions.create', key, requestHash: 'h1', status: 201, body: '{}', createdAt: at(0) };
        const refund = { ...create, scope: 'refunds.create', requestHash: 'h2' };
        assert.equal(await store.putIdempotency(create), true);
        assert.equal(await store.putIdempotency(refund), true);
        assert.deepEqual(await store.getIdempotency('refunds.create', key), refund);
        assert.equal(await store.getIdempotency('payouts.create', key), null);
      });
    });

    describe('notifications', () => {
      it('records a notification once per (provider, dedupe key)', async () => {
        const dedupeKey = uid('notify');
        const notification = { provider: 'ottpay' as const, dedupeKey, orderId: 'o-1', body: '{}', receivedAt: at(0) };

        assert.equal(await store.recordNotification(notification), true);
        const again = { ...notification, body: '{"again":true}', receivedAt: at(5) };
        assert.equal(await store.recordNotification(again), false);
        assert.equal(await store.recordNotification({ ...notification, provider: 'sansan' }), true);
      });
    });

    describe('refunds', () => {
      it('records refunds with the session change and updates them the same way', async () => {
        const session = await seedSession({ status: 'succeeded' });
        const attempt = makeAttempt(session.id, { status: 'succeeded' });
        await store.commit({ sessionId: session.id, expectedVersion: session.version, newAttempt: attempt });
        const refund: RefundRecord = {
          id: uid('ref'),
          sessionId: session.id,
          attemptId: attempt.id,
          provider: 'ottpay',
          amount: 2_500,
          currency: 'THB',
          reason: 'damaged',
          status: 'pending',
          failureCode: null,
          nextCheckAt: null,
          checkCount: 0,
          createdAt: at(10),
          updatedAt: at(10),
        };
        await store.commit({ sessionId: session.id, expectedVersion: session.version + 1, newRefund: refund });
        assert.deepEqual(await store.getRefund(refund.id), refund);
        await store.commit({
          sessionId: session.id,
          expectedVersion: session.version + 2,
          session: { status: 'partially_refunded' },
          refund: { id: refund.id, patch: { status: 'succeeded', updatedAt: at(11) } },
        });
        assert.deepEqual(await store.listRefunds(session.id), [{ ...refund, status: 'succeeded', updatedAt: at(11) }]);

        const other = await seedSession();
        await assert.rejects(
          store.commit({
            sessionId: other.id,
            expectedVersion: other.version,
            refund: { id: refund.id, patch: { status: 'failed' } },
          }),
        );
        assert.equal((await store.getRefund(refund.id))!.status, 'succeeded');
        assert.equal(
          (await store.getSession(other.id))!.version,
          other.version,
          'the failed change left nothing behind',
        );
        assert.equal(await store.getRefund(uid('ref')), null);
      });
    });

    describe('refund checks', () => {
      it('leases pending refunds that are due, once', async () => {
        const session = await seedSession({ status: 'succeeded' });
        const attempt = makeAttempt(session.id, { status: 'succeeded' });
        await store.commit({ sessionId: session.id, expectedVersion: session.version, newAttempt: attempt });
        const base = {
          sessionId: session.id,
          attemptId: attempt.id,
          provider: 'ottpay' as const,
          amount: 100,
          currency: 'THB',
          reason: null,
          failureCode: null,
          checkCount: 0,
          createdAt: at(0),
          updatedAt: at(0),
        };
        // Due in 1940, before anything else in the suite.
        const due: RefundRecord = {
          ...base,
          id: uid('ref'),
          status: 'pending',
          nextCheckAt: '1940-01-01T00:00:00.000Z',
        };
        const settled: RefundRecord = {
          ...base,
          id: uid('ref'),
          status: 'succeeded',
          nextCheckAt: '1940-01-01T00:00:00.000Z',
        };
        await store.commit({ sessionId: session.id, expectedVersion: session.version + 1, newRefund: due });
        await store.commit({ sessionId: session.id, expectedVersion: session.version + 2, newRefund: settled });
        const lease = '1940-01-01T00:05:00.000Z';
        assert.deepEqual(await store.claimDueRefunds('1940-01-01T00:00:00.000Z', lease, 10), [
          { ...due, nextCheckAt: lease },
        ]);
        assert.deepEqual(await store.claimDueRefunds('1940-01-01T00:00:00.000Z', lease, 10), []);
      });
    });

    describe('payouts', () => {
      it('creates, reads, updates and lists due payouts', async () => {
        const payout: PayoutRecord = {
          id: uid('po'),
          provider: 'one1pay',
          amount: 100_00,
          currency: 'THB',
          bankId: '12',
          bankBranch: null,
          holderName: 'Somchai Jaidee',
          accountNumber: '1234567890',
          reference: 'weekly',
          status: 'pending',
          failureCode: null,
          // Due in 1950, before anything else in the suite.
          nextCheckAt: '1950-01-01T00:00:00.000Z',
          checkCount: 0,
          createdAt: at(0),
          updatedAt: at(0),
        };
        await store.createPayout(payout);
        assert.deepEqual(await store.getPayout(payout.id), payout);
        const lease = '1950-01-01T00:05:00.000Z';
        assert.deepEqual(await store.claimDuePayouts('1950-01-01T00:00:00.000Z', lease, 10), [
          { ...payout, nextCheckAt: lease },
        ]);
        assert.deepEqual(
          await store.claimDuePayouts('1950-01-01T00:00:00.000Z', lease, 10),
          [],
          'a leased payout is not handed out twice',
        );
        assert.equal((await store.getPayout(payout.id))!.nextCheckAt, lease);
        await store.updatePayout(payout.id, {
          status: 'succeeded',
          nextCheckAt: null,
          checkCount: 1,
          updatedAt: at(5),
        });
        assert.deepEqual(await store.getPayout(payout.id), {
          ...payout,
          status: 'succeeded',
          nextCheckAt: null,
          checkCount: 1,
          updatedAt: at(5),
        });
        assert.deepEqual(await store.claimDuePayouts('1950-01-01T00:10:00.000Z', '1950-01-01T00:15:00.000Z', 10), []);
        await assert.rejects(store.createPayout(payout), 'a payout id is used once');
        await assert.rejects(store.updatePayout(uid('po'), { status: 'failed' }));
      });

      const makePayout = (overrides: Partial<PayoutRecord> = {}): PayoutRecord => ({
        id: uid('po'),
        provider: 'one1pay',
        amount: 50_00,
        currency: 'THB',
        bankId: '12',
        bankBranch: null,
        holderName: 'Somchai Jaidee',
        accountNumber: '1234567890',
        reference: null,
        status: 'pending',
        failureCode: null,
        nextCheckAt: null,
        checkCount: 0,
        createdAt: at(0),
        updatedAt: at(0),
        ...overrides,
      });

      it('lists payouts newest first, paged by a payout id, ties broken by id', async () => {
        // Stamped in 2110, newer than every other payout in the suite.
        const a = makePayout({ createdAt: '2110-01-01T00:00:00.000Z' });
        const b = makePayout({ createdAt: '2110-01-01T00:00:01.000Z' });
        const c = makePayout({ id: 'po_zzz_tie', createdAt: '2110-01-01T00:00:02.000Z' });
        const d = makePayout({ id: 'po_aaa_tie', createdAt: '2110-01-01T00:00:02.000Z' });
        for (const payout of [a, b, c, d]) await store.createPayout(payout);
        const page1 = await store.listPayouts({ limit: 2 });
        const page2 = await store.listPayouts({ limit: 2, before: page1.at(-1)!.id });
        assert.deepEqual(
          [...page1, ...page2].map((each) => each.id),
          [c.id, d.id, b.id, a.id],
        );
        assert.deepEqual(page1[0], c, 'listed payouts are whole records');
        assert.deepEqual(await store.listPayouts({ limit: 10, before: uid('po') }), [], 'unknown cursor');
      });

      it('settles a pending payout once, with its webhooks in the same transaction', async () => {
        const payout = makePayout({ nextCheckAt: at(30) });
        await store.createPayout(payout);
        const hook: WebhookRecord = {
          id: uid('whk'),
          sessionId: null,
          payoutId: payout.id,
          type: 'payout.succeeded',
          payload: '{"type":"payout.succeeded"}',
          attempts: 0,
          nextAttemptAt: at(1),
          deliveredAt: null,
          lastError: null,
          createdAt: at(1),
        };
        const patch = { status: 'succeeded' as const, nextCheckAt: null, updatedAt: at(1) };
        assert.equal(await store.settlePayout(payout.id, patch, [hook]), true);
        assert.deepEqual(await store.getPayout(payout.id), { ...payout, ...patch });
        assert.deepEqual(await store.listPayoutWebhooks(payout.id), [hook]);

        // Already final: nothing is written, and no second webhook goes out.
        const again = { ...hook, id: uid('whk') };
        assert.equal(await store.settlePayout(payout.id, { status: 'failed', failureCode: 'failed' }, [again]), false);
        assert.equal((await store.getPayout(payout.id))!.status, 'succeeded');
        assert.deepEqual(await store.listPayoutWebhooks(payout.id), [hook]);

        // A webhook naming another payout fails the whole settlement.
        const other = makePayout();
        await store.createPayout(other);
        await assert.rejects(
          store.settlePayout(other.id, { status: 'failed' }, [{ ...hook, id: uid('whk'), payoutId: payout.id }]),
        );
        assert.equal((await store.getPayout(other.id))!.status, 'pending', 'rolled back');
        await assert.rejects(store.settlePayout(uid('po'), { status: 'failed' }), 'unknown payout');
      });
    });

    describe('webhook outbox', () => {
      const webhook = (sessionId: string, overrides: Partial<WebhookRecord> = {}): WebhookRecord => ({
        id: uid('whk'),
        sessionId,
        payoutId: null,
        type: 'session.succeeded',
        payload: '{"type":"session.succeeded"}',
        attempts: 0,
        nextAttemptAt: at(-3600 * 24 * 365 * 30),
        deliveredAt: null,
        lastError: null,
        createdAt: at(0),
        ...overrides,
      });

      it('puts webhooks in the outbox with the change that caused them, or not at all', async () => {
        const session = await seedSession();
        const first = webhook(session.id);
        await store.commit({ sessionId: session.id, expectedVersion: session.version, webhooks: [first] });
        assert.deepEqual(await store.listWebhooks(session.id), [first]);

        const lost = webhook(session.id);
        await assert.rejects(
          store.commit({ sessionId: session.id, expectedVersion: session.version, webhooks: [lost] }),
          ConflictError,
        );
        assert.deepEqual(
          (await store.listWebhooks(session.id)).map((each) => each.id),
          [first.id],
        );
      });

      it('lists due webhooks oldest first and stops listing them once delivered', async () => {
        const session = await seedSession();
        // Due in 1960, before anything else in the suite, so other tests' rows cannot interleave.
        const later = webhook(session.id, { nextAttemptAt: '1960-01-01T00:00:02.000Z' });
        const sooner = webhook(session.id, { nextAttemptAt: '1960-01-01T00:00:01.000Z' });
        const notYet = webhook(session.id, { nextAttemptAt: at(60) });
        await store.commit({
          sessionId: session.id,
          expectedVersion: session.version,
          webhooks: [later, sooner, notYet],
        });
        const lease = '1960-01-01T00:01:00.000Z';
        const due = await store.claimDueWebhooks('1960-01-01T00:00:02.000Z', lease, 10);
        assert.deepEqual(
          due.map((each) => [each.id, each.nextAttemptAt]),
          [
            [sooner.id, lease],
            [later.id, lease],
          ],
        );
        assert.deepEqual(await store.claimDueWebhooks('1960-01-01T00:00:02.000Z', lease, 10), [], 'leased');

        // Delivered: never handed out again, even when its time would come round.
        await store.updateWebhook(sooner.id, {
          attempts: 1,
          nextAttemptAt: '1960-01-01T00:00:03.000Z',
          deliveredAt: at(1),
          lastError: null,
        });
        await store.updateWebhook(later.id, {
          attempts: 1,
          nextAttemptAt: '1960-01-01T00:00:03.000Z',
          lastError: 'HTTP 500',
        });
        assert.deepEqual(
          (await store.claimDueWebhooks('1960-01-01T00:00:03.000Z', lease, 10)).map((each) => each.id),
          [later.id],
        );
        const stored = (await store.listWebhooks(session.id)).find((each) => each.id === sooner.id)!;
        assert.equal(stored.attempts, 1);
        assert.equal(stored.deliveredAt, at(1));
        await assert.rejects(store.updateWebhook(uid('whk'), { attempts: 1 }));
      });
    });

    describe('operational stats', () => {
      it('counts undelivered webhooks and the failing ones, and finds the most overdue attempt check', async () => {
        const session = await seedSession();
        const before = await store.operationalStats(at(0));
        const hook: WebhookRecord = {
          id: uid('whk'),
          sessionId: session.id,
          payoutId: null,
          type: 'session.succeeded',
          payload: '{}',
          attempts: 0,
          nextAttemptAt: at(60),
          deliveredAt: null,
          lastError: null,
          createdAt: at(0),
        };
        await store.commit({ sessionId: session.id, expectedVersion: 1, webhooks: [hook] });
        let stats = await store.operationalStats(at(0));
        assert.equal(stats.webhooksPending, before.webhooksPending + 1);
        assert.equal(stats.webhooksFailing, before.webhooksFailing);
        await store.updateWebhook(hook.id, { attempts: 1, nextAttemptAt: at(70), lastError: 'HTTP 500' });
        stats = await store.operationalStats(at(0));
        assert.equal(stats.webhooksPending, before.webhooksPending + 1);
        assert.equal(stats.webhooksFailing, before.webhooksFailing + 1);
        await store.updateWebhook(hook.id, { attempts: 2, nextAttemptAt: null, deliveredAt: at(80), lastError: null });
        stats = await store.operationalStats(at(0));
        assert.deepEqual(
          [stats.webhooksPending, stats.webhooksFailing],
          [before.webhooksPending, before.webhooksFailing],
        );

        const overdue = makeAttempt(session.id, { nextCheckAt: '1950-01-01T00:00:05.000Z' });
        const soon = makeAttempt(session.id, { nextCheckAt: '1950-01-01T00:00:09.000Z' });
        await store.commit({ sessionId: session.id, expectedVersion: 2, newAttempt: soon });
        await store.commit({ sessionId: session.id, expectedVersion: 3, newAttempt: overdue });
        try {
          assert.equal((await store.operationalStats('1950-01-01T00:00:04.000Z')).oldestDueAttemptAt, null);
          assert.equal(
            (await store.operationalStats('1950-01-01T00:00:07.000Z')).oldestDueAttemptAt,
            '1950-01-01T00:00:05.000Z',
          );
          assert.equal(
            (await store.operationalStats('1950-06-01T00:00:00.000Z')).oldestDueAttemptAt,
            '1950-01-01T00:00:05.000Z',
          );
        } finally {
          // Off the schedule, so no later lease test finds them due.
          for (const attempt of [overdue, soon]) await store.updateAttempt(attempt.id, { nextCheckAt: null });
        }
      });
    });

    describe('lifecycle', () => {
      it('migrates again harmlessly', async () => {
        const session = await seedSession();
        await store.migrate();
        await store.migrate();
        assert.deepEqual(await store.getSession(session.id), session);
        await seedSession();
      });

      it('keeps everything across close and reopen, and carries on numbering events', async () => {
        const session = await seedSession();
        const attempt = makeAttempt(session.id, { nextCheckAt: at(15) });
        await store.commit({
          sessionId: session.id,
          expectedVersion: 1,
          newAttempt: attempt,
          event: statusBody('pending', 1),
        });
        const idem = {
          scope: 'sessions.create',
          key: uid('idem'),
          requestHash: 'h',
          status: 201,
          body: '{}',
          createdAt: at(0),
        };
        await store.putIdempotency(idem);
        const notification = {
          provider: 'one1pay' as const,
          dedupeKey: uid('n'),
          orderId: 'o',
          body: '{}',
          receivedAt: at(0),
        };
        await store.recordNotification(notification);
        const stored = await store.getSession(session.id);
        await store.close();

        const again = await reopen();
        assert.deepEqual(await again.getSession(session.id), stored);
        assert.deepEqual(await again.getAttempt(attempt.id), attempt);
        assert.deepEqual(await again.getIdempotency(idem.scope, idem.key), idem);
        assert.equal(await again.recordNotification(notification), false);

        const next = await again.commit({
          sessionId: session.id,
          expectedVersion: 2,
          event: statusBody('succeeded', 2),
        });
        assert.equal(next.event?.seq, 2);
        assert.deepEqual(
          (await again.listEvents(session.id, 0)).map((e) => e.data.status),
          ['pending', 'succeeded'],
        );
      });
    });
  });
}
