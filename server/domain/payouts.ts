/**
 * Payouts: money sent from the merchant's balance at a provider to a bank account (One1Pay
 * withdrawals, docs/providers/one1pay.md), plus the balances and bank lists a payout draws on.
 *
 * The rules, as for payments:
 * - a payout is stored before the provider is asked, so a process that dies mid-call still finds it
 *   (and the provider's answer) on a later check; Tender never sends the same payout twice;
 * - a provider callback is only a claim: the record changes only on what `queryPayout` says;
 * - pending payouts are checked on a back-off schedule kept in the store (`nextCheckAt`), so a lost
 *   callback never leaves a payout pending for good, and a restart carries on where it stopped;
 * - succeeded, failed and rejected are final: nothing moves a payout out of them;
 * - reaching one is announced to the merchant by a signed webhook (`payout.succeeded`,
 *   `payout.failed`, `payout.rejected`), put in the outbox in the same transaction as the change, so
 *   an outcome is never recorded without its webhook, nor announced twice.
 */
import { randomBytes } from 'node:crypto';
import type { Config } from '../config.ts';
import type { ProviderRegistry } from '../providers/index.ts';
import {
  ProviderError,
  type Bank,
  type PayoutStatus,
  type Provider,
  type ProviderId,
  type VerifiedNotification,
} from '../providers/provider.ts';
import type { PayoutRecord, Store, WebhookRecord } from '../store/store.ts';
import type { Clock } from './clock.ts';
import { asDomainError, DomainError, providerFailure } from './errors.ts';
import { Idempotency } from './idempotency.ts';
import { newWebhookId, sha256Hex } from './ids.ts';
import type { Logger } from './log.ts';
import { PeriodicJob } from './loop.ts';
import { KeyedSerial } from './serial.ts';
import { formatDecimal, moneyOf, sameMoney, type Money } from './money.ts';

export interface PayoutsDeps {
  config: Config;
  store: Store;
  providers: ProviderRegistry;
  clock: Clock;
  log: Logger;
  /** How often the background loop looks for payouts due a check. */
  intervalMs?: number;
  /** How many payouts one pass checks at most. */
  batchSize?: number;
  /** How many provider queries run at once. */
  concurrency?: number;
}

export interface CreatePayoutInput {
  /** As the merchant wrote it; checked against the enabled providers here. */
  provider: string;
  money: Money;
  bankId: string;
  bankBranch: string | null;
  holderName: string;
  accountNumber: string;
  reference: string | null;
}

/** What the merchant's server sees of a payout. The account number is never returned in full. */
export interface PayoutView {
  id: string;
  object: 'payout';
  provider: ProviderId;
  status: PayoutRecord['status'];
  amount: string;
  currency: string;
  bankId: string;
  bankBranch: string | null;
  holderName: string;
  accountNumberLast4: string;
  reference: string | null;
  failure: { code: string; message: string } | null;
  createdAt: string;
  updatedAt: string;
}

/** One provider's balance; a provider that could not answer is listed with `available: false`. */
export interface BalanceView {
  object: 'balance';
  provider: ProviderId;
  currency: string;
  amount: string | null;
  available: boolean;
  error: { code: string; message: string } | null;
}

export interface BankView extends Bank {
  provider: ProviderId;
}

/** Payout ids double as the provider order id: ≤ 32 chars of [A-Za-z0-9_-]. */
export const PAYOUT_ID = /^po_[A-Za-z0-9_-]{20}$/;

/** `po_` + 120 random bits in base64url (20 characters, all within the order-id alphabet). */
export const newPayoutId = (): string => `po_${randomBytes(15).toString('base64url')}`;

export const IDEMPOTENCY_SCOPE = 'payouts.create';

/** Seconds before the n-th check of a pending payout. Bank transfers can take hours, so checks thin out to hourly. */
const CHECK_DELAYS_S = [10, 30, 60, 120, 300, 600, 1800, 3600];

/** Before the provider has answered the create, the first check waits out the provider timeout. */
const FIRST_CHECK_BEFORE_ANSWER_MS = 60_000;

/** After this long pending, checks stop and the payout is left for a person to review. */
const WATCH_LIMIT_MS = 7 * 24 * 3600_000;

/**
 * "No such order" proves nothing was sent only once the create call cannot still be arriving at the
 * provider; a younger payout that the provider does not know yet is simply asked about again.
 */
const NOT_FOUND_GRACE_MS = 2 * 60_000;

/** Reading a pending payout asks the provider at most this often (merchants poll). */
const MIN_READ_REFRESH_MS = 2_000;

/** Failure codes a payout can end with, and the words the merchant reads; provider wording never shows. */
const FAILURE_MESSAGES = {
  // Refused when it was sent: no money moved.
  insufficient_balance: 'The provider balance was lower than the payout amount; nothing was sent.',
  declined: 'The provider refused this payout; nothing was sent.',
  amount_out_of_range: 'The amount is outside what the provider accepts for payouts; nothing was sent.',
  provider_rejected: 'The provider could not accept this payout request; nothing was sent.',
  not_found: 'The provider has no record of this payout; nothing was sent.',
  // Accepted, then the provider reported the outcome.
  failed: 'The provider could not complete the transfer.',
  rejected: 'The provider rejected this payout.',
} as const;

type FailureCode = keyof typeof FAILURE_MESSAGES;

/** Codes for a payout the provider refused outright when asked to make it. */
const REFUSALS: ReadonlySet<string> = new Set<FailureCode>([
  'insufficient_balance',
  'declined',
  'amount_out_of_range',
  'provider_rejected',
]);

/** How long a claimed payout check is reserved for this instance. */
const LEASE_MS = 5 * 60_000;

export class Payouts extends PeriodicJob {
  readonly #deps: Required<PayoutsDeps>;
  /** One check per payout at a time in this process, so a callback and a pass never interleave. */
  readonly #queues = new KeyedSerial();
  /** When each pending payout was last refreshed because someone read it. */
  readonly #lastRead = new Map<string, number>();
  readonly #idempotency: Idempotency;

  constructor({ intervalMs = 1000, batchSize = 25, concurrency = 4, ...rest }: PayoutsDeps) {
    super('payout checks', intervalMs, rest.log);
    this.#deps = { intervalMs, batchSize, concurrency, ...rest };
    this.#idempotency = new Idempotency({ store: rest.store, clock: rest.clock });
  }

  // ---- balances and banks -----------------------------------------------------------------------

  /** Every enabled provider's balance in `currency`; one that fails is listed as unavailable. */
  async balances(currency: string): Promise<BalanceView[]> {
    const providers = [...this.#deps.providers.values()].filter((provider) => provider.balance);
    return Promise.all(
      providers.map(async (provider): Promise<BalanceView> => {
        try {
          const money = await provider.balance!(currency);
          return {
            object: 'balance',
            provider: provider.id,
            currency: money.currency,
            amount: formatDecimal(money),
            available: true,
            error: null,
          };
        } catch (error) {
          this.#deps.log.warn('balance query failed', { provider: provider.id, currency, error });
          const { code, message } =
            error instanceof ProviderError
              ? providerFailure(error)
              : { code: 'internal', message: 'something went wrong on our side' };
          return {
            object: 'balance',
            provider: provider.id,
            currency,
            amount: null,
            available: false,
            error: { code, message },
          };
        }
      }),
    );
  }

  /**
   * The banks every enabled provider lists for `currency`. Unlike balances, one provider failing
   * fails the call: a list with a provider silently missing would read as complete.
   */
  async banks(currency: string, purpose: 'deposit' | 'withdrawal'): Promise<BankView[]> {
    const providers = [...this.#deps.providers.values()].filter((provider) => provider.banks);
    try {
      const lists = await Promise.all(
        providers.map(async (provider) =>
          (await provider.banks!({ currency, purpose })).map((bank) => ({ provider: provider.id, ...bank })),
        ),
      );
      return lists.flat();
    } catch (error) {
      this.#deps.log.warn('bank list failed', { currency, purpose, error });
      throw asDomainError(error);
    }
  }

  // ---- payouts ------------------------------------------------------------------------------------

  /**
   * Makes a payout. With an idempotency key, the same key and body always mean the same payout, and
   * another body is refused. The key is claimed, naming the payout id, before anything is sent
   * (`idempotency.ts`): two requests racing with one key can never make two provider orders.
   *
   * A payout the provider refused outright is recorded as failed and refused (the same on every
   * replay); one whose outcome is unclear (provider unreachable, unreadable answer) stays pending and
   * is checked until the provider says.
   */
  async create(
    input: CreatePayoutInput,
    { idempotencyKey }: { idempotencyKey?: string } = {},
  ): Promise<{ payout: PayoutView; replayed: boolean }> {
    const { store } = this.#deps;
    const { value, replayed } = await this.#idempotency.run({
      scope: IDEMPOTENCY_SCOPE,
      request:
        idempotencyKey === undefined ? undefined : { key: idempotencyKey, requestHash: payoutRequestHash(input) },
      newId: newPayoutId,
      check: () => this.#checkBank(this.#payoutProvider(input.provider), input),
      find: async (id) => {
        const payout = await store.getPayout(id);
        if (payout?.status === 'failed' && payout.failureCode && REFUSALS.has(payout.failureCode))
          throw refusalError(payout);
        return payout && payoutView(payout);
      },
      make: async (id) => {
        const provider = this.#payoutProvider(input.provider);
        const payout = this.#newRecord(id, provider.id, input);
        // The store takes an id once, so of two requests carrying on one claimed key only one sends it.
        if (!(await this.#insert(payout))) throw new Error(`payout ${id} exists already`);
        return this.#send(provider, payout);
      },
    });
    return { payout: value, replayed };
  }

  /**
   * Payouts newest first, as stored (listing asks no provider; `get` refreshes one). `before` is the
   * last payout id of the previous page. One more than `limit` is read to know whether more follow.
   */
  async list({ limit, before }: { limit: number; before?: string }): Promise<{ data: PayoutView[]; hasMore: boolean }> {
    const payouts = await this.#deps.store.listPayouts({ limit: limit + 1, before });
    return { data: payouts.slice(0, limit).map(payoutView), hasMore: payouts.length > limit };
  }

  /** The payout as it stands, first asking the provider when it is still pending; null when unknown. */
  async get(id: string): Promise<PayoutView | null> {
    if (!PAYOUT_ID.test(id)) return null;
    const payout = await this.#deps.store.getPayout(id);
    if (!payout) return null;
    if (payout.status !== 'pending' || !this.#mayRefresh(id)) return payoutView(payout);
    try {
      // A read does not move the schedule: a merchant polling must not thin out the background checks.
      await this.#check(id, { reschedule: false, throwIfUnavailable: false });
    } catch (error) {
      this.#deps.log.warn('refreshing a payout failed; answering what is stored', { payout: id, error });
    }
    return payoutView((await this.#deps.store.getPayout(id))!);
  }

  /**
   * A verified payout callback (`Checkout.handleNotification` checked its token). It is only a claim:
   * the provider is asked, and only its answer changes the record. News about a final payout (a
   * redelivery, or one that the background check beat) changes nothing.
   */
  async handleNotification(providerId: ProviderId, notification: VerifiedNotification): Promise<void> {
    const payout = PAYOUT_ID.test(notification.orderId) ? await this.#deps.store.getPayout(notification.orderId) : null;
    if (!payout || payout.provider !== providerId) {
      this.#deps.log.warn('payout notification for an unknown payout', {
        provider: providerId,
        orderId: notification.orderId,
      });
      throw new DomainError('not_found', 'unknown payout');
    }
    if (payout.status !== 'pending') {
      const claimedFinal =
        notification.claimed === 'succeeded' ? 'succeeded' : notification.claimed === 'failed' ? 'failed' : null;
      if (claimedFinal && claimedFinal !== (payout.status === 'succeeded' ? 'succeeded' : 'failed')) {
        this.#deps.log.warn('payout callback contradicts a final payout; left as it is', {
          payout: payout.id,
          status: payout.status,
          claimed: notification.claimed,
        });
      }
      return;
    }
    // Unreachable provider → the error reaches the provider as a 5xx, so it sends the callback again.
    await this.#check(payout.id, { reschedule: true, throwIfUnavailable: true });
  }

  /** Asks the provider about one pending payout and applies the answer (the background loop's step). */
  reconcile(payout: PayoutRecord): Promise<void> {
    return this.#check(payout.id, { reschedule: true, throwIfUnavailable: false });
  }

  protected override async pass(): Promise<number> {
    const { store, clock, log, batchSize, concurrency } = this.#deps;
    const now = clock.now();
    // Leased for a few minutes: another instance leaves these alone while this one checks them
    // (every check sets the next time itself; the lease only matters if this process dies).
    const due = await store.claimDuePayouts(
      now.toISOString(),
      new Date(now.getTime() + LEASE_MS).toISOString(),
      batchSize,
    );
    const queue = [...due];
    const worker = async () => {
      for (let payout = queue.shift(); payout; payout = queue.shift()) {
        try {
          await this.reconcile(payout);
        } catch (error) {
          log.error('checking a payout failed', { payout: payout.id, error });
          // Back off so one broken payout cannot take every pass.
          const later = new Date(clock.now().getTime() + 60_000).toISOString();
          await store.updatePayout(payout.id, { nextCheckAt: later }).catch(() => undefined);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, due.length) }, worker));
    return due.length;
  }

  // ---- internals ----------------------------------------------------------------------------------

  #payoutProvider(id: string): Provider {
    const provider = this.#deps.providers.get(id);
    if (provider?.payout && provider.queryPayout) return provider;
    const able = [...this.#deps.providers.values()]
      .filter((each) => each.payout && each.queryPayout)
      .map((each) => each.id);
    throw new DomainError(
      'unprocessable',
      `body.provider: "${id}" is not an enabled provider that makes payouts (enabled: ${able.join(', ') || 'none'})`,
    );
  }

  /**
   * Checks the bank against the provider's own payout bank list, so a typo is a clear 422 naming the
   * field rather than a refused payout. When the list cannot be had, the provider judges the bank.
   */
  async #checkBank(provider: Provider, input: CreatePayoutInput): Promise<void> {
    if (!provider.banks) return;
    let banks: Bank[];
    try {
      banks = await provider.banks({ currency: input.money.currency, purpose: 'withdrawal' });
    } catch (error) {
      this.#deps.log.warn('payout bank list unavailable; the provider will check the bank', {
        provider: provider.id,
        error,
      });
      return;
    }
    const { currency } = input.money;
    if (banks.length === 0) {
      throw new DomainError('unprocessable', `body.currency: ${provider.id} lists no payout banks for ${currency}`);
    }
    if (!banks.some((bank) => bank.id === input.bankId)) {
      throw new DomainError(
        'unprocessable',
        `body.bankId: ${provider.id} has no payout bank "${input.bankId}" for ${currency}; GET /v1/banks?currency=${currency} lists them`,
      );
    }
  }

  #newRecord(id: string, provider: ProviderId, input: CreatePayoutInput): PayoutRecord {
    const now = this.#deps.clock.now();
    return {
      id,
      provider,
      amount: input.money.minor,
      currency: input.money.currency,
      bankId: input.bankId,
      bankBranch: input.bankBranch,
      holderName: input.holderName,
      accountNumber: input.accountNumber,
      reference: input.reference,
      status: 'pending',
      failureCode: null,
      // Set before the provider is called: if this process dies mid-call, a later pass asks the
      // provider whether the payout was made.
      nextCheckAt: new Date(now.getTime() + FIRST_CHECK_BEFORE_ANSWER_MS).toISOString(),
      checkCount: 0,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
    };
  }

  /** Stores a new payout; false when one with its id exists already (another request got there first). */
  async #insert(payout: PayoutRecord): Promise<boolean> {
    try {
      await this.#deps.store.createPayout(payout);
      return true;
    } catch (error) {
      if (await this.#deps.store.getPayout(payout.id)) return false;
      throw error;
    }
  }

  /** Asks the provider to make a stored payout and records what it answered. */
  async #send(provider: Provider, payout: PayoutRecord): Promise<PayoutView> {
    let status: PayoutStatus;
    try {
      status = await provider.payout!({
        orderId: payout.id,
        money: moneyOf(payout),
        destination: {
          type: 'bank',
          bankId: payout.bankId,
          bankBranch: payout.bankBranch,
          holderName: payout.holderName,
          accountNumber: payout.accountNumber,
        },
        notifyUrl: `${this.#deps.config.publicUrl}/v1/notify/${provider.id}`,
      });
    } catch (error) {
      if (!(error instanceof ProviderError)) throw error; // stays pending; its first check is already set
      if (isUnclear(error)) {
        // The adapter already asked check_withdraw_status after the unclear answer, and that failed
        // too. The payout may exist at the provider: it stays pending and is asked about again.
        this.#deps.log.error('payout outcome unknown; it stays pending until the provider says', {
          payout: payout.id,
          error,
        });
        await this.#locked(payout.id, async () => {
          const current = await this.#deps.store.getPayout(payout.id);
          if (current?.status === 'pending') {
            await this.#deps.store.updatePayout(payout.id, { nextCheckAt: this.#nextCheckAt(current, 0) });
          }
        });
        return payoutView((await this.#deps.store.getPayout(payout.id))!);
      }
      const code = await this.#refusalCode(provider, payout, error);
      this.#deps.log.warn('provider refused a payout', { payout: payout.id, code, error });
      await this.#locked(payout.id, () => this.#settle(payout.id, 'failed', code));
      throw refusalError((await this.#deps.store.getPayout(payout.id))!);
    }
    await this.#locked(payout.id, () => this.#apply(payout.id, status, { counted: false, reschedule: true }));
    return payoutView((await this.#deps.store.getPayout(payout.id))!);
  }

  async #refusalCode(provider: Provider, payout: PayoutRecord, error: ProviderError): Promise<FailureCode> {
    switch (error.code) {
      case 'declined':
        // One1Pay's "Balance not enough!" maps to the same code as its other refusals; the balance
        // itself tells them apart without passing the provider's words on.
        if (provider.balance) {
          try {
            const balance = await provider.balance(payout.currency);
            if (balance.minor < payout.amount) return 'insufficient_balance';
          } catch (cause) {
            this.#deps.log.warn('balance query after a refused payout failed', { payout: payout.id, error: cause });
          }
        }
        return 'declined';
      case 'amount_out_of_range':
        return 'amount_out_of_range';
      default:
        return 'provider_rejected';
    }
  }

  async #check(
    id: string,
    { reschedule, throwIfUnavailable }: { reschedule: boolean; throwIfUnavailable: boolean },
  ): Promise<void> {
    await this.#locked(id, async () => {
      const { store, providers, clock, log } = this.#deps;
      const payout = await store.getPayout(id);
      if (!payout) return;
      if (payout.status !== 'pending') {
        if (payout.nextCheckAt) await store.updatePayout(id, { nextCheckAt: null });
        return;
      }
      const provider = providers.get(payout.provider);
      if (!provider?.queryPayout) {
        log.error('a pending payout belongs to a provider that is disabled now', {
          payout: id,
          provider: payout.provider,
        });
        if (reschedule) await this.#bump(payout);
        return;
      }
      let status: PayoutStatus;
      try {
        status = await provider.queryPayout({ orderId: payout.id, currency: payout.currency });
      } catch (error) {
        const age = clock.now().getTime() - new Date(payout.createdAt).getTime();
        if (error instanceof ProviderError && error.code === 'not_found' && age >= NOT_FOUND_GRACE_MS) {
          // The create never reached the provider (the process stopped first, or the provider lost
          // the request): nothing was sent, and the merchant can make a new payout.
          log.warn('provider has no record of a payout; recorded as failed', { payout: id });
          await this.#settle(id, 'failed', 'not_found', payout.checkCount + 1);
          return;
        }
        const unreadable = error instanceof ProviderError && error.code === 'bad_response';
        log[unreadable ? 'error' : 'warn']('payout status query failed', { payout: id, error });
        if (reschedule) await this.#bump(payout);
        if (throwIfUnavailable) throw asDomainError(error);
        return;
      }
      await this.#apply(id, status, { counted: true, reschedule });
    });
  }

  /** Applies a provider's answer to a payout; runs under the payout's lock. */
  async #apply(
    id: string,
    status: PayoutStatus,
    { counted, reschedule }: { counted: boolean; reschedule: boolean },
  ): Promise<void> {
    const { store, log } = this.#deps;
    const payout = await store.getPayout(id);
    if (!payout || payout.status !== 'pending') return;
    if (status.money && !sameMoney(status.money, moneyOf(payout))) {
      // The provider holds the order under our id but for other money: someone must look at it.
      log.error('provider reports a different amount for a payout', {
        payout: id,
        expected: moneyOf(payout),
        reported: status.money,
      });
    }
    const checkCount = counted ? payout.checkCount + 1 : payout.checkCount;
    if (status.state === 'pending') {
      if (reschedule) await store.updatePayout(id, { checkCount, nextCheckAt: this.#nextCheckAt(payout, checkCount) });
      return;
    }
    await this.#settle(id, status.state, status.state === 'succeeded' ? null : status.state, checkCount);
    log.info('payout settled', { payout: id, status: status.state });
  }

  async #settle(
    id: string,
    status: 'succeeded' | 'failed' | 'rejected',
    failureCode: FailureCode | null,
    checkCount?: number,
  ): Promise<void> {
    const { store, clock, config } = this.#deps;
    const payout = await store.getPayout(id);
    if (!payout || payout.status !== 'pending') return;
    const patch = {
      status,
      failureCode,
      nextCheckAt: null,
      updatedAt: clock.now().toISOString(),
      ...(checkCount === undefined ? {} : { checkCount }),
    };
    const webhooks = config.merchant.webhookUrl ? [payoutWebhook({ ...payout, ...patch }, patch.updatedAt)] : [];
    // Settles only a payout still pending: of two instances checking at once, one announces it.
    await store.settlePayout(id, patch, webhooks);
  }

  /** Counts a check that learned nothing and schedules the next one. */
  async #bump(payout: PayoutRecord): Promise<void> {
    const checkCount = payout.checkCount + 1;
    await this.#deps.store.updatePayout(payout.id, { checkCount, nextCheckAt: this.#nextCheckAt(payout, checkCount) });
  }

  /** When to ask next after `checkCount` checks; null once the watch is over. */
  #nextCheckAt(payout: PayoutRecord, checkCount: number): string | null {
    const now = this.#deps.clock.now().getTime();
    const delay = CHECK_DELAYS_S[Math.min(checkCount, CHECK_DELAYS_S.length - 1)]!;
    const deadline = new Date(payout.createdAt).getTime() + WATCH_LIMIT_MS;
    const next = Math.min(now + delay * 1000, deadline);
    if (next > now) return new Date(next).toISOString();
    this.#deps.log.error('stopped asking about a pending payout; review it with the provider by hand', {
      payout: payout.id,
    });
    return null;
  }

  #mayRefresh(id: string): boolean {
    const now = this.#deps.clock.now().getTime();
    const last = this.#lastRead.get(id);
    if (last !== undefined && now - last < MIN_READ_REFRESH_MS) return false;
    if (this.#lastRead.size >= 1000) {
      for (const [key, at] of this.#lastRead) if (now - at >= MIN_READ_REFRESH_MS) this.#lastRead.delete(key);
    }
    this.#lastRead.set(id, now);
    return true;
  }

  /**
   * Runs `work` after every earlier piece of work on the same payout in this process.
   * NOTE: across several BFF instances two checks can still overlap; that is harmless because
   * final states are never left and a check re-reads the payout before writing.
   */
  #locked<T>(id: string, work: () => Promise<T>): Promise<T> {
    return this.#queues.run(id, work);
  }
}

/** The merchant's view of a payout. Only the last four characters of the account number are shown. */
export function payoutView(payout: PayoutRecord): PayoutView {
  const code = payout.failureCode;
  return {
    id: payout.id,
    object: 'payout',
    provider: payout.provider,
    status: payout.status,
    amount: formatDecimal(moneyOf(payout)),
    currency: payout.currency,
    bankId: payout.bankId,
    bankBranch: payout.bankBranch,
    holderName: payout.holderName,
    accountNumberLast4: payout.accountNumber.replace(/[^A-Za-z0-9]/g, '').slice(-4),
    reference: payout.reference,
    failure: code
      ? {
          code,
          message: Object.hasOwn(FAILURE_MESSAGES, code)
            ? FAILURE_MESSAGES[code as FailureCode]
            : 'The payout did not go through.',
        }
      : null,
    createdAt: payout.createdAt,
    updatedAt: payout.updatedAt,
  };
}

/**
 * `payout.<status>` for the outbox: the payout as the merchant reads it from `GET /v1/payouts/:id`.
 * A payout settles once, so unlike a session's webhooks it needs no sequence.
 */
function payoutWebhook(payout: PayoutRecord, now: string): WebhookRecord {
  const id = newWebhookId();
  const type = `payout.${payout.status}`;
  return {
    id,
    sessionId: null,
    payoutId: payout.id,
    type,
    payload: JSON.stringify({ id, type, createdAt: now, data: { payout: payoutView(payout) } }),
    attempts: 0,
    nextAttemptAt: now,
    deliveredAt: null,
    lastError: null,
    createdAt: now,
  };
}

/** What identifies a create request for `Idempotency-Key`: the meaning of the body, not its spelling. */
export function payoutRequestHash(input: CreatePayoutInput): string {
  return sha256Hex(
    JSON.stringify([
      input.provider,
      input.money.minor,
      input.money.currency,
      input.bankId,
      input.bankBranch,
      input.holderName,
      input.accountNumber,
      input.reference,
    ]),
  );
}

/** The outcome may be that the provider made the payout: it must be asked, not assumed. */
function isUnclear(error: ProviderError): boolean {
  // "Order id exist!" for an id that only this payout has ever used means an earlier send got through.
  return error.code === 'unavailable' || error.code === 'bad_response' || error.code === 'duplicate_order';
}

/** The answer to a payout the provider refused when asked to make it (the same on every replay). */
function refusalError(payout: PayoutRecord): DomainError {
  const notSent = `payout ${payout.id} was recorded as failed and nothing was sent`;
  switch (payout.failureCode) {
    case 'insufficient_balance':
      return new DomainError(
        'provider_declined',
        `the ${payout.provider} ${payout.currency} balance is lower than the payout amount; ${notSent}`,
      );
    case 'declined':
      return new DomainError('provider_declined', `${payout.provider} refused this payout; ${notSent}`);
    case 'amount_out_of_range':
      return new DomainError(
        'amount_out_of_range',
        `the amount is outside what ${payout.provider} accepts for payouts; ${notSent}`,
      );
    default:
      return new DomainError('provider_error', `${payout.provider} could not handle this payout request; ${notSent}`);
  }
}
