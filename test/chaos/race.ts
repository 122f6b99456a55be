/**
 * Two BFF instances on one database: two processes started at once on one new SQLite file, and on
 * one PostgreSQL database when a server is at hand (`TENDER_TEST_POSTGRES`, or a throwaway cluster
 * when `initdb` is installed). A shopper's double tap is split across the two instances; how many
 * provider orders result is recorded (asserted to be one once `ATTEMPT_DEDUPE` is, see
 * expectations.ts). Both instances must answer every tap without a 5xx and stay up.
 */
import { join } from 'node:path';
import pg from 'pg';
import { findPostgresBin, startCluster, type Cluster } from '../server/pg.ts';
import { expectation } from './expectations.ts';
import { BffProcess, isErrorShape, Report, type Simulators } from './kit.ts';

/** Double taps per database. */
const TAPS = 12;

export async function raceSection({ dir, sims }: { dir: string; sims: Simulators }): Promise<Report> {
  const report = new Report('two instances');
  const configPath = sims.writeConfig(dir, { webhooks: false });

  await race(report, sims, 'SQLite', `sqlite:${join(dir, 'race.db')}`, configPath);

  let cluster: Cluster | null = null;
  try {
    let url = process.env.TENDER_TEST_POSTGRES ?? null;
    if (!url) {
      const bin = findPostgresBin();
      if (bin) {
        cluster = await startCluster(bin);
        url = `postgres://postgres@127.0.0.1:${cluster.port}/postgres`;
      }
    }
    if (!url) {
      report.tried('PostgreSQL: skipped (no TENDER_TEST_POSTGRES and no initdb on this machine)');
    } else {
      await race(report, sims, 'PostgreSQL', await newDatabase(url), configPath);
    }
  } catch (error) {
    report.crashed('the PostgreSQL race', error);
  } finally {
    cluster?.stop();
  }
  return report;
}

async function newDatabase(adminUrl: string): Promise<string> {
  const name = `tender_chaos_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function race(report: Report, sims: Simulators, label: string, database: string, configPath: string) {
  report.tried(`${label}: two BFF processes started at once on one new database`);
  const a = new BffProcess({ name: `${label}-a`, database, configPath });
  const b = new BffProcess({ name: `${label}-b`, database, configPath });
  try {
    const started = await Promise.allSettled([a.start(), b.start()]);
    const failures = started.filter((each): each is PromiseRejectedResult => each.status === 'rejected');
    report.check(
      `${label}: both start`,
      failures.length === 0,
      failures.map((each) => String(each.reason).slice(0, 300)).join('; '),
    );
    if (failures.length) return;

    report.tried(`${label}: ${TAPS} double taps, each split across the two instances`);
    let doubled = 0;
    let serverErrors = 0;
    let badShapes = 0;
    let orders = 0;
    for (let tap = 0; tap < TAPS; tap++) {
      const created = await a.merchant('/v1/sessions', {
        method: 'POST',
        body: JSON.stringify({
          amount: '300.00',
          currency: 'THB',
          reference: `race-${label}-${tap}`,
          customer: { email: 'chaos@example.com', phone: '66812345678' },
        }),
      });
      const session = created.body as { id: string; clientSecret: string };
      const view = (await b.browser(`/v1/checkout/${session.id}`, session.clientSecret)).body as {
        methods: Array<{ id: string; fields: Array<{ name: string; options?: Array<{ value: string }> }> }>;
      };
      const bankId = view.methods
        .find((method) => method.id === 'one1pay.thaiqr')
        ?.fields.find((field) => field.name === 'bankId')?.options?.[0]?.value;
      const body = JSON.stringify({
        method: 'one1pay.thaiqr',
        fields: { bankId, holderName: 'Somchai Chaos', accountNumber: '1234567890' },
      });
      const answers = await Promise.all(
        [a, b].map((bff) =>
          bff.browser(`/v1/checkout/${session.id}/attempts`, session.clientSecret, { method: 'POST', body }),
        ),
      );
      for (const answer of answers) {
        if (answer.status >= 500) serverErrors += 1;
        if (answer.status >= 400 && !isErrorShape(answer.body)) badShapes += 1;
      }
      const stored = (await a.merchant(`/v1/sessions/${session.id}`)).body as {
        attempts: Array<{ providerOrderId: string }>;
      };
      const made = stored.attempts.filter(
        (attempt) => sims.accepted('one1pay.order', attempt.providerOrderId).length > 0,
      );
      orders += made.length;
      if (made.length > 1) doubled += 1;
    }
    report.check(`${label}: no tap was answered with a 5xx`, serverErrors === 0, `${serverErrors} 5xx`);
    report.check(`${label}: every refusal is in the one error shape`, badShapes === 0, `${badShapes} other`);
    report.check(`${label}: both instances are still up`, a.alive && b.alive);
    const figure = `${label}: ${doubled} of ${TAPS} double taps split across two instances made two provider orders (${orders} orders in all)`;
    if (expectation('ATTEMPT_DEDUPE') === 'asserted') {
      report.check(`${label}: each double tap made one provider order`, doubled === 0, figure);
    } else {
      report.finding(`${figure} [ATTEMPT_DEDUPE: measured]`);
    }
  } catch (error) {
    report.crashed(`${label} race`, error);
  } finally {
    await Promise.all([a.stop(), b.stop()]);
  }
}
