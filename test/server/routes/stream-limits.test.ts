/**
 * Status stream limits: per session and per client address a 429, the instance full a 503, each
 * with `Retry-After` and the one error shape; a closed stream gives its place back. Also the fan-out
 * that makes many streams cheap: every stream of a session gets each event.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseConfig } from '../../../server/config.ts';
import { silentLogger } from '../../../server/domain/log.ts';
import { defaultTotal } from '../../../server/http/status-streams.ts';
import { LIMITS } from '../../../server/limits.ts';
import { createRuntime, type Runtime } from '../../../server/runtime.ts';
import { readEvents } from '../harness.ts';

const SECRET = 'sk_test_stream_limits';

describe('status stream limits', () => {
  let dir: string;
  let runtime: Runtime;
  let references = 0;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tender-streams-'));
    const config = parseConfig({
      publicUrl: 'http://127.0.0.1:9',
      database: `sqlite:${join(dir, 'tender.db')}`,
      merchant: { name: 'Streams', secretKey: SECRET },
      providers: {},
    });
    runtime = await createRuntime(config, {
      log: silentLogger,
      sseLimits: { perSession: 2, perClient: 3, total: 5 },
    });
  });
  after(async () => {
    await runtime.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function session(): Promise<{ id: string; clientSecret: string }> {
    const response = await runtime.app.request('/v1/sessions', {
      method: 'POST',
      headers: { authorization: `Bearer ${SECRET}`, 'content-type': 'application/json' },
      body: JSON.stringify({ amount: '10.00', currency: 'THB', reference: `limits-${++references}` }),
    });
    assert.equal(response.status, 201);
    return (await response.json()) as { id: string; clientSecret: string };
  }

  /** Opens a stream as if from `address` (the node server's socket address). */
  function open(target: { id: string; clientSecret: string }, address: string): Promise<Response> {
    return Promise.resolve(
      runtime.app.request(
        `/v1/checkout/${target.id}/events?secret=${target.clientSecret}`,
        {},
        {
          incoming: { socket: { remoteAddress: address } },
        },
      ),
    );
  }

  async function refused(response: Response, status: number, code: string): Promise<void> {
    assert.equal(response.status, status);
    assert.match(response.headers.get('retry-after') ?? '', /^[1-9][0-9]*$/);
    const body = (await response.json()) as { error: { code: string; message: string; requestId: string } };
    assert.equal(body.error.code, code);
    assert.match(body.error.requestId, /^req_/);
  }

  it('answers 429 with Retry-After past the streams one session may hold, and takes a closed one back', async () => {
    const target = await session();
    const first = await open(target, '192.0.2.1');
    const second = await open(target, '192.0.2.2');
    assert.equal(first.status, 200);
    assert.equal(second.status, 200);
    await refused(await open(target, '192.0.2.3'), 429, 'too_many_streams');

    await first.body!.cancel();
    const again = await open(target, '192.0.2.3');
    assert.equal(again.status, 200);
    await Promise.all([second.body!.cancel(), again.body!.cancel()]);
  });

  it('answers 429 past the streams one client address may hold; other addresses still get theirs', async () => {
    const sessions = await Promise.all([session(), session(), session(), session()]);
    const held = await Promise.all(sessions.slice(0, 3).map((target) => open(target, '198.51.100.7')));
    for (const response of held) assert.equal(response.status, 200);
    // The same IPv4 address seen through an IPv6 socket is the same client.
    await refused(await open(sessions[3], '::ffff:198.51.100.7'), 429, 'too_many_streams');
    const other = await open(sessions[3], '198.51.100.8');
    assert.equal(other.status, 200);
    await Promise.all([...held, other].map((response) => response.body!.cancel()));
  });

  it('answers 503 with Retry-After once the instance holds its total', async () => {
    const sessions = await Promise.all(Array.from({ length: 6 }, () => session()));
    const held = await Promise.all(sessions.slice(0, 5).map((target, i) => open(target, `203.0.113.${i + 1}`)));
    for (const response of held) assert.equal(response.status, 200);
    await refused(await open(sessions[5]!, '203.0.113.99'), 503, 'unavailable');
    // The API itself still answers.
    const view = await runtime.app.request(`/v1/checkout/${sessions[5]!.id}`, {
      headers: { 'tender-client-secret': sessions[5]!.clientSecret },
    });
    assert.equal(view.status, 200);
    await held[0]!.body!.cancel();
    const again = await open(sessions[5]!, '203.0.113.99');
    assert.equal(again.status, 200);
    await Promise.all([...held.slice(1), again].map((response) => response.body!.cancel()));
  });

  it('sends each event to every stream of the session', async () => {
    const target = await session();
    const streams = [await open(target, '192.0.2.50'), await open(target, '192.0.2.51')];
    const pending = streams.map((stream) => readEvents(stream, 1));
    const fresh = (await runtime.store.getSession(target.id))!;
    await runtime.store.commit({
      sessionId: target.id,
      expectedVersion: fresh.version,
      session: { status: 'canceled' },
      event: { status: 'canceled', attempt: null, at: new Date().toISOString() },
    });
    runtime.hub.publish(target.id);
    for (const events of await Promise.all(pending)) {
      assert.deepEqual(
        events.map((event) => (event.data as { status: string }).status),
        ['canceled'],
      );
    }
  });
});

describe('the default stream total', () => {
  it('stays LIMITS.sseFileReserve below the open-file limit, and never above LIMITS.sseStreamsTotal', () => {
    assert.equal(defaultTotal(20_000), Math.min(LIMITS.sseStreamsTotal, 20_000 - LIMITS.sseFileReserve));
    assert.equal(defaultTotal(1_000_000), LIMITS.sseStreamsTotal);
    assert.equal(defaultTotal(100), 0);
    assert.equal(defaultTotal(null), LIMITS.sseStreamsTotal);
  });
});
