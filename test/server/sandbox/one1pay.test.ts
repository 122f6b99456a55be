import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { beforeEach, describe, it } from 'node:test';
import type { Hono } from 'hono';
import { createOne1PaySimulator } from '../../../server/sandbox/one1pay/index.ts';
import { bodyOf, urlOf } from '../../fetch-args.ts';

const PUBLIC_URL = 'http://sandbox.test/sandbox/one1pay';
const USERNAME = 'sim-merchant';
const API_KEY = 'sim-api-key';
const SECRET = 'sim-callback-secret';

interface Sent {
  url: string;
  body: Record<string, unknown>;
  contentType: string | null;
}

let app: Hono;
let sent: Sent[];
let clock: Date;
/** What the merchant's callback endpoint answers. */
let callbackAnswer: () => Response;

beforeEach(() => {
  sent = [];
  clock = new Date('2026-11-21T03:00:00Z');
  callbackAnswer = () => new Response('success', { status: 200 });
  app = createOne1PaySimulator({
    publicUrl: PUBLIC_URL,
    username: USERNAME,
    apiKey: API_KEY,
    callbackSecret: SECRET,
    merchantName: 'Demo Shop',
    now: () => clock,
    fetch: async (input, init) => {
      sent.push({
        url: urlOf(input),
        body: JSON.parse(bodyOf(init)) as Record<string, unknown>,
        contentType: new Headers(init?.headers).get('content-type'),
      });
      return callbackAnswer();
    },
  });
});

async function post(path: string, fields: Record<string, string>): Promise<Record<string, unknown>> {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  const response = await app.request(path, { method: 'POST', body: form });
  assert.equal(response.status, 200);
  return (await response.json()) as Record<string, unknown>;
}

async function auth(): Promise<string> {
  const answer = await post('/merchant/auth', { username: USERNAME, api_key: API_KEY });
  assert.equal(answer.status, true);
  return answer.auth as string;
}

async function orderFields(overrides: Record<string, string> = {}): Promise<Record<string, string>> {
  return {
    username: USERNAME,
    auth: await auth(),
    amount: '250.00',
    currency: 'THB',
    orderid: 'Example_123',
    email: 'shopper@example.com',
    phone_number: '601012456789',
    redirect_url: 'https://shop.example/thanks',
    customer_bank_holder_name: 'tang',
    customer_bank_account: '1234',
    bank_id: '1',
    pay_method: 'thaiqr',
    callback_url: 'https://shop.example/notify',
    ...overrides,
  };
}

async function createOrder(overrides: Record<string, string> = {}): Promise<Record<string, unknown>> {
  return post('/merchant/generate_orders', await orderFields(overrides));
}

const refused = (message: string) => ({ status: false, message });

describe('one1pay simulator: credentials', () => {
  it('refuses a wrong api_key or username, and missing fields', async () => {
    assert.deepEqual(
      await post('/merchant/auth', { username: USERNAME, api_key: 'nope' }),
      refused('Params incorrect'),
    );
    assert.deepEqual(
      await post('/merchant/auth', { username: 'nobody', api_key: API_KEY }),
      refused('Params incorrect'),
    );
    assert.deepEqual(await post('/merchant/auth', { username: USERNAME }), refused('Params missing.'));
    assert.deepEqual(await post('/merchant/currency', { username: 'nobody' }), refused('Params incorrect'));
  });

  it('takes each auth code once, and only codes it issued', async () => {
    const fields = await orderFields();
    assert.equal((await post('/merchant/generate_orders', fields)).status, true);
    assert.deepEqual(
      await post('/merchant/generate_orders', { ...fields, orderid: 'Example_124' }),
      refused('Params incorrect.'),
    );
    assert.deepEqual(
      await createOrder({ orderid: 'Example_125', auth: 't5IF5r2fXit1FnhjBVQv' }),
      refused('Params incorrect.'),
    );
  });

  it('lets an auth code expire after ten minutes', async () => {
    const fields = await orderFields();
    clock = new Date(clock.getTime() + 10 * 60_000 + 1);
    assert.deepEqual(await post('/merchant/generate_orders', fields), refused('Params incorrect.'));
  });

  it('reads form-urlencoded bodies like form-data, and no fields from JSON', async () => {
    const urlencoded = await app.request('/merchant/auth', {
      method: 'POST',
      body: new URLSearchParams({ username: USERNAME, api_key: API_KEY }),
    });
    assert.equal(((await urlencoded.json()) as { status: boolean }).status, true);
    const json = await app.request('/merchant/auth', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: USERNAME, api_key: API_KEY }),
    });
    assert.deepEqual(await json.json(), refused('Params missing.'));
  });
});

describe('one1pay simulator: generate_orders', () => {
  it('answers a payment page URL under its public URL', async () => {
    const answer = await createOrder();
    assert.equal(answer.status, true);
    assert.match(String(answer.payment_id), /^\d{6}_1_\d{3}$/);
    assert.equal(answer.p_url, `${PUBLIC_URL}/pay/${String(answer.payment_id)}`);
  });

  it('refuses what the real provider refuses', async () => {
    assert.deepEqual(await createOrder({ email: 'john.example.com' }), refused('email incorrect.'));
    assert.deepEqual(await createOrder({ phone_number: '' }), refused('Params missing.'));
    assert.deepEqual(await createOrder({ amount: '99.99' }), refused('Invalid Amount.'));
    assert.deepEqual(await createOrder({ amount: '50000.01' }), refused('Invalid Amount.'));
    assert.deepEqual(await createOrder({ amount: '100.001' }), refused('Invalid Amount.'));
    assert.deepEqual(await createOrder({ amount: '-100' }), refused('Invalid Amount.'));
    assert.deepEqual(await createOrder({ currency: 'USD' }), refused('Invalid Amount.'));
    assert.deepEqual(await createOrder({ bank_id: '21' }), refused('bank_id invalid.'));
    assert.deepEqual(await createOrder({ pay_method: 'promptpay' }), refused('pay_method invalid.'));
    assert.deepEqual(await createOrder({ redirect_url: 'javascript:alert(1)' }), refused('redirect_url invalid.'));
    assert.deepEqual(await createOrder({ orderid: 'has space' }), refused('Order ID Exist.'));
    assert.equal((await createOrder({ amount: '100' })).status, true);
    assert.deepEqual(await createOrder(), refused('Order ID Exist.'));
  });

  it('answers check_status with four-decimal numbers, and "Order not found." for an unknown id', async () => {
    await createOrder();
    const response = await app.request('/merchant/check_status', {
      method: 'POST',
      body: new URLSearchParams({ username: USERNAME, id: 'Example_123' }),
    });
    const text = await response.text();
    assert.match(text, /"amount":250\.0000/);
    assert.deepEqual(JSON.parse(text), {
      status: true,
      order_status: 'pending',
      order_datetime: '2026-11-21 10:00:00',
      amount: 250,
      currency: 'THB',
    });
    assert.deepEqual(
      await post('/merchant/check_status', { username: USERNAME, id: 'nope' }),
      refused('Order not found.'),
    );
  });
});

describe('one1pay simulator: the payment page', () => {
  async function paymentId(): Promise<string> {
    return String((await createOrder()).payment_id);
  }

  it('shows merchant, amount, order and the two buttons', async () => {
    const id = await paymentId();
    const page = await (await app.request(`/pay/${id}`)).text();
    assert.match(page, /Demo Shop/);
    assert.match(page, /250\.00/);
    assert.match(page, /Example_123/);
    assert.match(page, /Thai QR/);
    assert.match(page, /Siam Commercial Bank/);
    assert.match(page, /<button[^>]*>Pay<\/button>/);
    assert.match(page, /<button[^>]*>Decline<\/button>/);
    assert.match(page, new RegExp(`action="${id}/pay"`));
  });

  it('settles on Pay, calls back with the right token, then returns the shopper', async () => {
    const id = await paymentId();
    const response = await app.request(`/pay/${id}/pay`, { method: 'POST' });
    assert.equal(response.status, 303);
    assert.equal(response.headers.get('location'), 'https://shop.example/thanks');
    assert.equal(sent.length, 1);
    const callback = sent[0]!;
    assert.equal(callback.url, 'https://shop.example/notify');
    assert.equal(callback.contentType, 'application/json');
    assert.deepEqual(callback.body, {
      order_id: 'Example_123',
      amount: 250,
      currency: 'THB',
      order_status: 'completed',
      status: true,
      charge: '7.5000',
      token: createHash('md5').update(`${SECRET}Example_123`).digest('hex'),
      name: 'tang',
      type: 'deposit',
    });
  });

  it('does not change a settled order: a second click shows the outcome', async () => {
    const id = await paymentId();
    await app.request(`/pay/${id}/decline`, { method: 'POST' });
    const again = await app.request(`/pay/${id}/pay`, { method: 'POST' });
    assert.equal(again.status, 200);
    const page = await again.text();
    assert.match(page, /Payment failed/);
    assert.doesNotMatch(page, /<button/);
    assert.equal(sent.length, 1);
    assert.equal(
      (await post('/merchant/check_status', { username: USERNAME, id: 'Example_123' })).order_status,
      'fail',
    );
  });

  it('answers 404 for a payment id it did not issue', async () => {
    assert.equal((await app.request('/pay/000001_1_123')).status, 404);
  });
});

describe('one1pay simulator: test controls', () => {
  it('expires an order to fail and records each callback delivery', async () => {
    await createOrder();
    callbackAnswer = () => new Response('nope', { status: 500 });
    const expired = await app.request('/_control/orders/Example_123/expire', { method: 'POST' });
    assert.equal(expired.status, 200);
    callbackAnswer = () => new Response('success', { status: 200 });
    await app.request('/_control/orders/Example_123/callback', { method: 'POST' });

    const record = (await (await app.request('/_control/orders/Example_123')).json()) as {
      status: string;
      callbacks: Array<{ httpStatus: number; acknowledged: boolean; forged: boolean }>;
    };
    assert.equal(record.status, 'fail');
    assert.deepEqual(
      record.callbacks.map((c) => [c.httpStatus, c.acknowledged, c.forged]),
      [
        [500, false, false],
        [200, true, false],
      ],
    );
    assert.equal((await app.request('/_control/orders/Example_123/pay', { method: 'POST' })).status, 409);
  });

  it('sends a forged callback whose token does not verify', async () => {
    await createOrder();
    await app.request('/_control/orders/Example_123/forged-callback', { method: 'POST' });
    assert.equal(sent.length, 1);
    assert.notEqual(sent[0]!.body.token, createHash('md5').update(`${SECRET}Example_123`).digest('hex'));
    assert.equal(sent[0]!.body.order_status, 'pending');
  });

  it('answers 404 for an unknown order or control', async () => {
    assert.equal((await app.request('/_control/orders/nope')).status, 404);
    await createOrder();
    assert.equal((await app.request('/_control/orders/Example_123/refund', { method: 'POST' })).status, 404);
  });
});

describe('one1pay simulator: wallet', () => {
  async function withdraw(overrides: Record<string, string> = {}): Promise<Record<string, unknown>> {
    return post('/merchant/withdraw_orders', {
      auth: await auth(),
      amount: '1000.00',
      currency: 'THB',
      orderid: 'Testpayout008',
      bank_id: '101',
      holder_name: 'John Doe',
      account_no: '12332343432',
      callback_url: 'https://shop.example/withdraw/callback',
      ...overrides,
    });
  }

  async function balance(): Promise<string> {
    return (await post('/wallet/get_balance', { auth: await auth(), currency: 'THB' })).balance as string;
  }

  it('starts with 100000.00 THB and adds completed deposits less the charge', async () => {
    assert.equal(await balance(), '100000.00');
    await createOrder({ amount: '1000.00' });
    await app.request('/_control/orders/Example_123/pay', { method: 'POST' });
    assert.equal(await balance(), '100970.00');
  });

  it('holds a withdrawal, gives it back on failure, and refuses what it should', async () => {
    const started = await withdraw();
    assert.equal(started.status, true);
    assert.equal(started.message, 'Success');
    assert.match(String(started.payment_id), /^\d{6}_330_\d{3}$/);
    assert.equal(await balance(), '99000.00');
    assert.deepEqual(await withdraw(), refused('Order id exist!'));
    assert.deepEqual(await withdraw({ orderid: 'p2', bank_id: '1' }), refused('bank_id invalid.'));
    assert.deepEqual(await withdraw({ orderid: 'p3', amount: '0' }), refused('Amount Invalid!'));
    assert.deepEqual(await withdraw({ orderid: 'p4', amount: '1.005' }), refused('Amount Invalid!'));
    assert.deepEqual(await withdraw({ orderid: 'p5', amount: '99000.01' }), refused('Balance not enough!'));
    assert.deepEqual(await withdraw({ orderid: 'p6', auth: 'made-up' }), refused('Params incorrect'));

    const status = await post('/merchant/check_withdraw_status', { username: USERNAME, id: 'Testpayout008' });
    assert.equal(status.order_status, 'proccess');
    await app.request('/_control/withdrawals/Testpayout008/fail', { method: 'POST' });
    assert.equal(await balance(), '100000.00');
    assert.equal(sent.at(-1)?.body.type, 'withdrawal');
    assert.equal(sent.at(-1)?.body.order_status, 'fail');
  });

  it('filters bank lists by currency when asked', async () => {
    const all = (await post('/wallet/withdraw_bank_list', { username: USERNAME })).data as unknown[];
    const myr = (await post('/wallet/withdraw_bank_list', { username: USERNAME, currency: 'MYR' })).data as Array<{
      currency: string;
    }>;
    assert.ok(all.length > myr.length);
    assert.ok(myr.length > 0 && myr.every((bank) => bank.currency === 'MYR'));
  });
});
