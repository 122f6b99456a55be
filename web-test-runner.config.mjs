/**
 * Browser tests for the widget: `npx web-test-runner --config web-test-runner.config.mjs`.
 * Runs test/widget/**\/*.test.ts in headless Chromium, against the real BFF (scripted providers, a
 * temporary SQLite file) mounted on the same server: test/widget/bff/server.ts.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';
import { tsImport } from 'tsx/esm/api';

// The BFF is TypeScript; tsx loads it (and only it) into this process.
const { startWidgetBff } = await tsImport('./test/widget/bff/server.ts', import.meta.url);
const bff = await startWidgetBff();
process.once('exit', () => void bff.close());

const chromePath = process.env.CHROME_PATH || '/usr/bin/chromium';
if (!existsSync(chromePath)) {
  throw new Error(
    `Chromium not found at ${chromePath}. Install it with \`apt-get install -y chromium\` ` +
      'or point CHROME_PATH at a Chrome/Chromium binary.',
  );
}

export default {
  files: ['test/widget/**/*.test.ts'],
  nodeResolve: true,
  // Two cores: two test files at a time in one browser.
  concurrency: 2,
  concurrentBrowsers: 1,
  browserStartTimeout: 60_000,
  testsFinishTimeout: 60_000,
  testFramework: { config: { timeout: 5_000 } },
  // Lit announces its development build on every page; that line is noise here.
  filterBrowserLogs: ({ args }) => !String(args[0]).includes('Lit is in dev mode'),
  middleware: [bff.middleware],
  plugins: [
    // The tsconfig is handed to esbuild so experimentalDecorators applies: without it esbuild keeps
    // Lit's decorators as standard decorators, which the browser rejects.
    esbuildPlugin({ ts: true, tsconfig: fileURLToPath(new URL('./tsconfig.json', import.meta.url)) }),
  ],
  browsers: [
    chromeLauncher({
      launchOptions: {
        executablePath: chromePath,
        headless: true,
        // Without the networking flags Chromium keeps dialling out on a closed network.
        args: [
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--disable-dev-shm-usage',
          // Two test pages share one browser; the one in the background must keep its timers.
          '--disable-background-timer-throttling',
          '--disable-renderer-backgrounding',
          '--disable-backgrounding-occluded-windows',
        ],
      },
    }),
  ],
};
