/**
 * Starts what `npm start` starts — the BFF with its simulators and the demo shop — on free ports
 * with a temporary database, and a real headless Chromium to drive it. Every page records its own
 * console errors, uncaught exceptions and CSP violations, so each test can assert that the pages
 * it used had none.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { startDemo } from '../../demo/main.ts';
import { freePort } from '../free-port.ts';

export const CHROME_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export interface PageOptions {
  mobile?: boolean;
  locale?: string;
  colorScheme?: 'light' | 'dark';
  width?: number;
}

export interface E2E {
  shopUrl: string;
  bffUrl: string;
  /** The merchant's secret key for the BFF's API, to make sessions the demo shop would not. */
  secretKey: string;
  browser: Browser;
  /**
   * A fresh page (its own context), recording its problems from the first document on; `locale`
   * sets the browser's language (and so its Accept-Language), `colorScheme` the
   * `prefers-color-scheme` it reports, and `width` the viewport's width (a phone's with `mobile`).
   */
  newPage(options?: PageOptions): Promise<Page>;
  /** Console errors, uncaught exceptions and CSP violations the page has met so far. */
  problemsOf(page: Page): string[];
  /**
   * Makes a session through the merchant API, as a merchant's server would (its reference doubles
   * as the Idempotency-Key); a shopper with email and phone unless `body` says otherwise.
   */
  createSession(body: { amount: string; currency: string; description: string; reference: string }): Promise<{
    id: string;
    url: string;
  }>;
  close(): Promise<void>;
}

// A string, not a function: the test's TypeScript is compiled, and a compiled function may lean on
// helpers that do not exist inside the page.
const REPORT_CSP_VIOLATIONS = `document.addEventListener('securitypolicyviolation', (event) => {
  window.tenderReportViolation(
    'CSP ' + event.effectiveDirective + ' blocked ' + (event.blockedURI || 'inline code') + ' on ' + event.documentURI,
  );
}, true);`;

/** `logLines`, when given, receives every line the BFF logs (at debug level) instead of silence. */
export async function startE2E({ logLines }: { logLines?: string[] } = {}): Promise<E2E> {
  const dir = mkdtempSync(join(tmpdir(), 'tender-e2e-'));
  const [port, demoPort] = [await freePort(), await freePort()];
  const demo = await startDemo(
    {
      ...process.env,
      TENDER_CONFIG: '',
      PORT: String(port),
      DEMO_PORT: String(demoPort),
      HOST: '127.0.0.1',
      TENDER_DATABASE: `sqlite:${join(dir, 'tender.db')}`,
      TENDER_LOG: logLines ? 'debug' : 'silent',
    },
    logLines ? { writeLog: (line) => void logLines.push(line) } : {},
  );
  const browser = await chromium.launch({
    executablePath: process.env.CHROME_PATH || '/usr/bin/chromium',
    args: CHROME_FLAGS,
    headless: true,
  });
  const problems = new WeakMap<Page, string[]>();
  return {
    shopUrl: demo.shopUrl,
    bffUrl: demo.bff.url,
    secretKey: demo.bff.runtime.config.merchant.secretKey,
    browser,
    async newPage({ mobile = false, locale, colorScheme, width }: PageOptions = {}) {
      const context = await browser.newContext({
        ...(mobile ? { viewport: { width: width ?? 390, height: 844 }, isMobile: true, hasTouch: true } : {}),
        ...(!mobile && width ? { viewport: { width, height: 800 } } : {}),
        ...(locale ? { locale } : {}),
        ...(colorScheme ? { colorScheme } : {}),
      });
      const found: string[] = [];
      await context.exposeBinding('tenderReportViolation', (_source, text: string) => void found.push(text));
      await context.addInitScript(REPORT_CSP_VIOLATIONS);
      const page = await context.newPage();
      page.on('console', (message) => {
        if (message.type() === 'error') found.push(`${page.url()}: ${message.text()}`);
      });
      page.on('pageerror', (error) => found.push(`${page.url()}: ${error.message}`));
      problems.set(page, found);
      return page;
    },
    problemsOf: (page) => [...(problems.get(page) ?? [])],
    async createSession(body) {
      const response = await fetch(`${demo.bff.url}/v1/sessions`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${demo.bff.runtime.config.merchant.secretKey}`,
          'content-type': 'application/json',
          'idempotency-key': body.reference,
        },
        body: JSON.stringify({ customer: { email: 'shopper@example.com', phone: '66812345678' }, ...body }),
      });
      if (response.status !== 201) throw new Error(`session not made (${response.status}): ${await response.text()}`);
      return (await response.json()) as { id: string; url: string };
    },
    async close() {
      await browser.close();
      await demo.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Chooses One1Pay Thai QR in the widget, fills its bank form as a Thai shopper would, and pays. */
export async function payWithThaiQr(checkout: Locator): Promise<void> {
  await checkout.getByRole('radio', { name: 'Thai QR' }).check();
  await checkout.getByLabel('Bank').selectOption({ index: 1 });
  await checkout.getByLabel('Account holder name').fill('Somchai Jaidee');
  await checkout.getByLabel('Account number').fill('1234567890');
  await checkout.getByRole('button', { name: /^Pay/ }).click();
}

/** Chooses the card in the widget and fills the payer's details SanSan asks for (not the card). */
export async function fillCardPayer(checkout: Locator): Promise<void> {
  await checkout.getByRole('radio', { name: 'Card' }).check();
  await checkout.getByLabel('Phone number').fill('+66 81 234 5678');
  await checkout.getByLabel('Street address').fill('12 Riverside Road');
  await checkout.getByLabel(/^City/).fill('Kampot');
  await checkout.getByLabel('Postcode').fill('07000');
  await checkout.getByLabel(/^Country/).fill('KH');
}
