/**
 * Checkout sessions: made for the merchant, read by everyone, expired when their time is up. The
 * state machine they follow is in `session.ts`; every change after creation goes through the
 * session writer.
 */
import type { MethodId } from '../../widget/wire.ts';
import type { Config } from '../config.ts';
import { providerOfMethod } from '../providers/index.ts';
import type { Customer } from '../providers/provider.ts';
import type { AttemptRecord, SessionRecord, Store } from '../store/store.ts';
import { isPast, nowIso, type Clock } from './clock.ts';
import { DomainError } from './errors.ts';
import { failure, failureFields, attemptFailure } from './failures.ts';
import type { Idempotency, Idempotent, IdempotencyRequest } from './idempotency.ts';
import { newClientSecret, newSessionId } from './ids.ts';
import type { Money } from './money.ts';
import type { SessionWriter } from './session-writer.ts';
import { acceptsAttempts, hasSucceeded, isAttemptLive } from './session.ts';

export interface CreateSessionInput {
  money: Money;
  reference: string;
  description: string | null;
  returnUrl: string | null;
  customer: Customer;
  methods: MethodId[] | null;
  expiresInSeconds: number | null;
}

export interface SessionsDeps {
  config: Config;
  store: Store;
  clock: Clock;
  writer: SessionWriter;
  idempotency: Idempotency;
}

export class Sessions {
  constructor(private readonly deps: SessionsDeps) {}

  /**
   * Makes a session for the merchant. With an `Idempotency-Key` (`idempotency.ts`), a retry answers
   * the session the first request made, as it stands now.
   */
  create(input: CreateSessionInput, request?: IdempotencyRequest): Promise<Idempotent<SessionRecord>> {
    return this.deps.idempotency.run<SessionRecord>({
      scope: 'sessions.create',
      request,
      newId: newSessionId,
      check: async () => this.#assertMethodsEnabled(input.methods ?? []),
      find: (id) => this.deps.store.getSession(id),
      make: async (id) => {
        const session = this.#build(id, input);
        await this.deps.store.createSession(session);
        return session;
      },
      // The session and its key's claim in one transaction: one durable write per create.
      claimAndMake: async (id, claim) => {
        const session = this.#build(id, input);
        const created = await this.deps.store.createSession(session, { idempotency: claim });
        return created.created ? { made: session } : { earlier: created.earlier };
      },
    });
  }

  /** A method whose provider is not configured could never be paid: refuse it now, not at checkout. */
  #assertMethodsEnabled(methods: MethodId[]): void {
    const configured = this.deps.config.providers as Record<string, unknown>;
    for (const method of methods) {
      const provider = providerOfMethod(method);
      if (!provider || configured[provider] === undefined) {
        throw new DomainError(
          'method_unavailable',
          `methods: ${method} is not enabled on this Tender (its provider is not configured)`,
        );
      }
    }
  }

  #build(id: string, input: CreateSessionInput): SessionRecord {
    const now = this.deps.clock.now();
    const ttl = input.expiresInSeconds ?? this.deps.config.checkout.sessionTtlSeconds;
    return {
      id,
      clientSecret: newClientSecret(id),
      amount: input.money.minor,
      currency: input.money.currency,
      reference: input.reference,
      description: input.description,
      returnUrl: input.returnUrl,
      customer: input.customer,
      methods: input.methods,
      status: 'open',
      succeededAttemptId: null,
      expiresAt: new Date(now.getTime() + ttl * 1000).toISOString(),
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
      version: 0,
    };
  }

  /** Reads a session, first expiring it if its time is up (so no reader sees a stale `open`). */
  async load(id: string): Promise<SessionRecord | null> {
    const session = await this.deps.store.getSession(id);
    if (!session) return null;
    if (acceptsAttempts(session.status) && isPast(this.deps.clock, session.expiresAt)) {
      return (await this.expireIfDue(id)) ?? session;
    }
    return session;
  }

  /** `load` with the session's latest attempt, in one read while nothing is due to expire. */
  async loadWithLatestAttempt(id: string): Promise<{ session: SessionRecord; attempt: AttemptRecord | null } | null> {
    const found = await this.deps.store.getSessionWithLatestAttempt(id);
    if (!found || !acceptsAttempts(found.session.status) || !isPast(this.deps.clock, found.session.expiresAt)) {
      return found;
    }
    await this.expireIfDue(id);
    return this.deps.store.getSessionWithLatestAttempt(id);
  }

  /** Expires the session if its time is up and it can still expire. Returns the session after. */
  expireIfDue(sessionId: string): Promise<SessionRecord | null> {
    return this.deps.writer.change(sessionId, (session, attempts) => {
      if (!acceptsAttempts(session.status) || !isPast(this.deps.clock, session.expiresAt)) return null;
      const current = attempts.at(-1) ?? null;
      const now = nowIso(this.deps.clock);
      const live = current && isAttemptLive(current.status);
      return {
        session: { status: 'expired', updatedAt: now },
        // Only the attempt's standing in Tender changes; the reconciler keeps asking the provider
        // through the grace period, so a late payment still counts.
        attempt: live
          ? { id: current.id, patch: { status: 'expired', updatedAt: now, ...failureFields('expired') } }
          : undefined,
        event: {
          status: 'expired',
          attempt: current
            ? {
                id: current.id,
                status: live ? 'expired' : current.status,
                failure: live ? failure('expired') : attemptFailure(current),
              }
            : null,
          at: now,
        },
      };
    });
  }

  /**
   * Cancels a session the shopper has not paid, for the merchant (`POST /v1/sessions/:id/cancel`): it
   * takes no more attempts, its streams hear `canceled`, and the merchant's server gets
   * `session.canceled`. Canceling a canceled session changes nothing and answers it again.
   *
   * Refused (`payment_in_progress`) while an attempt is live: the shopper may be paying it at that
   * moment, and money taken after a cancel is money to send back. Once that attempt settles (fails,
   * or its code expires) the session can be canceled; if it is paid, the session succeeds instead.
   * A confirmed payment always counts: a late one still moves a canceled session to `succeeded`.
   * Returns null when there is no such session.
   */
  async cancel(id: string): Promise<SessionRecord | null> {
    // Expire first, so a session whose time is up reads `expired`, not `canceled`.
    if (!(await this.load(id))) return null;
    return this.deps.writer.change(id, (session, attempts) => {
      if (session.status === 'canceled') return null;
      if (!acceptsAttempts(session.status) || isPast(this.deps.clock, session.expiresAt)) {
        const why = hasSucceeded(session.status) ? 'has been paid' : `is ${session.status}`;
        throw new DomainError('session_closed', `this checkout ${why}; only an open checkout can be canceled`);
      }
      const live = attempts.find((attempt) => isAttemptLive(attempt.status));
      if (live) {
        throw new DomainError(
          'payment_in_progress',
          `attempt ${live.id} is waiting for the shopper's payment; cancel again once it has settled or expired`,
        );
      }
      const current = attempts.at(-1) ?? null;
      const now = nowIso(this.deps.clock);
      return {
        session: { status: 'canceled', updatedAt: now },
        event: {
          status: 'canceled',
          attempt: current ? { id: current.id, status: current.status, failure: attemptFailure(current) } : null,
          at: now,
        },
      };
    });
  }

  /** Throws `session_closed` unless the session still takes payment attempts. */
  assertAcceptsAttempts(session: SessionRecord): void {
    if (acceptsAttempts(session.status) && !isPast(this.deps.clock, session.expiresAt)) return;
    const why = hasSucceeded(session.status) ? 'has been paid' : `is ${session.status}`;
    throw new DomainError('session_closed', `this checkout ${why} and takes no new payment attempts`);
  }

  /** The hosted payment page, with the client secret that opens it. */
  hostedPageUrl(session: SessionRecord): string {
    return `${this.deps.config.publicUrl}/pay/${session.id}?secret=${encodeURIComponent(session.clientSecret)}`;
  }
}
