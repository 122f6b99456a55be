/**
 * The sandbox page a shopper meets: buttons named exactly Pay and Decline, and colours that meet
 * WCAG 2.1 AA contrast (measured with the WCAG relative-luminance formula).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PAGE_COLOURS, PAGE_CONTRAST_PAIRS, renderSandboxPage } from '../../../../server/sandbox/kit/index.ts';

function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

function contrast(a: string, b: string): number {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (light! + 0.05) / (dark! + 0.05);
}

const INPUT = {
  title: 'WeChat Pay (sandbox wallet)',
  merchant: 'Maple <Tea> House',
  amount: '12.34',
  currency: 'CAD',
  payAction: 'tok/pay',
  declineAction: 'tok/decline',
  details: [['Order', 'A-1']] as Array<[string, string]>,
};

describe('sandbox page', () => {
  it('meets WCAG AA contrast for every colour pair it uses', () => {
    for (const [foreground, background, minimum] of PAGE_CONTRAST_PAIRS) {
      const ratio = contrast(PAGE_COLOURS[foreground], PAGE_COLOURS[background]);
      assert.ok(ratio >= minimum, `${foreground} on ${background}: ${ratio.toFixed(2)} < ${minimum}`);
    }
  });

  it('uses only the measured colours', async () => {
    const page = String(await renderSandboxPage(INPUT));
    const css = /<style>([\s\S]*)<\/style>/.exec(page)![1]!;
    const used = new Set(css.match(/#[0-9a-f]{6}\b/gi)!.map((hex) => hex.toLowerCase()));
    const measured = new Set<string>(Object.values(PAGE_COLOURS));
    for (const colour of used) assert.ok(measured.has(colour), `${colour} is not in PAGE_COLOURS`);
    for (const [foreground, background] of PAGE_CONTRAST_PAIRS) {
      assert.ok(used.has(PAGE_COLOURS[foreground]) && used.has(PAGE_COLOURS[background]));
    }
  });

  it('has buttons named exactly Pay and Decline, and escapes what it shows', async () => {
    const page = String(await renderSandboxPage(INPUT));
    assert.match(page, /<form method="post" action="tok\/pay"><button type="submit" class="pay">Pay<\/button><\/form>/);
    assert.match(page, /<button type="submit" class="decline">Decline<\/button>/);
    assert.ok(page.includes('Maple &lt;Tea&gt; House'));
    const settled = String(await renderSandboxPage({ ...INPUT, outcome: { text: 'Paid.', continueUrl: null } }));
    assert.doesNotMatch(settled, /<button/);
    assert.match(settled, /role="status">Paid\./);
  });
});
