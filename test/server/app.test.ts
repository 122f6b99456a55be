/**
 * Liveness and readiness. `/healthz` says the process answers; `/readyz` says the instance can write
 * to its database now, and fails with a 503 (the cause in the log, as one line) when the SQLite file
 * was deleted or replaced under it or a write fails.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, renameSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { parseConfig } from '../../server/config.ts';
import { createLogger } from '../../server/domain/log.ts';
import { createRuntime, type Runtime } from '../../server/runtime.ts';

describe('/healthz and /readyz', () => {
  let dir: string;
  let dbPath: string;
  let runtime: Runtime;
  let logged: Array<{ level: string; message: string; error?: { message: string } }>;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tender-ready-'));
    dbPath = join(dir, 'tender.db');
    logged = [];
    const config = parseConfig({
      publicUrl: 'http://127.0.0.1:1',
      database: `sqlite:${dbPath}`,
      sandbox: false,
      merchant: { name: 'Test Shop', secretKey: 'sk_test_ready', allowedOrigins: ['https://shop.example'] },
      providers: {},
    });
    runtime = await createRuntime(config, { log: createLogger((line) => logged.push(JSON.parse(line))) });
  });
  afterEach(async () => {
    await runtime.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function ready(): Promise<{ status: number; body: { status?: string; error?: { code: string } } }> {
    const response = await runtime.app.request('/readyz');
    return { status: response.status, body: await response.json() };
  }

  it('is ready on a working database', async () => {
    assert.deepEqual(await ready(), { status: 200, body: { status: 'ready' } });
    assert.deepEqual(await (await runtime.app.request('/healthz')).json(), { status: 'ok' });
  });

  it('is not ready once the database file is deleted, while still alive', async () => {
    unlinkSync(dbPath);
    const { status, body } = await ready();
    assert.equal(status, 503);
    assert.equal(body.error?.code, 'not_ready');
    assert.match(String(logged.at(-1)?.error?.message), /tender\.db was deleted or moved while Tender was running/);
    assert.doesNotMatch(String(logged.at(-1)?.error?.message), /\n/);
    assert.equal((await runtime.app.request('/healthz')).status, 200);
  });

  it('is not ready once the database file is replaced by another', async () => {
    copyFileSync(dbPath, join(dir, 'copy.db'));
    renameSync(join(dir, 'copy.db'), dbPath);
    assert.equal((await ready()).status, 503);
    assert.match(String(logged.at(-1)?.error?.message), /was replaced while Tender was running/);
  });

  it('is not ready when a write to the database fails', async () => {
    const other = new Database(dbPath);
    other.exec('DROP TABLE health');
    other.close();
    assert.equal((await ready()).status, 503);
    assert.match(String(logged.at(-1)?.error?.message), /^the database .*tender\.db: no such table: health$/);
  });
});
