/**
 * Starts what `npm start` starts — the BFF with its simulators and the demo shop — on free ports
 * with a temporary database, and a real headless Chromium to drive it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startDemo } from '../../demo/main.ts';

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

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface E2E {
  shopUrl: string;
  bffUrl: string;
  browser: Browser;
  /** A fresh page (its own context); console errors and CSP violations are collected. */
  newPage(options?: { mobile?: boolean }): Promise<Page>;
  problems: string[];
  close(): Promise<void>;
}

export async function startE2E(): Promise<E2E> {
  const dir = mkdtempSync(join(tmpdir(), 'tender-e2e-'));
  const [port, demoPort] = [await freePort(), await freePort()];
  const demo = await startDemo({
    ...process.env,
    TENDER_CONFIG: '',
    PORT: String(port),
    DEMO_PORT: String(demoPort),
    HOST: '127.0.0.1',
    TENDER_DATABASE: `sqlite:${join(dir, 'tender.db')}`,
    TENDER_LOG: 'silent',
  });
  const browser = await chromium.launch({
    executablePath: process.env.CHROME_PATH || '/usr/bin/chromium',
    args: CHROME_FLAGS,
    headless: true,
  });
  const problems: string[] = [];
  return {
    shopUrl: demo.shopUrl,
    bffUrl: demo.bff.url,
    browser,
    problems,
    async newPage({ mobile = false } = {}) {
      const context = await browser.newContext(
        mobile ? { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true } : {},
      );
      const page = await context.newPage();
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(`${page.url()}: ${message.text()}`);
      });
      page.on('pageerror', (error) => problems.push(`${page.url()}: ${error.message}`));
      return page;
    },
    async close() {
      await browser.close();
      await demo.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
