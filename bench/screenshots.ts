/**
 * `npm run screenshots`: renders <tender-checkout> in real Chromium on the hosted page, against the
 * BFF and its simulators as `npm start` runs them, into docs/screenshots/*.png (the README shows
 * them): light, dark, Arabic, Thai, a 320 px phone, a QR code waiting, paid, and expired. Needs
 * `npm run build` first (the hosted page loads widget/dist/tender.iife.js). Chromium comes from CHROME_PATH,
 * else /usr/bin/chromium. Takes a little over a minute: the expired session must really expire,
 * and sessions live at least 60 s.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { startDemo } from '../demo/main.ts';
import { CHROME_FLAGS } from '../test/e2e/harness.ts';
import type { AttemptView } from '../widget/wire.ts';
import { freePort } from '../test/free-port.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = join(root, 'docs/screenshots');

if (!existsSync(join(root, 'widget/dist/tender.iife.js'))) {
  console.error('widget/dist/tender.iife.js is missing: run `npm run build` first.');
  process.exit(1);
}

const dir = mkdtempSync(join(tmpdir(), 'tender-screenshots-'));
const demo = await startDemo({
  ...process.env,
  TENDER_CONFIG: '',
  PORT: String(await freePort()),
  DEMO_PORT: String(await freePort()),
  HOST: '127.0.0.1',
  TENDER_DATABASE: `sqlite:${join(dir, 'tender.db')}`,
  TENDER_LOG: 'silent',
});
const bffUrl = demo.bff.url;
const { secretKey } = demo.bff.runtime.config.merchant;
const browser: Browser = await chromium.launch({
  executablePath: process.env.CHROME_PATH || '/usr/bin/chromium',
  args: CHROME_FLAGS,
  headless: true,
});

interface Session {
  id: string;
  clientSecret: string;
}

async function session(body: Record<string, unknown>): Promise<Session> {
  const response = await fetch(`${bffUrl}/v1/sessions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${secretKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ returnUrl: 'https://shop.example/orders/1042', ...body }),
  });
  if (response.status !== 201) throw new Error(`session: ${response.status} ${await response.text()}`);
  return (await response.json()) as Session;
}

const tea = (reference: string, extra: Record<string, unknown> = {}) =>
  session({ amount: '38.00', currency: 'CAD', reference, description: 'Maple tea set', ...extra });

/** The hosted page for `s`, with the checkout's method list (or first screen) on it. */
async function open(s: Session, options: BrowserContextOptions = {}): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 420, height: 900 }, locale: 'en-US', ...options });
  const page = await context.newPage();
  await page.goto(`${bffUrl}/pay/${s.id}?secret=${encodeURIComponent(s.clientSecret)}`);
  await page.locator('tender-checkout [part="status"]').waitFor();
  await page.waitForFunction(
    () => !document.querySelector('tender-checkout')?.shadowRoot?.querySelector('[aria-busy="true"]'),
  );
  return page;
}

/** The element alone, once its logos (loaded beside the method list) are drawn. */
async function shoot(page: Page, name: string): Promise<void> {
  const checkout = page.locator('tender-checkout');
  if ((await checkout.locator('[part="logo"]').count()) > 0)
    await checkout.locator('[part="logo"] svg').first().waitFor();
  await checkout.screenshot({ path: join(out, `${name}.png`), animations: 'disabled' });
  console.log(`docs/screenshots/${name}.png`);
}

async function payWithQr(page: Page, method: string): Promise<AttemptView & { action: { content: string } }> {
  const checkout = page.locator('tender-checkout');
  await checkout.getByRole('radio', { name: method }).check();
  const created = page.waitForResponse((r) => r.url().endsWith('/attempts') && r.request().method() === 'POST');
  await checkout.getByRole('button', { name: /^Pay/ }).click();
  const attempt = (await (await created).json()) as AttemptView;
  if (attempt.action?.type !== 'qr') throw new Error(`expected a QR code, got ${attempt.action?.type}`);
  await checkout.locator('[part="qr-code"]').waitFor();
  return attempt as AttemptView & { action: { content: string } };
}

try {
  mkdirSync(out, { recursive: true });
  // Made first: a session lives at least 60 s, and this one has to run out.
  const expiring = await tea('shot-expired', { expiresInSeconds: 60 });
  const expiresAt = Date.now() + 60_000;

  await shoot(await open(await tea('shot-light')), 'light');
  await shoot(await open(await tea('shot-dark'), { colorScheme: 'dark' }), 'dark');
  await shoot(await open(await tea('shot-ar'), { locale: 'ar' }), 'arabic');
  await shoot(
    await open(await session({ amount: '1250.00', currency: 'THB', reference: 'shot-th', description: 'ผ้าไหมไทย' }), {
      locale: 'th-TH',
    }),
    'thai',
  );
  await shoot(
    await open(await tea('shot-phone'), { viewport: { width: 320, height: 720 }, isMobile: true }),
    'phone-320',
  );

  const waiting = await open(await tea('shot-qr'));
  const attempt = await payWithQr(waiting, 'WeChat Pay');
  await shoot(waiting, 'qr-waiting');

  // Paid from the wallet page the QR code encodes, as a shopper's phone would.
  const phone = await browser.newPage();
  await phone.goto(attempt.action.content);
  await phone.getByRole('button', { name: 'Pay', exact: true }).click();
  await waiting.locator('tender-checkout').getByText('Payment received. Thank you!').waitFor();
  await shoot(waiting, 'success');

  await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAt - Date.now()) + 1_000));
  const expired = await open(expiring);
  await expired.locator('tender-checkout').getByText('This checkout has expired.').waitFor();
  await shoot(expired, 'expired');
} finally {
  await browser.close();
  await demo.stop();
  rmSync(dir, { recursive: true, force: true });
}
