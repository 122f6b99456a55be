/**
 * KessPay and the rest of OTT Pay in real Chromium, through the demo shop: a WeChat QR paid on the
 * simulator's wallet page and seen by the reconciler's poll (KessPay never calls back), a till that
 * charges a typed buyer code, an OTT Pay H5 payment on a phone, and a refund through the API.
 */
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import type { AttemptView } from '../../widget/wire.ts';
import { startE2E, type E2E } from './harness.ts';

describe('KessPay and OTT Pay in a real browser', () => {
  let e2e: E2E;
  before(async () => {
    e2e = await startE2E();
  });
  after(() => e2e?.close());

  function assertNoProblems(...pages: Page[]) {
    for (const page of pages) assert.deepEqual(e2e.problemsOf(page), []);
  }

  async function api(path: string, init: RequestInit = {}): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(`${e2e.bffUrl}${path}`, {
      ...init,
      headers: {
        authorization: `Bearer ${e2e.secretKey}`,
        'content-type': 'application/json',
        ...(init.headers as Record<string, string>),
      },
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  async function buy(page: Page, product: string) {
    await page.goto(e2e.shopUrl);
    await page
      .locator('section.product', { hasText: product })
      .getByRole('button', { name: 'Buy — Script-tag embed' })
      .click();
    await page.locator('tender-checkout').getByRole('radio').first().waitFor();
  }

  async function payWithKessPayWeChat(page: Page): Promise<{ sessionId: string }> {
    await buy(page, 'Kampot pepper');
    const checkout = page.locator('tender-checkout');
    await checkout.getByRole('radio', { name: 'WeChat Pay' }).check();
    const created = page.waitForResponse(
      (response) => response.url().endsWith('/attempts') && response.request().method() === 'POST',
    );
    await checkout.getByRole('button', { name: /^Pay/ }).click();
    const response = await created;
    const attempt = (await response.json()) as AttemptView;
    if (attempt.action?.type !== 'qr') assert.fail(`expected a QR action, got ${JSON.stringify(attempt)}`);
    assert.match(attempt.action.content, /\/sandbox\/kesspay\/wallet\//);
    await checkout.getByRole('img', { name: /QR code/ }).waitFor();

    const phone = await e2e.newPage({ mobile: true });
    await phone.goto(attempt.action.content);
    assert.match((await phone.textContent('body')) ?? '', /12\.50/);
    await phone.getByRole('button', { name: 'Pay', exact: true }).click();

    // No callback exists: the BFF's reconciler asks KessPay every few seconds and the widget hears it.
    await checkout.getByText('Payment received. Thank you!').waitFor({ timeout: 20_000 });
    await page.locator('#order-status[data-paid="true"]').waitFor();
    assertNoProblems(page, phone);
    const sessionId = /\/v1\/checkout\/([^/]+)\/attempts$/.exec(response.url())![1]!;
    return { sessionId };
  }

  it('pays with KessPay WeChat QR and sees success after the reconciler polls', async () => {
    await payWithKessPayWeChat(await e2e.newPage());
  });

  it('refunds a KessPay payment through the API', async () => {
    const { sessionId } = await payWithKessPayWeChat(await e2e.newPage());
    const partial = await api(`/v1/sessions/${sessionId}/refunds`, {
      method: 'POST',
      headers: { 'idempotency-key': `refund-${sessionId}-1` },
      body: JSON.stringify({ amount: '2.50', reason: 'one bag short' }),
    });
    assert.equal(partial.status, 201, JSON.stringify(partial.body));
    const rest = await api(`/v1/sessions/${sessionId}/refunds`, {
      method: 'POST',
      headers: { 'idempotency-key': `refund-${sessionId}-2` },
      body: JSON.stringify({}),
    });
    assert.equal(rest.status, 201, JSON.stringify(rest.body));
    let session = (await api(`/v1/sessions/${sessionId}`)).body;
    for (let tries = 0; tries < 100 && session.status !== 'refunded'; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      session = (await api(`/v1/sessions/${sessionId}`)).body;
    }
    assert.equal(session.status, 'refunded');
    // Nothing is left to refund.
    const more = await api(`/v1/sessions/${sessionId}/refunds`, {
      method: 'POST',
      headers: { 'idempotency-key': `refund-${sessionId}-3` },
      body: JSON.stringify({ amount: '0.01' }),
    });
    assert.equal(more.status >= 400 && more.status < 500, true);
  });

  it('charges a typed buyer code at the till, once', async () => {
    const page = await e2e.newPage();
    await page.goto(e2e.shopUrl);
    await page.getByLabel('Amount (USD)').fill('8.00');
    await page.getByRole('button', { name: 'Open the till' }).click();
    const till = page.locator('tender-checkout[mode="pos"]');
    const code = `13${String(randomInt(1e12)).padStart(12, '0')}0000`;
    await till.getByRole('radio', { name: 'WeChat Pay' }).check();
    await till.getByLabel('Payment code').fill(code);
    const charged = page.waitForResponse((response) => response.url().endsWith('/attempts'));
    await till.getByRole('button', { name: /^Charge/ }).click();
    const attempt = (await (await charged).json()) as AttemptView;
    await till.getByText('Payment received. Thank you!').waitFor({ timeout: 20_000 });

    // The same code sent again (a second scan, a retried request) is the same attempt: charged once.
    const again = await fetch((await charged).url(), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'tender-client-secret': (await till.getAttribute('client-secret')) ?? '',
      },
      body: JSON.stringify({ method: 'kesspay.wechat', buyerCode: code }),
    });
    // Paid: the checkout takes no new attempt, and the provider saw one charge only.
    assert.equal(again.status, 409);
    const sessionId = /\/v1\/checkout\/([^/]+)\/attempts$/.exec((await charged).url())![1]!;
    const session = (await api(`/v1/sessions/${sessionId}`)).body as { status: string; attempts: unknown[] };
    assert.equal(session.status, 'succeeded');
    assert.equal(session.attempts.length, 1);
    assert.equal(attempt.method, 'kesspay.wechat');
    assertNoProblems(page);
  });

  it('opens the OTT Pay H5 link on a phone instead of showing a QR code', async () => {
    const page = await e2e.newPage({ mobile: true });
    await buy(page, 'Maple tea set');
    const checkout = page.locator('tender-checkout');
    await checkout.getByRole('radio', { name: 'WeChat Pay' }).check();
    const orderUrl = page.url();
    await checkout.getByRole('button', { name: /^Pay/ }).click();
    // A redirect action: the phone goes straight to the wallet link instead of showing a QR code.
    await page.waitForURL(/\/sandbox\/ottpay\/wallet\//);
    await page.getByRole('button', { name: 'Pay', exact: true }).click();
    await page.getByText(/Paid/).waitFor();
    // WeChat hands the shopper back to the page they came from.
    await page.goto(orderUrl);
    await checkout.getByText('Payment received. Thank you!').waitFor({ timeout: 20_000 });
    assertNoProblems(page);
  });
});
