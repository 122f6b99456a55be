/**
 * A shopper in real Chromium, through the demo shop: One1Pay Thai QR on the simulator's payment
 * page (script-tag embed), OTT Pay WeChat by opening the wallet page the QR encodes (npm import),
 * a decline on the hosted page, and a return from a provider to the hosted page. Success is read
 * both from the widget and from the shop's own server-side view of the order. The shop's order
 * page sends a strict CSP; every test asserts that its pages met no console error, no uncaught
 * exception and no CSP violation.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import type { AttemptView } from '../../widget/wire.ts';
import { type E2E, payWithThaiQr, startE2E } from './harness.ts';

describe('checkout in a real browser', () => {
  let e2e: E2E;
  before(async () => {
    e2e = await startE2E();
  });
  after(() => e2e?.close());

  function assertNoProblems(...pages: Page[]) {
    for (const page of pages) assert.deepEqual(e2e.problemsOf(page), []);
  }

  async function buy(page: Page, product: string, mode: 'Script-tag embed' | 'npm import' | 'Hosted page') {
    await page.goto(e2e.shopUrl);
    await page
      .locator('section.product', { hasText: product })
      .getByRole('button', { name: `Buy — ${mode}` })
      .click();
    await page.locator('tender-checkout').getByRole('radio').first().waitFor();
  }

  it('pays with One1Pay Thai QR on the simulator page and returns to success', async () => {
    const page = await e2e.newPage();
    await buy(page, 'Thai silk scarf', 'Script-tag embed');
    const checkout = page.locator('tender-checkout');
    await payWithThaiQr(checkout);

    await page.waitForURL(/\/sandbox\/one1pay\/pay\//);
    assert.match((await page.textContent('body')) ?? '', /450\.00/);
    await page.getByRole('button', { name: 'Pay', exact: true }).click();

    await page.waitForURL(/\/order\/order-/);
    assert.match(
      (await page.request.head(page.url())).headers()['content-security-policy'] ?? '',
      /script-src 'self' /,
    );
    await checkout.getByText('Payment received. Thank you!').waitFor();
    await page.locator('#order-status[data-paid="true"]').waitFor();
    assert.equal(await page.locator('#order-status').textContent(), 'Order confirmed: payment received.');

    // The shop's server also hears it from Tender's signed webhook.
    const statusUrl = `${page.url()}/status`;
    let webhooks: string[] = [];
    for (let tries = 0; tries < 100 && !webhooks.includes('session.succeeded'); tries++) {
      webhooks = ((await (await fetch(statusUrl)).json()) as { webhooks: string[] }).webhooks;
      if (!webhooks.includes('session.succeeded')) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.deepEqual(webhooks, ['session.succeeded']);
    assertNoProblems(page);
  });

  it('pays with OTT Pay WeChat by opening the wallet page the QR encodes', async () => {
    const page = await e2e.newPage();
    await buy(page, 'Maple tea set', 'npm import');
    const checkout = page.locator('tender-checkout');
    await checkout.getByRole('radio', { name: 'WeChat Pay' }).check();
    const created = page.waitForResponse(
      (response) => response.url().endsWith('/attempts') && response.request().method() === 'POST',
    );
    await checkout.getByRole('button', { name: /^Pay/ }).click();
    const attempt = (await (await created).json()) as AttemptView;
    assert.equal(attempt.action?.type, 'qr');
    if (attempt.action?.type !== 'qr') return;

    // The code drawn on the page is the one the server encoded, and it names the wallet page.
    const qr = checkout.getByRole('img', { name: /QR code/ });
    await qr.waitFor();
    assert.equal(await qr.locator('path').last().getAttribute('d'), attempt.action.modules.path);
    await checkout.getByText(/Code expires in \d+:\d\d/).waitFor();
    assert.match(attempt.action.content, /\/sandbox\/ottpay\/wallet\//);

    // "Save QR image" on a page of another origin than the BFF: a real PNG download, no secret.
    const downloading = page.waitForEvent('download');
    await checkout.getByRole('link', { name: 'Save QR image' }).click();
    const download = await downloading;
    assert.equal(download.suggestedFilename(), 'payment-qr.png');
    assert.match(download.url(), /^blob:/);
    const png = await readFile((await download.path()) ?? '');
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    assert.match(page.url(), /\/order\/order-/);

    const phone = await e2e.newPage({ mobile: true });
    await phone.goto(attempt.action.content);
    assert.match((await phone.textContent('body')) ?? '', /38\.00/);
    await phone.getByRole('button', { name: 'Pay', exact: true }).click();
    await phone.getByText(/Paid/).waitFor();

    await checkout.getByText('Payment received. Thank you!').waitFor();
    await page.locator('#order-status[data-paid="true"]').waitFor();
    assertNoProblems(page, phone);
  });

  it('declines on the hosted page and shows the failure, with another try offered', async () => {
    const page = await e2e.newPage({ mobile: true });
    await buy(page, 'Maple tea set', 'Hosted page');
    assert.ok(page.url().startsWith(`${e2e.bffUrl}/pay/`), page.url());
    const checkout = page.locator('tender-checkout');
    await checkout.getByRole('radio', { name: 'Alipay' }).check();
    const created = page.waitForResponse((response) => response.url().endsWith('/attempts'));
    await checkout.getByRole('button', { name: /^Pay/ }).click();
    const attempt = (await (await created).json()) as AttemptView;
    if (attempt.action?.type !== 'qr') assert.fail('expected a QR action');

    const phone = await e2e.newPage({ mobile: true });
    await phone.goto(attempt.action.content);
    await phone.getByRole('button', { name: 'Decline', exact: true }).click();

    await checkout.getByText(/^The payment did not go through\./).waitFor();
    await checkout.getByRole('button', { name: 'Try another method' }).click();
    await checkout.getByRole('radio', { name: 'WeChat Pay' }).waitFor();
    assertNoProblems(page, phone);
  });

  it('comes back from the provider to the hosted page, whose URL has no secret, and shows the payment', async () => {
    // A merchant that gives no returnUrl: the provider sends the shopper back to /pay/:id.
    const reference = `e2e-return-${Date.now()}`;
    const session = await e2e.createSession({
      amount: '450.00',
      currency: 'THB',
      reference,
      description: 'Thai silk scarf',
    });

    const page = await e2e.newPage({ mobile: true });
    await page.goto(session.url);
    const checkout = page.locator('tender-checkout');
    await payWithThaiQr(checkout);
    await page.waitForURL(/\/sandbox\/one1pay\/pay\//);
    await page.getByRole('button', { name: 'Pay', exact: true }).click();

    await page.waitForURL((url) => url.pathname === `/pay/${session.id}`);
    assert.doesNotMatch(page.url(), /secret/);
    await checkout.getByText('Payment received. Thank you!').waitFor();
    assertNoProblems(page);
  });

  it('says a hosted link without its secret names no checkout, when no session has that id', async () => {
    // The outcome is read by a part the script-tag bundle loads on demand; its errors must still be
    // recognised as the checkout's own (not a generic failure with "Try again").
    const page = await e2e.newPage();
    await page.goto(`${e2e.bffUrl}/pay/ses_${'0'.repeat(20)}`);
    const checkout = page.locator('tender-checkout');
    await checkout.getByText('This checkout does not exist.').waitFor();
    assert.equal(await checkout.getByRole('button', { name: 'Try again' }).count(), 0);
  });

  it('shows the hosted page method list before its script has run, inert until the element takes it over', async () => {
    const session = await e2e.createSession({
      amount: '12.00',
      currency: 'CAD',
      reference: `e2e-drawn-${Date.now()}`,
      description: 'Tea set',
    });
    const page = await e2e.newPage();
    // The bundle is held back: whatever is on screen meanwhile came with the page.
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route(/\/tender(\.[0-9a-f]{12})?\.js$/, async (route) => {
      await held;
      await route.continue();
    });
    await page.goto(session.url, { waitUntil: 'commit' });
    const checkout = page.locator('tender-checkout');
    for (const name of ['WeChat Pay', 'Alipay', 'UnionPay']) await checkout.getByText(name, { exact: true }).waitFor();
    assert.equal(await page.evaluate(() => customElements.get('tender-checkout')), undefined, 'no script has run');
    // Drawn, not live: a click on it does nothing (nothing to submit before the element listens).
    assert.equal(await checkout.locator('[inert] [part~="method"]').count(), 3);
    await checkout.getByText('Alipay', { exact: true }).click({ force: true });
    assert.equal(await checkout.locator('input[type="radio"]:checked').count(), 0);

    release();
    await checkout.locator('[inert]').waitFor({ state: 'detached' });
    await checkout.getByRole('radio', { name: 'Alipay' }).check();
    assert.equal(await checkout.locator('form').count(), 1);
    assert.equal(await checkout.locator('input[type="radio"]:checked').count(), 1);
  });

  it("loads the hosted page's bundle where the browser reports no paint: after the first frame, or at the latest after 250 ms", async () => {
    // Without PerformanceObserver the loader waits for the first frame; with one that never
    // reports a paint (a tab in the background), only its timer adds the bundle.
    const browsers = {
      'no PerformanceObserver': `Object.defineProperty(window, 'PerformanceObserver', { value: undefined })`,
      'paints never reported': `window.PerformanceObserver = class { static supportedEntryTypes = ['paint']; observe() {} disconnect() {} }`,
    };
    for (const [name, script] of Object.entries(browsers)) {
      const session = await e2e.createSession({
        amount: '12.00',
        currency: 'CAD',
        reference: `e2e-loader-${Date.now()}`,
        description: 'Tea set',
      });
      const page = await e2e.newPage();
      await page.addInitScript(script);
      await page.goto(session.url);
      const checkout = page.locator('tender-checkout');
      await checkout.locator('[inert]').waitFor({ state: 'detached' });
      await checkout.getByRole('radio', { name: 'Alipay' }).check();
      assert.equal(await checkout.locator('input[type="radio"]:checked').count(), 1, name);
      assertNoProblems(page);
    }
  });

  it('draws the hosted page from the view it carries, without asking the BFF for it, each file fetched once', async () => {
    const reference = `e2e-inline-${Date.now()}`;
    const session = await e2e.createSession({
      amount: '450.00',
      currency: 'THB',
      reference,
      description: 'Thai silk scarf </script><!--',
    });

    // In Thai: the page has the Thai table and the fields part fetched beside the bundle (these
    // methods ask for fields). The element has drawn over the server's drawing: it has run.
    const page = await e2e.newPage({ locale: 'th-TH' });
    const requests: string[] = [];
    page.on('request', (request) => void requests.push(new URL(request.url()).pathname));
    await page.goto(session.url);
    const checkout = page.locator('tender-checkout');
    await checkout.getByRole('radio').first().waitFor();
    await checkout.locator('[inert]').waitFor({ state: 'detached' });
    const view = `/v1/checkout/${session.id}`;
    assert.ok(!requests.includes(view), `asked for the view:\n${requests.join('\n')}`);
    await checkout.getByText('450.00', { exact: false }).first().waitFor();
    await checkout.getByText('Thai silk scarf </script><!--').waitFor();
    assert.equal(await page.locator(`#tender-view-${session.id}`).count(), 0, 'the block is read once and removed');

    // The status stream opens as usual, and each file came once: the module preloads were the ones used.
    for (let tries = 0; tries < 100 && !requests.includes(`${view}/events`); tries++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.ok(requests.includes(`${view}/events`), requests.join('\n'));
    const files = requests.filter((path) => /^\/tender[.-]/.test(path));
    assert.ok(
      files.some((path) => path.startsWith('/tender-locales/th.')),
      files.join('\n'),
    );
    assert.ok(
      files.some((path) => path.startsWith('/tender-parts/fields.')),
      files.join('\n'),
    );
    assert.deepEqual(files, [...new Set(files)], 'no file fetched twice');

    // Loaded again, the element asks the BFF: the inline view was for the first screen only.
    const asked = page.waitForRequest((request) => new URL(request.url()).pathname === view);
    await checkout.evaluate((element) => (element as HTMLElement & { reload(): void }).reload());
    await asked;
    await checkout.getByRole('radio').first().waitFor();
    assertNoProblems(page);
  });

  it('notices a CSP violation on the order page (the check above can fail)', async () => {
    const page = await e2e.newPage();
    await buy(page, 'Thai silk scarf', 'npm import');
    await page.evaluate(`document.head.append(Object.assign(document.createElement('script'), { textContent: '1' }))`);
    for (let tries = 0; tries < 50 && !e2e.problemsOf(page).some((p) => p.startsWith('CSP ')); tries++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.ok(
      e2e.problemsOf(page).some((problem) => /^CSP script-src(-elem)? blocked inline/.test(problem)),
      e2e.problemsOf(page).join('\n'),
    );
  });
});
