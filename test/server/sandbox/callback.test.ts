/**
 * The simulators cannot be turned into a fetch proxy: a callback answered with a redirect is a failed
 * delivery and the redirect is not followed, and no more than the first 200 bytes of any answer are
 * read or shown through a control route.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { z } from 'zod';
import { sandboxConfig } from '../../../server/config.ts';
import { silentLogger } from '../../../server/domain/log.ts';
import { one1pay as one1payDescriptor } from '../../../server/providers/one1pay/index.ts';
import { ottpay as ottpayDescriptor } from '../../../server/providers/ottpay/index.ts';
import {
  memoryCache,
  silentLogger as quiet,
  type ProviderContext,
  type ProviderDescriptor,
} from '../../../server/providers/provider.ts';
import { createRuntime, type Runtime } from '../../../server/runtime.ts';
import { CALLBACK_ANSWER_SHOWN_BYTES, readCallbackAnswer } from '../../../server/sandbox/callback.ts';
import { listen } from '../harness.ts';

type Server = Awaited<ReturnType<typeof listen>>;
const ctx: ProviderContext = { fetch, now: () => new Date(), timeoutMs: 5_000, cache: memoryCache(), log: quiet };
const id = (prefix: string) => `${prefix}${randomBytes(6).toString('hex')}`;

describe('readCallbackAnswer', () => {
  it('keeps nothing of a redirect and calls it a failed delivery', async () => {
    const answer = await readCallbackAnswer(
      new Response('<html>elsewhere</html>', { status: 303, headers: { location: 'http://elsewhere.test/' } }),
    );
    assert.equal(answer.httpStatus, 303);
    assert.equal(answer.text, null);
    assert.match(String(answer.error), /redirect \(HTTP 303\), which is not followed/);
  });

  it('keeps the first 200 bytes of a long answer and no more', async () => {
    const answer = await readCallbackAnswer(new Response('x'.repeat(1_000_000)));
    assert.equal(answer.text, 'x'.repeat(CALLBACK_ANSWER_SHOWN_BYTES));
    assert.equal(answer.complete, false);
    assert.equal(answer.error, null);
  });
});

describe('simulator callbacks in a sandbox BFF', () => {
  let dir: string;
  let bff: Server;
  let foreign: Server;
  let target: Server;
  let runtime: Runtime;
  const foreignHits: string[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tender-callback-'));
    [bff, foreign, target] = await Promise.all([listen(), listen(), listen()]);
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
    await Promise.all([bff.close(), foreign.close(), target.close()]);
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
    assert.equal(callbacks[0]!.body, null);
    assert.match(String(callbacks[0]!.error), /redirect/);
    assert.deepEqual(foreignHits, []);
  });
});

/** A simulator's input on its own (not inside a BFF): sandbox credentials at `url`, unguarded fetch. */
function standalone<S extends z.ZodType>(descriptor: ProviderDescriptor<string, S>, url: string) {
  const options = descriptor.options.parse({ ...descriptor.sandbox.credentials(), baseUrl: url }) as z.output<S>;
  return { options, publicUrl: url, merchantName: 'Shop', fetch };
}

describe('simulator callbacks on their own', () => {
  let ottSim: Server;
  let one1Sim: Server;
  let target: Server;
  let foreign: Server;
  const foreignHits: string[] = [];

  before(async () => {
    [ottSim, one1Sim, target, foreign] = await Promise.all([listen(), listen(), listen(), listen()]);
    ottSim.handle(ottpayDescriptor.sandbox.simulator(standalone(ottpayDescriptor, ottSim.url)).fetch);
    one1Sim.handle(one1payDescriptor.sandbox.simulator(standalone(one1payDescriptor, one1Sim.url)).fetch);
    foreign.handle((request) => {
      foreignHits.push(request.url);
      return new Response('SUCCESS');
    });
    target.handle((request) =>
      new URL(request.url).pathname === '/redirect'
        ? Response.redirect(`${foreign.url}/secret`, 307)
        : new Response('z'.repeat(500_000)),
    );
  });
  after(() => Promise.all([ottSim, one1Sim, target, foreign].map((server) => server.close())));

  async function deliveries(
    provider: 'ottpay' | 'one1pay',
    notifyUrl: string,
  ): Promise<Array<Record<string, unknown>>> {
    const orderId = id('att_so');
    if (provider === 'ottpay') {
      const adapter = ottpayDescriptor.create(standalone(ottpayDescriptor, ottSim.url).options, ctx);
      await adapter.createPayment({
        orderId,
        method: 'ottpay.wechat',
        money: { minor: 100, currency: 'CAD' },
        description: null,
        customer: {},
        fields: {},
        notifyUrl,
        returnUrl: 'https://shop.example/',
        expiresAt: new Date(Date.now() + 60_000),
      });
    } else {
      const adapter = one1payDescriptor.create(standalone(one1payDescriptor, one1Sim.url).options, ctx);
      await adapter.createPayment({
        orderId,
        method: 'one1pay.truemoney',
        money: { minor: 500_00, currency: 'THB' },
        description: null,
        customer: { email: 'shopper@example.com', phone: '+66 81 234 5678' },
        fields: { bankId: '2', holderName: 'Somchai Jaidee', accountNumber: '1234567890' },
        notifyUrl,
        returnUrl: 'https://shop.example/',
        expiresAt: new Date(Date.now() + 600_000),
      });
    }
    const base = provider === 'ottpay' ? ottSim.url : one1Sim.url;
    const control = `${base}/_control/orders/${orderId}`;
    assert.equal((await fetch(`${control}/pay`, { method: 'POST' })).status, 200);
    return ((await (await fetch(control)).json()) as { callbacks: Array<Record<string, unknown>> }).callbacks;
  }

  for (const [provider, bodyField] of [
    ['ottpay', 'body'],
    ['one1pay', 'responseBody'],
  ] as const) {
    it(`${provider}: a redirect is a failed delivery and is not followed`, async () => {
      const [delivery] = await deliveries(provider, `${target.url}/redirect`);
      assert.equal(delivery!.httpStatus, 307);
      assert.equal(delivery!.acknowledged, false);
      assert.equal(delivery![bodyField], null);
      assert.match(String(delivery!.error), /redirect/);
      assert.deepEqual(foreignHits, []);
    });

    it(`${provider}: shows no more than the first 200 bytes of a long answer`, async () => {
      const [delivery] = await deliveries(provider, `${target.url}/long`);
      assert.equal(delivery!.httpStatus, 200);
      assert.equal(delivery![bodyField], 'z'.repeat(CALLBACK_ANSWER_SHOWN_BYTES));
      assert.equal(delivery!.acknowledged, false);
    });
  }
});
