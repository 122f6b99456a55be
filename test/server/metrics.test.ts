/**
 * `/metrics`: the Prometheus exposition parses (text format 0.0.4), names the series the operator
 * alerts on, is closed without the secret key, and moves when requests, provider calls, status
 * streams, webhooks and overdue checks happen.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Metrics } from '../../server/metrics.ts';
import { buildProviders } from '../../server/providers/index.ts';
import { ProviderError, silentLogger } from '../../server/providers/provider.ts';
import type { AttemptView } from '../../widget/wire.ts';
import { listen, SECRET_KEY, startTestBff, type TestBff } from './harness.ts';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/**
 * A strict reader of the 0.0.4 text format: `# HELP`/`# TYPE` lines, samples `name{label="value",…}
 * number` and empty lines. Anything else fails the test; each sample's family has a TYPE.
 */
function parseExposition(text: string): { types: Map<string, string>; samples: Sample[] } {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  assert.ok(text.endsWith('\n'), 'ends with a newline');
  for (const line of text.split('\n').slice(0, -1)) {
    if (line === '') continue; // the format ignores empty lines
    if (line.startsWith('# HELP ')) {
      assert.match(line, /^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* .+$/, line);
      continue;
    }
    const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (type) {
      assert.ok(!types.has(type[1]!), `one TYPE per family: ${line}`);
      types.set(type[1]!, type[2]!);
      continue;
    }
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(sample, `not a sample line: ${JSON.stringify(line)}`);
    const labels: Record<string, string> = {};
    if (sample[2]) {
      const pairs = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)/gy;
      let end = 0;
      for (let pair = pairs.exec(sample[2]); pair; pair = pairs.exec(sample[2])) {
        labels[pair[1]!] = pair[2]!;
        end = pairs.lastIndex;
      }
      assert.equal(end, sample[2].length, `bad labels: ${line}`);
    }
    const value = sample[3] === 'NaN' ? Number.NaN : Number(sample[3]!.replace(/^\+Inf$/, 'Infinity'));
    assert.ok(sample[3] === 'NaN' || !Number.isNaN(value), `bad value: ${line}`);
    const family = sample[1]!.replace(/_(bucket|sum|count)$/, '');
    assert.ok(types.has(sample[1]!) || types.has(family), `sample without a TYPE: ${line}`);
    samples.push({ name: sample[1]!, labels, value });
  }
  return { types, samples };
}

/** The value of the one sample named `name` whose labels include `labels`; 0 when there is none. */
function valueOf(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  const found = samples.filter(
    (sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
  );
  assert.ok(found.length <= 1, `${name} ${JSON.stringify(labels)} names ${found.length} series`);
  return found[0]?.value ?? 0;
}

describe('/metrics', () => {
  let bff: TestBff;
  let receiver: Awaited<ReturnType<typeof listen>>;

  before(async () => {
    // The merchant's webhook endpoint is down for this whole suite: deliveries fail.
    receiver = await listen();
    receiver.handle(() => new Response('down', { status: 503 }));
    bff = await startTestBff({ webhookUrl: `${receiver.url}/hooks`, sseHeartbeatMs: 60_000 });
  });
  after(async () => {
    await bff.close();
    await receiver.close();
  });

  async function scrape() {
    const response = await bff.merchant('/metrics');
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
    return parseExposition(await response.text());
  }

  it('needs the secret key, and answers in the one error shape without it', async () => {
    for (const authorization of [undefined, 'Bearer sk_wrong_key_123', `Bearer ${SECRET_KEY} x`, 'Basic abc']) {
      const response = await bff.runtime.app.request('/metrics', {
        headers: authorization === undefined ? {} : { authorization },
      });
      assert.equal(response.status, 401, String(authorization));
      const body = (await response.json()) as { error: { code: string; requestId: string } };
      assert.equal(body.error.code, 'unauthorized');
      assert.equal(body.error.requestId, response.headers.get('x-request-id'));
      assert.equal(response.headers.get('www-authenticate'), 'Bearer realm="tender"');
    }
  });

  it('parses, and names every series the operator watches with its type', async () => {
    await bff.merchant('/v1/sessions?limit=1');
    const { types } = await scrape();
    assert.deepEqual(
      Object.fromEntries(
        [
          'tender_http_request_duration_seconds',
          'tender_sse_streams_open',
          'tender_provider_call_duration_seconds',
          'tender_provider_call_errors_total',
          'tender_webhooks_pending',
          'tender_webhooks_failing',
          'tender_reconciler_lag_seconds',
        ].map((name) => [name, types.get(name)]),
      ),
      {
        tender_http_request_duration_seconds: 'histogram',
        tender_sse_streams_open: 'gauge',
        tender_provider_call_duration_seconds: 'histogram',
        tender_provider_call_errors_total: 'counter',
        tender_webhooks_pending: 'gauge',
        tender_webhooks_failing: 'gauge',
        tender_reconciler_lag_seconds: 'gauge',
      },
    );
  });

  it('times requests by route pattern, method and status class, never by id', async () => {
    const session = await bff.createSession({ amount: '3.00', currency: 'CAD', reference: 'metrics-route' });
    const count = (samples: Sample[], route: string, status: string, method = 'GET') =>
      valueOf(samples, 'tender_http_request_duration_seconds_count', { route, method, status });
    const before = (await scrape()).samples;
    assert.equal((await bff.merchant(`/v1/sessions/${session.id}`)).status, 200);
    assert.equal((await bff.merchant('/v1/sessions/ses_unknown0000')).status, 404);
    assert.equal((await bff.runtime.app.request('/no/such/path')).status, 404);
    const { samples } = await scrape();
    assert.equal(count(samples, '/v1/sessions/:id', '2xx') - count(before, '/v1/sessions/:id', '2xx'), 1);
    assert.equal(count(samples, '/v1/sessions/:id', '4xx') - count(before, '/v1/sessions/:id', '4xx'), 1);
    assert.equal(count(samples, 'unmatched', '4xx') - count(before, 'unmatched', '4xx'), 1);
    assert.ok(count(samples, '/v1/sessions', '2xx', 'POST') >= 1);
    assert.ok(
      samples.every((sample) => !JSON.stringify(sample.labels).includes(session.id)),
      'no session id in any label',
    );
  });

  it('counts provider calls by provider and operation, and webhooks that wait or fail', async () => {
    const calls = (samples: Sample[]) =>
      valueOf(samples, 'tender_provider_call_duration_seconds_count', {
        provider: 'ottpay',
        operation: 'createPayment',
        outcome: 'ok',
      });
    const before = (await scrape()).samples;
    const session = await bff.createSession({ amount: '25.00', currency: 'CAD', reference: 'metrics-provider' });
    const created = await bff.browser(`/v1/checkout/${session.id}/attempts`, session.clientSecret, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ method: 'ottpay.wechat' }),
    });
    assert.equal(created.status, 201);
    const attempt = (await created.json()) as AttemptView;
    let { samples } = await scrape();
    assert.equal(calls(samples) - calls(before), 1);

    // Paid: a session.succeeded webhook waits in the outbox; the merchant's endpoint refuses it.
    await bff.control('ottpay', attempt.id, 'pay');
    ({ samples } = await scrape());
    const pending = valueOf(samples, 'tender_webhooks_pending');
    assert.ok(pending >= 1, 'the webhook waits');
    const failing = valueOf(samples, 'tender_webhooks_failing');
    await bff.runtime.webhooks!.runOnce();
    ({ samples } = await scrape());
    assert.equal(valueOf(samples, 'tender_webhooks_pending'), pending, 'still waiting after a failed delivery');
    assert.equal(valueOf(samples, 'tender_webhooks_failing'), failing + pending);
  });

  it('reports how long the most overdue payment check has waited', async () => {
    const session = await bff.createSession({ amount: '4.00', currency: 'CAD', reference: 'metrics-lag' });
    const created = await bff.browser(`/v1/checkout/${session.id}/attempts`, session.clientSecret, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ method: 'ottpay.alipay' }),
    });
    assert.equal(created.status, 201);
    // The reconciler is not running in tests: an hour later, the attempt's check is overdue.
    bff.clock.advance(3_600_000);
    let { samples } = await scrape();
    const lag = valueOf(samples, 'tender_reconciler_lag_seconds');
    assert.ok(lag > 3_000 && lag <= 3_600, `lag ${lag}`);
    await bff.runtime.reconciler.runOnce();
    ({ samples } = await scrape());
    assert.equal(valueOf(samples, 'tender_reconciler_lag_seconds'), 0, 'caught up');
  });

  it('counts status streams while they are open', async () => {
    const session = await bff.createSession({ amount: '6.00', currency: 'CAD', reference: 'metrics-sse' });
    const open = async () => valueOf((await scrape()).samples, 'tender_sse_streams_open');
    const before = await open();
    const stream = await bff.browser(`/v1/checkout/${session.id}/events`, session.clientSecret);
    assert.equal(stream.status, 200);
    const reader = stream.body!.getReader();
    await reader.read();
    assert.equal(await open(), before + 1);
    await reader.cancel();
    assert.equal(await open(), before);
  });
});

describe('measured providers', () => {
  it('time each call and count failures by neutral code, and read everything else through', async () => {
    const bff = await startTestBff();
    try {
      const metrics = new Metrics();
      const refused = new TypeError('fetch failed');
      const providers = buildProviders(
        bff.config,
        { fetch: () => Promise.reject(refused), now: () => bff.clock.now(), timeoutMs: 1000 },
        silentLogger,
        metrics.observeProviderCall,
      );
      const plain = buildProviders(bff.config, { fetch, now: () => bff.clock.now(), timeoutMs: 1000 }, silentLogger);
      const one1pay = providers.get('one1pay')!;
      assert.equal(one1pay.id, 'one1pay');
      for (const capability of ['refund', 'payout', 'balance', 'banks', 'parseNotification', 'pollDelayMs'] as const) {
        assert.equal(typeof one1pay[capability], typeof plain.get('one1pay')![capability], capability);
      }

      await assert.rejects(one1pay.balance!('THB'), (error: unknown) => error instanceof ProviderError);
      await assert.rejects(one1pay.balance!('THB'));
      const { samples } = parseExposition((await metrics.render()).text);
      const labels = { provider: 'one1pay', operation: 'balance' };
      assert.equal(valueOf(samples, 'tender_provider_call_errors_total', { ...labels, code: 'unavailable' }), 2);
      assert.equal(valueOf(samples, 'tender_provider_call_duration_seconds_count', { ...labels, outcome: 'error' }), 2);
      assert.equal(valueOf(samples, 'tender_provider_call_duration_seconds_count', { ...labels, outcome: 'ok' }), 0);
    } finally {
      await bff.close();
    }
  });
});
