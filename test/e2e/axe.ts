/**
 * axe-core on a page in the end-to-end browser, against WCAG 2.0, 2.1 and 2.2 at levels A and AA.
 *
 * axe's source goes into every frame of the page through Playwright's evaluate (DevTools), not a
 * script element: the hosted page's CSP allows no inline script, and code run through DevTools is
 * not subject to the page's CSP. axe then checks the page, the open shadow roots in it (the
 * checkout element's) and, through the copies in them, its frames (the card tokenizer, 3-D Secure).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AxeResults, ContextObject, Result, RunOptions } from 'axe-core';
import type { Page } from 'playwright-core';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** WCAG 2.0, 2.1 and 2.2, levels A and AA (2.2 added no level A rule axe tests). */
export const WCAG_AA_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

export interface AxeCheck {
  /** Rules not to run on this page: rule id → why it does not apply here. */
  skipRules?: Record<string, string>;
  /**
   * Parts of the page not to check, each with why: an axe selector, an array of them to go into
   * a shadow root (`{ fromShadowDom: [host, inside] }`) or a frame (`{ fromFrames: [...] }`).
   */
  exclude?: Array<{ target: ContextObject['exclude']; why: string }>;
}

/** What axe finds on `page` as it is now, against `WCAG_AA_TAGS`. */
export async function axeViolations(page: Page, check: AxeCheck = {}): Promise<Result[]> {
  // Every frame gets its own copy: axe in the page asks the copies in the frames for their results.
  for (const frame of page.frames()) {
    if ((await frame.evaluate('typeof window.axe')) === 'undefined') await frame.evaluate(AXE_SOURCE);
  }
  const options: RunOptions = {
    runOnly: { type: 'tag', values: WCAG_AA_TAGS },
    rules: Object.fromEntries(Object.keys(check.skipRules ?? {}).map((id) => [id, { enabled: false }])),
    resultTypes: ['violations'],
  };
  const exclude = (check.exclude ?? []).map((part) => part.target);
  const context = exclude.length > 0 ? { include: 'html', exclude } : 'html';
  // A string, not a function: a compiled function may lean on helpers that are not in the page.
  const results = await page.evaluate<AxeResults>(
    `window.axe.run(${JSON.stringify(context)}, ${JSON.stringify(options)})`,
  );
  return results.violations;
}

/** Fails, listing each rule broken (impact, what it asks, where), when axe finds anything on `page`. */
export async function assertAccessible(page: Page, what: string, check: AxeCheck = {}): Promise<void> {
  const violations = await axeViolations(page, check);
  if (violations.length > 0) assert.fail(`${what}: WCAG 2.2 AA (axe) found\n${describeViolations(violations)}`);
}

/**
 * One paragraph per rule: `id (impact): help`, then each element it found as axe's selector path
 * (`>>>` enters a shadow root, `»` a frame) and what it lacks.
 */
export function describeViolations(violations: readonly Result[]): string {
  return violations
    .map((violation) => {
      const nodes = violation.nodes.map((node) => {
        const where = node.target.map((part) => (Array.isArray(part) ? part.join(' >>> ') : part)).join(' » ');
        const summary = (node.failureSummary ?? '').replace(/\s+/g, ' ').trim();
        return `    - ${where}${summary ? `\n      ${summary}` : ''}`;
      });
      return `  ${violation.id} (${violation.impact ?? 'n/a'}): ${violation.help}\n${nodes.join('\n')}`;
    })
    .join('\n');
}
