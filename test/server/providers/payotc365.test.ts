/**
 * PayOtc365 adapter: the wallet balance read exactly, against the simulator through a `fetch` that
 * routes to its `app.request()`, and every way the inquiry can fail mapped to a neutral code.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Hono } from 'hono';
import {
  createPayOtc365Provider,
  MAX_ANSWER_BYTES,
  payotc365OptionsSchema,
} from '../../../server/providers/payotc365/adapter.ts';
import { resolvePayOtc365Options } from '../../../server/providers/payotc365/options.ts';
import {
  memoryCache,
  ProviderError,
  type ProviderContext,
  type ProviderErrorCode,
  type ProviderLogger,
} from '../../../server/providers/provider.ts';
import { createPayOtc365Simulator } from '../../../server/sandbox/payotc365/index.ts';
import { parseDecimal } from '../../../server/domain/money.ts';
import { abortError } from '../../fetch-args.ts';
import { listen } from '../harness.ts';
import { CONTRACT_TIMEOUT_MS, providerContract, type ContractHarness } from './contract.ts';

const APP_ID = 'app_5Nf8';
const SECRET = 'key-2f7c91e0';
const BASE_URL = 'http://payotc365.test/api';
const NOW = new Date('2026-11-21T08:00:00Z');

interface Sent {
  url: string;
  method: string;
  headers: Headers;
  body: string;
}

/** A `fetch` that hands each request to `app.request()`, giving up when the request's signal fires. */
function routeTo(app: Hono, sent: Sent[]): typeof fetch {
  return async (input, init) => {
    const request = new Request(input, init);
    const body = await request.text();
    sent.push({ url: request.url, method: request.method, headers: request.headers, body });
    assert.ok(request.url.startsWith(`${BASE_URL}/`), request.url);
    const path = request.url.slice(BASE_URL.length);
    const { signal } = request;
    // An open socket would keep the process alive while the answer is awaited; in process, this
    // does (AbortSignal.timeout's timer does not hold the process on its own).
    const keepAlive = setInterval(() => {}, 1000);
    return new Promise<Response>((resolve, reject) => {
      if (signal.aborted) return reject(abortError(signal));
      signal.addEventListener('abort', () => reject(abortError(signal)), { once: true });
      const forwarded = { method: request.method, headers: request.headers, body: body || undefined, signal };
      Promise.resolve(app.request(path, forwarded)).then(resolve, reject);
    }).finally(() => clearInterval(keepAlive));
  };
}

/** A context whose log lines land in `logged`. */
function context(fetchImpl: typeof fetch, timeoutMs = 2000) {
  const logged: Array<{ message: string; fields?: Record<string, unknown> }> = [];
  const log: ProviderLogger = {
    info: (message, fields) => logged.push({ message, fields }),
    warn: (message, fields) => logged.push({ message, fields }),
    error: (message, fields) => logged.push({ message, fields }),
  };
  const ctx: ProviderContext = { fetch: fetchImpl, now: () => NOW, timeoutMs, cache: memoryCache(), log };
  return { ctx, logged };
}

function harness({
  balances,
  secret = SECRET,
  timeoutMs,
}: { balances?: Record<string, string>; secret?: string; timeoutMs?: number } = {}) {
  const app = createPayOtc365Simulator({ publicUrl: BASE_URL, appId: APP_ID, secret: SECRET, balances });
  const sent: Sent[] = [];
  const { ctx, logged } = context(routeTo(app, sent), timeoutMs);
  const provider = createPayOtc365Provider({ baseUrl: `${BASE_URL}/`, appId: APP_ID, secret }, ctx);
  async function control(path: string, body: unknown): Promise<void> {
    const response = await app.request(`/_control/${path}`, { method: 'POST', body: JSON.stringify(body) });
    assert.equal(response.status, 200, await response.text());
  }
  return { app, provider, sent, logged, control };
}

/** An adapter whose every request is answered with `body` (raw text) and `status`. */
function answering(body: string, status = 200, headers: Record<string, string> = {}) {
  const fetchImpl: typeof fetch = async () =>
    new Response(body, { status, headers: { 'Content-Type': 'application/json', ...headers } });
  const { ctx, logged } = context(fetchImpl);
  return { provider: createPayOtc365Provider({ baseUrl: BASE_URL, appId: APP_ID, secret: SECRET }, ctx), logged };
}

async function rejectsWith(promise: Promise<unknown>, code: ProviderErrorCode): Promise<ProviderError> {
  let caught: unknown = null;
  await assert.rejects(promise, (error: unknown) => {
    caught = error;
    return true;
  });
  assert.ok(caught instanceof ProviderError, `expected a ProviderError, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  assert.equal(caught.provider, 'payotc365');
  return caught;
}

describe('PayOtc365 options', () => {
  it('strips the trailing slash of baseUrl and takes only http(s)', () => {
    const parsed = payotc365OptionsSchema.parse({ baseUrl: 'https://api.payotc365.com///', appId: 'a', secret: 's' });
    assert.equal(parsed.baseUrl, 'https://api.payotc365.com');
    assert.equal(
      payotc365OptionsSchema.safeParse({ baseUrl: 'ftp://x.example', appId: 'a', secret: 's' }).success,
      false,
    );
  });

  it('names the bad field', () => {
    assert.throws(
      () => resolvePayOtc365Options({ baseUrl: BASE_URL, appId: 'app:1', secret: 's' }),
      /^Error: providers\.payotc365\.appId: must not contain ":"$/,
    );
    assert.throws(() => resolvePayOtc365Options({ baseUrl: BASE_URL, appId: 'a', secret: '' }), /payotc365\.secret/);
    assert.throws(
      () => resolvePayOtc365Options({ baseUrl: BASE_URL, appId: 'a', secret: 's\n' }),
      /payotc365\.secret: must not contain control characters/,
    );
    assert.throws(
      () =>
        createPayOtc365Provider({ baseUrl: BASE_URL, appId: 'a', secret: 's', extra: 1 } as never, context(fetch).ctx),
      /providers\.payotc365/,
    );
  });
});

describe('PayOtc365 adapter: what it offers', () => {
  it('offers no method and refuses pay-in calls without a request', async () => {
    const { provider, sent } = harness();
    assert.equal(provider.id, 'payotc365');
    assert.deepEqual(await provider.offers({ money: { minor: 1_000_000, currency: 'USDT' }, customer: {} }), []);
    const payment = {
      orderId: 'ord_1',
      method: 'payotc365.usdt' as const,
      money: { minor: 1_000_000, currency: 'USDT' },
    };
    await rejectsWith(
      provider.createPayment({
        ...payment,
        description: null,
        customer: {},
        fields: {},
        notifyUrl: 'http://127.0.0.1:9/n',
        returnUrl: 'http://127.0.0.1:9/r',
        expiresAt: NOW,
      }),
      'unsupported',
    );
    await rejectsWith(provider.queryPayment(payment), 'unsupported');
    assert.equal(sent.length, 0);
  });

  it('answers balances in USDT only, asking nothing for another currency', async () => {
    const { provider, sent } = harness();
    await rejectsWith(provider.balance!('THB'), 'unsupported');
    assert.equal(sent.length, 0);
  });
});

describe('PayOtc365 adapter: the balance', () => {
  it('sends the documented request: POST, Accept JSON, Basic base64(appId:secret), no body', async () => {
    const { provider, sent } = harness();
    await provider.balance!('USDT');
    assert.equal(sent.length, 1);
    const [request] = sent;
    assert.equal(request!.url, `${BASE_URL}/pay/inquire/wallet`);
    assert.equal(request!.method, 'POST');
    assert.equal(request!.headers.get('accept'), 'application/json');
    assert.equal(
      request!.headers.get('authorization'),
      `Basic ${Buffer.from(`${APP_ID}:${SECRET}`).toString('base64')}`,
    );
    assert.equal(request!.body, '');
  });

  it('reads totalAssets exactly into micro-USDT', async () => {
    for (const [text, minor] of [
      ['1250.000000', 1_250_000_000],
      ['0.000001', 1],
      ['0', 0],
      ['123456789.123456', 123_456_789_123_456],
      ['9007199254.740991', 9_007_199_254_740_991],
    ] as const) {
      const { provider } = harness({ balances: { USDT: text } });
      assert.deepEqual(await provider.balance!('USDT'), { minor, currency: 'USDT' }, text);
    }
  });

  it('follows the balance a control sets', async () => {
    const { provider, control } = harness();
    await control('balance', { coin: 'USDT', totalAssets: '42.000042' });
    assert.deepEqual(await provider.balance!('USDT'), { minor: 42_000_042, currency: 'USDT' });
  });

  it('refuses a wallet that reports another coin', async () => {
    const { provider, control } = harness();
    await control('balance', { coin: 'BTC', totalAssets: '1' });
    await rejectsWith(provider.balance!('USDT'), 'bad_response');
  });

  it('reads amounts PayOtc365 might write otherwise, and refuses what is not a USDT amount', async () => {
    const wallet = (assets: string) => `{"status":"success","data":{"totalAssets":${assets},"coin":"USDT"}}`;
    for (const [assets, minor] of [
      ['0.0000010', 1],
      ['"2.500000"', 2_500_000],
      ['7', 7_000_000],
    ] as const) {
      assert.deepEqual(await answering(wallet(assets)).provider.balance!('USDT'), { minor, currency: 'USDT' }, assets);
    }
    for (const assets of ['1.0000001', '-1.000000', '1.5e3', '9007199254.740992', 'null', '"abc"', '1.', '{}']) {
      await rejectsWith(answering(wallet(assets)).provider.balance!('USDT'), 'bad_response');
    }
  });

  it('is not fooled by "totalAssets" inside a string', async () => {
    const body =
      '{"note":"\\"totalAssets\\" : 999.000000","status":"success","data":{"coin":"USDT","totalAssets":3.000001}}';
    assert.deepEqual(await answering(body).provider.balance!('USDT'), { minor: 3_000_001, currency: 'USDT' });
  });
});

describe('PayOtc365 adapter: failures', () => {
  it("wrong credentials are authentication; PayOtc365's message stays in the log", async () => {
    const { provider, logged } = harness({ secret: 'not-the-key' });
    const error = await rejectsWith(provider.balance!('USDT'), 'authentication');
    assert.equal(error.retryable, false);
    assert.ok(!error.message.includes('incorrect'), error.message);
    assert.equal(logged.length, 1);
    assert.equal(logged[0]!.fields?.code, '10000');
    assert.match(String(logged[0]!.fields?.message), /incorrect/);
  });

  it('a refusal with another code is invalid_request, without its message', async () => {
    const { provider, control } = harness();
    await control('refusal', { refuse: true, code: 20001, message: 'wallet frozen by risk control' });
    const error = await rejectsWith(provider.balance!('USDT'), 'invalid_request');
    assert.match(error.message, /code 20001/);
    assert.ok(!error.message.includes('frozen'), error.message);
    await control('refusal', { refuse: true, code: 10001 });
    await rejectsWith(provider.balance!('USDT'), 'authentication');
  });

  it('HTTP 500 is unavailable, and retryable', async () => {
    const { provider, control } = harness();
    await control('faults', { mode: 'http500', count: 1 });
    const error = await rejectsWith(provider.balance!('USDT'), 'unavailable');
    assert.equal(error.retryable, true);
    assert.equal((await provider.balance!('USDT')).minor, 1_250_000_000);
  });

  it('a cut-off answer is bad_response', async () => {
    const { provider, control } = harness();
    await control('faults', { mode: 'garbage' });
    await rejectsWith(provider.balance!('USDT'), 'bad_response');
  });

  it('a huge answer is bad_response, though it is valid JSON with the right balance', async () => {
    const { provider, control } = harness();
    await control('faults', { mode: 'huge' });
    const error = await rejectsWith(provider.balance!('USDT'), 'bad_response');
    assert.match(error.message, new RegExp(`larger than ${MAX_ANSWER_BYTES}`));
  });

  it('an answer declaring a length over the limit is bad_response', async () => {
    const big = 'x'.repeat(MAX_ANSWER_BYTES + 1);
    const { provider } = answering(big, 200, { 'Content-Length': String(big.length) });
    await rejectsWith(provider.balance!('USDT'), 'bad_response');
  });

  it('a slow answer within the timeout is read; past it, or a hang, is unavailable', async () => {
    const { provider, control } = harness({ timeoutMs: 500 });
    await control('faults', { mode: 'slow', delayMs: 5 });
    assert.equal((await provider.balance!('USDT')).minor, 1_250_000_000);
    const late = harness({ timeoutMs: 50 });
    await late.control('faults', { mode: 'slow', delayMs: 2000 });
    await rejectsWith(late.provider.balance!('USDT'), 'unavailable');
    const hung = harness({ timeoutMs: 50 });
    await hung.control('faults', { mode: 'hang' });
    await rejectsWith(hung.provider.balance!('USDT'), 'unavailable');
  });

  it('reads the status and shape together', async () => {
    const success = '{"status":"success","data":{"totalAssets":1.000000,"coin":"USDT"}}';
    await rejectsWith(answering(success, 412).provider.balance!('USDT'), 'bad_response');
    await rejectsWith(
      answering('{"status":"fail","code":10000,"message":"x"}', 200).provider.balance!('USDT'),
      'authentication',
    );
    await rejectsWith(answering('<html>401</html>', 401).provider.balance!('USDT'), 'authentication');
    await rejectsWith(answering('<html>404</html>', 404).provider.balance!('USDT'), 'bad_response');
    await rejectsWith(answering('{"error":"precondition"}', 412).provider.balance!('USDT'), 'bad_response');
    await rejectsWith(answering('', 429).provider.balance!('USDT'), 'unavailable');
    await rejectsWith(answering('', 200).provider.balance!('USDT'), 'bad_response');
    await rejectsWith(
      answering('{"status":"success","data":{"coin":"USDT"}}').provider.balance!('USDT'),
      'bad_response',
    );
  });

  it('a network failure is unavailable', async () => {
    const { ctx } = context(async () => {
      throw new TypeError('fetch failed');
    });
    const provider = createPayOtc365Provider({ baseUrl: BASE_URL, appId: APP_ID, secret: SECRET }, ctx);
    await rejectsWith(provider.balance!('USDT'), 'unavailable');
  });
});

/**
 * The contract, over real HTTP: PayOtc365 takes no payments, so only its balance, credentials and
 * faults apply.
 */
providerContract('payotc365', async (): Promise<ContractHarness> => {
  const running = await listen();
  const app = createPayOtc365Simulator({ publicUrl: running.url, appId: APP_ID, secret: SECRET });
  running.handle((request) => app.fetch(request));
  const adapter = (secret: string) =>
    createPayOtc365Provider(
      { baseUrl: running.url, appId: APP_ID, secret },
      { ...context(fetch).ctx, timeoutMs: CONTRACT_TIMEOUT_MS },
    );
  return {
    provider: adapter(SECRET),
    badCredentials: adapter('not-the-secret'),
    // A fresh simulator's wallet (server/sandbox/payotc365/).
    balance: { expected: parseDecimal('1250.000000', 'USDT') },
    setFault: async (mode) => {
      const response = await fetch(`${running.url}/_control/faults`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ mode }),
      });
      assert.equal(response.status, 200, await response.text());
    },
    close: () => running.close(),
  };
});
