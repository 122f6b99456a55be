/**
 * Cards through SanSan Fintech in real Chromium: the card fields live in the tokenizer's frame, a
 * 3-D Secure challenge opens in place, and no card number reaches the BFF, the logs or the
 * merchant page's DOM.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import type { AttemptView } from '../../widget/wire.ts';
import { type E2E, fillCardPayer, startE2E } from './harness.ts';

const APPROVE = '4000 0000 0000 0002';
const CHALLENGE = '4000 0000 0000 3220';

describe('cards with 3-D Secure in a real browser', () => {
  let e2e: E2E;
  /** Every line the BFF logs while these tests run, to look for card numbers in. */
  const logLines: string[] = [];
  before(async () => {
    e2e = await startE2E({ logLines });
  });
  after(() => e2e?.close());

  /** Every request the page sends to the BFF, with its body, to look for card numbers. */
  function recordBffRequests(page: Page): string[] {
    const sent: string[] = [];
    page.on('request', (request) => {
      if (request.url().startsWith(e2e.bffUrl) && !request.url().includes('/sandbox/')) {
        sent.push(`${request.url()} ${request.postData() ?? ''}`);
      }
    });
    return sent;
  }

  async function openCard(page: Page) {
    await page.goto(e2e.shopUrl);
    await page
      .locator('section.product', { hasText: 'Kampot pepper' })
      .getByRole('button', { name: 'Buy — Script-tag embed' })
      .click();
    const checkout = page.locator('tender-checkout');
    await fillCardPayer(checkout);
    return checkout;
  }

  async function enterCard(page: Page, number: string) {
    const frame = page.frameLocator('tender-checkout iframe.card-frame');
    await frame.getByLabel('Card number').fill(number);
    await frame.getByLabel('Expiry (MM/YY)').fill('12/34');
    await frame.getByLabel('Security code').fill('123');
    await frame.getByLabel('Name on card').fill('Sokha Chan');
  }

  function attemptResponse(page: Page): Promise<AttemptView> {
    return page
      .waitForResponse((response) => response.url().endsWith('/attempts') && response.request().method() === 'POST')
      .then((response) => response.json() as Promise<AttemptView>);
  }

  it('pays with a card that needs no challenge, and no card number leaves the frame', async () => {
    const page = await e2e.newPage();
    const sent = recordBffRequests(page);
    const checkout = await openCard(page);
    await enterCard(page, APPROVE);
    const created = attemptResponse(page);
    await checkout.getByRole('button', { name: /^Pay/ }).click();
    const attempt = await created;
    assert.equal(attempt.method, 'sansan.card', JSON.stringify(attempt));
    await checkout.getByText('Payment received. Thank you!').waitFor({ timeout: 20_000 });
    await page.locator('#order-status[data-paid="true"]').waitFor();

    const digits = APPROVE.replace(/ /g, '');
    assert.ok(sent.length > 0);
    for (const request of sent) assert.ok(!request.replace(/[\s-]/g, '').includes(digits), request);
    const dom = await page.evaluate(
      () =>
        document.documentElement.outerHTML + (document.querySelector('tender-checkout')?.shadowRoot?.innerHTML ?? ''),
    );
    assert.ok(!dom.replace(/[\s-]/g, '').includes(digits), 'the card number is not in the merchant page');
    assert.ok(logLines.length > 0, 'the BFF logged while paying');
    for (const line of logLines) assert.ok(!line.replace(/[\s-]/g, '').includes(digits), line);
    assert.deepEqual(e2e.problemsOf(page), []);
  });

  it('passes a 3-D Secure challenge shown in place', async () => {
    const page = await e2e.newPage();
    const checkout = await openCard(page);
    await enterCard(page, CHALLENGE);
    const created = attemptResponse(page);
    await checkout.getByRole('button', { name: /^Pay/ }).click();
    const attempt = await created;
    assert.equal(attempt.action?.type, 'challenge');
    const challenge = page.frameLocator('tender-checkout iframe.challenge-frame');
    await challenge.getByRole('button', { name: 'Pay', exact: true }).click();
    await checkout.getByText('Payment received. Thank you!').waitFor({ timeout: 20_000 });
    assert.deepEqual(e2e.problemsOf(page), []);
  });

  it('declines a challenge, then pays on the same checkout with another card, and refunds it in full', async () => {
    const page = await e2e.newPage();
    const checkout = await openCard(page);
    await enterCard(page, CHALLENGE);
    let created = attemptResponse(page);
    await checkout.getByRole('button', { name: /^Pay/ }).click();
    const first = await created;
    await page
      .frameLocator('tender-checkout iframe.challenge-frame')
      .getByRole('button', { name: 'Decline', exact: true })
      .click();
    await checkout.getByText(/^The payment did not go through\./).waitFor({ timeout: 20_000 });
    await checkout.getByRole('button', { name: 'Try another method' }).click();

    await checkout.getByRole('radio', { name: 'Card' }).check();
    await enterCard(page, APPROVE);
    created = attemptResponse(page);
    await checkout.getByRole('button', { name: /^Pay/ }).click();
    const second = await created;
    assert.notEqual(second.id, first.id);
    await checkout.getByText('Payment received. Thank you!').waitFor({ timeout: 20_000 });

    const sessionId =
      /\/v1\/checkout\/([^/]+)\//.exec(`${page.url()} ${(await checkout.getAttribute('session')) ?? ''}`)?.[1] ??
      (await checkout.getAttribute('session'))!;
    const headers = { authorization: `Bearer ${e2e.secretKey}`, 'content-type': 'application/json' };
    const refund = await fetch(`${e2e.bffUrl}/v1/sessions/${sessionId}/refunds`, {
      method: 'POST',
      headers: { ...headers, 'idempotency-key': `card-refund-${sessionId}` },
      body: '{}',
    });
    assert.equal(refund.status, 201, await refund.clone().text());
    let status = '';
    for (let tries = 0; tries < 100 && status !== 'refunded'; tries++) {
      status = (
        (await (await fetch(`${e2e.bffUrl}/v1/sessions/${sessionId}`, { headers })).json()) as { status: string }
      ).status;
      if (status !== 'refunded') await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(status, 'refunded');
    assert.deepEqual(e2e.problemsOf(page), []);
  });
});
