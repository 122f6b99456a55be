/**
 * The provider contract: what every adapter must do, checked against that provider's simulator over
 * real HTTP. A provider's own test file builds a harness (simulator on a loopback port, adapter
 * pointed at it) and calls `providerContract`; its quirks are tested beside it, not here.
 *
 * Each case builds a fresh harness and closes it, so no case depends on another or on their order.
 */
import { randomBytes } from 'node:crypto';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MethodId } from '../../../widget/wire.ts';
import type { Money } from '../../../server/domain/money.ts';
import {
  ProviderError,
  type CreatePaymentInput,
  type Provider,
  type ProviderErrorCode,
} from '../../../server/providers/provider.ts';

export interface ContractHarness {
  /** Adapter pointed at a running simulator over real HTTP. */
  provider: Provider;
  /** Same simulator, wrong credential. */
  badCredentials: Provider;
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
  /** The shopper pays (drives the simulator's control endpoint). */
  pay(orderId: string): Promise<void>;
  /** The shopper declines. */
  decline(orderId: string): Promise<void>;
  /** Stops the simulator; afterwards its port is closed. */
  close(): Promise<void>;
}

/** The shopper details every case passes; adapters that need more take it from `fields`. */
const CUSTOMER = { email: 'shopper@example.com', phone: '66812345678', name: 'Somchai Jaidee' };

/**
 * Loopback port 9 (discard) has no listener on a test machine: a simulator that tries to call back
 * there fails at once instead of waiting on DNS or a timeout.
 */
const NOTIFY_URL = 'http://127.0.0.1:9/v1/notify/contract';
const RETURN_URL = 'http://127.0.0.1:9/thanks';

/** Unique per call, within the shared convention: ≤ 32 chars of [A-Za-z0-9_-]. */
function contractOrderId(): string {
  return `ct-${randomBytes(12).toString('hex')}`;
}

export function providerContract(name: string, makeHarness: () => Promise<ContractHarness>): void {
  async function withHarness(run: (h: ContractHarness) => Promise<void>): Promise<void> {
    const harness = await makeHarness();
    try {
      await run(harness);
    } finally {
      await harness.close();
    }
  }

  async function paymentInput(h: ContractHarness, orderId: string): Promise<CreatePaymentInput> {
    return {
      orderId,
      method: h.method,
      money: h.money,
      description: 'Contract test order',
      customer: { ...CUSTOMER },
      fields: { ...h.fields, ...(await h.freshFields?.()) },
      notifyUrl: NOTIFY_URL,
      returnUrl: RETURN_URL,
      expiresAt: new Date(Date.now() + 15 * 60_000),
    };
  }

  async function query(h: ContractHarness, orderId: string) {
    return h.provider.queryPayment({ orderId, method: h.method, money: h.money });
  }

  describe(`provider contract: ${name}`, () => {
    it('offers the method for an accepted amount', async () => {
      await withHarness(async (h) => {
        const offers = await h.provider.offers({ money: h.money, customer: { ...CUSTOMER } });
        const offer = offers.find((o) => o.method === h.method);
        assert.ok(offer, `expected ${h.method} among ${offers.map((o) => o.method).join(', ') || 'no offers'}`);
        assert.ok(offer.label.length > 0, 'an offer has a label to show');
        // The customer below is complete, so every required field left is one the harness fills in.
        for (const field of offer.fields.filter((f) => f.required)) {
          assert.ok(field.name in h.fields, `harness fields lack required field ${field.name}`);
        }
      });
    });

    it('offers nothing for a currency or amount the provider does not take', async () => {
      await withHarness(async (h) => {
        const offers = await h.provider.offers({ money: h.unsupportedMoney, customer: { ...CUSTOMER } });
        assert.deepEqual(offers, []);
      });
    });

    it('answers createPayment with an action of the offered kind', async () => {
      await withHarness(async (h) => {
        const offers = await h.provider.offers({ money: h.money, customer: { ...CUSTOMER } });
        const offer = offers.find((o) => o.method === h.method);
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

    it('reports pending before payment and succeeded with the same money after it', async () => {
      await withHarness(async (h) => {
        const orderId = contractOrderId();
        await h.provider.createPayment(await paymentInput(h, orderId));
        const before = await query(h, orderId);
        assert.equal(before.state, 'pending');

        await h.pay(orderId);
        const after = await query(h, orderId);
        assert.equal(after.state, 'succeeded');
        assert.deepEqual(after.money, h.money);
      });
    });

    it('reports failed after the shopper declines', async () => {
      await withHarness(async (h) => {
        const orderId = contractOrderId();
        await h.provider.createPayment(await paymentInput(h, orderId));
        await h.decline(orderId);
        const status = await query(h, orderId);
        assert.equal(status.state, 'failed');
      });
    });

    it('refuses a second order with the same id and keeps the first one', async () => {
      await withHarness(async (h) => {
        const orderId = contractOrderId();
        await h.provider.createPayment(await paymentInput(h, orderId));
        await assertProviderError(h.provider.createPayment(await paymentInput(h, orderId)), 'duplicate_order');

        // The first order is still the only one: paying it once makes it succeed with its money.
        assert.equal((await query(h, orderId)).state, 'pending');
        await h.pay(orderId);
        const status = await query(h, orderId);
        assert.equal(status.state, 'succeeded');
        assert.deepEqual(status.money, h.money);
      });
    });

    it('maps refused credentials to authentication', async () => {
      await withHarness(async (h) => {
        await assertProviderError(
          h.badCredentials.createPayment(await paymentInput(h, contractOrderId())),
          'authentication',
        );
      });
    });

    it('maps an order the provider does not know to not_found', async () => {
      await withHarness(async (h) => {
        await assertProviderError(query(h, contractOrderId()), 'not_found');
      });
    });

    it('maps an unreachable provider to unavailable', async () => {
      const h = await makeHarness();
      // Made while the provider is still up (a card's tokens come from its tokenizer).
      const input = await paymentInput(h, contractOrderId());
      await h.close();
      await assertProviderError(query(h, contractOrderId()), 'unavailable');
      await assertProviderError(h.provider.createPayment(input), 'unavailable');
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
