/**
 * Property-based fuzzing of every public route (fast-check): bodies, headers, ids and query strings
 * drawn at random, some near a valid request and some far from it. Whatever arrives, the BFF must
 *   - never answer 5xx;
 *   - answer every 4xx in the one error shape `{error: {code, message, requestId}}` (the hosted page
 *     `/pay/:id` is HTML for people and is exempt from the shape, not from the rest);
 *   - change nothing in the store when it refuses a request (every table compared before and after).
 * Runs are bounded and the seed is fixed, so a run is repeatable; a failure prints its seed and path
 * (`TENDER_FUZZ_SEED=<seed>` repeats another run, `TENDER_FUZZ_RUNS=<n>` runs more cases,
 * `TENDER_FUZZ_TRACE=1` prints each request's status).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import type { AttemptView, CheckoutView } from '../../../widget/wire.ts';
import { SANDBOX_CREDENTIALS } from '../../../server/config.ts';
import { LIMITS } from '../../../server/limits.ts';
import { SECRET_KEY, startTestBff, type TestBff } from '../harness.ts';

const SEED = Number(process.env.TENDER_FUZZ_SEED ?? 9_0509);
const RUNS = Number(process.env.TENDER_FUZZ_RUNS ?? 120);

/** Refusals that follow a provider's own "no": Tender records what the provider said, by design. */
const PROVIDER_REFUSALS = new Set(['provider_declined', 'provider_refused', 'insufficient_funds']);

/**
 * A known defect left to the checkout service's owners: a callback that verifies but names an order
 * Tender does not have is recorded in `notifications` before the order is looked up, then answered
 * 404. While true, that one table may change on that one refusal; set it to false once the record
 * is written only for an order that exists, and this test holds the fix.
 */
const KNOWN_NOTIFY_RECORD = false;

interface Fuzzed {
  method: string;
  path: string;
  query: string;
  headers: Record<string, string>;
  body?: string;
}

// ---- building blocks ------------------------------------------------------------------------------

/** Text a header can carry (Latin-1, no controls): anything else never reaches a server. */
const headerText = fc
  .string({ unit: fc.integer({ min: 0x20, max: 0xff }).map((code) => String.fromCharCode(code)), maxLength: 300 })
  .map((text) => text.replace(/\x7f/g, ''));

/** Path pieces a client may send raw: traversal, bad or partial escapes, NUL, very long ids. */
const rawSegment = fc.constantFrom(
  '..',
  '%2e%2e',
  '%',
  '%zz',
  '%E0%A4%A',
  '%00',
  'ses_%F0%9F%98%80',
  'ses_' + 'a'.repeat(41),
  'x'.repeat(3000),
  'ses_AAAA%2Fb',
  '',
);

function segment(known: string[]): fc.Arbitrary<string> {
  const valid = known.length ? [{ weight: 4, arbitrary: fc.constantFrom(...known) }] : [];
  return fc.oneof(
    ...valid,
    { weight: 2, arbitrary: fc.stringMatching(/^(ses|po|att|ref)_[A-Za-z0-9]{1,40}$/) },
    { weight: 2, arbitrary: fc.string({ maxLength: 60 }).map(encodeURIComponent) },
    { weight: 2, arbitrary: rawSegment },
  );
}

const queryValue = fc.oneof(
  fc.constantFrom('0', '-1', '1', '20', '100', '101', '1e400', 'NaN', '0x10', ' 5', '', 'THB', 'USDT', 'withdrawal'),
  fc.string({ maxLength: 40 }),
);

function query(keys: string[]): fc.Arbitrary<string> {
  return fc.oneof(
    fc
      .array(fc.tuple(fc.oneof(fc.constantFrom(...keys), fc.string({ maxLength: 12 })), queryValue), {
        maxLength: 4,
      })
      .map((pairs) => (pairs.length ? `?${new URLSearchParams(pairs).toString()}` : '')),
    fc.constantFrom('?limit=%', '?currency=%zz', '?before=%00', '?secret=&secret=x', '?&&=&'),
  );
}

const contentType = fc.oneof(
  { weight: 6, arbitrary: fc.constant('application/json') },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      'application/json; charset=utf-8',
      'APPLICATION/JSON',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/jsonx',
    ),
  },
  { weight: 1, arbitrary: headerText },
);

/** A valid body with one field changed, dropped or added, or something else entirely. */
function body(valid: Record<string, unknown>): fc.Arbitrary<string> {
  const keys = Object.keys(valid);
  const mutated = fc
    .record({
      key: fc.oneof(fc.constantFrom(...keys, '__proto__', 'constructor'), fc.string({ maxLength: 10 })),
      value: fc.jsonValue({ maxDepth: 3 }),
      drop: fc.boolean(),
    })
    .map(({ key, value, drop }) => {
      const copy: Record<string, unknown> = { ...valid };
      if (drop) Reflect.deleteProperty(copy, key);
      else Object.defineProperty(copy, key, { value, enumerable: true, writable: true, configurable: true });
      return JSON.stringify(copy);
    });
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant(JSON.stringify(valid)) },
    { weight: 6, arbitrary: mutated },
    { weight: 2, arbitrary: fc.json({ maxDepth: 3 }) },
    { weight: 2, arbitrary: fc.string({ maxLength: 200 }) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '',
        'null',
        '[]',
        '{"amount":"1e400"}',
        `${'['.repeat(5000)}${']'.repeat(5000)}`,
        `{"a":"${'x'.repeat(LIMITS.apiBodyBytes)}"}`,
      ),
    },
  );
}

// ---- the store, before and after ------------------------------------------------------------------

/** A digest of every table's rows, by table (`health` is written by /readyz on purpose). */
function snapshot(dbPath: string): Record<string, string> {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    const tables = db
      .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name <> 'health' ORDER BY name`)
      .all() as Array<{ name: string }>;
    return Object.fromEntries(
      tables.map(({ name }) => {
        const hash = createHash('sha256');
        for (const row of db.prepare(`SELECT * FROM "${name}" ORDER BY rowid`).iterate())
          hash.update(JSON.stringify(row));
        return [name, hash.digest('hex')];
      }),
    );
  } finally {
    db.close();
  }
}

/** Tables that changed between two snapshots. */
function changed(before: Record<string, string>, after: Record<string, string>): string[] {
  return Object.keys({ ...before, ...after }).filter((table) => before[table] !== after[table]);
}

// ---- the property ---------------------------------------------------------------------------------

describe('fuzzing every public route', () => {
  let bff: TestBff;
  /** Sessions: open (CAD), paid by OTT Pay (refundable) and paid by One1Pay (not refundable). */
  const sessions: Array<{ id: string; clientSecret: string }> = [];
  let payoutId = '';
  let attemptId = '';

  before(async () => {
    bff = await startTestBff();
    const post = (body: unknown): RequestInit => ({
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    sessions.push(await bff.createSession({ amount: '25.00', currency: 'CAD', reference: 'fuzz-open' }));
    const ott = await bff.createSession({ amount: '25.00', currency: 'CAD', reference: 'fuzz-ottpay' });
    const ottAttempt = (await (
      await bff.browser(`/v1/checkout/${ott.id}/attempts`, ott.clientSecret, post({ method: 'ottpay.wechat' }))
    ).json()) as AttemptView;
    await bff.control('ottpay', ottAttempt.id, 'pay');
    sessions.push(ott);
    attemptId = ottAttempt.id;
    const thb = await bff.createSession({ amount: '300.00', currency: 'THB', reference: 'fuzz-one1pay' });
    const view = (await (await bff.browser(`/v1/checkout/${thb.id}`, thb.clientSecret)).json()) as CheckoutView;
    const bankId = view.methods[0]!.fields.find((field) => field.name === 'bankId')!.options![0]!.value;
    const thbAttempt = (await (
      await bff.browser(
        `/v1/checkout/${thb.id}/attempts`,
        thb.clientSecret,
        post({ method: 'one1pay.thaiqr', fields: { bankId, holderName: 'Somchai', accountNumber: '1234567890' } }),
      )
    ).json()) as AttemptView;
    await bff.control('one1pay', thbAttempt.id, 'pay');
    sessions.push(thb);
    const payout = await bff.merchant(
      '/v1/payouts',
      post({
        provider: 'one1pay',
        amount: '100.00',
        currency: 'THB',
        bankId: '102',
        holderName: 'Malee Srisuk',
        accountNumber: '987-654-3210',
      }),
    );
    payoutId = ((await payout.json()) as { id: string }).id;
  });
  after(() => bff.close());

  const ids = () => [...sessions.map((session) => session.id), payoutId, attemptId];
  const secrets = () => sessions.map((session) => session.clientSecret);

  const merchantAuth = fc.oneof(
    { weight: 6, arbitrary: fc.constant(`Bearer ${SECRET_KEY}`) },
    {
      weight: 3,
      arbitrary: fc.constantFrom(
        `bearer ${SECRET_KEY}`,
        `Bearer ${SECRET_KEY} x`,
        'Bearer sk_test_wrong_key',
        `Basic ${Buffer.from(`${SECRET_KEY}:`).toString('base64')}`,
        'Bearer',
        '',
      ),
    },
    { weight: 1, arbitrary: headerText },
  );

  /** Extra headers any request may carry. */
  const extraHeaders = fc
    .tuple(
      fc.record(
        {
          'idempotency-key': fc.oneof(fc.stringMatching(/^[\x21-\x7e]{1,40}$/), headerText),
          'last-event-id': fc.oneof(fc.constantFrom('0', '-1', '1e3', '99999999999999999999', '3'), headerText),
          'accept-language': headerText,
          origin: fc.constantFrom('https://shop.example', 'https://evil.example', 'null'),
        },
        { requiredKeys: [] },
      ),
      fc.nat(9),
    )
    .map(([headers, roll]) =>
      // Now and then a declared size over the limit (a malformed one never gets past Node's HTTP parser).
      roll === 0 ? { ...headers, 'content-length': '99999999' } : headers,
    );

  function merchantRequests(): fc.Arbitrary<Fuzzed> {
    const sessionBody = {
      amount: '12.50',
      currency: 'CAD',
      reference: 'fuzz',
      customer: { email: 'a@example.com' },
      methods: ['ottpay.wechat'],
      expiresInSeconds: 600,
    };
    const payoutBody = {
      provider: 'one1pay',
      amount: '100.00',
      currency: 'THB',
      bankId: '102',
      holderName: 'Malee Srisuk',
      accountNumber: '987-654-3210',
    };
    const route = fc.oneof(
      fc.record({ method: fc.constant('POST'), path: fc.constant('/v1/sessions'), body: body(sessionBody) }),
      fc.record({ method: fc.constant('GET'), path: fc.constant('/v1/sessions'), query: query(['limit', 'before']) }),
      fc.record({ method: fc.constant('GET'), path: segment(ids()).map((id) => `/v1/sessions/${id}`) }),
      fc.record({
        method: fc.constant('POST'),
        path: segment(ids()).map((id) => `/v1/sessions/${id}/refunds`),
        body: body({ amount: '1.00', reason: 'fuzz' }),
      }),
      fc.record({ method: fc.constant('POST'), path: fc.constant('/v1/payouts'), body: body(payoutBody) }),
      fc.record({ method: fc.constant('GET'), path: segment(ids()).map((id) => `/v1/payouts/${id}`) }),
      fc.record({ method: fc.constant('GET'), path: fc.constant('/v1/balances'), query: query(['currency']) }),
      fc.record({ method: fc.constant('GET'), path: fc.constant('/v1/banks'), query: query(['currency', 'purpose']) }),
    );
    return fc
      .record({ route, auth: fc.option(merchantAuth, { nil: undefined }), type: contentType, extra: extraHeaders })
      .map(({ route, auth, type, extra }) => ({
        method: route.method,
        path: route.path,
        query: 'query' in route ? route.query : '',
        headers: {
          ...extra,
          ...(auth === undefined ? {} : { authorization: auth }),
          ...('body' in route ? { 'content-type': type } : {}),
        },
        body: 'body' in route ? route.body : undefined,
      }));
  }

  function browserRequests(): fc.Arbitrary<Fuzzed> {
    const attemptBody = { method: 'ottpay.wechat', client: { device: 'desktop' } };
    const route = fc.oneof(
      fc.record({ method: fc.constant('GET'), path: segment(ids()).map((id) => `/v1/checkout/${id}`) }),
      fc.record({
        method: fc.constant('POST'),
        path: segment(ids()).map((id) => `/v1/checkout/${id}/attempts`),
        body: body(attemptBody),
      }),
      fc.record({ method: fc.constant('GET'), path: segment(ids()).map((id) => `/v1/checkout/${id}/qr.svg`) }),
      fc.record({
        method: fc.constant('GET'),
        path: segment(ids()).map((id) => `/v1/checkout/${id}/events`),
        query: query(['lastEventId', 'secret']),
      }),
      fc.record({
        method: fc.constantFrom('OPTIONS', 'PUT', 'DELETE', 'PATCH'),
        path: segment(ids()).map((id) => `/v1/checkout/${id}/attempts`),
      }),
    );
    const secret = fc.oneof(
      { weight: 5, arbitrary: fc.constantFrom(...secrets()) },
      { weight: 2, arbitrary: headerText },
      { weight: 1, arbitrary: fc.constant('') },
    );
    return fc
      .record({
        route,
        secret: fc.option(secret, { nil: undefined }),
        inQuery: fc.boolean(),
        type: contentType,
        extra: extraHeaders,
      })
      .map(({ route, secret, inQuery, type, extra }) => {
        let search = 'query' in route ? route.query : '';
        const headers: Record<string, string> = { ...extra };
        if (secret !== undefined) {
          if (inQuery) search += `${search ? '&' : '?'}secret=${encodeURIComponent(secret)}`;
          else headers['tender-client-secret'] = secret;
        }
        if ('body' in route) headers['content-type'] = type;
        return {
          method: route.method,
          path: route.path,
          query: search,
          headers,
          body: 'body' in route ? route.body : undefined,
        };
      });
  }

  function otherRequests(): fc.Arbitrary<Fuzzed> {
    const one1payCallback = fc
      .record({
        order: fc.oneof(fc.constantFrom(...ids()), fc.stringMatching(/^[A-Za-z0-9_-]{1,50}$/)),
        status: fc.constantFrom('completed', 'fail', 'pending', 'weird'),
        amount: fc.constantFrom('300.0000', '1.00', '-1', 'abc'),
        signed: fc.boolean(),
      })
      .map(({ order, status, amount, signed }) =>
        JSON.stringify({
          order_id: order,
          amount,
          currency: 'THB',
          order_status: status,
          status: true,
          token: signed
            ? createHash('md5')
                .update(SANDBOX_CREDENTIALS.one1pay.callbackSecret! + order)
                .digest('hex')
            : 'f'.repeat(32),
          type: 'deposit',
        }),
      );
    return fc.oneof(
      fc.record({
        method: fc.constant('POST'),
        path: fc.oneof(
          fc.constantFrom('/v1/notify/one1pay', '/v1/notify/ottpay', '/v1/notify/kesspay'),
          segment(['one1pay']).map((id) => `/v1/notify/${id}`),
        ),
        query: fc.constant(''),
        headers: contentType.map((type) => ({ 'content-type': type })),
        body: fc.oneof(one1payCallback, body({ rsp_code: 'SUCCESS', data: 'AAAA', md5: 'A'.repeat(32) })),
      }),
      fc.record({
        method: fc.constant('GET'),
        path: segment(ids()).map((id) => `/pay/${id}`),
        query: query(['secret']),
        headers: fc.record({ 'accept-language': headerText }, { requiredKeys: [] }),
      }),
      fc.record({
        method: fc.constant('GET'),
        path: fc.oneof(
          fc.constantFrom('/tender-locales/th.js', '/tender-locales/xx.js', '/tender-locales/..%2Fpackage.json'),
          segment([]).map((file) => `/tender-locales/${file}`),
        ),
        query: fc.constant(''),
        headers: fc.constant({}),
      }),
      fc.record({
        method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'),
        path: fc.oneof(
          fc.constantFrom('/healthz', '/readyz', '/openapi.json', '/v1', '/v1/', '/sandbox/one1pay'),
          segment([]).map((piece) => `/v1/${piece}`),
        ),
        query: query(['x']),
        headers: fc.constant({}),
      }),
    );
  }

  async function send(request: Fuzzed): Promise<Response> {
    const init: RequestInit = { method: request.method, headers: request.headers };
    if (request.body !== undefined) init.body = request.body;
    return bff.runtime.app.request(`${request.path}${request.query}`, init);
  }

  async function holds(request: Fuzzed): Promise<void> {
    const before = snapshot(bff.dbPath);
    const response = await send(request);
    const isStream = (response.headers.get('content-type') ?? '').startsWith('text/event-stream');
    const text = isStream ? (await response.body?.cancel(), '') : await response.text();
    if (process.env.TENDER_FUZZ_TRACE)
      console.log(
        response.status,
        request.method,
        request.path,
        text.slice(0, 80),
        JSON.stringify(request.headers).slice(0, 200),
      );
    const where = `${request.method} ${request.path}${request.query} → ${response.status} ${text.slice(0, 300)}`;
    assert.ok(response.status < 500, `a 5xx: ${where}`);
    if (response.status < 400) return;
    const isPage = request.path.startsWith('/pay/') && request.method === 'GET';
    let code = '';
    if (!isPage) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        assert.fail(`a ${response.status} that is not JSON: ${where}`);
      }
      const error = (parsed as { error?: Record<string, unknown> }).error;
      assert.ok(
        parsed !== null &&
          typeof parsed === 'object' &&
          Object.keys(parsed).join() === 'error' &&
          error &&
          Object.keys(error).sort().join() === 'code,message,requestId' &&
          typeof error.code === 'string' &&
          typeof error.message === 'string' &&
          error.message.length > 0 &&
          error.requestId === response.headers.get('x-request-id'),
        `not the one error shape: ${where}`,
      );
      code = error.code;
    }
    if (PROVIDER_REFUSALS.has(code)) return;
    let tables = changed(before, snapshot(bff.dbPath));
    if (KNOWN_NOTIFY_RECORD && request.path.startsWith('/v1/notify/') && code === 'not_found') {
      tables = tables.filter((table) => table !== 'notifications');
    }
    assert.deepEqual(tables, [], `a refused request changed the store: ${where}`);
  }

  const settings = { seed: SEED, numRuns: RUNS, endOnFailure: true } as const;

  /** Runs the property; a failure names the seed, the path and the broken invariant. */
  async function check(requests: fc.Arbitrary<Fuzzed>): Promise<void> {
    try {
      await fc.assert(fc.asyncProperty(requests, holds), settings);
    } catch (error) {
      const cause = (error as Error).cause;
      throw new Error(`${(error as Error).message}\n${cause instanceof Error ? cause.message : ''}`, { cause: error });
    }
  }

  it('merchant API: sessions, refunds, payouts, balances, banks', async () => {
    await check(merchantRequests());
  });

  it('browser API: checkout view, attempts, QR, status stream', async () => {
    await check(browserRequests());
  });

  it('callbacks, pages, bundles, health and unknown paths', async () => {
    await check(otherRequests());
  });
});
