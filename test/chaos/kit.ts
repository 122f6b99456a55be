/**
 * What the chaos suite is built from: a report that says what was tried and what held, BFF child
 * processes that can be killed with SIGKILL and started again on the same database, provider
 * simulators hosted in this process (so they outlive a killed BFF, as a real provider does) with a
 * record of every order and payout they were asked to make, and a webhook receiver that counts
 * deliveries.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseConfig, SANDBOX_CREDENTIALS } from '../../server/config.ts';
import { silentLogger } from '../../server/domain/log.ts';
import { verifyWebhookSignature } from '../../server/domain/webhooks.ts';
import { createSandboxApp } from '../../server/sandbox/index.ts';
import { listen } from '../server/harness.ts';
import { freePort } from '../free-port.ts';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const SECRET_KEY = 'sk_test_chaos_merchant_key';
export const WEBHOOK_SECRET = 'whsec_chaos_suite_secret_0001';
/** The sandbox configuration's merchant key (`TENDER_CONFIG` unset). */
export const SANDBOX_SECRET_KEY = 'sk_test_sandbox';

// ---- the report -------------------------------------------------------------------------------------

export class Report {
  passed = 0;
  failed = 0;
  readonly findings: string[] = [];

  constructor(private readonly section: string) {}

  /** Says what is about to be tried. */
  tried(what: string): void {
    console.log(`[${this.section}] tried: ${what}`);
  }

  /** Records one check: what should hold, whether it did, and what was seen. */
  check(what: string, held: boolean, seen = ''): boolean {
    if (held) this.passed += 1;
    else this.failed += 1;
    console.log(`[${this.section}]   ${held ? 'held' : 'FAILED'}: ${what}${seen ? ` (${seen})` : ''}`);
    return held;
  }

  /** A measured figure reported without failing the run (see expectations.ts). */
  finding(what: string): void {
    this.findings.push(what);
    console.log(`[${this.section}]   FINDING: ${what}`);
  }

  /** A step that threw: counted as a failure, with its message. */
  crashed(what: string, error: unknown): void {
    this.check(`${what} ran to the end`, false, error instanceof Error ? error.message : String(error));
  }
}

// ---- small helpers -------------------------------------------------------------------------------------

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it returns a value other than undefined, or `ms` pass (then undefined). */
export async function eventually<T>(
  probe: () => Promise<T | undefined>,
  ms: number,
  every = 250,
): Promise<T | undefined> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() >= deadline) return undefined;
    await sleep(every);
  }
}

export function tempDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'tender-chaos-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Whether a body is the one error shape `{error: {code, message, requestId}}`. */
export function isErrorShape(body: unknown): body is { error: { code: string; message: string; requestId: string } } {
  if (body === null || typeof body !== 'object' || Object.keys(body).join() !== 'error') return false;
  const error = (body as { error: unknown }).error;
  return (
    error !== null &&
    typeof error === 'object' &&
    Object.keys(error).sort().join() === 'code,message,requestId' &&
    typeof (error as Record<string, unknown>).code === 'string' &&
    typeof (error as Record<string, unknown>).message === 'string' &&
    typeof (error as Record<string, unknown>).requestId === 'string'
  );
}

// ---- a BFF child process -------------------------------------------------------------------------------

export interface BffOptions {
  /** `sqlite:<file>` or `postgres://…` */
  database: string;
  /** A configuration file; absent = the built-in sandbox configuration (simulators mounted). */
  configPath?: string;
  webhookUrl?: string;
  name: string;
}

/**
 * `node --import tsx server/main.ts` on a port of its own. `start()` waits for /healthz; `kill()`
 * is SIGKILL (no shutdown code runs); `start()` again is a restart on the same database.
 */
export class BffProcess {
  port = 0;
  #child: ChildProcess | null = null;
  #output = '';
  starts = 0;

  constructor(readonly options: BffOptions) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get alive(): boolean {
    return this.#child !== null && this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** The last lines the process wrote (for a failure's detail). */
  tail(lines = 15): string {
    return this.#output.split('\n').slice(-lines).join('\n');
  }

  async start(): Promise<void> {
    if (this.port === 0) this.port = await freePort();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PORT: String(this.port),
      TENDER_DATABASE: this.options.database,
      TENDER_PUBLIC_URL: this.url,
      TENDER_LOG: process.env.CHAOS_BFF_LOG ? '' : 'silent',
    };
    delete env.TENDER_CONFIG;
    delete env.TENDER_WEBHOOK_URL;
    if (this.options.configPath) env.TENDER_CONFIG = this.options.configPath;
    if (this.options.webhookUrl) {
      env.TENDER_WEBHOOK_URL = this.options.webhookUrl;
      env.TENDER_WEBHOOK_SECRET = WEBHOOK_SECRET;
    }
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#child = child;
    this.starts += 1;
    const keep = (chunk: Buffer) => {
      this.#output = (this.#output + chunk.toString()).slice(-20_000);
      if (process.env.CHAOS_BFF_LOG) process.stderr.write(`[${this.options.name}] ${chunk.toString()}`);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const up = await eventually(async () => {
      if (!this.alive) throw new Error('exited');
      const response = await fetch(`${this.url}/healthz`, { signal: AbortSignal.timeout(1000) });
      return response.ok ? true : undefined;
    }, 30_000);
    if (!up || !this.alive) throw new Error(`${this.options.name} did not start:\n${this.tail()}`);
  }

  /** kill -9, and wait until the process is gone. */
  async kill(): Promise<void> {
    const child = this.#child;
    if (!child || !this.alive) return;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await gone;
  }

  async restart(): Promise<void> {
    await this.kill();
    await this.start();
  }

  /** A clean stop (SIGTERM), for the end of a run. */
  async stop(): Promise<void> {
    const child = this.#child;
    if (!child || !this.alive) return;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await gone;
    clearTimeout(timer);
  }

  // -- requests --

  async request(
    path: string,
    init: RequestInit & { timeoutMs?: number } = {},
  ): Promise<{ status: number; body: unknown; ms: number; headers: Headers }> {
    const started = Date.now();
    const response = await fetch(`${this.url}${path}`, {
      ...init,
      signal: AbortSignal.timeout(init.timeoutMs ?? 30_000),
    });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: kept as text
    }
    return { status: response.status, body, ms: Date.now() - started, headers: response.headers };
  }

  merchant(path: string, init: RequestInit & { timeoutMs?: number } = {}, key = SECRET_KEY) {
    return this.request(path, {
      ...init,
      headers: {
        authorization: `Bearer ${key}`,
        ...(init.body ? { 'content-type': 'application/json' } : {}),
        ...(init.headers as Record<string, string>),
      },
    });
  }

  browser(path: string, secret: string, init: RequestInit & { timeoutMs?: number } = {}) {
    return this.request(path, {
      ...init,
      headers: {
        'tender-client-secret': secret,
        ...(init.body ? { 'content-type': 'application/json' } : {}),
        ...(init.headers as Record<string, string>),
      },
    });
  }
}

// ---- provider simulators in this process ---------------------------------------------------------------

/** One call a BFF made to a simulator that asks it to make something (an order, a payout, a refund). */
export interface MadeCall {
  kind: 'one1pay.order' | 'one1pay.payout' | 'ottpay.refund' | 'ottpay.order';
  /** The merchant's id for it (One1Pay `orderid`; OTT Pay's only in the encrypted data, so null). */
  id: string | null;
  /** Whether the simulator answered that it was made. */
  accepted: boolean | null;
  /** The origin of the BFF that asked (from the callback URL it gave; null where that is encrypted). */
  from: string | null;
}

/** What a gate waits for: a call of this kind arriving. */
/** `one1pay.check` is a status query made while a callback is in flight (the callback's confirmation). */
type GateKind = 'one1pay.order' | 'one1pay.payout' | 'one1pay.check' | 'ottpay.refund';

/**
 * OTT Pay and One1Pay simulators on a loopback port of this process. Every call that makes an order
 * or a payout is recorded with the simulator's answer, and a gate can hold one such call (with the
 * simulator's own delay switch) and say when it arrived: that is when a test kills the BFF.
 */
export class Simulators {
  readonly made: MadeCall[] = [];
  #gates: Array<{ kind: GateKind; holdMs: number; arrived: () => void }> = [];
  #callbacksInFlight = 0;
  #server: Awaited<ReturnType<typeof listen>> | null = null;
  #app: ReturnType<typeof createSandboxApp> | null = null;

  get url(): string {
    return this.#server!.url;
  }

  async start(): Promise<void> {
    this.#server = await listen();
    const config = parseConfig({
      publicUrl: this.#server.url,
      database: 'sqlite::memory:',
      merchant: { name: 'Chaos Shop', secretKey: SECRET_KEY },
      providers: {
        one1pay: { ...SANDBOX_CREDENTIALS.one1pay, baseUrl: `${this.#server.url}/one1pay` },
        ottpay: { ...SANDBOX_CREDENTIALS.ottpay, baseUrl: `${this.#server.url}/ottpay` },
      },
    });
    // Callbacks the simulators send are counted while in flight, so a gate can wait for the status
    // query that confirms one (and not the reconciler's own).
    const sendCallback: typeof fetch = (input, init) => {
      this.#callbacksInFlight += 1;
      return fetch(input, init).finally(() => (this.#callbacksInFlight -= 1));
    };
    this.#app = createSandboxApp({ publicUrl: this.#server.url, config, log: silentLogger, fetch: sendCallback });
    this.#server.handle((request) => this.#handle(request));
  }

  async close(): Promise<void> {
    await this.#server?.close();
  }

  /** A configuration file for BFFs that use these simulators (publicUrl and database from the env). */
  writeConfig(dir: string, { webhooks }: { webhooks: boolean }): string {
    const path = join(dir, webhooks ? 'tender-webhooks.json' : 'tender.json');
    const config = {
      publicUrl: 'env:TENDER_PUBLIC_URL',
      database: 'env:TENDER_DATABASE',
      sandbox: false,
      merchant: {
        name: 'Chaos Shop',
        secretKey: SECRET_KEY,
        allowedOrigins: [],
        ...(webhooks ? { webhookUrl: 'env:TENDER_WEBHOOK_URL', webhookSecret: 'env:TENDER_WEBHOOK_SECRET' } : {}),
      },
      providers: {
        one1pay: { ...SANDBOX_CREDENTIALS.one1pay, baseUrl: `${this.url}/one1pay` },
        ottpay: { ...SANDBOX_CREDENTIALS.ottpay, baseUrl: `${this.url}/ottpay` },
      },
    };
    writeFileSync(path, JSON.stringify(config, null, 2));
    return path;
  }

  /**
   * Resolves when the next call of `kind` arrives; that call is then held `holdMs` by the
   * simulator's delay switch (`/_control/delay-next-response`) before it is handled.
   */
  gate(kind: GateKind, holdMs: number): Promise<void> {
    return new Promise((resolve) => this.#gates.push({ kind, holdMs, arrived: resolve }));
  }

  /** Calls a simulator route directly (controls), e.g. control('one1pay', 'GET', '/_control/orders/x'). */
  async control(provider: 'one1pay' | 'ottpay', method: string, path: string, body?: unknown) {
    const response = await fetch(`${this.url}/${provider}${path}`, {
      method,
      ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // text
    }
    return { status: response.status, body: parsed as Record<string, unknown> };
  }

  /** Calls of `kind` the simulators accepted, for one merchant id (or all). */
  accepted(kind: MadeCall['kind'], id?: string): MadeCall[] {
    return this.made.filter((call) => call.kind === kind && call.accepted && (id === undefined || call.id === id));
  }

  async #handle(request: Request): Promise<Response> {
    const path = new URL(request.url).pathname;
    let made: MadeCall | null = null;
    let gateKind: GateKind | null = null;
    if (request.method === 'POST' && path.startsWith('/one1pay/merchant/')) {
      const form = await request
        .clone()
        .formData()
        .catch(() => null);
      const id = form?.get('orderid') ?? form?.get('order_id') ?? null;
      const orderId = typeof id === 'string' ? id : null;
      const callback = form?.get('callback_url');
      const from = typeof callback === 'string' && URL.canParse(callback) ? new URL(callback).origin : null;
      if (path.endsWith('/generate_orders')) {
        made = { kind: 'one1pay.order', id: orderId, accepted: null, from };
        gateKind = 'one1pay.order';
      } else if (path.endsWith('/withdraw_orders')) {
        made = { kind: 'one1pay.payout', id: orderId, accepted: null, from };
        gateKind = 'one1pay.payout';
      } else if (path.endsWith('/check_status')) {
        gateKind = 'one1pay.check';
      }
    } else if (request.method === 'POST' && path.startsWith('/ottpay/')) {
      const envelope = (await request
        .clone()
        .json()
        .catch(() => null)) as { action?: string } | null;
      if (envelope?.action === 'REFUND') {
        made = { kind: 'ottpay.refund', id: null, accepted: null, from: null };
        gateKind = 'ottpay.refund';
      } else if (envelope?.action === 'ACTIVEPAY' || envelope?.action === 'H5PAY') {
        made = { kind: 'ottpay.order', id: null, accepted: null, from: null };
      }
    }
    if (made) this.made.push(made);
    // A status query is gated only while a callback is in flight: it is the one confirming it.
    const gated = gateKind !== null && (gateKind !== 'one1pay.check' || this.#callbacksInFlight > 0);
    const gate = gated ? this.#gates.find((each) => each.kind === gateKind) : undefined;
    if (gate) {
      this.#gates.splice(this.#gates.indexOf(gate), 1);
      const provider = gateKind!.split('.')[0];
      await this.#app!.request(`/${provider}/_control/delay-next-response?ms=${gate.holdMs}`, { method: 'POST' });
      gate.arrived();
    }
    const response = await this.#app!.fetch(request);
    if (made) {
      const text = await response.clone().text();
      made.accepted = accepted(made.kind, text);
    }
    return response;
  }
}

function accepted(kind: MadeCall['kind'], text: string): boolean {
  try {
    const body = JSON.parse(text.replace(/,\s*([}\]])/g, '$1')) as Record<string, unknown>;
    if (kind.startsWith('one1pay')) return body.status === true;
    return body.rsp_code === 'SUCCESS';
  } catch {
    return false;
  }
}

// ---- the merchant's webhook receiver -------------------------------------------------------------------

export interface Delivery {
  id: string;
  type: string;
  sessionId: string | null;
  signed: boolean;
}

/**
 * The merchant's server: answers 200 and counts each delivery, or holds the next one open (no answer)
 * so the BFF can be killed mid-delivery.
 */
export class WebhookReceiver {
  readonly deliveries: Delivery[] = [];
  #hold: { arrived: () => void } | null = null;
  #held: Array<() => void> = [];
  #server: Awaited<ReturnType<typeof listen>> | null = null;

  get url(): string {
    return `${this.#server!.url}/webhooks`;
  }

  async start(): Promise<void> {
    this.#server = await listen();
    this.#server.handle(async (request) => {
      const body = await request.text();
      const signed = verifyWebhookSignature(request.headers.get('tender-signature'), body, WEBHOOK_SECRET);
      let parsed: { id?: string; type?: string; data?: { session?: { id?: string } } } = {};
      try {
        parsed = JSON.parse(body) as typeof parsed;
      } catch {
        // counted as unsigned garbage below
      }
      this.deliveries.push({
        id: request.headers.get('tender-webhook-id') ?? parsed.id ?? '',
        type: parsed.type ?? '',
        sessionId: parsed.data?.session?.id ?? null,
        signed,
      });
      if (this.#hold) {
        const { arrived } = this.#hold;
        this.#hold = null;
        arrived();
        // Never answered: the sender dies while waiting.
        await new Promise<void>((resolve) => this.#held.push(resolve));
        return new Response('late', { status: 503 });
      }
      return new Response('ok', { status: 200 });
    });
  }

  /** Resolves when the next delivery arrives; that one is never answered. */
  holdNext(): Promise<void> {
    return new Promise((resolve) => (this.#hold = { arrived: resolve }));
  }

  /** Deliveries of one webhook id. */
  count(id: string): number {
    return this.deliveries.filter((each) => each.id === id).length;
  }

  async close(): Promise<void> {
    for (const release of this.#held.splice(0)) release();
    await this.#server?.close();
  }
}
