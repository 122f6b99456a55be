/**
 * The provider contract: what every adapter must do, checked against that provider's simulator over
 * real HTTP. A provider's own test file builds a harness (simulator on a loopback port, adapter
 * pointed at it) and calls `providerContract`; its quirks are tested beside it, not here.
 *
 * The contract is split by capability. Credentials, an unreachable provider and provider faults
 * (5xx, garbage, a hang, a huge answer) apply to every adapter; the other sections apply where the
 * provider has the capability, and the harness says so by having the section:
 *
 *   `payIn`          offers, createPayment, queryPayment (absent: the provider takes no payments)
 *   `notifications`  parseNotification: genuine, forged, replayed and wrong-amount callbacks
 *   `refunds`        refund and queryRefund
 *   `payouts`        payout and queryPayout
 *   `balance`        balance
 *
 * A section's cases are skipped (and say why) where the harness has no such section, and the first
 * case checks that the harness has a section for every capability the adapter has, so nothing is
 * skipped by omission.
 *
 * Each case builds a fresh harness and closes it, so no case depends on another or on their order.
 */
import { randomBytes } from 'node:crypto';
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import type { MethodId } from '../../../widget/wire.ts';
import type { Money } from '../../../server/domain/money.ts';
import {
  ProviderError,
  type CreatePaymentInput,
  type NotificationInput,
  type PayoutDestination,
  type Provider,
  type ProviderErrorCode,
  type VerifiedNotification,
} from '../../../server/providers/provider.ts';

/**
 * The `timeoutMs` every harness gives its adapters' context. Short, so a hung provider is given up
 * on quickly; long enough for any honest answer from a simulator on loopback.
 */
export const CONTRACT_TIMEOUT_MS = 1_500;

/** The simulator faults the contract switches on (every simulator has these; see docs/sandbox.md). */
export type ContractFault = 'none' | 'http500' | 'garbage' | 'hang' | 'huge';

/** Pay-in: a method, money it takes, and the shopper's part driven through the simulator. */
export interface PayInHarness {
  /** A method to pay with. */
  method: MethodId;
  /** An amount the provider accepts. */
  money: Money;
  /** A currency/amount the provider does not take. */
  unsupportedMoney: Money;
  /** Valid fields for `method`. */
  fields: Record<string, string>;
  /**
   * Fields good for one payment only (a card's tokens from the provider's tokenizer), made anew for
   * each createPayment and merged over `fields`.
   */
  freshFields?(): Promise<Record<string, string>>;
  /** The shopper pays (drives the simulator's control endpoint or shopper page). */
  pay(orderId: string): Promise<void>;
  /** The shopper declines. */
  decline(orderId: string): Promise<void>;
}

/** Callbacks, as the simulator sent them (captured from its delivery, never built by the adapter). */
export interface NotificationHarness {
  /**
   * The shopper pays the (created) order and the callback the simulator sent for it comes back.
   * With `amount`, the provider claims that amount was paid instead of the order's.
   */
  paid(orderId: string, amount?: Money): Promise<NotificationInput>;
  /** The simulator sends the callback for the order's current state again. */
  resent(orderId: string): Promise<NotificationInput>;
  /** A callback about the order that must not verify (the simulator's forged-callback control). */
  forged(orderId: string): Promise<NotificationInput>;
  /** The acknowledgement the provider expects, as docs/providers/<id>.md states it. */
  ack: { body: string; contentType: string };
}

/** Refunds of paid orders (orders are paid through `payIn`). */
export interface RefundHarness {
  /** Makes the provider hold the next refund (pending) until `settle`; absent when it cannot. */
  holdNext?(): Promise<void>;
  /** The provider completes a held refund. */
  settle?(orderId: string, refundId: string): Promise<void>;
}

/** Payouts to a destination the provider takes. */
export interface PayoutHarness {
  money: Money;
  destination: PayoutDestination;
  /** The provider completes the payout. */
  complete(orderId: string): Promise<void>;
  /** The callback the simulator sent for the payout's last change, where the provider sends one. */
  lastCallback?(orderId: string): Promise<NotificationInput>;
}

export interface BalanceHarness {
  /** What a fresh simulator reports. */
  expected: Money;
}

export interface ContractHarness {
  /** Adapter pointed at a running simulator over real HTTP, with `timeoutMs: CONTRACT_TIMEOUT_MS`. */
  provider: Provider;
  /** Same simulator, wrong credential. */
  badCredentials: Provider;
  payIn?: PayInHarness;
  notifications?: NotificationHarness;
  refunds?: RefundHarness;
  payouts?: PayoutHarness;
  balance?: BalanceHarness;
  /** Switches the simulator's fault on its API routes, for every request until switched again. */
  setFault(mode: ContractFault): Promise<void>;
  /** Stops the simulator; afterwards its port is closed. */
  close(): Promise<void>;
}

/** The shopper details every case passes; adapters that need more take it from `fields`. */
const CUSTOMER = { email: 'shopper@example.com', phone: '66812345678', name: 'Somchai Jaidee' };

/**
 * Loopback port 9 (discard) has no listener on a test machine: a simulator that tries to call back
 * there fails at once instead of waiting on DNS or a timeout. It records what it sent all the same.
 */
const NOTIFY_URL = 'http://127.0.0.1:9/v1/notify/contract';
const RETURN_URL = 'http://127.0.0.1:9/thanks';

/** Codes that say "refused, nothing was sent back" for a refund above what is left (none of them retryable). */
const REFUND_REFUSALS: readonly ProviderErrorCode[] = ['amount_out_of_range', 'refused', 'invalid_request'];

/** Unique per call, within the shared convention: ≤ 32 chars of [A-Za-z0-9_-]. */
function contractOrderId(): string {
  return `ct-${randomBytes(12).toString('hex')}`;
}

type Section = 'payIn' | 'notifications' | 'refunds' | 'payouts' | 'balance';

export function providerContract(name: string, makeHarness: () => Promise<ContractHarness>): void {
  /**
   * Runs a case on a fresh harness; skips it (saying which section is missing) when the harness
   * lacks a section the case needs.
   */
  async function withHarness(
    t: TestContext,
    needs: readonly Section[],
    run: (h: ContractHarness) => Promise<void>,
  ): Promise<void> {
    const harness = await makeHarness();
    try {
      const missing = needs.filter((section) => harness[section] === undefined);
      if (missing.length > 0) {
        t.skip(`${name} has no ${missing.join(', ')}`);
        return;
      }
      await run(harness);
    } finally {
      await harness.close();
    }
  }

  async function paymentInput(h: ContractHarness, orderId: string): Promise<CreatePaymentInput> {
    const payIn = h.payIn!;
    return {
      orderId,
      method: payIn.method,
      money: payIn.money,
      description: 'Contract test order',
      customer: { ...CUSTOMER },
      fields: { ...payIn.fields, ...(await payIn.freshFields?.()) },
      notifyUrl: NOTIFY_URL,
      returnUrl: RETURN_URL,
      expiresAt: new Date(Date.now() + 15 * 60_000),
    };
  }

  async function query(h: ContractHarness, orderId: string) {
    return h.provider.queryPayment({ orderId, method: h.payIn!.method, money: h.payIn!.money });
  }

  /** A created order, not paid yet. */
  async function createdOrder(h: ContractHarness): Promise<string> {
    const orderId = contractOrderId();
    await h.provider.createPayment(await paymentInput(h, orderId));
    return orderId;
  }

  /** A created order the shopper paid, confirmed by the provider. */
  async function paidOrder(h: ContractHarness): Promise<string> {
    const orderId = await createdOrder(h);
    await h.payIn!.pay(orderId);
    assert.equal((await query(h, orderId)).state, 'succeeded');
    return orderId;
  }

  /**
   * A call that reaches the provider's API and succeeds when nothing is wrong: asking about a
   * created order, or, for a provider without pay-in, its balance. It is made ready (the order is
   * created) before any fault is switched on.
   */
  async function readyCall(h: ContractHarness): Promise<() => Promise<unknown>> {
    if (h.payIn) {
      const orderId = await createdOrder(h);
      return () => query(h, orderId);
    }
    const balance = h.balance;
    assert.ok(balance && h.provider.balance, `${name}: a harness without payIn needs balance`);
    return () => h.provider.balance!(balance.expected.currency);
  }

  function plus(money: Money, minor: number): Money {
    return { minor: money.minor + minor, currency: money.currency };
  }

  describe(`provider contract: ${name}`, () => {
    it('has a harness section for every capability the adapter has, and no other', async (t) => {
      await withHarness(t, [], async (h) => {
        const p = h.provider;
        assert.equal(Boolean(h.notifications), Boolean(p.parseNotification), 'notifications ⇔ parseNotification');
        assert.equal(Boolean(h.refunds), Boolean(p.refund), 'refunds ⇔ refund');
        assert.equal(Boolean(p.refund), Boolean(p.queryRefund), 'refund ⇔ queryRefund');
        assert.equal(Boolean(h.payouts), Boolean(p.payout), 'payouts ⇔ payout');
        assert.equal(Boolean(p.payout), Boolean(p.queryPayout), 'payout ⇔ queryPayout');
        assert.equal(Boolean(h.balance), Boolean(p.balance), 'balance ⇔ balance');
        if (h.notifications || h.refunds) assert.ok(h.payIn, 'callbacks and refunds are about payments: payIn');
      });
    });

    // --- pay-in ----------------------------------------------------------------------------

    it('offers the method for an accepted amount', async (t) => {
      await withHarness(t, ['payIn'], async (h) => {
        const payIn = h.payIn!;
        const offers = await h.provider.offers({ money: payIn.money, customer: { ...CUSTOMER } });
        const offer = offers.find((o) => o.method === payIn.method);
        assert.ok(offer, `expected ${payIn.method} among ${offers.map((o) => o.method).join(', ') || 'no offers'}`);
        assert.ok(offer.label.length > 0, 'an offer has a label to show');
        // The customer below is complete, so every required field left is one the harness fills in.
        for (const field of offer.fields.filter((f) => f.required)) {
          assert.ok(field.name in payIn.fields, `harness fields lack required field ${field.name}`);
        }
      });
    });

    it('offers nothing for a currency or amount the provider does not take', async (t) => {
      await withHarness(t, ['payIn'], async (h) => {
        const offers = await h.provider.offers({ money: h.payIn!.unsupportedMoney, customer: { ...CUSTOMER } });
        assert.deepEqual(offers, []);
      });
    });

    it('without pay-in, offers nothing and refuses a payment as unsupported', async (t) => {
      const h = await makeHarness();
      try {
        if (h.payIn) return t.skip(`${name} takes payments`);
        for (const money of [h.balance?.expected, { minor: 100_00, currency: 'USD' }]) {
          if (money) assert.deepEqual(await h.provider.offers({ money, customer: { ...CUSTOMER } }), []);
        }
        const input: CreatePaymentInput = {
          orderId: contractOrderId(),
          method: `${h.provider.id}.any`,
          money: { minor: 100_00, currency: 'USD' },
          description: null,
          customer: { ...CUSTOMER },
          fields: {},
          notifyUrl: NOTIFY_URL,
          returnUrl: RETURN_URL,
          expiresAt: new Date(Date.now() + 15 * 60_000),
        };
        await assertProviderError(h.provider.createPayment(input), 'unsupported');
      } finally {
        await h.close();
      }
    });

    it('answers createPayment with an action of the offered kind', async (t) => {
      await withHarness(t, ['payIn'], async (h) => {
        const offers = await h.provider.offers({ money: h.payIn!.money, customer: { ...CUSTOMER } });
        const offer = offers.find((o) => o.method === h.payIn!.method);
        assert.ok(offer);
        const result = await h.provider.createPayment(await paymentInput(h, contractOrderId()));
        if (offer.kind === 'card') {
          // A card is paid at once, refused, or sent through 3-D Secure: no action, or a challenge.
          assert.ok(['none', 'challenge'].includes(result.action.type), `card action ${result.action.type}`);
          if (result.action.type === 'challenge') assert.match(new URL(result.action.url).protocol, /^https?:$/);
        } else {
          assert.equal(result.action.type, offer.kind);
        }
        if (result.action.type === 'redirect') {
          assert.match(new URL(result.action.url).protocol, /^https?:$/);
        } else if (result.action.type === 'qr') {
          assert.ok(result.action.content.length > 0, 'a QR action carries content to encode');
        }
      });
    });

    it('reports pending before payment and succeeded with the same money after it', async (t) => {
      await withHarness(t, ['payIn'], async (h) => {
        const orderId = await createdOrder(h);
        const before = await query(h, orderId);
        assert.equal(before.state, 'pending');

        await h.payIn!.pay(orderId);
        const after = await query(h, orderId);
        assert.equal(after.state, 'succeeded');
        assert.deepEqual(after.money, h.payIn!.money);
      });
    });

    it('reports failed after the shopper declines', async (t) => {
      await withHarness(t, ['payIn'], async (h) => {
        const orderId = await createdOrder(h);
        await h.payIn!.decline(orderId);
        const status = await query(h, orderId);
        assert.equal(status.state, 'failed');
      });
    });

    it('refuses a second order with the same id and keeps the first one', async (t) => {
      await withHarness(t, ['payIn'], async (h) => {
        const orderId = await createdOrder(h);
        await assertProviderError(h.provider.createPayment(await paymentInput(h, orderId)), 'duplicate_order');

        // The first order is still the only one: paying it once makes it succeed with its money.
        assert.equal((await query(h, orderId)).state, 'pending');
        await h.payIn!.pay(orderId);
        const status = await query(h, orderId);
        assert.equal(status.state, 'succeeded');
        assert.deepEqual(status.money, h.payIn!.money);
      });
    });

    it('maps an order the provider does not know to not_found', async (t) => {
      await withHarness(t, ['payIn'], async (h) => {
        await assertProviderError(query(h, contractOrderId()), 'not_found');
      });
    });

    // --- credentials and reachability ---------------------------------------------------------

    it('maps refused credentials to authentication', async (t) => {
      await withHarness(t, [], async (h) => {
        const call = h.payIn
          ? h.badCredentials.createPayment(await paymentInput(h, contractOrderId()))
          : h.badCredentials.balance!(h.balance!.expected.currency);
        await assertProviderError(call, 'authentication');
      });
    });

    it('maps an unreachable provider to unavailable', async () => {
      const h = await makeHarness();
      // Made while the provider is still up (a card's tokens come from its tokenizer).
      const input = h.payIn ? await paymentInput(h, contractOrderId()) : null;
      await h.close();
      if (input) {
        await assertProviderError(query(h, contractOrderId()), 'unavailable');
        await assertProviderError(h.provider.createPayment(input), 'unavailable');
      } else {
        await assertProviderError(h.provider.balance!(h.balance!.expected.currency), 'unavailable');
      }
    });

    // --- faults ------------------------------------------------------------------------------

    const faults: Array<[Exclude<ContractFault, 'none'>, ProviderErrorCode, string]> = [
      ['http500', 'unavailable', 'an HTTP 500 page'],
      ['garbage', 'bad_response', 'an answer that is not JSON'],
      ['huge', 'bad_response', 'an answer of several megabytes'],
      ['hang', 'unavailable', 'no answer at all, within the context timeout'],
    ];
    for (const [mode, code, what] of faults) {
      it(`maps ${what} to ${code}, and answers again once the fault is gone`, async (t) => {
        await withHarness(t, [], async (h) => {
          const call = await readyCall(h);
          await h.setFault(mode);
          const started = performance.now();
          await assertProviderError(call(), code);
          const elapsed = performance.now() - started;
          // Given up on at the deadline, not whenever the provider (or the OS) lets go.
          assert.ok(elapsed < CONTRACT_TIMEOUT_MS + 1_500, `${mode}: took ${Math.round(elapsed)} ms`);
          await h.setFault('none');
          await call();
        });
      });
    }

    // Where the provider never handled the request, a payment asked for is as unavailable as a query.
    for (const [mode, what] of [
      ['http500', 'an HTTP 500 page'],
      ['hang', 'no answer at all'],
    ] as const) {
      it(`maps ${what} to createPayment as unavailable`, async (t) => {
        await withHarness(t, ['payIn'], async (h) => {
          // Made before the fault (a card's tokens come from the provider's tokenizer).
          const input = await paymentInput(h, contractOrderId());
          await h.setFault(mode);
          const started = performance.now();
          await assertProviderError(h.provider.createPayment(input), 'unavailable');
          const elapsed = performance.now() - started;
          assert.ok(elapsed < CONTRACT_TIMEOUT_MS + 1_500, `${mode}: took ${Math.round(elapsed)} ms`);
        });
      });
    }

    // --- notifications -----------------------------------------------------------------------

    it('verifies a genuine callback: its order, claim and money, and the documented acknowledgement', async (t) => {
      await withHarness(t, ['payIn', 'notifications'], async (h) => {
        const orderId = await createdOrder(h);
        const notification = await h.provider.parseNotification!(await h.notifications!.paid(orderId));
        assert.equal(notification.kind, 'payment');
        assert.equal(notification.orderId, orderId);
        assert.equal(notification.claimed, 'succeeded');
        assert.deepEqual(notification.money, h.payIn!.money);
        assert.ok(notification.dedupeKey.length > 0, 'a dedupeKey');
        assert.deepEqual(notification.ack, { status: 200, ...h.notifications!.ack });
      });
    });

    it('refuses a forged callback as invalid_signature, or binds it to no order', async (t) => {
      await withHarness(t, ['payIn', 'notifications'], async (h) => {
        const orderId = await createdOrder(h);
        await h.notifications!.paid(orderId);
        const forged = await h.notifications!.forged(orderId);
        let notification: VerifiedNotification;
        try {
          notification = await h.provider.parseNotification!(forged);
        } catch (error) {
          assert.ok(error instanceof ProviderError, String(error));
          assert.equal(error.code, 'invalid_signature', error.message);
          return;
        }
        // A provider whose callbacks may name its own payment id (One1Pay) defers the check to the
        // order that id stands for; the forged callback must then fit no order, this one included.
        assert.equal(notification.orderId, '', 'a forged callback never names an order as verified');
        assert.ok(notification.authenticate, 'a deferred check must be given');
        assert.equal(notification.authenticate(orderId), false);
      });
    });

    it('gives a replayed callback the same dedupeKey, and another order another one', async (t) => {
      await withHarness(t, ['payIn', 'notifications'], async (h) => {
        const orderId = await createdOrder(h);
        const first = await h.notifications!.paid(orderId);
        const again = await h.notifications!.resent(orderId);
        const keys = new Set<string>();
        // The same delivery read twice, and the simulator's own resend of it.
        for (const input of [first, first, again]) {
          const notification = await h.provider.parseNotification!(input);
          assert.equal(notification.orderId, orderId);
          assert.equal(notification.claimed, 'succeeded');
          keys.add(notification.dedupeKey);
        }
        assert.equal(keys.size, 1, `one dedupeKey for one callback, got ${[...keys].join(', ')}`);

        const other = await createdOrder(h);
        const news = await h.provider.parseNotification!(await h.notifications!.paid(other));
        assert.ok(!keys.has(news.dedupeKey), 'another order, another dedupeKey');
      });
    });

    it('reports the amount a callback claims, not the order amount, so it can be refused', async (t) => {
      await withHarness(t, ['payIn', 'notifications'], async (h) => {
        const orderId = await createdOrder(h);
        const claimed = plus(h.payIn!.money, 100);
        const notification = await h.provider.parseNotification!(await h.notifications!.paid(orderId, claimed));
        assert.equal(notification.orderId, orderId);
        assert.deepEqual(notification.money, claimed);
        assert.notDeepEqual(notification.money, h.payIn!.money);
      });
    });

    // --- refunds -----------------------------------------------------------------------------

    it('refunds a paid order in full and confirms it', async (t) => {
      await withHarness(t, ['payIn', 'refunds'], async (h) => {
        const orderId = await paidOrder(h);
        const refundId = `${orderId}-r1`;
        const money = h.payIn!.money;
        const result = await h.provider.refund!({ orderId, refundId, money, reason: 'Contract refund' });
        assert.ok(['succeeded', 'pending'].includes(result.state), `refund ${result.state}`);
        if (result.state === 'pending') {
          assert.ok(h.refunds!.settle, `${name} held the refund: the harness needs refunds.settle`);
          await h.refunds!.settle(orderId, refundId);
        }
        const confirmed = await h.provider.queryRefund!({
          orderId,
          refundId,
          money,
          refundedBefore: { minor: 0, currency: money.currency },
        });
        assert.equal(confirmed.state, 'succeeded');
      });
    });

    it('reports a refund the provider holds as pending, then succeeded once it is done', async (t) => {
      await withHarness(t, ['payIn', 'refunds'], async (h) => {
        const { holdNext, settle } = h.refunds!;
        if (!holdNext || !settle) return t.skip(`${name}'s simulator cannot hold a refund`);
        const orderId = await paidOrder(h);
        const refundId = `${orderId}-r1`;
        const money = h.payIn!.money;
        const check = () =>
          h.provider.queryRefund!({ orderId, refundId, money, refundedBefore: { minor: 0, currency: money.currency } });
        await holdNext();
        assert.equal((await h.provider.refund!({ orderId, refundId, money, reason: null })).state, 'pending');
        assert.equal((await check()).state, 'pending');
        await settle(orderId, refundId);
        assert.equal((await check()).state, 'succeeded');
      });
    });

    it('refuses a refund above the paid amount with a neutral code', async (t) => {
      await withHarness(t, ['payIn', 'refunds'], async (h) => {
        const orderId = await paidOrder(h);
        const money = plus(h.payIn!.money, 1);
        await assert.rejects(
          h.provider.refund!({ orderId, refundId: `${orderId}-r1`, money, reason: null }),
          (error: unknown) => {
            assert.ok(error instanceof ProviderError, `expected a ProviderError, got ${String(error)}`);
            assert.ok(
              REFUND_REFUSALS.includes(error.code),
              `expected one of ${REFUND_REFUSALS.join(', ')}, got ${error.code}`,
            );
            return true;
          },
        );
        // Nothing was refunded: the whole amount still can be.
        const result = await h.provider.refund!({
          orderId,
          refundId: `${orderId}-r2`,
          money: h.payIn!.money,
          reason: null,
        });
        assert.ok(['succeeded', 'pending'].includes(result.state), `refund ${result.state}`);
      });
    });

    // --- payouts -----------------------------------------------------------------------------

    it('pays out: pending, then succeeded with its money (and says so in its callback)', async (t) => {
      await withHarness(t, ['payouts'], async (h) => {
        const { money, destination, complete } = h.payouts!;
        const orderId = contractOrderId();
        const sent = await h.provider.payout!({ orderId, money, destination, notifyUrl: NOTIFY_URL });
        assert.equal(sent.state, 'pending');
        assert.equal((await h.provider.queryPayout!({ orderId, currency: money.currency })).state, 'pending');
        await complete(orderId);
        const done = await h.provider.queryPayout!({ orderId, currency: money.currency });
        assert.equal(done.state, 'succeeded');
        assert.deepEqual(done.money, money);
        if (h.payouts!.lastCallback) {
          assert.ok(h.provider.parseNotification, 'a payout callback needs parseNotification');
          const news = await h.provider.parseNotification(await h.payouts!.lastCallback(orderId));
          assert.deepEqual(
            [news.kind, news.orderId, news.claimed, news.money],
            ['payout', orderId, 'succeeded', money],
          );
        }
      });
    });

    it('refuses a payout above the balance and sends nothing', async (t) => {
      await withHarness(t, ['payouts', 'balance'], async (h) => {
        const { destination, money } = h.payouts!;
        const before = await h.provider.balance!(money.currency);
        const orderId = contractOrderId();
        const tooMuch = plus(before, 1);
        await assert.rejects(
          h.provider.payout!({ orderId, money: tooMuch, destination, notifyUrl: NOTIFY_URL }),
          (error: unknown) => {
            assert.ok(error instanceof ProviderError, `expected a ProviderError, got ${String(error)}`);
            // `declined` is accepted too: the payouts service reads the balance to tell a short
            // balance from another refusal (server/domain/payouts.ts).
            assert.ok(
              error.code === 'insufficient_funds' || error.code === 'declined',
              `expected insufficient_funds (or declined), got ${error.code}`,
            );
            return true;
          },
        );
        assert.deepEqual(await h.provider.balance!(money.currency), before);
        await assertProviderError(h.provider.queryPayout!({ orderId, currency: money.currency }), 'not_found');
      });
    });

    // --- balance -----------------------------------------------------------------------------

    it('reads the balance exactly', async (t) => {
      await withHarness(t, ['balance'], async (h) => {
        assert.deepEqual(await h.provider.balance!(h.balance!.expected.currency), h.balance!.expected);
      });
    });
  });
}

async function assertProviderError(promise: Promise<unknown>, code: ProviderErrorCode): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof ProviderError, `expected a ProviderError, got ${String(error)}`);
    assert.equal(error.code, code, `expected ${code}, got ${error.code} (${error.message})`);
    return true;
  });
}
