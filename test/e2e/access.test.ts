/**
 * WCAG 2.2 AA (axe) on every page a shopper can meet outside the merchant's own: the hosted
 * checkout page (the method list in light and dark, in Arabic right to left, a method's fields,
 * the card frame, a QR code waiting, paid, the outcome opened without the client secret, the link
 * that is not valid) at desktop size and on a 320 px phone, and each simulator's shopper pages
 * (One1Pay's pay page, OTT Pay's and KessPay's wallet pages, SanSan's 3-D Secure challenge and
 * card tokenizer), before and after the shopper's choice. axe runs inside the pages' own CSP; each
 * test also asserts the pages met no console error and no CSP violation.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import type { AttemptView } from '../../widget/wire.ts';
import { assertAccessible, axeViolations, describeViolations, type AxeCheck } from './axe.ts';
import { type E2E, fillCardPayer, type PageOptions, payWithThaiQr, startE2E } from './harness.ts';

const SIZES: Record<string, PageOptions> = {
  desktop: {},
  '320 px phone': { mobile: true, width: 320 },
};

const CHALLENGE_CARD = '4000 0000 0000 3220';

/** What the demo shop sells, by currency: each currency brings its providers' methods. */
const PRODUCTS = {
  THB: ['450.00', 'THB', 'Thai silk scarf'],
  CAD: ['38.00', 'CAD', 'Maple tea set'],
  USD: ['12.50', 'USD', 'Kampot pepper'],
} as const;

describe('WCAG 2.2 AA (axe) on the hosted and sandbox pages', () => {
  let e2e: E2E;
  before(async () => {
    e2e = await startE2E();
  });
  after(() => e2e?.close());

  /**
   * axe on `page` as it is now, then no console error or CSP violation on it so far (but the one
   * line Chromium logs for a document answered 404, when `notFound` says it was).
   */
  async function check(page: Page, what: string, options?: AxeCheck & { notFound?: boolean }) {
    await assertAccessible(page, what, options);
    const expected = options?.notFound
      ? `${page.url()}: Failed to load resource: the server responded with a status of 404 (Not Found)`
      : null;
    assert.deepEqual(
      e2e.problemsOf(page).filter((problem) => problem !== expected),
      [],
      what,
    );
  }

  async function createSession([amount, currency, description]: readonly [string, string, string]) {
    const reference = `e2e-access-${currency}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
    return e2e.createSession({ amount, currency, reference, description });
  }

  /** Opens a new session's hosted page and waits for its method list. */
  async function openHosted(
    currency: keyof typeof PRODUCTS,
    options: PageOptions = {},
  ): Promise<{ page: Page; checkout: Locator; session: { id: string; url: string } }> {
    const session = await createSession(PRODUCTS[currency]);
    const page = await e2e.newPage(options);
    const response = await page.goto(session.url);
    // No inline script but the page's loader, by its hash.
    assert.match(response?.headers()['content-security-policy'] ?? '', /script-src 'self'( 'sha256-[\w+/]+=*')?;/);
    const checkout = page.locator('tender-checkout');
    await checkout.getByRole('radio').first().waitFor();
    // The element's own list, not the server's drawing of it.
    await checkout.locator('[inert]').waitFor({ state: 'detached' });
    return { page, checkout, session };
  }

  /** Chooses `method`, presses Pay and answers with the attempt the BFF created. */
  async function pay(page: Page, checkout: Locator): Promise<AttemptView> {
    const created = page.waitForResponse(
      (response) => response.url().endsWith('/attempts') && response.request().method() === 'POST',
    );
    await checkout.getByRole('button', { name: /^Pay/ }).click();
    return (await (await created).json()) as AttemptView;
  }

  for (const colorScheme of ['light', 'dark'] as const) {
    for (const [size, options] of Object.entries(SIZES)) {
      it(`hosted page, method list, ${colorScheme}, ${size}`, async () => {
        const { page } = await openHosted('THB', { ...options, colorScheme });
        await check(page, `method list (${colorScheme}, ${size})`);
      });
    }
  }

  for (const [size, options] of Object.entries(SIZES)) {
    it(`hosted page in Arabic, right to left, ${size}`, async () => {
      const { page, checkout } = await openHosted('CAD', { ...options, locale: 'ar' });
      assert.equal(await page.locator('html').getAttribute('lang'), 'ar');
      assert.equal(await page.locator('html').getAttribute('dir'), 'rtl');
      assert.equal(await checkout.locator('[part="base"]').getAttribute('dir'), 'rtl');
      await check(page, `method list in Arabic (${size})`);
    });
  }

  for (const [size, options] of Object.entries(SIZES)) {
    it(`hosted page, a method's fields, then flagged empty, ${size}`, async () => {
      const { page, checkout } = await openHosted('THB', options);
      await checkout.getByRole('radio', { name: 'Thai QR' }).check();
      await checkout.getByLabel('Account number').waitFor();
      await check(page, `Thai QR's fields (${size})`);
      await checkout.getByRole('button', { name: /^Pay/ }).click();
      await checkout.locator('[aria-invalid="true"]').first().waitFor();
      await check(page, `Thai QR's fields flagged (${size})`);
    });
  }

  for (const [size, options] of Object.entries(SIZES)) {
    it(`hosted page with a QR code waiting, then paid on OTT Pay's wallet page, ${size}`, async () => {
      const { page, checkout, session } = await openHosted('CAD', options);
      // Alipay: on a phone, OTT Pay's WeChat Pay sends the shopper to the wallet instead of a code.
      await checkout.getByRole('radio', { name: 'Alipay' }).check();
      const attempt = await pay(page, checkout);
      if (attempt.action?.type !== 'qr') assert.fail(`expected a QR action, got ${JSON.stringify(attempt)}`);
      await checkout.getByRole('img', { name: /QR code/ }).waitFor();
      await checkout.getByText(/Code expires in \d+:\d\d/).waitFor();
      await check(page, `QR code waiting (${size})`);

      // The wallet page the code names, as the shopper's phone shows it, and after paying.
      assert.match(attempt.action.content, /\/sandbox\/ottpay\/wallet\//);
      const phone = await e2e.newPage(SIZES['320 px phone']);
      await phone.goto(attempt.action.content);
      await check(phone, 'OTT Pay wallet page');
      await phone.getByRole('button', { name: 'Pay', exact: true }).click();
      await phone.getByText(/Paid/).waitFor();
      await check(phone, 'OTT Pay wallet page, paid');

      await checkout.getByText('Payment received. Thank you!').waitFor({ timeout: 20_000 });
      await check(page, `hosted page, paid (${size})`);

      // The session's link without its secret, in another browser: the outcome only.
      const outcome = await e2e.newPage(options);
      await outcome.goto(`${e2e.bffUrl}/pay/${session.id}`);
      await outcome.locator('tender-checkout').getByText('Payment received. Thank you!').waitFor();
      await check(outcome, `outcome without the secret, paid (${size})`);
    });
  }

  for (const [size, options] of Object.entries(SIZES)) {
    it(`hosted page without the secret, not paid yet, ${size}`, async () => {
      const session = await createSession(PRODUCTS.CAD);
      const page = await e2e.newPage(options);
      await page.goto(`${e2e.bffUrl}/pay/${session.id}`);
      await page.locator('tender-checkout').getByText('This payment has not been made.').waitFor();
      await check(page, `outcome without the secret, not paid (${size})`);
    });
  }

  for (const [size, options] of Object.entries(SIZES)) {
    it(`hosted page's "not valid" page, ${size}`, async () => {
      const session = await createSession(PRODUCTS.CAD);
      for (const url of [`${e2e.bffUrl}/pay/${session.id}?secret=wrong`, `${e2e.bffUrl}/pay/not-a-session`]) {
        const page = await e2e.newPage(options);
        const response = await page.goto(url);
        assert.equal(response?.status(), 404);
        await page.getByText('This checkout link is not valid.').waitFor();
        await check(page, `"not valid" page for ${url.replace(e2e.bffUrl, '')} (${size})`, { notFound: true });
      }
    });
  }

  for (const [size, options] of Object.entries(SIZES)) {
    it(`One1Pay's pay page, and the hosted page after it, ${size}`, async () => {
      const { page, checkout, session } = await openHosted('THB', options);
      await payWithThaiQr(checkout);
      await page.waitForURL(/\/sandbox\/one1pay\/pay\//);
      const payPage = page.url();
      await check(page, `One1Pay pay page (${size})`);
      await page.getByRole('button', { name: 'Pay', exact: true }).click();
      await page.waitForURL((url) => url.pathname === `/pay/${session.id}`);
      await checkout.getByText('Payment received. Thank you!').waitFor({ timeout: 20_000 });
      await check(page, `hosted page back from One1Pay (${size})`);
      // One1Pay's page opened again once paid: the outcome and the way back to the shop.
      await page.goto(payPage);
      await page.getByRole('link', { name: 'Return to the shop' }).waitFor();
      await check(page, `One1Pay pay page, paid (${size})`);
    });
  }

  it("KessPay's wallet page, before and after declining", async () => {
    const { page, checkout } = await openHosted('USD');
    await checkout.getByRole('radio', { name: 'WeChat Pay' }).check();
    const attempt = await pay(page, checkout);
    if (attempt.action?.type !== 'qr') assert.fail(`expected a QR action, got ${JSON.stringify(attempt)}`);
    assert.match(attempt.action.content, /\/sandbox\/kesspay\/wallet\//);
    for (const [size, options] of Object.entries(SIZES)) {
      const phone = await e2e.newPage(options);
      await phone.goto(attempt.action.content);
      await check(phone, `KessPay wallet page (${size})`);
    }
    const phone = await e2e.newPage(SIZES['320 px phone']);
    await phone.goto(attempt.action.content);
    await phone.getByRole('button', { name: 'Decline', exact: true }).click();
    await phone.locator('[role="status"]').waitFor();
    await check(phone, 'KessPay wallet page, declined');
  });

  for (const [size, options] of Object.entries({
    'desktop, light': SIZES.desktop,
    '320 px phone, dark': { ...SIZES['320 px phone'], colorScheme: 'dark' as const },
  })) {
    it(`SanSan's card frame and 3-D Secure challenge in the hosted page, ${size}`, async () => {
      const { page, checkout } = await openHosted('USD', options);
      await fillCardPayer(checkout);
      const card = page.frameLocator('tender-checkout iframe.card-frame');
      await card.getByLabel('Card number').waitFor();
      await check(page, `card frame in the hosted page (${size})`);

      await card.getByLabel('Card number').fill(CHALLENGE_CARD);
      await card.getByLabel('Expiry (MM/YY)').fill('12/34');
      await card.getByLabel('Security code').fill('123');
      await card.getByLabel('Name on card').fill('Sokha Chan');
      const attempt = await pay(page, checkout);
      if (attempt.action?.type !== 'challenge') assert.fail(`expected a challenge, got ${JSON.stringify(attempt)}`);
      const challenge = page.frameLocator('tender-checkout iframe.challenge-frame');
      await challenge.getByRole('button', { name: 'Pay', exact: true }).waitFor();
      await check(page, `3-D Secure challenge in the hosted page (${size})`);

      // The challenge page on its own, as a phone that opens it in full shows it, and its outcome.
      const phone = await e2e.newPage(options);
      await phone.goto(
        await checkout
          .locator('iframe.challenge-frame')
          .getAttribute('src')
          .then((src) => src ?? ''),
      );
      await check(phone, `3-D Secure challenge page (${size})`);
      await phone.getByRole('button', { name: 'Decline', exact: true }).click();
      await phone.locator('[role="status"]').waitFor();
      await check(phone, `3-D Secure challenge page, declined (${size})`);
    });
  }

  for (const [size, options] of Object.entries(SIZES)) {
    it(`SanSan's card tokenizer page, empty and with an error, ${size}`, async () => {
      const page = await e2e.newPage(options);
      await page.goto(`${e2e.bffUrl}/sandbox/sansan/tokenizer?origin=${encodeURIComponent(e2e.bffUrl)}`);
      await page.getByLabel('Card number').waitFor();
      await check(page, `card tokenizer page (${size})`);
      await page.getByLabel('Card number').fill('4000 0000 0000 0001');
      await page.getByRole('button', { name: 'Use this card' }).click();
      await page.getByText('Card number is not valid.').waitFor();
      await check(page, `card tokenizer page with an error (${size})`);
    });
  }

  it('finds what breaks the rules inside the element and its frames, under the page CSP (the checks above can fail)', async () => {
    const { page } = await openHosted('USD');
    await page.locator('tender-checkout').getByRole('radio', { name: 'Card' }).check();
    await page.frameLocator('tender-checkout iframe.card-frame').getByLabel('Card number').waitFor();
    // An input with no name in the element's shadow root, and pale grey text on the card frame's badge.
    await page.evaluate(
      `document.querySelector('tender-checkout').shadowRoot.querySelector('[part="base"]').append(Object.assign(document.createElement('input'), { className: 'unnamed' }))`,
    );
    const frame = page.frames().find((candidate) => candidate.url().includes('/sandbox/sansan/tokenizer'));
    assert.ok(frame, 'the card frame');
    await frame.evaluate(`document.querySelector('.badge').style.color = '#d1d5db'`);
    const violations = await axeViolations(page);
    const found = describeViolations(violations);
    assert.deepEqual(violations.map((violation) => violation.id).sort(), ['color-contrast', 'label'], found);
    assert.match(found, /- tender-checkout >>> \.unnamed\n/);
    assert.match(found, /- tender-checkout >>> iframe » \.badge\n/);
    // axe ran although the page's CSP refuses inline script, and the CSP still holds.
    assert.deepEqual(e2e.problemsOf(page), []);
    await page.evaluate(`document.head.append(Object.assign(document.createElement('script'), { textContent: '1' }))`);
    for (let tries = 0; tries < 50 && !e2e.problemsOf(page).some((p) => p.startsWith('CSP ')); tries++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.match(e2e.problemsOf(page).join('\n'), /^CSP script-src(-elem)? blocked inline/m);
  });
});
