/**
 * `npm start`: the BFF with every provider simulator on PORT (default 8787) and the demo shop on
 * DEMO_PORT (default 8788), on the built-in sandbox configuration and a local SQLite file.
 */
import { serve, type ServerType } from '@hono/node-server';
import { pathToFileURL } from 'node:url';
import { runUntilSignal, startBff } from '../server/main.ts';
import { createShop } from './shop.ts';

export async function startDemo(
  env: NodeJS.ProcessEnv = process.env,
  options: { writeLog?: (line: string) => void } = {},
) {
  const port = Number(env.DEMO_PORT ?? 8788);
  const publicUrl = `http://localhost:${port}`;
  const bff = await startBff({ TENDER_WEBHOOK_URL: `${publicUrl}/webhooks/tender`, ...env }, options);
  const { secretKey, webhookSecret } = bff.runtime.config.merchant;
  const shop = createShop({ bffUrl: bff.url, secretKey, webhookSecret, publicUrl });
  const server = await new Promise<ServerType>((resolve) => {
    // Like the sandbox BFF, the shop listens on loopback unless HOST says otherwise.
    const listening = serve({ fetch: shop.fetch, port, hostname: env.HOST ?? '127.0.0.1' }, () => resolve(listening));
  });
  process.stdout.write(
    `\nTender sandbox is running.\n` +
      `  Demo shop:   ${publicUrl}\n` +
      `  BFF:         ${bff.url}  (API description at ${bff.url}/openapi.json)\n` +
      `  Secret key:  ${bff.runtime.config.merchant.secretKey}\n\n`,
  );
  return {
    bff,
    shopUrl: publicUrl,
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as unknown as { closeAllConnections(): void }).closeAllConnections();
      });
      await bff.stop();
    },
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  void runUntilSignal(() => startDemo());
}
