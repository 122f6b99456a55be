/**
 * A misbehaving provider seen from the browser API: an OTT Pay answer whose body stalls past the
 * provider deadline is a 503 (try again), a huge one a 502; neither is a 500 nor hangs the request.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestBff, type TestBff } from '../harness.ts';
import { urlOf } from '../../fetch-args.ts';

type Misbehaviour = 'none' | 'stall' | 'huge';

describe('attempts when the provider answer misbehaves', () => {
  let bff: TestBff;
  let misbehave: Misbehaviour = 'none';

  before(async () => {
    // Between the adapters and the OTT Pay simulator: the real answer's headers arrive at once, then
    // its body stalls after a few bytes, or is replaced by 5 MB.
    const faulty: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (misbehave === 'none' || !urlOf(input).includes('/ottpay/')) return response;
      const real = new Uint8Array(await response.arrayBuffer());
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          if (misbehave === 'huge') {
            for (let i = 0; i < 80; i++) controller.enqueue(new Uint8Array(64 * 1024).fill(0x20));
            controller.enqueue(real);
            controller.close();
          } else {
            controller.enqueue(real.subarray(0, 10));
          }
        },
      });
      return new Response(body, { status: response.status, headers: { 'content-type': 'application/json' } });
    };
    bff = await startTestBff({ fetch: faulty, providerTimeoutMs: 300 });
  });
  after(() => bff.close());

  async function attempt(reference: string): Promise<Response> {
    const session = await bff.createSession({ amount: '12.34', currency: 'CAD', reference });
    return bff.browser(`/v1/checkout/${session.id}/attempts`, session.clientSecret, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ method: 'ottpay.wechat' }),
    });
  }

  it('answers 503 provider_unavailable when the answer body stalls past the deadline', async () => {
    misbehave = 'stall';
    const response = await attempt('stall-1');
    assert.equal(response.status, 503);
    assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'provider_unavailable');
  });

  it('answers 502 provider_error for a 5 MB answer', async () => {
    misbehave = 'huge';
    const response = await attempt('huge-1');
    assert.equal(response.status, 502);
    assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'provider_error');
  });

  it('still creates the attempt when the provider behaves', async () => {
    misbehave = 'none';
    assert.equal((await attempt('fine-1')).status, 201);
  });
});
