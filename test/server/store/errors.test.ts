/**
 * Each database failure an operator can fix reads as one line naming the cause and the fix, never
 * with the database URL's password. The full disk is a real SQLITE_FULL from SQLite (a database
 * capped at its current size), the rest are the codes the drivers and the OS give.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import {
  explainStoreError,
  storeFailure,
  StoreUnavailableError,
  type StoreLocation,
} from '../../../server/store/errors.ts';

const SQLITE: StoreLocation = { engine: 'sqlite', path: '/var/lib/tender/tender.db' };
const POSTGRES: StoreLocation = { engine: 'postgres', url: 'postgres://shop:s3cret-pw@db.internal:6543/tender' };

const coded = (code: string, message = 'failed') => Object.assign(new Error(message), { code });

function assertOneLine(line: string | null, ...mentions: RegExp[]): void {
  assert.ok(line, 'expected an explanation');
  assert.doesNotMatch(line, /\n/);
  assert.doesNotMatch(line, /s3cret-pw/);
  for (const mention of mentions) assert.match(line, mention);
}

describe('explainStoreError: SQLite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tender-errors-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('names a full disk, from a real SQLITE_FULL', () => {
    const db = new Database(join(dir, 'capped.db'));
    db.exec('CREATE TABLE t (x TEXT)');
    const pages = db.pragma('page_count', { simple: true }) as number;
    db.pragma(`max_page_count = ${pages}`);
    let full: unknown;
    try {
      db.prepare('INSERT INTO t VALUES (?)').run('x'.repeat(100_000));
    } catch (error) {
      full = error;
    } finally {
      db.close();
    }
    assert.equal((full as { code?: string }).code, 'SQLITE_FULL');
    assertOneLine(explainStoreError(full, SQLITE), /disk holding \/var\/lib\/tender\/tender\.db is full/, /free space/);
    assertOneLine(explainStoreError(coded('ENOSPC'), SQLITE), /is full/);
  });

  it('names a read-only file, an unusable directory and a path through a file', () => {
    assertOneLine(explainStoreError(coded('SQLITE_READONLY'), SQLITE), /is read-only/, /\/var\/lib\/tender/);
    assertOneLine(explainStoreError(coded('SQLITE_READONLY_DIRECTORY'), SQLITE), /is read-only/);
    assertOneLine(explainStoreError(coded('EROFS'), SQLITE), /is read-only/);
    for (const code of ['SQLITE_CANTOPEN', 'EACCES', 'EPERM']) {
      assertOneLine(explainStoreError(coded(code), SQLITE), /cannot be opened or created/, /may write to it/);
    }
    assertOneLine(explainStoreError(coded('ENOTDIR'), SQLITE), /part of that path is a file/);
    assertOneLine(explainStoreError(coded('SQLITE_NOTADB'), SQLITE), /not a readable SQLite database/);
  });
});

describe('explainStoreError: PostgreSQL', () => {
  it('names an unreachable or refusing server with its host and port, never the password', () => {
    assertOneLine(explainStoreError(coded('ECONNREFUSED'), POSTGRES), /db\.internal:6543 refused/, /start the server/);
    assertOneLine(explainStoreError(coded('ENOTFOUND'), POSTGRES), /cannot be resolved/);
    assertOneLine(explainStoreError(coded('ETIMEDOUT'), POSTGRES), /cannot be reached/);
    assertOneLine(
      explainStoreError(new Error('timeout exceeded when trying to connect'), POSTGRES),
      /did not answer in time/,
    );
    assertOneLine(explainStoreError(coded('28P01'), POSTGRES), /refused user "shop"/);
    assertOneLine(explainStoreError(coded('3D000'), POSTGRES), /database "tender" does not exist/, /createdb tender/);
    assertOneLine(explainStoreError(coded('53100'), POSTGRES), /disk .* is full/);
  });

  it('leaves an unknown failure unexplained, and storeFailure still makes it one line', () => {
    assert.equal(explainStoreError(coded('XX000', 'internal'), POSTGRES), null);
    const failure = storeFailure(new Error('first line\nsecond line'), POSTGRES);
    assert.ok(failure instanceof StoreUnavailableError);
    assert.equal(failure.message, 'PostgreSQL at db.internal:6543: first line');
  });
});
