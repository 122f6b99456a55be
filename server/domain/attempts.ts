/**
 * Payment attempts: the methods a session can be paid with, and starting a payment with one. An
 * attempt is stored before its provider is asked (so the reconciler finds an order even if this
 * process dies mid-call) and reused while it still waits, so a double click or a reload never makes
 * a second provider order.
 */
import type { AttemptStatus, ClientContext, MethodId, MethodView } from '../../widget/wire.ts';
import type { Config } from '../config.ts';
import { providerOfMethod, type ProviderRegistry } from '../providers/index.ts';
import { ProviderError, type ProviderId } from '../providers/provider.ts';
import type { AttemptRecord, SessionRecord, Store } from '../store/store.ts';
import { firstCheckAt } from './check-schedule.ts';
import { isPast, nowIso, type Clock } from './clock.ts';
import { asDomainError, DomainError } from './errors.ts';
import { failureFields, type FailureCode } from './failures.ts';
import { customerFields, validateFields } from './fields.ts';
import { newAttemptId, sha256Hex } from './ids.ts';
import type { Logger } from './log.ts';
import { formatDecimal, moneyOf } from './money.ts';
import { encodeQr } from './qr.ts';
import { KeyedSerial } from './serial.ts';
import type { PaymentChecks } from './payment-checks.ts';
import type { SessionWriter } from './session-writer.ts';
import type { Sessions } from './sessions.ts';
import { acceptsAttempts, canTransition } from './session.ts';

export interface CreateAttemptInput {
  method: MethodId;
  fields: Record<string, string>;
  /** Where the shopper is (phone, a wallet's in-app browser): the provider may pick its flow by it. */
  client?: ClientContext | null;
  /** A buyer's payment code scanned at a till: charged at once. */
  buyerCode?: string | null;
}

export interface AttemptsDeps {
  config: Config;
  store: Store;
  providers: ProviderRegistry;
  clock: Clock;
  log: Logger;
  writer: SessionWriter;
  sessions: Sessions;
  /** Settles an attempt whose provider already knew its outcome when asked to start it. */
  checks: PaymentChecks;
}

/** How long the checkout view waits for one provider to say which methods it takes. */
const OFFERS_TIMEOUT_MS = 4000;

/**
 * How long one provider's methods for one amount and customer are reused before it is asked again.
 * Offers change with the provider's limits, bank lists and exchange rates, which providers cache
 * for minutes themselves; the checkout view (read on every page load, reconnect and poll) then
 * costs no provider work. A provider that failed to answer is asked again on the next read.
 */
export const OFFERS_CACHE_MS = 30_000;

/** Most cached offer lists kept; the oldest goes first. */
const OFFERS_CACHE_ENTRIES = 2_000;

/** How soon an attempt stored before its provider answered is first checked, if the answer never comes. */
const UNANSWERED_CHECK_MS = 60_000;

/** Live attempts (payable at their providers) one session may have at once. */
const MAX_LIVE_ATTEMPTS = 3;

/** How long a repeated tap waits for the first one's provider to answer. */
const TAP_WAIT_MS = 20_000;

/** An attempt still payable: shown to the shopper, or being created, and not past its expiry. */
function isLive(attempt: AttemptRecord, clock: Clock): boolean {
  if (attempt.expiresAt && isPast(clock, attempt.expiresAt)) return false;
  return attempt.status === 'requires_action' || attempt.status === 'pending';
}

/**
 * The live attempt a new request repeats, if any: the same method, fields and buyer code. Any live
 * one counts, not only the latest, so switching methods back and forth reuses the orders already
 * made instead of making new ones. A buyer code already charged is never charged again.
 */
function sameTap(
  attempts: readonly AttemptRecord[],
  fieldsHash: string,
  buyerCode: boolean,
  clock: Clock,
): AttemptRecord | null {
  const same = attempts.filter((attempt) => attempt.fieldsHash === fieldsHash);
  if (buyerCode) {
    const charged = same.find((attempt) => attempt.status === 'succeeded');
    if (charged) return charged;
  }
  return same.filter((attempt) => isLive(attempt, clock)).at(-1) ?? null;
}

export class Attempts {
  /** One attempt creation per session at a time in this process. */
  readonly #creating = new KeyedSerial();

  /** Offer lists by provider, amount and customer, with when they stop being reused (`OFFERS_CACHE_MS`). */
  readonly #offers = new Map<string, { until: number; methods: MethodView[] }>();

  constructor(private readonly deps: AttemptsDeps) {}

  /** The methods this session can be paid with now: enabled providers, merchant's filter, limits. */
  async methodsFor(session: SessionRecord, { only }: { only?: ProviderId } = {}): Promise<MethodView[]> {
    if (!acceptsAttempts(session.status)) return [];
    const money = moneyOf(session);
    const providers = [...this.deps.providers.values()].filter((provider) => !only || provider.id === only);
    const now = this.deps.clock.now().getTime();
    const customer = JSON.stringify(session.customer);
    const lists = await Promise.all(
      providers.map(async (provider) => {
        const key = `${provider.id} ${money.currency} ${money.minor} ${customer}`;
        const cached = this.#offers.get(key);
        if (cached && cached.until > now) return cached.methods;
        try {
          // The page waits for the slowest provider, so each gets a short deadline of its own
          // (the attempt itself, with one provider, gets the full provider timeout).
          const offers = await withTimeout(
            provider.offers({ money, customer: session.customer }),
            only ? null : OFFERS_TIMEOUT_MS,
          );
          const methods = offers.map((offer): MethodView => ({
            id: offer.method,
            provider: provider.id,
            kind: offer.kind,
            label: offer.label,
            ...(offer.brand ? { brand: offer.brand } : {}),
            fields: offer.fields,
            ...(offer.estimate
              ? { estimate: { amount: formatDecimal(offer.estimate), currency: offer.estimate.currency } }
              : {}),
            ...(offer.tokenizer ? { tokenizer: offer.tokenizer } : {}),
            ...(offer.buyerCode ? { buyerCode: true } : {}),
          }));
          this.#offers.delete(key);
          if (this.#offers.size >= OFFERS_CACHE_ENTRIES) this.#offers.delete(this.#offers.keys().next().value!);
          this.#offers.set(key, { until: now + OFFERS_CACHE_MS, methods });
          return methods;
        } catch (error) {
          // A provider that cannot say what it takes is left out; the others still work.
          this.deps.log.warn('provider offers failed', { provider: provider.id, error });
          return [];
        }
      }),
    );
    const methods = lists.flat();
    return session.methods ? methods.filter((method) => session.methods!.includes(method.id)) : methods;
  }

  /**
   * Starts a payment with the chosen method. Repeating the same choice while its attempt still
   * waits returns that attempt, so a double click or a reload never makes a second provider order.
   */
  create(sessionId: string, input: CreateAttemptInput): Promise<AttemptRecord> {
    // Creations for one session take turns in this process, which only saves work: across instances
    // the session writer's version check is what makes one order of one tap (see #create).
    return this.#creating.run(sessionId, () => this.#create(sessionId, input));
  }

  /**
   * An attempt of the same tap that another request (this instance's or another's) made: once its
   * provider has answered, it is the answer; while the provider is still being asked, wait for it.
   */
  async #settledTap(attempt: AttemptRecord): Promise<AttemptRecord> {
    const { store } = this.deps;
    for (let waited = 0; attempt.status === 'pending' && !attempt.action && waited < TAP_WAIT_MS; waited += 100) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      attempt = (await store.getAttempt(attempt.id)) ?? attempt;
    }
    if (attempt.status === 'failed') {
      throw new DomainError('provider_error', 'the payment could not be started; please try again');
    }
    return attempt;
  }

  async #create(sessionId: string, input: CreateAttemptInput): Promise<AttemptRecord> {
    const { config, store, providers, clock, writer, sessions, checks } = this.deps;
    const session = await sessions.load(sessionId);
    if (!session) throw new DomainError('not_found', 'checkout session not found');
    sessions.assertAcceptsAttempts(session);

    const providerId = providerOfMethod(input.method);
    const method = providerId
      ? (await this.methodsFor(session, { only: providerId })).find((candidate) => candidate.id === input.method)
      : undefined;
    if (!providerId || !method) {
      throw new DomainError('method_unavailable', `method ${input.method} is not available for this checkout`);
    }
    const fields = validateFields(method, input.fields);
    const buyerCode = input.buyerCode?.replace(/\s/g, '') || null;
    if (buyerCode && !method.buyerCode) {
      throw new DomainError('method_unavailable', `method ${input.method} does not take buyer codes`);
    }
    // The same choice (fields and buyer code included) while its attempt still runs is the same tap.
    const fieldsHash = sha256Hex(JSON.stringify([input.method, Object.entries(fields).sort(), buyerCode]));

    const provider = providers.get(providerId)!;
    const now = clock.now();
    const id = newAttemptId();
    const attempt: AttemptRecord = {
      id,
      sessionId: session.id,
      method: input.method,
      provider: providerId,
      providerOrderId: id,
      providerPaymentId: null,
      status: 'pending',
      action: null,
      amount: session.amount,
      currency: session.currency,
      fieldsHash,
      failureCode: null,
      failureMessage: null,
      doublePayment: false,
      expiresAt: session.expiresAt,
      // Stored before the provider is called: if this process dies mid-call, the reconciler still
      // finds the order and settles it.
      nextCheckAt: new Date(now.getTime() + UNANSWERED_CHECK_MS).toISOString(),
      checkCount: 0,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
    };
    // The same tap is recognised inside the session writer's transaction, which commits only against
    // the session version it read: of two instances racing with one tap, the second is made to read
    // again, finds the first one's attempt and reuses it. The database decides, not process memory.
    let same: AttemptRecord | null = null;
    await writer.change(session.id, (fresh, attempts) => {
      sessions.assertAcceptsAttempts(fresh);
      same = sameTap(attempts, fieldsHash, buyerCode !== null, clock);
      if (same) return null;
      const live = attempts.filter((earlier) => isLive(earlier, clock));
      if (live.length >= MAX_LIVE_ATTEMPTS) {
        // Each started payment stays payable at its provider; a few at once is plenty for a
        // shopper choosing, and more would only invite paying twice.
        throw new DomainError(
          'unprocessable',
          `this checkout already has ${live.length} payments started; finish one of them, or wait until one expires`,
        );
      }
      return { newAttempt: attempt };
    });
    if (same) return this.#settledTap(same);

    let result;
    try {
      result = await provider.createPayment({
        orderId: attempt.providerOrderId,
        method: input.method,
        money: moneyOf(session),
        description: session.description,
        customer: { ...session.customer, ...customerFields(fields) },
        fields,
        notifyUrl: `${config.publicUrl}/v1/notify/${providerId}`,
        // Without a merchant return URL the shopper comes back to the hosted page, by a URL that does
        // not carry the client secret: the provider must never hold it.
        returnUrl: session.returnUrl ?? `${config.publicUrl}/pay/${session.id}`,
        expiresAt: new Date(session.expiresAt),
        client: input.client ?? null,
        buyerCode,
      });
    } catch (error) {
      const code: FailureCode =
        error instanceof ProviderError && error.retryable ? 'provider_unavailable' : 'provider_rejected';
      await writer.change(session.id, () => ({
        attempt: {
          id: attempt.id,
          patch: { status: 'failed', nextCheckAt: null, updatedAt: nowIso(clock), ...failureFields(code) },
        },
      }));
      throw asDomainError(error);
    }

    const action =
      result.action.type === 'qr'
        ? {
            type: 'qr' as const,
            content: result.action.content,
            modules: encodeQr(result.action.content),
            expiresAt: minIso(result.action.expiresAt?.toISOString() ?? session.expiresAt, session.expiresAt),
            deepLink: result.action.deepLink,
          }
        : result.action;
    const expiresAt =
      action.type === 'qr'
        ? action.expiresAt
        : result.expiresAt
          ? minIso(result.expiresAt.toISOString(), session.expiresAt)
          : session.expiresAt;
    // With nothing for the shopper to do (a buyer code charged at a till), the attempt just waits.
    const waiting: AttemptStatus = action.type === 'none' ? 'pending' : 'requires_action';
    let closedMeanwhile = false;
    await writer.change(session.id, (fresh) => {
      // The session may have been paid or expired while the provider answered: the order is kept
      // (and watched by the reconciler), but the session is not reopened for it.
      closedMeanwhile = !canTransition(fresh.status, 'pending');
      const now = nowIso(clock);
      return {
        ...(closedMeanwhile ? {} : { session: { status: 'pending' as const, updatedAt: now } }),
        attempt: {
          id: attempt.id,
          patch: {
            status: waiting,
            action,
            providerPaymentId: result.providerPaymentId,
            expiresAt,
            nextCheckAt: firstCheckAt(clock, provider),
            updatedAt: now,
          },
        },
        event: {
          status: closedMeanwhile ? fresh.status : 'pending',
          attempt: { id: attempt.id, status: waiting, failure: null },
          at: now,
        },
      };
    });
    if (closedMeanwhile) sessions.assertAcceptsAttempts((await store.getSession(session.id))!);
    // What the provider already knows: a refusal ends the attempt; a success counts only once the
    // provider's own status query confirms it (with the amount).
    if (result.state === 'failed') {
      await checks.apply(attempt.id, { state: 'failed', money: null, providerPaymentId: null }, 'declined');
    } else if (result.state === 'succeeded') {
      const stored = await store.getAttempt(attempt.id);
      if (stored)
        await checks
          .reconcile(stored)
          .catch((error: unknown) => this.deps.log.warn('confirming a charge failed', { attempt: attempt.id, error }));
    }
    return (await store.getAttempt(attempt.id))!;
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number | null): Promise<T> {
  if (ms === null) return promise;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

function minIso(a: string, b: string): string {
  return new Date(a).getTime() <= new Date(b).getTime() ? a : b;
}
