/**
 * Database failures a person can act on. Opening, migrating or checking a store can fail because of
 * the machine (a read-only file, a missing or unwritable directory, a full disk) or the network (a
 * PostgreSQL server that cannot be reached or refuses us). Each becomes one line that names the cause
 * and the fix, without a stack and without the database URL's password.
 */
import { dirname } from 'node:path';

/** The store cannot be opened or written; `message` is the one line to show the operator. */
export class StoreUnavailableError extends Error {
  override name = 'StoreUnavailableError';
}

/** Where the store lives, as far as a message may say. */
export type StoreLocation = { engine: 'sqlite'; path: string } | { engine: 'postgres'; url: string };

/**
 * The failure as a `StoreUnavailableError` with one line naming the cause and the fix. An error this
 * module does not recognise keeps its own first line, so it still reads as one line.
 */
export function storeFailure(error: unknown, where: StoreLocation): StoreUnavailableError {
  if (error instanceof StoreUnavailableError) return error;
  const line = explainStoreError(error, where) ?? `${describe(where)}: ${firstLine(error)}`;
  return new StoreUnavailableError(line, { cause: error });
}

/** One line for a failure this module recognises; null for anything else. */
export function explainStoreError(error: unknown, where: StoreLocation): string | null {
  const code = stringField(error, 'code');
  const message = stringField(error, 'message');
  return where.engine === 'sqlite' ? explainSqlite(code, where.path) : explainPostgres(code, message, where.url);
}

/** The error's `code` or `message` when it is a string (Node, SQLite and pg errors all use strings); '' otherwise. */
function stringField(error: unknown, key: 'code' | 'message'): string {
  const value = typeof error === 'object' && error !== null ? (error as Record<string, unknown>)[key] : undefined;
  return typeof value === 'string' ? value : '';
}

function explainSqlite(code: string, path: string): string | null {
  const dir = dirname(path);
  if (code.startsWith('SQLITE_READONLY') || code === 'EROFS') {
    return (
      `the database file ${path} is read-only: let the user running Tender write to it and to ${dir} ` +
      '(SQLite keeps its -wal and -shm files there), or set "database" (TENDER_DATABASE) to a writable path'
    );
  }
  if (code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'SQLITE_IOERR_WRITE_NOSPC') {
    return `the disk holding ${path} is full: free space on it, or move the database to a disk with room, then start Tender again`;
  }
  if (code === 'ENOTDIR' || code === 'EEXIST') {
    return `the database directory ${dir} cannot be created because part of that path is a file: set "database" (TENDER_DATABASE) to a path under a directory`;
  }
  if (code === 'EACCES' || code === 'EPERM' || code === 'ENOENT' || code.startsWith('SQLITE_CANTOPEN')) {
    return (
      `the database file ${path} cannot be opened or created: make sure ${dir} exists and that the user ` +
      'running Tender may write to it, or set "database" (TENDER_DATABASE) to a path that user can write'
    );
  }
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) {
    return `${path} is not a readable SQLite database: restore it from a backup, or set "database" (TENDER_DATABASE) to a new path`;
  }
  if (code.startsWith('SQLITE_IOERR')) {
    return `the database file ${path} cannot be read or written (${code}): check the disk and its file system`;
  }
  return null;
}

function explainPostgres(code: string, message: string, url: string): string | null {
  const { server, database, user } = parts(url);
  switch (code) {
    case 'ECONNREFUSED':
      return `PostgreSQL at ${server} refused the connection: start the server, or correct the host and port in "database" (TENDER_DATABASE)`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `the PostgreSQL host in "database" (TENDER_DATABASE) (${server}) cannot be resolved: correct the host name`;
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `PostgreSQL at ${server} cannot be reached (${code}): check the network, firewall and host in "database" (TENDER_DATABASE)`;
    case 'ECONNRESET':
      return `PostgreSQL at ${server} closed the connection: check that it accepts connections from this host (pg_hba.conf, TLS)`;
    case '28P01':
    case '28000':
      return `PostgreSQL at ${server} refused user "${user}": correct the user name and password in "database" (TENDER_DATABASE)`;
    case '3D000':
      return `the database "${database}" does not exist at ${server}: create it (createdb ${database}) or correct "database" (TENDER_DATABASE)`;
    case '42501':
      return `user "${user}" may not create or change Tender's tables in "${database}": grant it the rights, or use the owner`;
    case '53100':
      return `the disk of PostgreSQL at ${server} is full: free space on the database server`;
    case '25006':
      return `PostgreSQL at ${server} is read-only (a standby?): point "database" (TENDER_DATABASE) at the primary server`;
    case '57P03':
      return `PostgreSQL at ${server} is starting up or shutting down: start Tender again once it accepts connections`;
  }
  if (/timeout/i.test(message) && /connect/i.test(message)) {
    return `PostgreSQL at ${server} did not answer in time: check that it runs and that the network lets this host reach it`;
  }
  return null;
}

/** Host, port, database and user of a PostgreSQL URL; never the password. */
function parts(url: string): { server: string; database: string; user: string } {
  try {
    const parsed = new URL(url);
    return {
      server: `${parsed.hostname || 'localhost'}:${parsed.port || '5432'}`,
      database: decodeURIComponent(parsed.pathname.slice(1)) || '(default)',
      user: decodeURIComponent(parsed.username) || '(default)',
    };
  } catch {
    return { server: '(unreadable URL)', database: '(unknown)', user: '(unknown)' };
  }
}

function describe(where: StoreLocation): string {
  return where.engine === 'sqlite' ? `the database ${where.path}` : `PostgreSQL at ${parts(where.url).server}`;
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0]!.trim() || 'failed';
}
