/**
 * The KessPay simulator on its own, through `app.request()`: the document's token, pay, refund and
 * status calls, strict about fields and amounts, and the sandbox's test codes, wallet, controls and
 * faults (docs/providers/kesspay.md).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createKessPaySimulator, type KessPaySimulatorOptions } from '../../../server/sandbox/kesspay/index.ts';

const PUBLIC_URL = 'https://tender.example/sandbox/kesspay';
const USER = 'angkor-api';
const PASSWORD = 'correct horse battery';
const STORE_ID = '109038';
const START = new Date('2026-11-21T08:00:00Z');

// 18-digit payment codes: WeChat Pay's start 10–15, Alipay's 25–30; the last four digits pick the outcome.
const WECHAT_APPROVE = '134567890123450000';
const WECHAT_DECLINE = '134567890123459999';
const WECHAT_PIN = '134567890123451111';
const WECHAT_PIN_NEVER = '134567890123452222';
const WECHAT_EXPIRED = '134567890123458888';
const ALIPAY_APPROVE = '284957123456780000';

type Answer = { status: number; text: string; body: Record<string, unknown> };

function simulator(overrides: Partial<KessPaySimulatorOptions> = {}) {
  let clock = START.getTime();
  const app = createKessPaySimulator({
    publicUrl: PUBLIC_URL,
    user: USER,
    password: PASSWORD,
    storeId: STORE_ID,
    currency: 'USD',
    merchantName: 'Angkor Coffee',
    now: () => new Date(clock),
    ...overrides,
  });

  /** POSTs a body (an object, or raw JSON text to control how numbers are written). */
  async function post(
    path: string,
    body: object | string,
    {
      token,
      contentType = 'application/json',
      signal,
    }: { token?: string; contentType?: string; signal?: AbortSignal } = {},
  ): Promise<Answer> {
    const headers: Record<string, string> = { 'Content-Type': contentType };
    if (token) headers.Authorization = `Bearer ${token}`;
    const response = await app.request(path, {
      method: 'POST',
      headers,
      body: typeof body === 'string' ? body : JSON.stringify(body),
      ...(signal ? { signal } : {}),
    });
    const text = await response.text();
    let parsed: Record<string, unknown> = {};
    try {
      parsed = JSON.parse(text) as Record<string, unknown>;
    } catch {
      // left empty: the caller looks at `text`
    }
    return { status: response.status, text, body: parsed };
  }

  async function token(): Promise<string> {
    const answer = await post('/api/get_token', { user: USER, password: PASSWORD });
    assert.equal(answer.status, 200, answer.text);
    return (answer.body.data as { token: string }).token;
  }

  /** An authenticated call with a fresh token. */
  async function call(path: string, body: object | string): Promise<Answer> {
    return post(path, body, { token: await token() });
  }

  let sequence = 0;
  function order(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    sequence += 1;
    return { service_id: 30, store_id: STORE_ID, amount: 12.34, out_trade_no: `ORDER-${sequence}`, ...overrides };
  }

  const status = (outTradeNo: string) =>
    call('/api/check_payment_status', { store_id: Number(STORE_ID), out_trade_no: outTradeNo });
  const control = async (path: string, init: RequestInit = { method: 'POST' }) => {
    const response = await app.request(path, init);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  return {
    app,
    post,
    token,
    call,
    order,
    status,
    control,
    advance(seconds: number) {
      clock += seconds * 1000;
    },
  };
}

const data = (answer: Answer) => answer.body.data as Record<string, unknown>;

function decodeJwt(token: string) {
  const [header, payload] = token
    .split('.')
    .slice(0, 2)
    .map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()));
  return { header, payload };
}

describe('KessPay simulator: the token', () => {
  it('issues an HS256 JWT from www.kesspay.com that lasts a minute', async () => {
    const sim = simulator();
    const answer = await sim.post('/api/get_token', { user: USER, password: PASSWORD });
    assert.equal(answer.status, 200);
    assert.deepEqual(Object.keys(answer.body), ['success', 'data']);
    assert.equal(answer.body.success, true);
    assert.equal(data(answer).message, 'SUCCESS');
    const { header, payload } = decodeJwt(String(data(answer).token));
    assert.deepEqual(header, { typ: 'JWT', alg: 'HS256' });
    assert.equal(payload.iss, 'www.kesspay.com');
    assert.equal(payload.iat, START.getTime() / 1000);
    assert.equal(payload.exp, START.getTime() / 1000 + 60);
  });

  it('refuses wrong credentials with 401, and a malformed request with 400', async () => {
    const sim = simulator();
    const wrong = await sim.post('/api/get_token', { user: USER, password: 'guess' });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.success, false);
    assert.equal(wrong.body.result_code, 'INVALID_CREDENTIALS');
    assert.equal(typeof wrong.body.message, 'string');
    assert.equal((await sim.post('/api/get_token', { user: 'someone', password: PASSWORD })).status, 401);
    assert.equal((await sim.post('/api/get_token', { user: USER })).status, 400);
    const form = await sim.post('/api/get_token', `user=${USER}&password=${PASSWORD}`, {
      contentType: 'application/x-www-form-urlencoded',
    });
    assert.equal(form.status, 400);
    assert.equal(form.body.success, false);
  });

  it('turns away calls with a missing, forged or expired token (401), and accepts it within the minute', async () => {
    const sim = simulator();
    const other = simulator();
    const good = await sim.token();
    const body = { store_id: STORE_ID, out_trade_no: 'ORDER-X' };
    const path = '/api/check_payment_status';

    assert.equal((await sim.post(path, body)).status, 401, 'no token');
    assert.equal((await sim.post(path, body, { token: await other.token() })).status, 401, 'token of another KessPay');
    const [header, , signature] = good.split('.');
    const claims = { ...decodeJwt(good).payload, exp: 4102444800 };
    const tampered = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
    assert.equal((await sim.post(path, body, { token: tampered })).status, 401, 'payload changed');
    const unsigned = `${Buffer.from('{"typ":"JWT","alg":"none"}').toString('base64url')}.${good.split('.')[1]}.`;
    assert.equal((await sim.post(path, body, { token: unsigned })).status, 401, 'alg none');
    const basic = await sim.app.request(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Basic ${good}` },
      body: JSON.stringify(body),
    });
    assert.equal(basic.status, 401);

    sim.advance(59);
    assert.equal((await sim.post(path, body, { token: good })).status, 404, 'still valid: the order is unknown');
    sim.advance(1);
    const expired = await sim.post(path, body, { token: good });
    assert.equal(expired.status, 401);
    assert.equal(expired.body.success, false);
    assert.match(String(expired.body.message), /expired/);
  });

  it('honours a shorter token lifetime and other paths and service ids', async () => {
    const sim = simulator({
      tokenTtlSeconds: 10,
      paths: { getToken: '/v2/token', nativePay: '/v2/native' },
      serviceIds: { wechat: 7, alipay: 8 },
    });
    assert.equal((await sim.post('/api/get_token', { user: USER, password: PASSWORD })).status, 404);
    const answer = await sim.post('/v2/token', { user: USER, password: PASSWORD });
    const token = String(data(answer).token);
    assert.equal(decodeJwt(token).payload.exp - decodeJwt(token).payload.iat, 10);
    const created = await sim.post('/v2/native', sim.order({ service_id: 8 }), { token });
    assert.equal(created.status, 200, created.text);
    const refused = await sim.post('/v2/native', sim.order({ service_id: 30 }), { token });
    assert.equal(refused.body.result_code, 'SERVICE_NOT_SUPPORTED');
  });
});

describe('KessPay simulator: NATIVE PAY and the wallet', () => {
  it('answers the document shape with a wallet URL as qr_code; Pay makes it paid', async () => {
    const sim = simulator();
    const created = await sim.call(
      '/api/native_pay',
      sim.order({ out_trade_no: 'ORDER-433', sub_store_name: 'Riverside' }),
    );
    assert.equal(created.status, 200);
    assert.equal(
      created.text,
      `{"success":true,"data":{"qr_code":"${PUBLIC_URL}/wallet/ORDER-433","amount":12.34,"out_trade_no":"ORDER-433","result_code":"SUCCESS","total_amount":12.34}}`,
    );

    const waiting = await sim.status('ORDER-433');
    assert.deepEqual(data(waiting), {
      is_success: false,
      service_id: 30,
      out_trade_no: 'ORDER-433',
      amount: 12.34,
      out_refund_no: null,
      currency: 'USD',
      message: 'Waiting for payment.',
      status: 'WAITING',
      total_amount: 12.34,
    });

    const page = await (await sim.app.request('/wallet/ORDER-433')).text();
    assert.match(page, /WeChat Pay/);
    assert.match(page, /Angkor Coffee/);
    assert.match(page, /12\.34/);
    assert.match(page, /USD/);
    assert.match(page, /Riverside/);
    assert.match(page, />Pay<\/button>/);
    assert.match(page, />Decline<\/button>/);
    assert.ok(page.includes('action="ORDER-433/pay"'));

    const paid = await (await sim.app.request('/wallet/ORDER-433/pay', { method: 'POST' })).text();
    assert.match(paid, /role="status">Paid/);
    const later = await (await sim.app.request('/wallet/ORDER-433/decline', { method: 'POST' })).text();
    assert.match(later, /Paid/, 'a paid order stays paid');
    const done = data(await sim.status('ORDER-433'));
    assert.equal(done.is_success, true);
    assert.equal(done.message, 'Payment Successful!');
    assert.equal(done.status, 'SUCCESS');
    assert.equal((await sim.app.request('/wallet/NO-SUCH-ORDER')).status, 404);
  });

  it('tells waiting, failed, closed and unknown orders apart', async () => {
    const sim = simulator();
    const ids = ['D-1', 'F-1', 'E-1'];
    for (const id of ids)
      assert.equal((await sim.call('/api/native_pay', sim.order({ out_trade_no: id }))).status, 200);
    await sim.app.request('/wallet/D-1/decline', { method: 'POST' });
    assert.equal((await sim.control('/_control/orders/F-1/fail')).body.status, 'FAILED');
    assert.equal((await sim.control('/_control/orders/E-1/expire')).body.status, 'CLOSED');
    assert.equal((await sim.control('/_control/orders/E-1/pay')).status, 409, 'a closed order stays closed');
    assert.equal((await sim.control('/_control/orders/NOPE/pay')).status, 404);

    const messages = new Set<string>(['Waiting for payment.']);
    for (const [id, expected] of [
      ['D-1', 'FAILED'],
      ['F-1', 'FAILED'],
      ['E-1', 'CLOSED'],
    ] as const) {
      const answer = data(await sim.status(id));
      assert.equal(answer.is_success, false);
      assert.equal(answer.status, expected);
      messages.add(String(answer.message));
    }
    const unknown = await sim.status('NEVER-MADE');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.success, false);
    assert.equal(unknown.body.result_code, 'ORDER_NOT_FOUND');
    messages.add(String(unknown.body.message));
    assert.equal(messages.size, 4, 'waiting, failed, closed and unknown each read differently');
    assert.ok(!messages.has('Payment Successful!'));
  });

  it('refuses what KessPay would refuse', async () => {
    const sim = simulator();
    await sim.call('/api/native_pay', sim.order({ out_trade_no: 'TAKEN' }));
    const cases: Array<[string, object | string, string]> = [
      ['unknown service', sim.order({ service_id: 5 }), 'SERVICE_NOT_SUPPORTED'],
      ['service as text', sim.order({ service_id: '30' }), 'INVALID_PARAMS'],
      ['no service', sim.order({ service_id: undefined }), 'INVALID_PARAMS'],
      ['other store', sim.order({ store_id: '109039' }), 'STORE_INVALID'],
      ['no store', sim.order({ store_id: null }), 'INVALID_PARAMS'],
      ['zero', sim.order({ amount: 0 }), 'INVALID_PARAMS'],
      ['negative', sim.order({ amount: -1 }), 'INVALID_PARAMS'],
      ['three decimals', sim.order({ amount: 1.234 }), 'INVALID_PARAMS'],
      ['amount text', sim.order({ amount: '12.3.4' }), 'INVALID_PARAMS'],
      ['amount empty', sim.order({ amount: '' }), 'INVALID_PARAMS'],
      ['amount missing', sim.order({ amount: undefined }), 'INVALID_PARAMS'],
      ['amount bool', sim.order({ amount: true }), 'INVALID_PARAMS'],
      ['fee over 100', sim.order({ fee_rate: 101 }), 'INVALID_PARAMS'],
      ['fee negative', sim.order({ fee_rate: -2 }), 'INVALID_PARAMS'],
      ['long order no', sim.order({ out_trade_no: 'A'.repeat(33) }), 'INVALID_PARAMS'],
      ['order no with space', sim.order({ out_trade_no: 'ORDER 1' }), 'INVALID_PARAMS'],
      ['order no as number', sim.order({ out_trade_no: 4339 }), 'INVALID_PARAMS'],
      ['duplicate order no', sim.order({ out_trade_no: 'TAKEN' }), 'OUT_TRADE_NO_USED'],
      ['unknown field', sim.order({ notify_url: 'https://shop.example/notify' }), 'INVALID_PARAMS'],
      ['misspelt field', sim.order({ feeRate: 2 }), 'INVALID_PARAMS'],
      ['not JSON', '{"service_id":30,', 'INVALID_PARAMS'],
      ['not an object', '[1,2]', 'INVALID_PARAMS'],
      [
        'duplicate key',
        `{"service_id":30,"store_id":"${STORE_ID}","amount":1.00,"amount":100.00,"out_trade_no":"DUP-KEY"}`,
        'INVALID_PARAMS',
      ],
    ];
    for (const [name, body, code] of cases) {
      const answer = await sim.call('/api/native_pay', body);
      assert.equal(answer.status, 400, `${name}: ${answer.text}`);
      assert.equal(answer.body.success, false, name);
      assert.equal(answer.body.result_code, code, name);
      assert.equal(typeof answer.body.message, 'string', name);
      assert.equal(answer.body.data, undefined, name);
    }
    const text = await sim.post('/api/native_pay', sim.order(), {
      token: await sim.token(),
      contentType: 'text/plain',
    });
    assert.equal(text.status, 400);
    assert.equal((await sim.control('/_control/orders/DUP-KEY', { method: 'GET' })).status, 404);
  });

  it('reads amounts from the JSON text exactly, as numbers or strings, and answers them the same way', async () => {
    const sim = simulator();
    const raw = (amount: string, id: string) =>
      `{"service_id":30,"store_id":"${STORE_ID}","amount":${amount},"out_trade_no":"${id}"}`;
    const accepted: Array<[string, string]> = [
      ['0.10', '0.10'],
      ['0.1', '0.10'],
      ['7', '7.00'],
      ['"19.99"', '19.99'],
      ['999999999999.99', '999999999999.99'],
      ['0.01', '0.01'],
    ];
    for (const [index, [amount, echoed]] of accepted.entries()) {
      const answer = await sim.call('/api/native_pay', raw(amount, `AMT-${index}`));
      assert.equal(answer.status, 200, `${amount}: ${answer.text}`);
      assert.ok(answer.text.includes(`"amount":${echoed},`), `${amount} → ${answer.text}`);
      const record = await sim.control(`/_control/orders/AMT-${index}`, { method: 'GET' });
      assert.equal(record.body.amount, echoed);
    }
    // Each of these would pass through a float unnoticed (1.230 === 1.23, 1e2 === 100, 2.50 ... ).
    for (const amount of ['1.230', '1e2', '1.0e0', '"1.005"', '01.00', '1.', '.5', '"12.5 "', '1000000000000.00']) {
      const answer = await sim.call('/api/native_pay', raw(amount, 'AMT-BAD'));
      assert.equal(answer.status, 400, amount);
    }
  });

  it('charges the fee_rate surcharge on top, rounded half up to a cent, and shows it on the wallet', async () => {
    const sim = simulator();
    const cases: Array<[string, string, string]> = [
      ['10.00', '2', '10.20'],
      ['0.25', '2', '0.26'],
      ['0.24', '2', '0.24'],
      ['0.01', '2', '0.01'],
      ['10.00', '2.5', '10.25'],
      ['33.33', '"3.33"', '34.44'],
      ['5.00', '0', '5.00'],
      ['5.00', '100', '10.00'],
    ];
    for (const [index, [amount, fee, total]] of cases.entries()) {
      const id = `FEE-${index}`;
      const answer = await sim.call(
        '/api/native_pay',
        `{"service_id":2,"store_id":"${STORE_ID}","amount":${amount},"fee_rate":${fee},"out_trade_no":"${id}"}`,
      );
      assert.equal(answer.status, 200, answer.text);
      assert.ok(answer.text.includes(`"amount":${amount},`), answer.text);
      assert.ok(answer.text.includes(`"total_amount":${total}}`), `${amount} + ${fee}% → ${answer.text}`);
    }
    const page = await (await sim.app.request('/wallet/FEE-0')).text();
    assert.match(page, /Alipay/);
    assert.match(page, /<span>10\.20<\/span>/);
    assert.match(page, /Surcharge/);
  });
});

describe('KessPay simulator: QUICK PAY', () => {
  const quick = (sim: ReturnType<typeof simulator>, fields: Record<string, unknown>) =>
    sim.call('/api/quick_pay', sim.order({ service_id: 30, amount: 8.5, ...fields }));

  it('approves a code at once, in the document shape', async () => {
    const sim = simulator();
    const answer = await quick(sim, { auth_code: WECHAT_APPROVE, out_trade_no: 'Q-1' });
    assert.equal(answer.status, 200);
    assert.deepEqual(Object.keys(data(answer)), [
      'amount',
      'currency',
      'out_trade_no',
      'transaction_id',
      'result_code',
      'total_amount',
      'message',
    ]);
    assert.equal(data(answer).result_code, 'SUCCESS');
    assert.equal(data(answer).currency, 'USD');
    assert.ok(answer.text.includes('"amount":8.50,'));
    assert.match(String(data(answer).transaction_id), /^4200\d{24}$/);
    assert.equal(data(await sim.status('Q-1')).is_success, true);

    const alipay = await quick(sim, { service_id: 2, auth_code: ALIPAY_APPROVE, out_trade_no: 'Q-2' });
    assert.equal(data(alipay).result_code, 'SUCCESS');
    assert.match(String(data(alipay).transaction_id), /^2026112122001\d{15}$/);
  });

  it('takes the code as an 18-digit JSON number without rounding it', async () => {
    const sim = simulator();
    const body = `{"service_id":30,"store_id":"${STORE_ID}","amount":1.00,"auth_code":${WECHAT_APPROVE},"out_trade_no":"Q-NUM"}`;
    const answer = await sim.call('/api/quick_pay', body);
    assert.equal(data(answer).result_code, 'SUCCESS', answer.text);
    assert.equal((await sim.control('/_control/orders/Q-NUM', { method: 'GET' })).body.authCode, WECHAT_APPROVE);
  });

  it('declines a code ending 9999 and reports the order failed', async () => {
    const sim = simulator();
    const answer = await quick(sim, { auth_code: WECHAT_DECLINE, out_trade_no: 'Q-DECLINE' });
    assert.equal(answer.status, 200);
    assert.equal(answer.body.success, true);
    assert.equal(data(answer).result_code, 'FAIL');
    assert.match(String(data(answer).message), /insufficient/);
    const checked = data(await sim.status('Q-DECLINE'));
    assert.equal(checked.is_success, false);
    assert.equal(checked.status, 'FAILED');
  });

  it('waits for the PIN (USERPAYING) and succeeds 6 seconds later', async () => {
    const sim = simulator();
    const answer = await quick(sim, { auth_code: WECHAT_PIN, out_trade_no: 'Q-PIN' });
    assert.equal(data(answer).result_code, 'USERPAYING');
    for (const seconds of [3, 2]) {
      sim.advance(seconds);
      const pending = data(await sim.status('Q-PIN'));
      assert.equal(pending.is_success, false);
      assert.equal(pending.status, 'USERPAYING');
    }
    sim.advance(1);
    const paid = data(await sim.status('Q-PIN'));
    assert.equal(paid.is_success, true);
    assert.equal(paid.message, 'Payment Successful!');
  });

  it('lets a control or the wallet enter the PIN, or give up, and honours a custom PIN delay', async () => {
    const sim = simulator({ quickPayPinSeconds: 30 });
    await quick(sim, { auth_code: WECHAT_PIN, out_trade_no: 'Q-PIN-1' });
    sim.advance(29);
    assert.equal(data(await sim.status('Q-PIN-1')).status, 'USERPAYING');
    assert.equal((await sim.control('/_control/orders/Q-PIN-1/pay')).body.status, 'SUCCESS');

    await quick(sim, { auth_code: WECHAT_PIN_NEVER, out_trade_no: 'Q-PIN-2' });
    sim.advance(3600);
    assert.equal(data(await sim.status('Q-PIN-2')).status, 'USERPAYING', 'never entered');
    assert.equal((await sim.control('/_control/orders/Q-PIN-2/expire')).body.status, 'CLOSED');
    assert.equal(data(await sim.status('Q-PIN-2')).message, 'Payment Closed!');

    await quick(sim, { auth_code: '134567890123462222', out_trade_no: 'Q-PIN-3' });
    await sim.app.request('/wallet/Q-PIN-3/decline', { method: 'POST' });
    assert.equal(data(await sim.status('Q-PIN-3')).status, 'FAILED');
  });

  it('never charges a code twice', async () => {
    const sim = simulator();
    await quick(sim, { auth_code: WECHAT_APPROVE, out_trade_no: 'Q-ONCE' });
    const again = await quick(sim, { auth_code: WECHAT_APPROVE, out_trade_no: 'Q-TWICE' });
    assert.equal(again.status, 400);
    assert.equal(again.body.result_code, 'AUTH_CODE_USED');
    assert.equal((await sim.status('Q-TWICE')).status, 404, 'no second order');
    const retried = await quick(sim, { auth_code: WECHAT_APPROVE, out_trade_no: 'Q-ONCE' });
    assert.equal(retried.body.result_code, 'OUT_TRADE_NO_USED');
    // A declined code is spent too.
    await quick(sim, { auth_code: WECHAT_DECLINE, out_trade_no: 'Q-D1' });
    assert.equal(
      (await quick(sim, { auth_code: WECHAT_DECLINE, out_trade_no: 'Q-D2' })).body.result_code,
      'AUTH_CODE_USED',
    );
  });

  it('refuses codes that are not payment codes of the chosen wallet', async () => {
    const sim = simulator();
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ auth_code: WECHAT_EXPIRED }, 'AUTH_CODE_INVALID'],
      [{ auth_code: ALIPAY_APPROVE }, 'AUTH_CODE_INVALID'],
      [{ service_id: 2, auth_code: WECHAT_APPROVE }, 'AUTH_CODE_INVALID'],
      [{ auth_code: '1345678901234500' }, 'AUTH_CODE_INVALID'],
      [{ auth_code: '934567890123450000' }, 'AUTH_CODE_INVALID'],
      [{ auth_code: 'abc' }, 'AUTH_CODE_INVALID'],
      [{ auth_code: undefined }, 'INVALID_PARAMS'],
    ];
    for (const [index, [fields, code]] of cases.entries()) {
      const answer = await quick(sim, { ...fields, out_trade_no: `Q-BAD-${index}` });
      assert.equal(answer.status, 400, `case ${index}`);
      assert.equal(answer.body.result_code, code, `case ${index}`);
      assert.equal((await sim.status(`Q-BAD-${index}`)).status, 404, `case ${index}: no order`);
    }
    // The expired code was not spent: the payer's refreshed code is another, but this one is still free.
    assert.equal(
      (await quick(sim, { auth_code: WECHAT_EXPIRED, out_trade_no: 'Q-BAD-X' })).body.result_code,
      'AUTH_CODE_INVALID',
    );
  });
});

describe('KessPay simulator: JSAPI PAY', () => {
  it('places a WeChat order with JSAPI parameters and a wallet URL; it is paid only when the payer confirms', async () => {
    const sim = simulator();
    const answer = await sim.call(
      '/api/jsapi_pay',
      sim.order({ out_trade_no: 'J-1', auth_code: '061AbcDEF0xyz', fee_rate: 2 }),
    );
    assert.equal(answer.status, 200, answer.text);
    const fields = data(answer);
    assert.deepEqual(Object.keys(fields), [
      'amount',
      'currency',
      'out_trade_no',
      'transaction_id',
      'result_code',
      'total_amount',
      'pay_params',
      'wallet_url',
    ]);
    assert.equal(fields.result_code, 'SUCCESS');
    assert.ok(answer.text.includes('"total_amount":12.59'), answer.text);
    assert.equal(fields.wallet_url, `${PUBLIC_URL}/wallet/J-1`);
    const params = fields.pay_params as Record<string, string>;
    assert.deepEqual(Object.keys(params).sort(), ['appId', 'nonceStr', 'package', 'paySign', 'signType', 'timeStamp']);
    assert.match(params.appId!, /^wx[0-9a-f]{16}$/);
    assert.equal(params.timeStamp, String(START.getTime() / 1000));
    assert.match(params.package!, /^prepay_id=wx20261121080000[0-9a-f]{20}$/);
    assert.equal(params.signType, 'MD5');
    assert.match(params.paySign!, /^[0-9A-F]{32}$/);

    assert.equal(data(await sim.status('J-1')).status, 'WAITING', 'placed, not paid');
    await sim.app.request('/wallet/J-1/pay', { method: 'POST' });
    assert.equal(data(await sim.status('J-1')).is_success, true);
  });

  it('is WeChat Pay only, and strict like the other pay calls', async () => {
    const sim = simulator();
    const alipay = await sim.call('/api/jsapi_pay', sim.order({ service_id: 2 }));
    assert.equal(alipay.body.result_code, 'SERVICE_NOT_SUPPORTED');
    assert.equal((await sim.call('/api/jsapi_pay', sim.order({ amount: 0.001 }))).status, 400);
    assert.equal((await sim.call('/api/jsapi_pay', sim.order({ auth_code: 'not a code!' }))).status, 400);
  });
});

describe('KessPay simulator: refunds', () => {
  async function paidOrder(sim: ReturnType<typeof simulator>, id: string, extra: Record<string, unknown> = {}) {
    await sim.call('/api/native_pay', sim.order({ out_trade_no: id, amount: 10, ...extra }));
    await sim.control(`/_control/orders/${id}/pay`);
  }
  const refund = (sim: ReturnType<typeof simulator>, fields: Record<string, unknown>) =>
    sim.call('/api/refund', { service_id: 30, store_id: STORE_ID, reason: 'Customer returned it', ...fields });

  it('refunds a paid order up to what was paid, once per out_refund_no', async () => {
    const sim = simulator();
    await sim.call('/api/native_pay', sim.order({ out_trade_no: 'R-1', amount: 10 }));
    const early = await refund(sim, { out_trade_no: 'R-1', out_refund_no: 'RF-0', refund_amount: 1 });
    assert.equal(early.status, 400);
    assert.equal(early.body.result_code, 'ORDER_NOT_PAID');
    await sim.control('/_control/orders/R-1/pay');

    const first = await refund(sim, { out_trade_no: 'R-1', out_refund_no: 'RF-1', refund_amount: 6 });
    assert.equal(first.status, 200, first.text);
    const transactionId = (await sim.control('/_control/orders/R-1', { method: 'GET' })).body.transactionId;
    assert.ok(typeof transactionId === 'string');
    assert.equal(
      first.text,
      `{"success":true,"data":{"service_id":30,"store_id":109038,"refund_amount":6.00,"currency":"USD","out_trade_no":"R-1","out_refund_no":"RF-1","transaction_id":"${transactionId}","result_code":"SUCCESS"}}`,
    );
    const over = await refund(sim, { out_trade_no: 'R-1', out_refund_no: 'RF-2', refund_amount: '4.01' });
    assert.equal(over.status, 400);
    assert.equal(over.body.result_code, 'REFUND_AMOUNT_EXCEEDED');
    const reused = await refund(sim, { out_trade_no: 'R-1', out_refund_no: 'RF-1', refund_amount: 1 });
    assert.equal(reused.body.result_code, 'OUT_REFUND_NO_USED');
    assert.equal((await refund(sim, { out_trade_no: 'R-1', out_refund_no: 'RF-3', refund_amount: 4 })).status, 200);
    const none = await refund(sim, { out_trade_no: 'R-1', out_refund_no: 'RF-4', refund_amount: 0.01 });
    assert.equal(none.body.result_code, 'REFUND_AMOUNT_EXCEEDED', 'fully refunded');

    const latest = data(await sim.call('/api/check_refund_status', { store_id: STORE_ID, out_trade_no: 'R-1' }));
    assert.deepEqual(latest, {
      is_success: true,
      service_id: 30,
      out_trade_no: 'R-1',
      amount: 4,
      out_refund_no: 'RF-3',
      currency: 'USD',
      message: 'Refund Successful!',
      status: 'SUCCESS',
    });
    const named = await sim.call('/api/check_refund_status', {
      store_id: STORE_ID,
      out_trade_no: 'R-1',
      out_refund_no: 'RF-1',
    });
    assert.ok(named.text.includes('"amount":6.00,'));
    const payment = data(await sim.status('R-1'));
    assert.equal(payment.is_success, true, 'the payment itself stays successful');
    assert.equal(payment.out_refund_no, 'RF-3');
  });

  it('refuses refunds of unknown orders, with the wrong wallet or bad fields', async () => {
    const sim = simulator();
    await paidOrder(sim, 'R-2');
    const cases: Array<[Record<string, unknown>, number, string]> = [
      [{ out_trade_no: 'R-NONE', out_refund_no: 'RF-A', refund_amount: 1 }, 404, 'ORDER_NOT_FOUND'],
      [{ out_trade_no: 'R-2', out_refund_no: 'RF-B', refund_amount: 1, service_id: 2 }, 400, 'INVALID_PARAMS'],
      [{ out_trade_no: 'R-2', out_refund_no: 'RF-C', refund_amount: 1.001 }, 400, 'INVALID_PARAMS'],
      [{ out_trade_no: 'R-2', out_refund_no: 'RF-D', refund_amount: 0 }, 400, 'INVALID_PARAMS'],
      [{ out_trade_no: 'R-2', refund_amount: 1 }, 400, 'INVALID_PARAMS'],
      [{ out_trade_no: 'R-2', out_refund_no: 'RF-E', refund_amount: 1, store_id: '1' }, 400, 'STORE_INVALID'],
      [{ out_trade_no: 'R-2', out_refund_no: 'RF-F', amount: 1 }, 400, 'INVALID_PARAMS'],
    ];
    for (const [index, [fields, status, code]] of cases.entries()) {
      const answer = await refund(sim, fields);
      assert.equal(answer.status, status, `case ${index}: ${answer.text}`);
      assert.equal(answer.body.result_code, code, `case ${index}`);
    }
    assert.equal((await sim.call('/api/check_refund_status', { store_id: STORE_ID, out_trade_no: 'R-2' })).status, 404);
    assert.equal(
      (await sim.call('/api/check_refund_status', { store_id: STORE_ID, out_trade_no: 'R-NONE' })).body.result_code,
      'ORDER_NOT_FOUND',
    );
  });

  it('lets the buyer get back a fee_rate surcharge too, and no more', async () => {
    const sim = simulator();
    await paidOrder(sim, 'R-FEE', { fee_rate: 2 });
    assert.equal(
      (await refund(sim, { out_trade_no: 'R-FEE', out_refund_no: 'RF-F1', refund_amount: 10.21 })).status,
      400,
    );
    assert.equal(
      (await refund(sim, { out_trade_no: 'R-FEE', out_refund_no: 'RF-F2', refund_amount: 10.2 })).status,
      200,
    );
  });

  it('can keep a refund processing or make it fail, by control', async () => {
    const sim = simulator();
    await paidOrder(sim, 'R-3');
    assert.equal(
      (await sim.control('/_control/refunds/next', { method: 'POST', body: '{"outcome":"maybe"}' })).status,
      400,
    );
    await sim.control('/_control/refunds/next', { method: 'POST', body: '{"outcome":"processing"}' });
    const processing = await refund(sim, { out_trade_no: 'R-3', out_refund_no: 'RF-P', refund_amount: 10 });
    assert.equal(data(processing).result_code, 'PROCESSING');
    const check = () => sim.call('/api/check_refund_status', { store_id: STORE_ID, out_trade_no: 'R-3' });
    assert.deepEqual([data(await check()).is_success, data(await check()).status], [false, 'PROCESSING']);
    assert.equal(
      (await refund(sim, { out_trade_no: 'R-3', out_refund_no: 'RF-Q', refund_amount: 1 })).status,
      400,
      'held',
    );
    await sim.control('/_control/refunds/RF-P/fail');
    assert.equal(data(await check()).message, 'Refund Failed!');
    assert.equal((await sim.control('/_control/refunds/RF-P/succeed')).status, 409);

    await sim.control('/_control/refunds/next', { method: 'POST', body: '{"outcome":"fail"}' });
    const failed = await refund(sim, { out_trade_no: 'R-3', out_refund_no: 'RF-R', refund_amount: 10 });
    assert.equal(data(failed).result_code, 'FAIL');
    const done = await refund(sim, { out_trade_no: 'R-3', out_refund_no: 'RF-S', refund_amount: 10 });
    assert.equal(data(done).result_code, 'SUCCESS', 'failed refunds gave the amount back');
  });
});

describe('KessPay simulator: faults', () => {
  const setFault = (sim: ReturnType<typeof simulator>, fault: object) =>
    sim.control('/_control/faults', { method: 'POST', body: JSON.stringify(fault) });

  it('answers HTTP 500 without processing, for get_token too, until switched off', async () => {
    const sim = simulator();
    const token = await sim.token();
    assert.equal((await setFault(sim, { mode: 'http500' })).body.mode, 'http500');
    const failed = await sim.post('/api/native_pay', sim.order({ out_trade_no: 'F-500' }), { token });
    assert.equal(failed.status, 500);
    assert.match(failed.text, /Internal Server Error/);
    assert.equal((await sim.post('/api/get_token', { user: USER, password: PASSWORD })).status, 500);
    assert.equal((await sim.control('/_control/orders/F-500', { method: 'GET' })).status, 404, 'not processed');
    await setFault(sim, { mode: 'none' });
    assert.equal((await sim.post('/api/native_pay', sim.order({ out_trade_no: 'F-500' }), { token })).status, 200);
  });

  it('processes the request but garbles the answer, for a number of calls', async () => {
    const sim = simulator();
    const token = await sim.token();
    await setFault(sim, { mode: 'garbage', count: 1 });
    const garbled = await sim.post('/api/native_pay', sim.order({ out_trade_no: 'F-G' }), { token });
    assert.equal(garbled.status, 200);
    assert.throws(() => JSON.parse(garbled.text));
    assert.equal((await sim.control('/_control/orders/F-G', { method: 'GET' })).status, 200, 'processed');
    assert.equal(
      (await sim.post('/api/native_pay', sim.order({ out_trade_no: 'F-G' }), { token })).body.result_code,
      'OUT_TRADE_NO_USED',
    );
    assert.equal((await sim.control('/_control/faults', { method: 'GET' })).body.mode, 'none');
  });

  it('leaves the request unhandled when a fault says so', async () => {
    const sim = simulator();
    const token = await sim.token();
    await setFault(sim, { mode: 'garbage', handled: false, count: 1 });
    const garbled = await sim.post('/api/native_pay', sim.order({ out_trade_no: 'F-U' }), { token });
    assert.equal(garbled.status, 200);
    assert.throws(() => JSON.parse(garbled.text));
    assert.equal((await sim.control('/_control/orders/F-U', { method: 'GET' })).status, 404, 'not processed');
  });

  it('answers slowly', async () => {
    const sim = simulator();
    const token = await sim.token();
    await setFault(sim, { mode: 'slow', delayMs: 2 });
    const answer = await sim.post('/api/native_pay', sim.order({ out_trade_no: 'F-S' }), { token });
    assert.equal(data(answer).result_code, 'SUCCESS');
  });

  it('hangs until the client gives up, having processed the request', async () => {
    const sim = simulator();
    const token = await sim.token();
    await setFault(sim, { mode: 'hang' });
    const abort = new AbortController();
    let settled = false;
    const pending = sim
      .post('/api/quick_pay', sim.order({ out_trade_no: 'F-H', auth_code: WECHAT_APPROVE }), {
        token,
        signal: abort.signal,
      })
      .finally(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.equal(settled, false, 'no answer yet');
    abort.abort();
    await pending.catch(() => undefined);
    await setFault(sim, { mode: 'none' });
    assert.equal(data(await sim.status('F-H')).is_success, true, 'the payment happened');
  });

  it('sends a 32 MiB answer', async () => {
    const sim = simulator();
    const token = await sim.token();
    await setFault(sim, { mode: 'huge' });
    const response = await sim.app.request('/api/native_pay', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify(sim.order({ out_trade_no: 'F-HUGE' })),
    });
    assert.equal(response.status, 200);
    let bytes = 0;
    const reader = response.body!.getReader();
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) bytes += chunk.value.length;
    assert.equal(bytes, 32 * 1024 * 1024);
  });

  it('refuses an unknown fault', async () => {
    const sim = simulator();
    assert.equal((await setFault(sim, { mode: 'explode' })).status, 400);
    assert.equal((await setFault(sim, { mode: 'slow', delayMs: -1 })).status, 400);
    assert.equal((await setFault(sim, { mode: 'slow', count: 0 })).status, 400);
    assert.equal((await setFault(sim, { mode: 'hang', handled: 'yes' })).status, 400);
  });
});
