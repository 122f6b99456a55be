/**
 * Provider answers are read within limits: size (refused without reading the rest), nesting depth
 * (checked before JSON.parse), time to the headers and time to the last byte of the body. Each way
 * out is a `ProviderError` with the code the domain turns into the right HTTP status.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { LIMITS } from '../../../server/limits.ts';
import { jsonNestingExceeds } from '../../../server/providers/http.ts';
import {
  memoryCache,
  ProviderError,
  providerFetch,
  silentLogger,
  readJson,
  type ProviderContext,
  type ProviderErrorCode,
} from '../../../server/providers/provider.ts';

const MiB = 1024 * 1024;

/** A body of `total` bytes produced on demand in `chunk`-byte pieces; `pulled` counts what was produced. */
function countedBody(total: number, chunk = 64 * 1024): { stream: ReadableStream<Uint8Array>; pulled: () => number } {
  let produced = 0;
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (produced >= total) return controller.close();
        const size = Math.min(chunk, total - produced);
        produced += size;
        controller.enqueue(new Uint8Array(size).fill(0x20));
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, pulled: () => produced };
}

/** A body that sends `start` and then nothing more, ever (it ignores any abort signal). */
function stalledBody(start: string): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode(start));
    },
    pull: () => new Promise<void>(() => undefined),
  });
}

function context(fetchImpl: typeof fetch, overrides: Partial<ProviderContext> = {}): ProviderContext {
  return {
    fetch: fetchImpl,
    now: () => new Date(),
    timeoutMs: 5_000,
    cache: memoryCache(),
    log: silentLogger,
    ...overrides,
  };
}

async function assertCode(promise: Promise<unknown>, code: ProviderErrorCode): Promise<ProviderError> {
  let caught: unknown;
  await assert.rejects(promise, (error: unknown) => {
    caught = error;
    return true;
  });
  assert.ok(caught instanceof ProviderError, `expected a ProviderError, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  return caught;
}

const call = (ctx: ProviderContext) =>
  providerFetch('ottpay', ctx, 'https://provider.test/api', { method: 'POST', body: '{}' });

describe('providerFetch: answer size', () => {
  it('refuses a 5 MB answer as bad_response after reading little more than the limit', async () => {
    const body = countedBody(5_000_000);
    const error = await assertCode(call(context(async () => new Response(body.stream))), 'bad_response');
    assert.match(error.message, new RegExp(`larger than ${LIMITS.providerAnswerBytes} bytes`));
    assert.ok(body.pulled() <= LIMITS.providerAnswerBytes + 128 * 1024, `read ${body.pulled()} bytes`);
  });

  it('refuses a declared Content-Length over the limit without reading the body at all', async () => {
    const body = countedBody(5_000_000);
    const answer = () => new Response(body.stream, { headers: { 'content-length': '5000000' } });
    await assertCode(call(context(async () => answer())), 'bad_response');
    assert.equal(body.pulled(), 0);
  });

  it('takes an answer at the limit, and honours a smaller limit from the context', async () => {
    const exact = await call(context(async () => new Response(countedBody(MiB).stream)));
    assert.equal((await exact.arrayBuffer()).byteLength, MiB);
    await assertCode(
      call(context(async () => new Response(countedBody(2_000).stream), { maxAnswerBytes: 1_000 })),
      'bad_response',
    );
  });

  it('reports a huge 5xx answer as unavailable, as any 5xx', async () => {
    const answer = () => new Response(countedBody(5_000_000).stream, { status: 503 });
    await assertCode(call(context(async () => answer())), 'unavailable');
  });
});

describe('readJson: nesting depth', () => {
  const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

  it(`parses ${LIMITS.providerAnswerDepth} levels and refuses one more as bad_response`, async () => {
    assert.ok(Array.isArray(await readJson('ottpay', new Response(nested(LIMITS.providerAnswerDepth)))));
    await assertCode(readJson('ottpay', new Response(nested(LIMITS.providerAnswerDepth + 1))), 'bad_response');
  });

  it('refuses a deeply nested answer that fits the size limit', async () => {
    const deep = `{"a":${'{"a":'.repeat(100_000)}1${'}'.repeat(100_001)}`;
    assert.ok(deep.length < LIMITS.providerAnswerBytes);
    const response = await call(context(async () => new Response(deep)));
    const error = await assertCode(readJson('ottpay', response), 'bad_response');
    assert.match(error.message, /nested deeper than 64/);
  });

  it('counts no brackets inside strings, escaped quotes included', () => {
    const text = JSON.stringify({ a: '[[[[{{{{"\\"[[[['.repeat(50), b: [[1]] });
    assert.equal(jsonNestingExceeds(text, 3), false);
    assert.equal(jsonNestingExceeds(text, 2), true);
  });
});

describe('providerFetch: deadlines', () => {
  it('maps a body that stalls past the deadline to unavailable', async () => {
    const ctx = context(async () => new Response(stalledBody('{"rsp_code":"SUC')), { timeoutMs: 150 });
    const error = await assertCode(call(ctx), 'unavailable');
    assert.match(error.message, /no complete answer within 150 ms/);
  });

  it('maps headers that never come to unavailable after the first-byte limit', async () => {
    const never: typeof fetch = () => new Promise<Response>(() => undefined);
    const error = await assertCode(call(context(never, { firstByteMs: 100 })), 'unavailable');
    assert.match(error.message, /no answer within 100 ms/);
  });

  describe('over real HTTP', () => {
    let server: Server;
    let url: string;
    before(async () => {
      server = createServer((request, response) => {
        response.writeHead(200, { 'content-type': 'application/json' });
        if (request.url === '/drip') {
          // A byte every 20 ms, forever: each read makes progress, only a whole-body deadline ends it.
          const timer = setInterval(() => response.write(' '), 20);
          response.on('close', () => clearInterval(timer));
        } else {
          response.write('{"rsp_code":');
        }
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(() => {
      server.closeAllConnections();
      server.close();
    });

    it('maps a slow body and a dripping body to unavailable', async () => {
      for (const path of ['/slow', '/drip']) {
        const ctx = context(fetch, { timeoutMs: 300 });
        const error = await assertCode(
          providerFetch('ottpay', ctx, `${url}${path}`, { method: 'POST' }),
          'unavailable',
        );
        assert.match(error.message, /no complete answer within 300 ms/, path);
      }
    });
  });
});
