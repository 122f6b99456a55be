/**
 * PostgreSQL for the tests of the scale-out store and hub.
 *
 * - `TENDER_TEST_POSTGRES` set (CI: see `.ci/run`): that server is used; it must be reachable.
 * - Otherwise, with `initdb` installed: this test process starts a throwaway cluster (as user
 *   `postgres` when running as root; initdb refuses root) in a temp directory, on loopback and a free
 *   port, and stops and removes it when the process's tests end, or when the process exits or is
 *   interrupted.
 * - Otherwise the PostgreSQL tests are skipped, saying why.
 *
 * Every `database()` is a new, empty database with a random name, so test files can run in parallel
 * on one server and each starts from nothing. They are dropped at the end.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import pg from 'pg';
import { freePort } from '../free-port.ts';

export type TestPostgres =
  | {
      skip: false;
      /** A new, empty database's URL. `icuLocale` makes that ICU locale its default collation. */
      database(options?: { icuLocale?: string }): Promise<string>;
    }
  | { skip: string };

let started: Promise<TestPostgres> | null = null;

/** Starts (once per process) or finds the server; registers its cleanup with node:test. */
export function usePostgres(): Promise<TestPostgres> {
  started ??= start();
  return started;
}

async function start(): Promise<TestPostgres> {
  const given = process.env.TENDER_TEST_POSTGRES;
  if (given) return serve(given, null);

  const bin = findPostgresBin();
  if (!bin) {
    return {
      skip:
        'PostgreSQL tests skipped: set TENDER_TEST_POSTGRES=postgres://… or install the PostgreSQL server ' +
        '(initdb, pg_ctl) so the tests can start a throwaway cluster',
    };
  }
  const cluster = await startCluster(bin);
  return serve(`postgres://postgres@127.0.0.1:${cluster.port}/postgres`, cluster);
}

function serve(adminUrl: string, cluster: Cluster | null): TestPostgres {
  const created: string[] = [];
  after(async () => {
    try {
      // A cluster of our own goes away whole; on a shared server, drop what this process made.
      if (!cluster && created.length > 0) {
        await withAdmin(adminUrl, async (admin) => {
          for (const name of created) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        });
      }
    } finally {
      cluster?.stop();
    }
  });
  return {
    skip: false,
    async database(options = {}) {
      const name = `tender_test_${randomBytes(6).toString('hex')}`;
      const locale = options.icuLocale
        ? ` TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE ${pg.escapeLiteral(options.icuLocale)}`
        : '';
      await withAdmin(adminUrl, (admin) => admin.query(`CREATE DATABASE ${name}${locale}`));
      created.push(name);
      const url = new URL(adminUrl);
      url.pathname = `/${name}`;
      return url.toString();
    },
  };
}

async function withAdmin<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export interface Cluster {
  port: number;
  /** Synchronous so it can run from an `exit` handler; safe to call more than once. */
  stop(): void;
}

export function findPostgresBin(): string | null {
  const onPath = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' });
  if (onPath.status === 0 && onPath.stdout.trim()) return join(onPath.stdout.trim(), '..');
  // Debian keeps the server binaries off PATH unless postgresql-common links them.
  const versions = existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql').sort() : [];
  for (const version of versions.reverse()) {
    const bin = join('/usr/lib/postgresql', version, 'bin');
    if (existsSync(join(bin, 'initdb'))) return bin;
  }
  return null;
}

export async function startCluster(bin: string): Promise<Cluster> {
  const dir = mkdtempSync(join(tmpdir(), 'tender-pg-'));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const uid = Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout);
    const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout);
    if (!uid) throw new Error('running as root, but there is no `postgres` user to run a PostgreSQL cluster as');
    chownSync(dir, uid, gid);
  }
  const data = join(dir, 'data');
  const log = join(dir, 'log');
  const run = (args: string[]) => {
    const command = args.map((arg) => `'${arg.replaceAll("'", `'\\''`)}'`).join(' ');
    const result = asRoot
      ? spawnSync('su', ['postgres', '-s', '/bin/sh', '-c', command], { encoding: 'utf8' })
      : spawnSync('sh', ['-c', command], { encoding: 'utf8' });
    return result.status === 0 ? null : `${result.stderr}${result.stdout}`.trim();
  };

  let running = false;
  const stop = () => {
    if (running) run([join(bin, 'pg_ctl'), '-D', data, '-m', 'immediate', '-w', 'stop']);
    running = false;
    rmSync(dir, { recursive: true, force: true });
    process.off('exit', stop);
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
  };
  // A test that fails or a run that is interrupted must not leave a postmaster behind.
  const interrupted = (signal: NodeJS.Signals) => {
    stop();
    process.kill(process.pid, signal);
  };
  process.on('exit', stop);
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);

  try {
    const failed = run([join(bin, 'initdb'), '-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync']);
    if (failed) throw new Error(`initdb failed: ${failed}`);
    // A port found free can be taken before the server binds it; try a few.
    for (let tries = 1; ; tries++) {
      const port = await freePort();
      // Durability is pointless for a cluster deleted in a few seconds; without it tests run faster.
      const options = `-p ${port} -k "${dir}" -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
      const failedStart = run([join(bin, 'pg_ctl'), '-D', data, '-o', options, '-l', log, '-w', 'start']);
      if (!failedStart) {
        running = true;
        return { port, stop };
      }
      if (tries === 3) {
        const tail = existsSync(log) ? readFileSync(log, 'utf8').slice(-2000) : '';
        throw new Error(`PostgreSQL did not start: ${failedStart}\n${tail}`);
      }
    }
  } catch (error) {
    stop();
    throw error;
  }
}
