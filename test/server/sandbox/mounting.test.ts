/**
 * Where the simulators live: mounted under /sandbox/ only in sandbox mode, and there unable to send
 * callbacks anywhere but the BFF itself.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sandboxConfig } from '../../../server/config.ts';
import { silentLogger } from '../../../server/domain/log.ts';
import { LIMITS } from '../../../server/limits.ts';
import { memoryCache } from '../../../server/providers/provider.ts';
import { createOttPayProvider } from '../../../server/providers/ottpay/adapter.ts';
import { createRuntime, type Runtime } from '../../../server/runtime.ts';
import { createSandboxApp } from '../../../server/sandbox/index.ts';
import { startTestBff, type TestBff } from '../harness.ts';
import { urlOf } from '../../fetch-args.ts';

describe('sandbox mounting', () => {
  let dir: string;
  let runtime: Runtime;
  let plain: TestBff;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tender-sandbox-'));
    const config = sandboxConfig({ PORT: '18787', TENDER_DATABASE: `sqlite:${join(dir, 'tender.db')}` });
    // The adapters reach the mounted simulators through the app itself; no port is opened.
    runtime = await createRuntime(config, {
      log: silentLogger,
      fetch: async (input, init) => runtime.app.request(urlOf(input), init),
    });
    plain = await startTestBff();
  });
  after(async () => {
    await runtime.close();
    await plain.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('mounts the simulators in sandbox mode only', async () => {
    const form = new FormData();
    form.set('username', 'sandbox-merchant');
    const mounted = await runtime.app.request('/sandbox/one1pay/merchant/currency', { method: 'POST', body: form });
    assert.equal(mounted.status, 200);
    assert.equal((await mounted.json()).status, true);

    for (const path of [
      '/sandbox/one1pay/merchant/currency',
      '/sandbox/ottpay/processV2',
      '/sandbox/ottpay/_control/orders/x/pay',
    ]) {
      const response = await plain.runtime.app.request(path, { method: 'POST', body: '{}' });
      assert.equal(response.status, 404, path);
    }
  });

  it('refuses a request body above 1 MiB anywhere under /sandbox/', async () => {
    for (const path of [
      '/sandbox/ottpay/processV2',
      '/sandbox/one1pay/merchant/auth',
      '/sandbox/ottpay/_control/faults',
    ]) {
      const response = await runtime.app.request(path, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: `"${'a'.repeat(1024 * 1024)}"`,
      });
      assert.equal(response.status, 413, path);
    }
  });

  it('lets a mounted simulator call back only the BFF itself', async () => {
    const provider = createOttPayProvider(runtime.config.providers.ottpay!, {
      fetch: async (input, init) => runtime.app.request(urlOf(input), init),
      now: () => new Date(),
      timeoutMs: 5000,
      cache: memoryCache(),
      log: silentLogger,
    });
    const orderId = `att_probe${Date.now()}`;
    await provider.createPayment({
      orderId,
      method: 'ottpay.wechat',
      money: { minor: 100, currency: 'CAD' },
      description: null,
      customer: {},
      fields: {},
      notifyUrl: 'http://169.254.169.254/latest/meta-data',
      returnUrl: 'http://localhost:18787/',
      expiresAt: new Date(Date.now() + 60_000),
    });
    await runtime.app.request(`/sandbox/ottpay/_control/orders/${orderId}/pay`, { method: 'POST' });
    const record = (await (await runtime.app.request(`/sandbox/ottpay/_control/orders/${orderId}`)).json()) as {
      callbacks: Array<{ httpStatus: number | null; error?: string | null }>;
    };
    assert.equal(record.callbacks.length, 1);
    assert.equal(record.callbacks[0]!.httpStatus, null);
    assert.match(String(record.callbacks[0]!.error), /sandbox callbacks may only go to http:\/\/localhost:18787/);
  });

  it('refuses a body over the sandbox limit with a 413 in the one error shape, mounted or on its own', async () => {
    const standalone = createSandboxApp({
      publicUrl: 'http://127.0.0.1:8790',
      config: runtime.config,
      log: silentLogger,
    });
    const oversized = (): RequestInit => ({
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: 'a'.repeat(LIMITS.sandboxBodyBytes + 1),
    });
    for (const [app, path] of [
      [runtime.app, '/sandbox/ottpay/processV2'],
      [runtime.app, '/sandbox/one1pay/merchant/currency'],
      [standalone, '/ottpay/processV2'],
      [standalone, '/one1pay/_control/orders/x/pay'],
    ] as const) {
      const response = await app.request(path, oversized());
      assert.equal(response.status, 413, path);
      const body = (await response.json()) as { error: { code: string; message: string } };
      assert.equal(body.error.code, 'too_large', path);
      assert.match(body.error.message, new RegExp(`sandbox request body is larger than ${LIMITS.sandboxBodyBytes}`));
    }
  });
});
