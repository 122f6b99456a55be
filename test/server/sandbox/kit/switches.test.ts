/**
 * The kit's fault and delay switches and its body limit, on a small simulator served over real
 * HTTP (a reset and a hang only mean something on a real connection).
 */
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { serve } from '@hono/node-server';
import {
  createApiSwitches,
  createSimulatorApp,
  mountSwitchControls,
  SANDBOX_BODY_LIMIT,
} from '../../../../server/sandbox/kit/index.ts';

const ANSWER = '{"rsp_code":"SUCCESS","data":"abcdefghijklmnopqrstuvwxyz"}';

describe('fault and delay switches, body limit', () => {
  let server: Server;
  let base: string;
  let handled = 0;

  before(async () => {
    const app = createSimulatorApp();
    const switches = createApiSwitches({ hugeBytes: 3 * 1024 * 1024, nestedDepth: 50_000, hangLimitMs: 5_000 });
    app.use('/api', switches.api);
    app.post('/api', (c) => {
      handled += 1;
      return c.body(ANSWER, 200, { 'Content-Type': 'application/json' });
    });
    app.post('/upload', async (c) => c.json({ bytes: (await c.req.arrayBuffer()).byteLength }));
    mountSwitchControls(app, switches);
    const port = await new Promise<number>((resolve) => {
      server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) =>
        resolve(info.port),
      ) as Server;
    });
    base = `http://127.0.0.1:${port}`;
  });
  beforeEach(async () => {
    await setFault({ mode: 'none' });
    await post('/_control/delay', { ms: 0 });
  });
  after(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );

  function post(path: string, body: unknown) {
    return fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
  }

  async function setFault(setting: Record<string, unknown>) {
    const response = await post('/_control/faults', setting);
    assert.equal(response.status, 200, JSON.stringify(await response.clone().json()));
  }

  const callApi = (timeoutMs = 2_000) =>
    fetch(`${base}/api`, { method: 'POST', body: '{}', signal: AbortSignal.timeout(timeoutMs) });

  it('answers normally with no fault set', async () => {
    const response = await callApi();
    assert.equal(await response.text(), ANSWER);
  });

  it('http500 answers 500 without handling the request', async () => {
    await setFault({ mode: 'http500' });
    const before = handled;
    assert.equal((await callApi()).status, 500);
    assert.equal(handled, before);
  });

  it('garbage answers 200 "JSON" that does not parse', async () => {
    await setFault({ mode: 'garbage' });
    const response = await callApi();
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'application/json');
    const text = await response.text();
    assert.throws(() => JSON.parse(text), SyntaxError);
  });

  it('huge answers several MB of well-formed JSON', async () => {
    await setFault({ mode: 'huge' });
    const text = await (await callApi()).text();
    assert.ok(text.length >= 3 * 1024 * 1024 - 64, String(text.length));
    assert.equal((JSON.parse(text) as { rsp_code: string }).rsp_code, 'SUCCESS');
  });

  it('nested answers JSON nested tens of thousands of levels deep', async () => {
    await setFault({ mode: 'nested' });
    const text = await (await callApi()).text();
    assert.equal(text.length, 100_000);
    assert.ok(text.startsWith('[[[[') && text.endsWith(']]]]'));
  });

  it('slow handles the request, then trickles the answer: a patient client gets all of it, a hurried one none', async () => {
    await setFault({ mode: 'slow', delayMs: 20, count: 2 });
    const before = handled;
    assert.equal(await (await callApi()).text(), ANSWER);
    await assert.rejects(async () => (await callApi(40)).text(), { name: 'TimeoutError' });
    assert.equal(handled, before + 2);
  });

  it('hang never answers until the client gives up, and handles nothing', async () => {
    await setFault({ mode: 'hang' });
    const before = handled;
    await assert.rejects(callApi(100), { name: 'TimeoutError' });
    assert.equal(handled, before);
  });

  it('hang with delayMs gives up with a 504 after that long', async () => {
    await setFault({ mode: 'hang', delayMs: 50 });
    const before = handled;
    assert.equal((await callApi()).status, 504);
    assert.equal(handled, before);
  });

  it('handled: the request is handled, then its answer is spoiled', async () => {
    let before = handled;
    await setFault({ mode: 'garbage', handled: true, count: 1 });
    const garbled = await (await callApi()).text();
    assert.equal(garbled, ANSWER.slice(0, Math.floor(ANSWER.length / 2)), 'the first half of the real answer');
    assert.equal(handled, before + 1);

    before = handled;
    await setFault({ mode: 'huge', handled: true, count: 1 });
    const huge = await (await callApi()).text();
    assert.ok(huge.length >= 3 * 1024 * 1024 - 64, String(huge.length));
    assert.equal((JSON.parse(huge) as { data: string }).data, 'abcdefghijklmnopqrstuvwxyz', 'the real answer, padded');
    assert.equal(handled, before + 1);

    before = handled;
    await setFault({ mode: 'hang', handled: true, delayMs: 30, count: 1 });
    assert.equal((await callApi()).status, 504);
    assert.equal(handled, before + 1);

    before = handled;
    await setFault({ mode: 'http500', handled: true, count: 1 });
    assert.equal((await callApi()).status, 500);
    assert.equal(handled, before + 1);
  });

  it("reports whether a fault handles the request, by the simulator's default unless told", async () => {
    await setFault({ mode: 'garbage' });
    assert.deepEqual(await (await fetch(`${base}/_control/faults`)).json(), { mode: 'garbage', handled: false });
    const switches = createApiSwitches({ handled: true });
    assert.deepEqual(switches.setFault({ mode: 'hang' }), { mode: 'hang', handled: true });
    assert.deepEqual(switches.setFault({ mode: 'http500' }), { mode: 'http500', handled: false });
    assert.deepEqual(switches.setFault({ mode: 'garbage', handled: false }), { mode: 'garbage', handled: false });
    assert.deepEqual(switches.setFault({ mode: 'slow', delayMs: 5, handled: false }), { mode: 'slow', delayMs: 5 });
  });

  it('reset drops the connection without an answer', async () => {
    await setFault({ mode: 'reset', count: 1 });
    const before = handled;
    await assert.rejects(callApi(), TypeError);
    assert.equal(handled, before);
    assert.equal((await callApi()).status, 200, 'count 1: the next request is answered');
  });

  it('applies a fault to `count` requests only, and refuses an unknown mode', async () => {
    await setFault({ mode: 'http500', count: 2 });
    assert.deepEqual([(await callApi()).status, (await callApi()).status, (await callApi()).status], [500, 500, 200]);
    assert.equal((await post('/_control/faults', { mode: 'explode' })).status, 400);
    assert.equal((await post('/_control/faults', { mode: 'slow', delayMs: -1 })).status, 400);
    assert.deepEqual(await (await fetch(`${base}/_control/faults`)).json(), { mode: 'none' });
  });

  it('delays answers while the delay switch is on', async () => {
    assert.equal((await post('/_control/delay', { ms: 300, count: 1 })).status, 200);
    await assert.rejects(callApi(100), { name: 'TimeoutError' });
    assert.equal((await callApi(100)).status, 200, 'count 1: the next answer is not held');
    assert.equal((await fetch(`${base}/_control/delay-next-response?ms=300`, { method: 'POST' })).status, 200);
    await assert.rejects(callApi(100), { name: 'TimeoutError' });
    assert.equal((await post('/_control/delay', { ms: 60_000 })).status, 400);
  });

  it('refuses a body above 1 MiB with 413, declared or streamed, and takes one of exactly 1 MiB', async () => {
    const exact = await fetch(`${base}/upload`, { method: 'POST', body: new Uint8Array(SANDBOX_BODY_LIMIT) });
    assert.deepEqual(await exact.json(), { bytes: SANDBOX_BODY_LIMIT });
    const declared = await fetch(`${base}/upload`, { method: 'POST', body: new Uint8Array(SANDBOX_BODY_LIMIT + 1) });
    assert.equal(declared.status, 413);
    let sent = 0;
    const streamed = await fetch(`${base}/upload`, {
      method: 'POST',
      duplex: 'half',
      body: new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent > SANDBOX_BODY_LIMIT) return controller.close();
          sent += 64 * 1024;
          controller.enqueue(new Uint8Array(64 * 1024));
        },
      }),
    } as RequestInit);
    assert.equal(streamed.status, 413);
  });
});
