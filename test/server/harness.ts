/**
 * A BFF for tests, wired as in production but with a temporary SQLite file, a controllable clock
 * and the provider simulators running as their own HTTP server on loopback. Adapters reach the
 * simulators, and simulators deliver callbacks to the BFF, over real HTTP. Tests drive the BFF
 * itself through `app.request()`.
 */
import { serve, type ServerType } from '@hono/node-server';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../server/app.ts';
import { parseConfig, SANDBOX_CREDENTIALS, type Config } from '../../server/config.ts';
import type { Clock } from '../../server/domain/clock.ts';
import { silentLogger } from '../../server/domain/log.ts';
import { createRuntime, type Runtime } from '../../server/runtime.ts';
import { createSandboxApp } from '../../server/sandbox/index.ts';

export const SECRET_KEY = 'sk_test_harness_key';

export class TestClock implements Clock {
  #now: number;
  constructor(start = Date.now()) {
    this.#now = start;
  }
  now(): Date {
    return new Date(this.#now);
  }
  advance(ms: number): void {
    this.#now += ms;
  }
}

/** An HTTP server on a free loopback port whose handler can be swapped (so the URL is known first). */
export async function listen(): Promise<{
  url: string;
  server: ServerType;
  handle(fetch: (request: Request) => Response | Promise<Response>): void;
  close(): Promise<void>;
}> {
  let handler: (request: Request) => Response | Promise<Response> = () => new Response('not ready', { status: 503 });
  const server = await new Promise<ServerType>((resolve) => {
    const started = serve({ fetch: (request) => handler(request), port: 0, hostname: '127.0.0.1' }, () =>
      resolve(started),
    );
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    handle(fetch) {
      handler = fetch;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as unknown as { closeAllConnections(): void }).closeAllConnections();
      }),
  };
}

export interface TestBff {
  url: string;
  sandboxUrl: string;
  config: Config;
  clock: TestClock;
  runtime: Runtime;
  dbPath: string;
  /** `app.request` with the merchant's secret key. */
  merchant(path: string, init?: RequestInit): Promise<Response>;
  /** `app.request` with a session's client secret. */
  browser(path: string, secret: string, init?: RequestInit): Promise<Response>;
  /** Creates a session and returns its merchant view. */
  createSession(body: Record<string, unknown>): Promise<{ id: string; clientSecret: string; [key: string]: unknown }>;
  /** Calls a simulator control endpoint, e.g. control('ottpay', 'att_x', 'pay'). */
  control(provider: 'one1pay' | 'ottpay', orderId: string, action: string, query?: string): Promise<Response>;
  /** Another app over this runtime (same store, checkout and hub) serving the widget files beside `widgetBundlePath`. */
  appWithWidget(widgetBundlePath: string): ReturnType<typeof createApp>;
  /** Replaces the runtime with a fresh one on the same database (a restart). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export const WEBHOOK_SECRET = 'whsec_test_harness_secret';

export async function startTestBff(
  options: {
    clock?: TestClock;
    sseHeartbeatMs?: number;
    webhookUrl?: string;
    database?: string;
    /** `fetch` the adapters use to reach the simulators (a test can make the network misbehave). */
    fetch?: typeof fetch;
    providerTimeoutMs?: number;
  } = {},
): Promise<TestBff> {
  const dir = mkdtempSync(join(tmpdir(), 'tender-test-'));
  const dbPath = join(dir, 'tender.db');
  const clock = options.clock ?? new TestClock();
  const bff = await listen();
  const sandbox = await listen();
  const config = parseConfig({
    publicUrl: bff.url,
    database: options.database ?? `sqlite:${dbPath}`,
    sandbox: false,
    merchant: {
      name: 'Test Shop',
      secretKey: SECRET_KEY,
      allowedOrigins: ['https://shop.example'],
      ...(options.webhookUrl ? { webhookUrl: options.webhookUrl, webhookSecret: WEBHOOK_SECRET } : {}),
    },
    providers: {
      one1pay: { ...SANDBOX_CREDENTIALS.one1pay, baseUrl: `${sandbox.url}/one1pay` },
      ottpay: { ...SANDBOX_CREDENTIALS.ottpay, baseUrl: `${sandbox.url}/ottpay` },
    },
  });
  sandbox.handle(createSandboxApp({ publicUrl: sandbox.url, config }).fetch);

  const open = () =>
    createRuntime(config, {
      log: silentLogger,
      clock,
      sseHeartbeatMs: options.sseHeartbeatMs,
      fetch: options.fetch,
      providerTimeoutMs: options.providerTimeoutMs ?? 5000,
    });
  let runtime = await open();
  bff.handle((request) => runtime.app.fetch(request));

  const harness: TestBff = {
    url: bff.url,
    sandboxUrl: sandbox.url,
    config,
    clock,
    dbPath,
    get runtime() {
      return runtime;
    },
    merchant: async (path, init = {}) =>
      runtime.app.request(path, {
        ...init,
        headers: { authorization: `Bearer ${SECRET_KEY}`, ...(init.headers as Record<string, string>) },
      }),
    browser: async (path, secret, init = {}) =>
      runtime.app.request(path, {
        ...init,
        headers: { 'tender-client-secret': secret, ...(init.headers as Record<string, string>) },
      }),
    async createSession(body) {
      const response = await harness.merchant('/v1/sessions', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (response.status !== 201)
        throw new Error(`session create failed: ${response.status} ${await response.text()}`);
      return (await response.json()) as { id: string; clientSecret: string };
    },
    appWithWidget: (widgetBundlePath) =>
      createApp({
        config,
        store: runtime.store,
        checkout: runtime.checkout,
        hub: runtime.hub,
        log: silentLogger,
        widgetBundlePath,
      }),
    control: (provider, orderId, action, query = '') =>
      fetch(`${sandbox.url}/${provider}/_control/orders/${encodeURIComponent(orderId)}/${action}${query}`, {
        method: 'POST',
      }),
    async restart() {
      await runtime.close();
      runtime = await open();
    },
    async close() {
      await runtime.close();
      await Promise.all([bff.close(), sandbox.close()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return harness;
}

/** Reads SSE events from a streaming response until `count` status events arrived, then cancels. */
export async function readEvents(
  response: Response,
  count: number,
  timeoutMs = 5000,
): Promise<Array<{ id: string; event: string; data: unknown }>> {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  const events: Array<{ id: string; event: string; data: unknown }> = [];
  let buffer = '';
  const deadline = setTimeout(() => void reader.cancel(), timeoutMs);
  try {
    while (events.length < count) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const fields = Object.fromEntries(
          block
            .split('\n')
            .filter((line) => line && !line.startsWith(':'))
            .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trimStart()]),
        );
        if (fields.event === 'status')
          events.push({ id: fields.id ?? '', event: fields.event, data: JSON.parse(fields.data ?? 'null') });
      }
    }
  } finally {
    clearTimeout(deadline);
    await reader.cancel().catch(() => undefined);
  }
  return events;
}
