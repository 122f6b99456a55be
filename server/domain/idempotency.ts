/**
 * The one `Idempotency-Key` path, for every create a merchant may retry: sessions, refunds, payouts.
 *
 * 1. A fresh key is claimed in the store before any work, and the claim names the id of the thing
 *    to be made (`{ "id": … }`). The store takes a (scope, key) once, so requests racing with one
 *    key, in this process or in several instances, agree on one id. Where the thing can be written
 *    with its claim in one transaction (`claimAndMake`: sessions), claim and thing are one write.
 * 2. The work runs under that id. A retry (after a timeout, a crash, a 5xx) finds the thing by its
 *    id and answers it as it stands now (`replayed`). If the first request stopped between its claim
 *    and storing the thing, the retry makes it under the same id; the store takes each id once, so
 *    two makers never both succeed, and the loser answers what the winner made.
 * 3. The same key with another request (another `requestHash`) is refused: `idempotency_mismatch`.
 * 4. Work refused before it made anything releases the claim: the key did nothing and stays free.
 *
 * Requests with one key also take turns in this process, so a second simply finds the first one's
 * result. Checks that refuse a request on its face (`check`) run before the claim, so a retry with a
 * corrected body and the same key is not a mismatch; a replay skips them.
 *
 * Not this path: a shopper who picks the same method twice gets the attempt still waiting for them
 * (`attempts.ts`). That carries no key: it follows the attempt's state, and a new attempt once the
 * old code expired is wanted. `serial.ts` is only the in-process turn-taking both use.
 */
import type { IdempotencyRecord, Store } from '../store/store.ts';
import { nowIso, type Clock } from './clock.ts';
import { DomainError } from './errors.ts';
import { KeyedSerial } from './serial.ts';

/** The merchant's key, with what identifies its request (the same request always hashes the same). */
export interface IdempotencyRequest {
  key: string;
  requestHash: string;
}

export interface IdempotentCreate<T> {
  /** Keys are scoped, so one key can be used for different operations without clashing. */
  scope: string;
  /** Without a key the work simply runs, under a fresh id. */
  request: IdempotencyRequest | undefined;
  newId(): string;
  /** Refuses a request on its face (throws); runs before a key is claimed, never on a replay. */
  check?(): Promise<void>;
  /** The thing made under `id`, or null when there is none (yet). */
  find(id: string): Promise<T | null>;
  /** Makes the thing under `id`. The store must take an id once: a second make with it fails. */
  make(id: string): Promise<T>;
  /**
   * Claims the key and makes the thing in one transaction, where the store can: one durable write
   * instead of two. Answers the thing made, or the record that holds the key already (nothing is
   * written then, and the request goes on as a retry of that one). Without it: claim, then `make`.
   */
  claimAndMake?(id: string, claim: IdempotencyRecord): Promise<{ made: T } | { earlier: IdempotencyRecord }>;
}

export interface Idempotent<T> {
  value: T;
  /** True when the answer is what an earlier request with the same key made. */
  replayed: boolean;
}

export class Idempotency {
  readonly #turns = new KeyedSerial();

  constructor(private readonly deps: { store: Store; clock: Clock }) {}

  async run<T>(create: IdempotentCreate<T>): Promise<Idempotent<T>> {
    const { request } = create;
    if (!request) {
      await create.check?.();
      return { value: await create.make(create.newId()), replayed: false };
    }
    return this.#turns.run(`${create.scope}\u0000${request.key}`, () => this.#run(create, request));
  }

  async #run<T>(create: IdempotentCreate<T>, request: IdempotencyRequest): Promise<Idempotent<T>> {
    const { store, clock } = this.deps;
    // Where claim and thing are one write, a fresh key (the usual case) needs no read first: the
    // write itself says whether the key was taken. A check that refuses the request applies only
    // to a fresh key, so on a refusal the key is looked up: a retry still gets its answer.
    let record: IdempotencyRecord | null = null;
    if (create.claimAndMake) {
      try {
        await create.check?.();
      } catch (refusal) {
        record = await store.getIdempotency(create.scope, request.key);
        if (!record) throw refusal;
      }
    } else {
      record = await store.getIdempotency(create.scope, request.key);
      if (!record) await create.check?.();
    }
    let claimed = false;
    if (!record) {
      const freshId = create.newId();
      const claim: IdempotencyRecord = {
        scope: create.scope,
        key: request.key,
        requestHash: request.requestHash,
        // A claim stores no answer, only the id it names: the answer is the thing as it stands.
        status: 0,
        body: JSON.stringify({ id: freshId }),
        createdAt: nowIso(clock),
      };
      if (create.claimAndMake) {
        const outcome = await create.claimAndMake(freshId, claim);
        if ('made' in outcome) return { value: outcome.made, replayed: false };
        record = outcome.earlier;
      } else {
        claimed = await store.putIdempotency(claim);
        record = claimed ? claim : await store.getIdempotency(create.scope, request.key);
        if (!record) throw new Error(`idempotency key ${create.scope}/${request.key} is taken but cannot be read`);
      }
    }
    if (record.requestHash !== request.requestHash) {
      throw new DomainError('idempotency_mismatch', 'this Idempotency-Key was used with a different request body');
    }
    const id = claimedId(record);
    if (!claimed) {
      const earlier = await create.find(id);
      if (earlier) return { value: earlier, replayed: true };
    }
    try {
      return { value: await create.make(id), replayed: !claimed };
    } catch (error) {
      const made = await create.find(id);
      // Another instance holding the same claim made the thing first: its result is the answer.
      if (made && !claimed) return { value: made, replayed: true };
      // Refused before anything was made (a refund of an unpaid session, say): the key did nothing,
      // so this request's claim goes and the key stays free. Something made keeps its claim.
      if (!made && claimed) await store.releaseIdempotency(record);
      throw error;
    }
  }
}

/**
 * The id a record names. Records written before this path was the only one name it `refundId`
 * (refunds), `payout` (payouts) or carry a whole session as the answer (`id`).
 */
function claimedId(record: IdempotencyRecord): string {
  const body = JSON.parse(record.body) as { id?: unknown; refundId?: unknown; payout?: unknown };
  const id = [body.id, body.refundId, body.payout].find((value) => typeof value === 'string');
  if (typeof id !== 'string') throw new Error(`idempotency record ${record.scope}/${record.key} names no id`);
  return id;
}
