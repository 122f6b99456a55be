/**
 * What the two engines differ in, and nothing else. The store's mechanisms (`commit`, leases, the
 * session writer) are written once in `sql-store.ts` against this; `sqlite.ts` and `postgres.ts`
 * supply an `Engine`: a connection, its migrations and these few differences.
 *
 * SQL is written with `?` placeholders; PostgreSQL's engine numbers them (`$1, $2, …`) once per SQL
 * text. No SQL text in the store has a `?` anywhere else (no string literal, no JSON operator).
 *
 * A unit of work that needs several statements is a `Program`: a generator that yields statements
 * and receives their results. SQLite runs it synchronously, in a savepoint of the group commit's
 * IMMEDIATE transaction (so no other caller's statement can slip in between); PostgreSQL runs it on
 * one pooled connection between BEGIN and COMMIT. Either way the program's code is the same.
 */

import type { StoreLocation } from './errors.ts';

export type SqlValue = string | number | boolean | null;

/** One statement and how its result is read: the rows it returns, or how many rows it changed. */
export interface Statement {
  sql: string;
  params: readonly SqlValue[];
  read: 'rows' | 'count';
}

/** A unit of work written once for both engines; see the file's header. */
export type Program<T> = Generator<Statement, T, unknown>;

/** Yields a statement whose rows the program reads (a SELECT, or a write with RETURNING). */
export function* rows<R>(sql: string, params: readonly SqlValue[]): Program<R[]> {
  return (yield { sql, params, read: 'rows' }) as R[];
}

/** Yields a statement that returns no rows; gives back how many rows it changed. */
export function* count(sql: string, params: readonly SqlValue[]): Program<number> {
  return (yield { sql, params, read: 'count' }) as number;
}

/** The first row of `rows`, or undefined. */
export function* first<R>(sql: string, params: readonly SqlValue[]): Program<R | undefined> {
  return (yield* rows<R>(sql, params))[0];
}

export interface Dialect {
  /**
   * An expression that orders one table's rows by insertion, to break ties between rows stamped in
   * the same millisecond: SQLite's `rowid`, PostgreSQL's `ordinal` identity column.
   */
  readonly insertionOrder: string;
  /**
   * Appended to the SELECT that picks due rows to lease. PostgreSQL: `FOR UPDATE SKIP LOCKED`, so
   * instances claiming at once neither wait for each other nor take the same row. SQLite: nothing;
   * the lease runs in an IMMEDIATE transaction, which holds the database's one write lock.
   */
  readonly lockDue: string;
  /** SQLite has no boolean type (0/1); PostgreSQL's BOOLEAN takes true/false. */
  bool(value: boolean): SqlValue;
}

export const sqliteDialect: Dialect = {
  insertionOrder: 'rowid',
  lockDue: '',
  bool: (value) => (value ? 1 : 0),
};

export const postgresDialect: Dialect = {
  insertionOrder: 'ordinal',
  lockDue: ' FOR UPDATE SKIP LOCKED',
  bool: (value) => value,
};

/** A connection to one database, as the shared store uses it. */
export interface Engine {
  readonly dialect: Dialect;
  /** Where the database is, for messages (never with a password). */
  readonly location: StoreLocation;
  /**
   * Throws `StoreUnavailableError` when the database is no longer the one opened (SQLite: its file
   * was deleted or replaced while the process ran). Engines that cannot tell leave it out.
   */
  assertSameDatabase?(): void;
  /** Creates missing tables and applies pending migrations (each engine has its own list). */
  migrate(): Promise<void>;
  /** Safe to call more than once. */
  close(): Promise<void>;
  /** Runs one statement on its own. */
  rows<R>(sql: string, params: readonly SqlValue[]): Promise<R[]>;
  count(sql: string, params: readonly SqlValue[]): Promise<number>;
  /** Runs a program in one transaction: all of its writes or none. */
  transaction<T>(program: Program<T>): Promise<T>;
}
