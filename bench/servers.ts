/**
 * One server of the benchmark, in its own process so the load generator never shares its event
 * loop: `bare` (a Hono app on @hono/node-server doing the least a JSON API can) or `tender` (the
 * BFF as `npm run serve` starts it, sandbox configuration, on `BENCH_DATABASE`). Started by
 * `bench/run.ts` with an IPC channel: it sends `{ type: 'ready', port }` once it listens and
 * answers `{ type: 'memory' }` with its memory after a full garbage collection.
 */
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { startBff } from '../server/main.ts';
import { freePort } from '../test/free-port.ts';

const kind = process.argv[2];

function send(message: Record<string, unknown>): void {
  process.send?.(message);
}

/** The baseline: parse a JSON body and answer 201, or answer a small JSON document. */
function bareApp() {
  const app = new Hono();
  app.post('/v1/sessions', async (c) => {
    const body = await c.req.json<Record<string, unknown>>();
    return c.json({ id: 'ses_bare', object: 'session', status: 'open', ...body }, 201);
  });
  app.get('/v1/checkout/:id', (c) =>
    c.json({
      id: c.req.param('id'),
      status: 'open',
      amount: '100.00',
      currency: 'CAD',
      merchant: { name: 'Bench' },
      methods: [],
      attempt: null,
      serverTime: new Date().toISOString(),
    }),
  );
  return app;
}

let stop: () => Promise<void>;
const port = await freePort();
if (kind === 'bare') {
  const server = serve({ fetch: bareApp().fetch, port, hostname: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  stop = () => new Promise((resolve) => server.close(() => resolve()));
} else if (kind === 'tender') {
  const bff = await startBff({
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    TENDER_PUBLIC_URL: `http://127.0.0.1:${port}`,
    TENDER_DATABASE: process.env.BENCH_DATABASE,
    TENDER_SECRET_KEY: 'sk_test_bench_0123456789',
    TENDER_LOG: 'silent',
  });
  stop = () => bff.stop();
} else {
  throw new Error(`usage: servers.ts bare|tender (got ${kind})`);
}

process.on('message', (message: { type: string }) => {
  if (message.type === 'memory') {
    // Twice: the first pass may leave work for finalizers.
    globalThis.gc?.();
    globalThis.gc?.();
    const { rss, heapUsed, external, arrayBuffers } = process.memoryUsage();
    send({ type: 'memory', rss, heapUsed, external, arrayBuffers });
  } else if (message.type === 'stop') {
    void stop().finally(() => process.exit(0));
  }
});
// The benchmark stopped without a word: do not outlive it.
process.on('disconnect', () => void stop().finally(() => process.exit(0)));
send({ type: 'ready', port });
