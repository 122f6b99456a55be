/**
 * Structured logs: secrets and card or account data never reach a line (by field, at any depth,
 * and in free text), the level is honoured, and every line written while a request is served,
 * whoever writes it, carries that request's id, the one the response names.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseConfig, SANDBOX_CREDENTIALS } from '../../../server/config.ts';
import { createLogger, parseLogLevel, scrubText, withLogBindings } from '../../../server/domain/log.ts';
import { createRuntime, type Runtime } from '../../../server/runtime.ts';

type Line = Record<string, unknown> & { level: string; message: string; at: string; requestId?: string };

function capture(level?: 'info' | 'warn') {
  const text: string[] = [];
  const log = createLogger({ level, write: (line) => text.push(line) });
  return { log, text, lines: () => text.map((line) => JSON.parse(line) as Line) };
}

/** A test card number (Visa, passes the Luhn check) and the other secrets a line might be handed. */
const CARD = '4111111111111111';
const SECRETS = {
  secretKey: 'sk_live_merchant_key_0001',
  clientSecret: 'ses_Abc123_secret_ZyX987wvu654',
  webhookSecret: 'whsec_merchant_hook_0001',
  providerKey: 'one1pay-api-key-0001',
  dbPassword: 'hunter2-db-password',
  account: '1112223334',
  cvc: '737',
};

describe('log lines', () => {
  it('redact secrets and card and account data by field name, at any depth', () => {
    const { log, text, lines } = capture();
    log.warn('a request went wrong', {
      payout: 'pay_123',
      config: {
        merchant: { name: 'Test Shop', secretKey: SECRETS.secretKey, webhookSecret: SECRETS.webhookSecret },
        database: `postgres://tender:${SECRETS.dbPassword}@db/tender`,
        providers: { one1pay: { apiKey: SECRETS.providerKey } },
      },
      headers: { authorization: `Bearer ${SECRETS.secretKey}`, 'tender-client-secret': SECRETS.clientSecret },
      body: { holderName: 'Malee Srisuk', accountNumber: SECRETS.account },
      fields: { sessionCard: CARD, sessionCvc: SECRETS.cvc },
      deep: { a: { b: { secret: SECRETS.providerKey } } },
    });
    const [line] = lines();
    for (const secret of [...Object.values(SECRETS).filter((value) => value !== SECRETS.cvc), CARD]) {
      assert.ok(!text[0]!.includes(secret), `${secret} leaked: ${text[0]}`);
    }
    assert.deepEqual(line!.fields, { sessionCard: '[redacted]', sessionCvc: '[redacted]' });
    assert.deepEqual(line!.body, { holderName: 'Malee Srisuk', accountNumber: '[redacted]' });
    assert.equal((line!.config as { merchant: { name: string } }).merchant.name, 'Test Shop', 'the rest stays');
    assert.equal(line!.payout, 'pay_123');
    assert.equal(line!.level, 'warn');
    assert.equal(line!.message, 'a request went wrong');
    assert.ok(!Number.isNaN(Date.parse(line!.at)));
  });

  it('scrub free text: messages, string fields, errors and their causes', () => {
    const { log, text, lines } = capture();
    const cause = new Error(`upstream said: card ${CARD.replace(/(\d{4})/g, '$1 ').trim()} refused`);
    log.error(`GET /pay/ses_Abc123?secret=${SECRETS.clientSecret} failed`, {
      url: `https://tender.example/v1/checkout/ses_Abc123/events?secret=${SECRETS.clientSecret}`,
      note: `sent Authorization: Bearer ${SECRETS.secretKey}`,
      error: Object.assign(new Error(`paying ${CARD} failed`, { cause }), { code: 'declined' }),
      // Look like card numbers but are not: an order id, a millisecond timestamp, an amount.
      orderId: 'att_4111111111111112',
      at: 1764000000000,
      stamp: '1764000000000',
      minor: '2500',
    });
    for (const secret of [CARD, SECRETS.clientSecret, SECRETS.secretKey, '4111 1111 1111 1111']) {
      assert.ok(!text[0]!.includes(secret), `${secret} leaked: ${text[0]}`);
    }
    const [line] = lines();
    const error = line!.error as { message: string; code: string; stack: string; cause: { message: string } };
    assert.equal(error.message, 'paying [redacted] failed');
    assert.equal(error.code, 'declined');
    assert.match(error.stack, /^Error: paying \[redacted\] failed\n/);
    assert.equal(error.cause.message, 'upstream said: card [redacted] refused');
    assert.equal(line!.message, 'GET /pay/ses_Abc123?secret=[redacted] failed');
    assert.equal(line!.stamp, '1764000000000');
    assert.equal(line!.orderId, 'att_4111111111111112');
    assert.equal(line!.minor, '2500');
    assert.equal(scrubText('postgres://tender:pw@db/x'), 'postgres://tender:[redacted]@db/x');
    assert.equal(
      scrubText('key: -----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY----- end'),
      'key: [redacted] end',
    );
    assert.equal(scrubText('Basic checks passed'), 'Basic checks passed');
  });

  it('honour the level, and TENDER_LOG names one', () => {
    const { log, lines } = capture('warn');
    log.info('not written');
    log.warn('written');
    assert.deepEqual(
      lines().map((line) => line.message),
      ['written'],
    );
    assert.equal(parseLogLevel(undefined), 'info');
    assert.equal(parseLogLevel(''), 'info');
    assert.equal(parseLogLevel('silent'), 'silent');
    assert.equal(parseLogLevel('DEBUG'), 'debug');
    assert.equal(parseLogLevel('loud'), null);
  });

  it('carry the bindings of the scope they are written in, across awaits, and only there', async () => {
    const { log, lines } = capture();
    await Promise.all(
      ['req_a', 'req_b'].map((requestId) =>
        withLogBindings(log, { requestId }, async () => {
          await new Promise((resolve) => setTimeout(resolve, requestId === 'req_a' ? 5 : 0));
          log.info(`inside ${requestId}`);
        }),
      ),
    );
    log.info('outside');
    // The two scopes interleave in whatever order their timers fire; each line keeps its own id.
    const written = lines().map((line) => [line.message, line.requestId]);
    assert.deepEqual(written.slice(0, 2).sort(), [
      ['inside req_a', 'req_a'],
      ['inside req_b', 'req_b'],
    ]);
    assert.deepEqual(written[2], ['outside', undefined]);
  });
});

describe('log lines while a request is served', () => {
  let dir: string;
  let runtime: Runtime;
  const logged = capture();

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tender-log-'));
    const config = parseConfig({
      publicUrl: 'http://127.0.0.1:9',
      database: `sqlite:${join(dir, 'tender.db')}`,
      sandbox: false,
      merchant: { name: 'Test Shop', secretKey: SECRETS.secretKey },
      // Nothing listens on port 9: every call to the provider fails, and the domain says so.
      providers: { one1pay: { ...SANDBOX_CREDENTIALS.one1pay, baseUrl: 'http://127.0.0.1:9/one1pay' } },
    });
    runtime = await createRuntime(config, { log: logged.log, providerTimeoutMs: 2000 });
  });
  after(async () => {
    await runtime.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const merchant = (path: string, init: RequestInit = {}) =>
    runtime.app.request(path, {
      ...init,
      headers: { authorization: `Bearer ${SECRETS.secretKey}`, ...(init.headers as Record<string, string>) },
    });

  it('name the request in every line the domain writes for it, and never the account number', async () => {
    logged.text.length = 0;
    const response = await merchant('/v1/payouts', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        provider: 'one1pay',
        amount: '60.00',
        currency: 'THB',
        bankId: '103',
        holderName: 'Malee Srisuk',
        accountNumber: SECRETS.account,
      }),
    });
    const requestId = response.headers.get('x-request-id');
    assert.match(requestId ?? '', /^req_[A-Za-z0-9]{16}$/);
    const lines = logged.lines();
    assert.ok(lines.length > 0, `the failing provider is logged (${response.status})`);
    for (const line of lines) assert.equal(line.requestId, requestId, line.message);
    for (const text of logged.text) {
      assert.ok(!text.includes(SECRETS.account), `account number leaked: ${text}`);
      assert.ok(!text.includes(SECRETS.secretKey), `secret key leaked: ${text}`);
    }
  });

  it('log an error with the request id the error body names', async () => {
    logged.text.length = 0;
    const failing = runtime.store.checkHealth;
    runtime.store.checkHealth = async () => {
      throw new Error(`cannot reach postgres://tender:${SECRETS.dbPassword}@db/tender`);
    };
    try {
      const response = await runtime.app.request('/readyz');
      assert.equal(response.status, 503);
      const body = (await response.json()) as { error: { requestId: string } };
      assert.equal(body.error.requestId, response.headers.get('x-request-id'));
      const [line, ...rest] = logged.lines();
      assert.equal(rest.length, 0);
      assert.equal(line!.level, 'error');
      assert.equal(line!.requestId, body.error.requestId);
      assert.match((line!.error as { message: string }).message, /^cannot reach postgres:\/\/tender:\[redacted\]@db/);
    } finally {
      runtime.store.checkHealth = failing;
    }
  });

  it("keep a proxy's request id, and replace one that could forge a line", async () => {
    const kept = await runtime.app.request('/healthz', { headers: { 'x-request-id': 'lb-7f3a-0001' } });
    assert.equal(kept.headers.get('x-request-id'), 'lb-7f3a-0001');
    for (const forged of ['a"} {"level":"error', 'id with spaces', 'x'.repeat(65)]) {
      const replaced = await runtime.app.request('/healthz', { headers: { 'x-request-id': forged } });
      assert.match(replaced.headers.get('x-request-id') ?? '', /^req_[A-Za-z0-9]{16}$/);
    }
  });
});
