/**
 * The Mocha globals the widget tests use (web-test-runner runs them under Mocha in the browser).
 * @types/mocha is not installed and these four are all the tests need.
 */
/** A test, whose time limit can be raised (`it(…).timeout(ms)`). */
interface MochaTest {
  timeout(ms: number): MochaTest;
}
declare function describe(title: string, body: () => void): void;
declare function it(title: string, body: () => void | Promise<void>): MochaTest;
declare function beforeEach(body: () => void | Promise<void>): void;
declare function afterEach(body: () => void | Promise<void>): void;
