/**
 * Payment attempts: the methods a session can be paid with, and starting a payment with one. An
 * attempt is stored before its provider is asked (so the reconciler finds an order even if this
 * process dies mid-call) and reused while it still waits, so a double click or a reload never makes
 * a second provider order.
 */
import type { MethodId, MethodView } from '../../widget/wire.ts';
import type { Config } from '../config.ts';
import { providerOfMethod, type ProviderRegistry } from '../providers/index.ts';
import { ProviderError, type ProviderId } from '../providers/provider.ts';
import type { AttemptRecord, SessionRecord, Store } from '../store/store.ts';
import { checkAt } from './check-schedule.ts';
import { isPast, nowIso, type Clock } from './clock.ts';
import { asDomainError, DomainError } from './errors.ts';
import { failureFields, type FailureCode } from './failures.ts';
import { customerFields, validateFields } from './fields.ts';
import { newAttemptId, sha256Hex } from './ids.ts';
import type { Logger } from './log.ts';
import { moneyOf } from './money.ts';
import { encodeQr } from './qr.ts';
import { KeyedSerial } from './serial.ts';
import type { SessionWriter } from './session-writer.ts';
import type { Sessions } from './sessions.ts';
import { acceptsAttempts, canTransition } from './session.ts';

export interface CreateAttemptInput {
  method: MethodId;
  fields: Record<string, string>;
}

export interface AttemptsDeps {
  config: Config;
  store: Store;
  providers: ProviderRegistry;
  clock: Clock;
  log: Logger;
  writer: SessionWriter;
  sessions: Sessions;
}

/** How long the checkout view waits for one provider to say which methods it takes. */
const OFFERS_TIMEOUT_MS = 4000;

/** How soon an attempt stored before its provider answered is first checked, if the answer never comes. */
const UNANSWERED_CHECK_MS = 60_000;

export class Attempts {
  /** One attempt creation per session at a time in this process. */
  readonly #creating = new KeyedSerial();

  constructor(private readonly deps: AttemptsDeps) {}

  /** The methods this session can be paid with now: enabled providers, merchant's filter, limits. */
  async methodsFor(session: SessionRecord, { only }: { only?: ProviderId } = {}): Promise<MethodView[]> {
    if (!acceptsAttempts(session.status)) return [];
    const money = moneyOf(session);
    const providers = [...this.deps.providers.values()].filter((provider) => !only || provider.id === only);
    const lists = await Promise.all(
      providers.map(async (provider) => {
        try {
          // The page waits for the slowest provider, so each gets a short deadline of its own
          // (the attempt itself, with one provider, gets the full provider timeout).
          const offers = await withTimeout(
            provider.offers({ money, customer: session.customer }),
            only ? null : OFFERS_TIMEOUT_MS,
          );
          return offers.map((offer): MethodView => ({
            id: offer.method,
            provider: provider.id,
            kind: offer.kind,
            label: offer.label,
            fields: offer.fields,
          }));
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
    // Creations for one session take turns in this process, so a double tap that races past the
    // widget still finds the first attempt and reuses it instead of making a second order.
    return this.#creating.run(sessionId, () => this.#create(sessionId, input));
  }

  async #create(sessionId: string, input: CreateAttemptInput): Promise<AttemptRecord> {
    const { config, store, providers, clock, writer, sessions } = this.deps;
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
    const fieldsHash = sha256Hex(JSON.stringify([input.method, Object.entries(fields).sort()]));

    const current = (await store.listAttempts(session.id)).at(-1);
    if (
      current &&
      current.method === input.method &&
      current.fieldsHash === fieldsHash &&
      current.status === 'requires_action' &&
      current.action &&
      !(current.expiresAt && isPast(clock, current.expiresAt))
    ) {
      return current;
    }

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
    await writer.change(session.id, (fresh) => {
      sessions.assertAcceptsAttempts(fresh);
      return { newAttempt: attempt };
    });

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
    const expiresAt = action.type === 'qr' ? action.expiresAt : session.expiresAt;
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
            status: 'requires_action',
            action,
            providerPaymentId: result.providerPaymentId,
            expiresAt,
            nextCheckAt: checkAt(clock, 0),
            updatedAt: now,
          },
        },
        event: {
          status: closedMeanwhile ? fresh.status : 'pending',
          attempt: { id: attempt.id, status: 'requires_action', failure: null },
          at: now,
        },
      };
    });
    if (closedMeanwhile) sessions.assertAcceptsAttempts((await store.getSession(session.id))!);
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
