/**
 * A sandbox BFF cannot be turned into a fetch proxy (the reproduction from the attack run): a
 * simulator callback pointed at the One1Pay page's own 303 redirect, which is on the BFF's origin
 * and so passes the callback guard, is a failed delivery; the foreign URL it redirects to is never
 * fetched and nothing of it shows through the control route. The sender's own rules (redirects, the
 * 200-byte preview) are tested in kit/callbacks.test.ts.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sandboxConfig } from '../../../server/config.ts';
import { silentLogger } from '../../../server/domain/log.ts';
import { one1pay as one1payDescriptor } from '../../../server/providers/one1pay/index.ts';
import { ottpay as ottpayDescriptor } from '../../../server/providers/ottpay/index.ts';
import { memoryCache, silentLogger as quiet, type ProviderContext } from '../../../server/providers/provider.ts';
import { createRuntime, type Runtime } from '../../../server/runtime.ts';
import { listen } from '../harness.ts';

type Server = Awaited<ReturnType<typeof listen>>;
const ctx: ProviderContext = { fetch, now: () => new Date(), timeoutMs: 5_000, cache: memoryCache(), log: quiet };
const id = (prefix: string) => `${prefix}${randomBytes(6).toString('hex')}`;

describe('simulator callbacks in a sandbox BFF', () => {
  let dir: string;
  let bff: Server;
  let foreign: Server;
  let runtime: Runtime;
  const foreignHits: string[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tender-callback-'));
    [bff, foreign] = await Promise.all([listen(), listen()]);
    foreign.handle((request) => {
      foreignHits.push(request.url);
      return new Response('the foreign page, which must never be shown');
    });
    const config = sandboxConfig({
      PORT: new URL(bff.url).port,
      TENDER_PUBLIC_URL: bff.url,
      TENDER_DATABASE: `sqlite:${join(dir, 'tender.db')}`,
    });
    runtime = await createRuntime(config, { log: silentLogger });
    bff.handle((request) => runtime.app.fetch(request));
  });
  after(async () => {
    await runtime.close();
    await Promise.all([bff.close(), foreign.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  /** An OTT Pay order whose callback goes to `notifyUrl`, paid at once; returns its callback deliveries. */
  async function payOttOrder(notifyUrl: string): Promise<Array<Record<string, unknown>>> {
    const ottpay = ottpayDescriptor.create(runtime.config.providers.ottpay!, ctx);
    const orderId = id('att_cb');
    await ottpay.createPayment({
      orderId,
      method: 'ottpay.wechat',
      money: { minor: 100, currency: 'CAD' },
      description: null,
      customer: {},
      fields: {},
      notifyUrl,
      returnUrl: `${bff.url}/`,
      expiresAt: new Date(Date.now() + 60_000),
    });
    const control = `${bff.url}/sandbox/ottpay/_control/orders/${orderId}`;
    assert.equal((await fetch(`${control}/pay`, { method: 'POST' })).status, 200);
    return ((await (await fetch(control)).json()) as { callbacks: Array<Record<string, unknown>> }).callbacks;
  }

  it("does not follow the One1Pay page's redirect to a foreign URL", async () => {
    // A One1Pay order whose return URL is foreign: paying it on its page answers 303 to that URL.
    const one1pay = one1payDescriptor.create(runtime.config.providers.one1pay!, ctx);
    const created = await one1pay.createPayment({
      orderId: id('att_r'),
      method: 'one1pay.truemoney',
      money: { minor: 500_00, currency: 'THB' },
      description: null,
      customer: { email: 'shopper@example.com', phone: '+66 81 234 5678' },
      fields: { bankId: '2', holderName: 'Somchai Jaidee', accountNumber: '1234567890' },
      notifyUrl: `${bff.url}/v1/notify/one1pay`,
      returnUrl: `${foreign.url}/secret`,
      expiresAt: new Date(Date.now() + 600_000),
    });
    // The BFF's own origin, so the sandbox's callback guard lets it through; the redirect must not be.
    const callbacks = await payOttOrder(`${bff.url}/sandbox/one1pay/pay/${created.providerPaymentId}/pay`);
    assert.equal(callbacks.length, 1);
    assert.equal(callbacks[0]!.httpStatus, 303);
    assert.equal(callbacks[0]!.acknowledged, false);
    assert.equal(callbacks[0]!.answer, null);
    assert.match(String(callbacks[0]!.error), /redirect/);
    assert.deepEqual(foreignHits, []);
  });
});
