/**
 * Start-up on a database it cannot use stops with exit code 1 and one line on stderr that names the
 * cause and the fix: no stack, no password. Each case starts the real entry (`server/main.ts`) as its
 * own process. File permissions mean nothing to root, so when the tests run as root the permission
 * cases run that process as an unprivileged user (uid 65534, "nobody").
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { openStore } from '../../server/store/index.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const AS_ROOT = process.getuid?.() === 0;
const NOBODY = 65534;

/** Runs the BFF entry with `database` and returns its exit code and stderr (killed after 30 s). */
function start(database: string, { unprivileged = false } = {}): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, TENDER_DATABASE: database, PORT: '0', TENDER_LOG: 'silent' },
      ...(unprivileged && AS_ROOT ? { uid: NOBODY, gid: NOBODY } : {}),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

function assertOneLine(result: { code: number | null; stderr: string }, cause: RegExp): void {
  assert.equal(result.code, 1, result.stderr);
  const lines = result.stderr.split('\n').filter(Boolean);
  assert.equal(lines.length, 1, result.stderr);
  assert.match(lines[0]!, /^Tender cannot start: /);
  assert.match(lines[0]!, cause);
}

describe('start-up on a database it cannot use', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tender-start-'));
    chmodSync(dir, 0o755); // reachable by the unprivileged user
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('names a read-only database file', async () => {
    const open = join(dir, 'open');
    mkdirSync(open, { mode: 0o777 });
    chmodSync(open, 0o777);
    const path = join(open, 'tender.db');
    await (await openStore(`sqlite:${path}`)).close();
    chmodSync(path, 0o444);
    assertOneLine(await start(`sqlite:${path}`, { unprivileged: true }), /tender\.db is read-only: let the user/);
  });

  it('names a directory that cannot be written, or created', async () => {
    const locked = join(dir, 'locked');
    mkdirSync(locked, { mode: 0o555 });
    chmodSync(locked, 0o555);
    assertOneLine(
      await start(`sqlite:${join(locked, 'tender.db')}`, { unprivileged: true }),
      /cannot be opened or created: make sure .*locked exists/,
    );
    assertOneLine(
      await start(`sqlite:${join(locked, 'missing', 'tender.db')}`, { unprivileged: true }),
      /cannot be opened or created/,
    );
  });

  it('names a path that runs through a file', async () => {
    const file = join(dir, 'plain-file');
    writeFileSync(file, 'not a directory');
    assertOneLine(await start(`sqlite:${join(file, 'tender.db')}`), /part of that path is a file/);
  });

  it('names an unreachable PostgreSQL server, without the password', async () => {
    // A port that was free a moment ago: nothing listens there.
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as { port: number };
        probe.close(() => resolve(free));
      });
    });
    const result = await start(`postgres://tender:pw-never-shown@127.0.0.1:${port}/tender`);
    assertOneLine(result, new RegExp(`PostgreSQL at 127\\.0\\.0\\.1:${port} refused the connection: start the server`));
    assert.doesNotMatch(result.stderr, /pw-never-shown/);
  });
});
