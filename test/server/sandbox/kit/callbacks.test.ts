/**
 * The kit's callback sender against a real receiver on loopback: acknowledgements, redirects never
 * followed, timeouts, bounded retries with growing pauses, and answers kept to 200 bytes.
 */
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { acknowledgedBy, createCallbackSender, type CallbackRequest } from '../../../../server/sandbox/kit/index.ts';

describe('callback sender', () => {
  let server: Server;
  let base: string;
  const hits: Record<string, number> = {};
  let flakyFailures = 0;

  before(async () => {
    const app = new Hono();
    app.use('*', async (c, next) => {
      hits[c.req.path] = (hits[c.req.path] ?? 0) + 1;
      await next();
    });
    app.post('/ack', (c) => c.text('SUCCESS'));
    app.post('/redirect', (c) => c.redirect('/ack', 307));
    app.post(
      '/hang',
      (c) =>
        new Promise<Response>((resolve) => c.req.raw.signal.addEventListener('abort', () => resolve(c.text('late')))),
    );
    app.post('/big', (c) => c.text(`SUCCESS${'x'.repeat(2 * 1024 * 1024)}`));
    app.post('/flaky', (c) => (flakyFailures-- > 0 ? c.text('busy', 503) : c.text('SUCCESS')));
    const port = await new Promise<number>((resolve) => {
      server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) =>
        resolve(info.port),
      ) as Server;
    });
    base = `http://127.0.0.1:${port}`;
  });
  after(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );

  const request = (path: string): CallbackRequest => ({
    url: `${base}${path}`,
    body: '{"order_id":"A1"}',
    acknowledged: acknowledgedBy('SUCCESS'),
  });

  it('records an acknowledged delivery with the answer and the body it sent', async () => {
    const delivery = await createCallbackSender().send(request('/ack'));
    assert.equal(delivery.acknowledged, true);
    assert.equal(delivery.httpStatus, 200);
    assert.equal(delivery.answer, 'SUCCESS');
    assert.equal(delivery.sent, '{"order_id":"A1"}');
    assert.equal(delivery.forged, false);
    assert.equal(delivery.attempts.length, 1);
  });

  it('never follows a redirect: a 3xx is a failed delivery', async () => {
    const before = hits['/ack'] ?? 0;
    const delivery = await createCallbackSender().send(request('/redirect'));
    assert.equal(delivery.acknowledged, false);
    assert.equal(delivery.httpStatus, 307);
    assert.match(String(delivery.error), /redirect/);
    assert.equal(hits['/ack'] ?? 0, before, 'the redirect target was never called');
  });

  it('gives up on a receiver that does not answer in time', async () => {
    const delivery = await createCallbackSender({ timeoutMs: 100 }).send(request('/hang'));
    assert.equal(delivery.acknowledged, false);
    assert.equal(delivery.httpStatus, null);
    assert.match(String(delivery.error), /no answer within 100 ms/);
  });

  it('keeps only the first 200 bytes of an answer, and a long answer is no acknowledgement', async () => {
    const delivery = await createCallbackSender().send(request('/big'));
    assert.equal(delivery.httpStatus, 200);
    assert.equal(Buffer.byteLength(delivery.answer!), 200);
    assert.ok(delivery.answer!.startsWith('SUCCESSxxx'));
    assert.equal(delivery.acknowledged, false);
  });

  it('retries a bounded number of times with doubling pauses, and stops once acknowledged', async () => {
    const pauses: number[] = [];
    const sender = createCallbackSender({
      attempts: 4,
      backoffMs: 50,
      sleep: async (ms) => void pauses.push(ms),
    });
    flakyFailures = 2;
    const delivery = await sender.send(request('/flaky'));
    assert.equal(delivery.acknowledged, true);
    assert.deepEqual(
      delivery.attempts.map((a) => [a.httpStatus, a.acknowledged]),
      [
        [503, false],
        [503, false],
        [200, true],
      ],
    );
    assert.deepEqual(pauses, [50, 100]);

    flakyFailures = 10;
    const failed = await sender.send(request('/flaky'));
    assert.equal(failed.acknowledged, false);
    assert.equal(failed.attempts.length, 4);
    assert.deepEqual(pauses, [50, 100, 50, 100, 200]);
  });

  it('records an order without a callback URL as a failed delivery, and checks its policy', async () => {
    const sender = createCallbackSender();
    const delivery = await sender.send({ ...request('/ack'), url: null });
    assert.equal(delivery.acknowledged, false);
    assert.match(String(delivery.error), /no callback URL/);
    assert.throws(() => sender.configure({ attempts: 11 }), RangeError);
    assert.throws(() => sender.configure({ timeoutMs: 0 }), RangeError);
    assert.deepEqual(sender.configure({ attempts: 3 }), {
      timeoutMs: 5000,
      attempts: 3,
      backoffMs: 1000,
      maxBackoffMs: 30_000,
    });
  });

  it("caps its pauses, builds each attempt's body from the failures before it, and reports each attempt", async () => {
    const pauses: number[] = [];
    const sender = createCallbackSender({
      attempts: 5,
      backoffMs: 50,
      maxBackoffMs: 120,
      sleep: async (ms) => void pauses.push(ms),
    });
    flakyFailures = 10;
    const seen: number[] = [];
    const delivery = await sender.send({
      ...request('/flaky'),
      body: (failedBefore) => `{"failTimes":${failedBefore}}`,
      onAttempt: (so) => seen.push(so.attempts.length),
    });
    assert.deepEqual(pauses, [50, 100, 120, 120]);
    assert.deepEqual(seen, [1, 2, 3, 4, 5]);
    assert.equal(delivery.sent, '{"failTimes":4}');
  });

  it('sends a forged callback once, whatever the policy', async () => {
    const sender = createCallbackSender({ attempts: 5, backoffMs: 0 });
    flakyFailures = 10;
    const delivery = await sender.send({ ...request('/flaky'), forged: true });
    assert.equal(delivery.forged, true);
    assert.equal(delivery.attempts.length, 1);
    flakyFailures = 0;
  });
});
