/**
 * Provider callbacks are refused over their size limit with a 413 in the one error shape, before
 * any of the body is verified, whether the size is declared or the body is streamed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { LIMITS } from '../../../server/limits.ts';
import { startTestBff, type TestBff } from '../harness.ts';

interface ErrorBody {
  error: { code: string; message: string; requestId: string };
}

/** A body streamed in pieces, so no Content-Length is sent and the limit must count what arrives. */
function streamed(size: number): RequestInit {
  const piece = new Uint8Array(4096).fill(0x61);
  let sent = 0;
  return {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= size) return controller.close();
        sent += piece.byteLength;
        controller.enqueue(piece);
      },
    }),
    duplex: 'half',
  } as RequestInit;
}

describe('callback body limit', () => {
  let bff: TestBff;
  before(async () => {
    bff = await startTestBff();
  });
  after(() => bff.close());

  async function assertTooLarge(response: Response, what: RegExp): Promise<void> {
    assert.equal(response.status, 413);
    const body = (await response.json()) as ErrorBody;
    assert.equal(body.error.code, 'too_large');
    assert.match(body.error.message, what);
    assert.ok(body.error.requestId);
  }

  it('answers 413 to a callback over the limit, declared or streamed', async () => {
    const big = 'a'.repeat(LIMITS.callbackBodyBytes + 1);
    const declared = await bff.runtime.app.request('/v1/notify/ottpay', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: big,
    });
    await assertTooLarge(declared, new RegExp(`provider callback is larger than ${LIMITS.callbackBodyBytes} bytes`));
    const chunked = await bff.runtime.app.request('/v1/notify/ottpay', streamed(LIMITS.callbackBodyBytes + 4096));
    await assertTooLarge(chunked, /provider callback is larger/);
  });

  it('still verifies a callback under the limit (a forged one is a 401)', async () => {
    const response = await bff.runtime.app.request('/v1/notify/ottpay', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ rsp_code: 'SUCCESS', merchant_id: 'x', data: 'AAAA', md5: 'B'.repeat(32) }),
    });
    assert.equal(response.status, 401);
  });

  it('answers 413 to any /v1 body over the API limit', async () => {
    const response = await bff.merchant('/v1/sessions', streamed(LIMITS.apiBodyBytes + 4096));
    await assertTooLarge(response, new RegExp(`request body is larger than ${LIMITS.apiBodyBytes} bytes`));
  });
});
