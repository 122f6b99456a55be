/**
 * The chaos suite (`npm run chaos`; `.ci/run` runs it after the tests). Real BFF processes
 * (`node --import tsx server/main.ts`) are killed, starved and raced:
 *   - kill -9 at each step of a payment, a refund, a payout and a webhook delivery, then a restart
 *     on the same database: nothing lost or doubled (kill.ts);
 *   - each provider misbehaving (huge, slow, nested, garbage, reset, hanging answers): a quick 502
 *     or 503 in the one error shape, and the BFF stays up (faults.ts);
 *   - two instances on one database, SQLite and PostgreSQL (race.ts).
 * Every step prints what it tried and what held; the run ends with `N passed, N failed` and exits
 * non-zero on any failure. `npm run chaos -- kill faults race` picks sections; CHAOS_BFF_LOG=1 shows
 * the BFFs' own logs.
 */
import { faultSection } from './faults.ts';
import { killSection } from './kill.ts';
import { raceSection } from './race.ts';
import { Report, Simulators, tempDir } from './kit.ts';

const wanted = process.argv.slice(2);
const wants = (section: string) => wanted.length === 0 || wanted.includes(section);

/** The longest the kill section waits at the end: first checks of a record come a minute after it. */
const SETTLE_MS = 100_000;

const started = Date.now();
const temp = tempDir();
const sims = new Simulators();
await sims.start();
const reports: Report[] = [];

try {
  // The kill steps first; while their restarts' background work comes due, the other sections run.
  const kill = wants('kill') ? await killSection({ dir: temp.dir, sims }) : null;
  if (kill) reports.push(kill.report);
  if (wants('faults')) reports.push(await faultSection({ dir: temp.dir }));
  if (wants('race')) reports.push(await raceSection({ dir: temp.dir, sims }));
  await kill?.settle(SETTLE_MS);
} finally {
  await sims.close();
  temp.remove();
}

const passed = reports.reduce((sum, report) => sum + report.passed, 0);
const failed = reports.reduce((sum, report) => sum + report.failed, 0);
const findings = reports.flatMap((report) => report.findings);
console.log(`\nChaos suite finished in ${Math.round((Date.now() - started) / 1000)} s.`);
if (findings.length) {
  console.log('Findings (measured, not failed; see test/chaos/expectations.ts):');
  for (const finding of findings) console.log(`  - ${finding}`);
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
