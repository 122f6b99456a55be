/**
 * Runs every provider simulator as its own process (`npm run sandbox`), on SANDBOX_PORT (default
 * 8790), each under /<provider>/ with the built-in sandbox credentials. Point a BFF configuration's
 * `providers.<id>.baseUrl` at http://localhost:8790/<provider>.
 */
import { serve } from '@hono/node-server';
import { sandboxConfig } from '../config.ts';
import { createSandboxApp } from './index.ts';

const port = Number(process.env.SANDBOX_PORT ?? 8790);
const publicUrl = process.env.SANDBOX_PUBLIC_URL ?? `http://localhost:${port}`;
const app = createSandboxApp({ publicUrl, config: sandboxConfig() });
serve({ fetch: app.fetch, port }, () => {
  process.stdout.write(
    `Provider simulators listening on ${publicUrl}/<provider>; test controls under /<provider>/_control/\n`,
  );
});
