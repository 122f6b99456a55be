/**
 * What the chaos suite asserts and what it only measures. A measured figure is printed as a finding
 * and does not fail the run; switch an entry to 'asserted' when the behaviour it names is enforced,
 * and the suite then fails whenever the figure is wrong. `CHAOS_EXPECT_<NAME>=asserted` (or
 * `measured`) overrides an entry for one run.
 */
export type Expectation = 'asserted' | 'measured';

const TABLE = {
  /**
   * A double tap split across two BFF instances on one database makes one provider order. Measured
   * while the attempt de-duplication is held in process memory; assert it once the database holds
   * it (a constraint, or a lock across the reuse check and the insert).
   */
  ATTEMPT_DEDUPE: 'asserted',
} satisfies Record<string, Expectation>;

export type ExpectationName = keyof typeof TABLE;

export function expectation(name: ExpectationName): Expectation {
  const override = process.env[`CHAOS_EXPECT_${name}`];
  if (override === 'asserted' || override === 'measured') return override;
  return TABLE[name];
}
