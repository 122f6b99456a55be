/**
 * The OTT Pay simulator on its own, through `app.request()`: it must be as strict as the real API
 * about envelopes, crypto and fields, and its wallet and controls must call back the documented way.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ottDecrypt, ottEncrypt, ottMd5 } from '../../../server/providers/ottpay/adapter.ts';
import { createOttPaySimulator } from '../../../server/sandbox/ottpay/index.ts';
import { abortError, bodyOf, urlOf } from '../../fetch-args.ts';

const MERCHANT_ID = 'QC00000042';
const OPERATOR_ID = '0000000042';
const SIGN_KEY = '0A1B2C3D4E5F6071';
const PUBLIC_URL = 'https://tender.example/sandbox/ottpay';
const NOW = new Date('2026-11-21T08:00:00Z');

interface Delivered {
  url: string;
  contentType: string | null;
  body: Record<string, string>;
}

/** A simulator whose callbacks land in `delivered` and are answered by `reply`. */
function simulator(reply: (delivered: Delivered) => Promise<Response> | Response = () => new Response('SUCCESS')) {
  const delivered: Delivered[] = [];
  const fakeFetch: typeof fetch = async (input, init) => {
    const entry: Delivered = {
      url: urlOf(input),
      contentType: new Headers(init?.headers).get('content-type'),
      body: JSON.parse(bodyOf(init)) as Record<string, string>,
    };
    delivered.push(entry);
    return reply(entry);
  };
  const app = createOttPaySimulator({
    publicUrl: PUBLIC_URL,
    merchantId: MERCHANT_ID,
    operatorId: OPERATOR_ID,
    signKey: SIGN_KEY,
    currency: 'CAD',
    merchantName: 'Maple Tea House',
    fetch: fakeFetch,
    now: () => NOW,
    callbackTimeoutMs: 50,
  });

  async function call(
    action: string,
    data: Record<string, string>,
    envelope: Record<string, unknown> = {},
    path = '/processV2',
  ): Promise<{ status: number; rsp_code: string; data: Record<string, unknown> | null }> {
    const sealed = ottEncrypt(data, SIGN_KEY);
    const response = await app.request(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ action, version: '1.0', merchant_id: MERCHANT_ID, ...sealed, ...envelope }),
    });
    return readAnswer(response);
  }

  let sequence = 0;
  function activePay(overrides: Record<string, string> = {}): Record<string, string> {
    sequence += 1;
    return {
      order_id: `sim-test-${sequence}`,
      operator_id: OPERATOR_ID,
      amount: '1234',
      biz_type: 'WECHATPAY',
      call_back_url: 'https://shop.example/v1/notify/ottpay',
      ...overrides,
    };
  }

  async function created(overrides: Record<string, string> = {}) {
    const request = activePay(overrides);
    const answer = await call('ACTIVEPAY', request);
    assert.equal(answer.rsp_code, 'SUCCESS');
    const token = String(answer.data!.code_url).split('/').pop()!;
    return { request, answer: answer.data!, token };
  }

  return { app, delivered, call, activePay, created };
}

async function readAnswer(response: Response) {
  const body = (await response.json()) as Record<string, string>;
  let data: Record<string, unknown> | null = null;
  if (body.data) {
    assert.ok(body.md5, 'data comes with its md5');
    data = ottDecrypt(body.data, body.md5, SIGN_KEY);
  }
  return { status: response.status, rsp_code: body.rsp_code!, data };
}

describe('OTT Pay simulator: the API', () => {
  it('answers ACTIVEPAY with encrypted data whose md5 verifies, on all three paths', async () => {
    const sim = simulator();
    for (const path of ['/processV2', '/process', '/processV3']) {
      const request = sim.activePay();
      const answer = await sim.call('ACTIVEPAY', request, {}, path);
      assert.equal(answer.rsp_code, 'SUCCESS', path);
      assert.deepEqual(Object.keys(answer.data!), ['order_id', 'bizpay_order_id', 'code_url', 'amount']);
      assert.equal(answer.data!.order_id, request.order_id);
      assert.equal(answer.data!.amount, '1234');
      assert.match(
        String(answer.data!.code_url),
        /^https:\/\/tender\.example\/sandbox\/ottpay\/wallet\/[A-Za-z0-9_-]{22}$/,
      );
    }
  });

  it('rejects what OTT Pay would reject', async () => {
    const sim = simulator();
    const { request: used } = await sim.created();
    const cases: Array<[string, Awaited<ReturnType<typeof sim.call>>]> = [
      ['SIGN_ERROR', await sim.call('ACTIVEPAY', sim.activePay(), { merchant_id: 'QC99999999' })],
      [
        'SIGN_ERROR',
        await sim.call('ACTIVEPAY', sim.activePay(), { ...ottEncrypt(sim.activePay(), 'FFFFFFFFFFFFFFFF') }),
      ],
      ['SIGN_ERROR', await sim.call('ACTIVEPAY', sim.activePay(), { md5: ottMd5({ other: 'data' }) })],
      ['PARAM_INVALID', await sim.call('QRCODE', sim.activePay())],
      ['PARAM_INVALID', await sim.call('ACTIVEPAY', sim.activePay(), { version: '2.0' })],
      ['PARAM_ERROR', await sim.call('ACTIVEPAY', sim.activePay(), { md5: undefined })],
      ['PARAM_ERROR', await sim.call('ACTIVEPAY', sim.activePay(), { data: '' })],
      ['PARAM_ERROR', await sim.call('ACTIVEPAY', sim.activePay(), { action: undefined })],
      ['PARAM_INVALID', await sim.call('ACTIVEPAY', sim.activePay({ operator_id: '0000000043' }))],
      ['PARAM_INVALID', await sim.call('ACTIVEPAY', sim.activePay({ amount: '12.34' }))],
      ['PARAM_INVALID', await sim.call('ACTIVEPAY', sim.activePay({ amount: '0' }))],
      ['PARAM_INVALID', await sim.call('ACTIVEPAY', sim.activePay({ amount: '-5' }))],
      ['PARAM_INVALID', await sim.call('ACTIVEPAY', sim.activePay({ amount: '' }))],
      ['PARAM_INVALID', await sim.call('ACTIVEPAY', sim.activePay({ biz_type: 'PAYPAL' }))],
      ['PARAM_INVALID', await sim.call('ACTIVEPAY', sim.activePay({ call_back_url: '' }))],
      ['PARAM_INVALID', await sim.call('ACTIVEPAY', sim.activePay({ call_back_url: 'javascript:alert(1)' }))],
      ['PARAM_INVALID', await sim.call('ACTIVEPAY', sim.activePay({ order_id: 'has spaces in it' }))],
      ['ORDER_USED', await sim.call('ACTIVEPAY', used)],
      ['ORDER_NOT_EXIST', await sim.call('STATUS_QUERY', { order_id: 'never-made' })],
    ];
    for (const [index, [code, answer]] of cases.entries()) {
      assert.equal(answer.rsp_code, code, `case ${index}`);
      assert.equal(answer.data, null, `case ${index}: a rejection carries no data`);
    }
  });

  it('rejects an amount sent as a JSON number (Tender sends strings; conventions table)', async () => {
    const sim = simulator();
    const request = { ...sim.activePay(), amount: 1234 } as unknown as Record<string, string>;
    // ottEncrypt hashes via string concatenation, so the md5 is the same as for "1234".
    const answer = await sim.call('ACTIVEPAY', request);
    assert.equal(answer.rsp_code, 'PARAM_INVALID');
  });

  it('refuses a body that is not JSON, or not sent as JSON', async () => {
    const sim = simulator();
    const valid = JSON.stringify({
      action: 'ACTIVEPAY',
      version: '1.0',
      merchant_id: MERCHANT_ID,
      ...ottEncrypt(sim.activePay(), SIGN_KEY),
    });
    const attempts: Array<[string, string]> = [
      ['application/json', '{"action":'],
      ['application/json', '[1,2]'],
      ['text/plain', valid],
      ['application/x-www-form-urlencoded', valid],
    ];
    for (const [contentType, body] of attempts) {
      const response = await sim.app.request('/processV2', {
        method: 'POST',
        headers: { 'Content-Type': contentType },
        body,
      });
      assert.equal(response.status, 400, `${contentType} ${body.slice(0, 10)}`);
      assert.equal(((await response.json()) as { rsp_code: string }).rsp_code, 'PARAM_ERROR');
    }
    const ok = await sim.app.request('/processV2', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json; charset=utf-8' },
      body: valid,
    });
    assert.equal(((await ok.json()) as { rsp_code: string }).rsp_code, 'SUCCESS');
  });

  it('reports status, and refunds only what was paid', async () => {
    const sim = simulator();
    const { request, answer } = await sim.created({ amount: '1000' });
    const pending = await sim.call('STATUS_QUERY', { order_id: request.order_id! });
    assert.equal(pending.data!.order_status, 'processing');
    assert.equal(pending.data!.amount, '1000');
    assert.equal(pending.data!.bizpay_order_id, answer.bizpay_order_id);

    const early = await sim.call('REFUND', {
      order_id: 'rf-early',
      ori_order_id: request.order_id!,
      refund_amt: '100',
    });
    assert.equal(early.rsp_code, 'FAIL');

    await sim.app.request(`/_control/orders/${request.order_id}/pay`, { method: 'POST' });
    const paid = await sim.call('STATUS_QUERY', { order_id: request.order_id! });
    assert.equal(paid.data!.order_status, 'success');
    assert.equal(paid.data!.finish_time, '20261121160000');

    const refund = await sim.call('REFUND', { order_id: 'rf-1', ori_order_id: request.order_id!, refund_amt: '600' });
    assert.equal(refund.rsp_code, 'SUCCESS');
    assert.deepEqual(refund.data, { order_id: 'rf-1', ori_order_id: request.order_id, refund_amt: '600' });
    const tooMuch = await sim.call('REFUND', { order_id: 'rf-2', ori_order_id: request.order_id!, refund_amt: '401' });
    assert.equal(tooMuch.rsp_code, 'PARAM_INVALID');
    const again = await sim.call('REFUND', { order_id: 'rf-1', ori_order_id: request.order_id!, refund_amt: '100' });
    assert.equal(again.rsp_code, 'ORDER_USED');
    const after = await sim.call('STATUS_QUERY', { order_id: request.order_id! });
    assert.equal(after.data!.refund_amount, '600');
  });
});

describe('OTT Pay simulator: wallet and callbacks', () => {
  it('shows the wallet with merchant, amount and buttons, and shows the outcome after Pay', async () => {
    const sim = simulator();
    const { request, token } = await sim.created({ biz_type: 'ALIPAY', amount: '250' });
    const page = await (await sim.app.request(`/wallet/${token}`)).text();
    assert.match(page, /Alipay/);
    assert.match(page, /Maple Tea House/);
    assert.match(page, /2\.50/);
    assert.match(page, /CAD/);
    assert.ok(page.includes(request.order_id!));
    assert.ok(page.includes(`action="${token}/pay"`));
    assert.match(page, />Pay<\/button>/);
    assert.match(page, />Decline<\/button>/);

    const paid = await (await sim.app.request(`/wallet/${token}/pay`, { method: 'POST' })).text();
    assert.match(paid, /role="status">Paid/);
    assert.doesNotMatch(paid, /<button/);
    // A second press changes nothing and sends nothing.
    const declineLater = await (await sim.app.request(`/wallet/${token}/decline`, { method: 'POST' })).text();
    assert.match(declineLater, /Paid/);
    assert.equal(sim.delivered.length, 1);
    assert.equal((await sim.app.request('/wallet/not-a-token')).status, 404);
  });

  it('calls back with the documented envelope and data, in Beijing time', async () => {
    const sim = simulator();
    const { request, answer, token } = await sim.created({ amount: '1999' });
    await sim.app.request(`/wallet/${token}/pay`, { method: 'POST' });
    assert.equal(sim.delivered.length, 1);
    const callback = sim.delivered[0]!;
    assert.equal(callback.url, request.call_back_url);
    assert.equal(callback.contentType, 'application/json');
    assert.deepEqual(Object.keys(callback.body), ['rsp_code', 'rsp_msg', 'merchant_id', 'data', 'md5']);
    assert.equal(callback.body.rsp_code, 'SUCCESS');
    assert.equal(callback.body.merchant_id, MERCHANT_ID);
    assert.deepEqual(ottDecrypt(callback.body.data!, callback.body.md5!, SIGN_KEY), {
      order_id: request.order_id,
      amount: '1999',
      tip: '0',
      bizpay_order_id: answer.bizpay_order_id,
      merchant_id: MERCHANT_ID,
      finish_time: '20261121160000',
      order_status: 'success',
    });
  });

  it('records whether each callback was acknowledged', async () => {
    const replies = [new Response('SUCCESS'), new Response('OK'), new Response('SUCCESS', { status: 500 })];
    const sim = simulator(() => replies.shift() ?? Promise.reject(new Error('connection refused')));
    const { request } = await sim.created();
    const control = (command: string) =>
      sim.app.request(`/_control/orders/${request.order_id}/${command}`, { method: 'POST' });
    assert.equal((await control('callback')).status, 409, 'nothing to call back about yet');
    assert.equal((await control('decline')).status, 200);
    assert.equal((await control('pay')).status, 409, 'a declined order stays declined');
    await control('callback');
    await control('callback');
    const record = (await (await control('callback')).json()) as {
      status: string;
      callbacks: Array<{
        acknowledged: boolean;
        httpStatus: number | null;
        error: string | null;
        order_status: string;
      }>;
    };
    assert.equal(record.status, 'closed');
    assert.deepEqual(
      record.callbacks.map((c) => [c.acknowledged, c.httpStatus, c.error !== null, c.order_status]),
      [
        [true, 200, false, 'closed'],
        [false, 200, false, 'closed'],
        [false, 500, false, 'closed'],
        [false, null, true, 'closed'],
      ],
    );
  });

  it('gives up on a callback that is never answered and records it', async () => {
    const hanging = simulatorHonouringSignal();
    const { request } = await hanging.created();
    const response = await hanging.app.request(`/_control/orders/${request.order_id}/pay`, { method: 'POST' });
    const record = (await response.json()) as { callbacks: Array<{ acknowledged: boolean; error: string | null }> };
    assert.equal(record.callbacks.length, 1);
    assert.equal(record.callbacks[0]!.acknowledged, false);
    assert.ok(record.callbacks[0]!.error);
  });

  it('sends forged callbacks that do not verify, and expires without calling back', async () => {
    const sim = simulator();
    const { request } = await sim.created();
    await sim.app.request(`/_control/orders/${request.order_id}/pay`, { method: 'POST' });
    for (const kind of ['md5', 'key', 'merchant']) {
      await sim.app.request(`/_control/orders/${request.order_id}/forged-callback?kind=${kind}`, { method: 'POST' });
      const forged = sim.delivered.at(-1)!.body;
      const verifies = (() => {
        try {
          ottDecrypt(forged.data!, forged.md5!, SIGN_KEY);
          return forged.merchant_id === MERCHANT_ID;
        } catch {
          return false;
        }
      })();
      assert.equal(verifies, false, kind);
    }
    assert.equal(sim.delivered.length, 4);

    const { request: other } = await sim.created();
    await sim.app.request(`/_control/orders/${other.order_id}/expire`, { method: 'POST' });
    assert.equal(sim.delivered.length, 4);
    const status = await sim.call('STATUS_QUERY', { order_id: other.order_id! });
    assert.equal(status.data!.order_status, 'expired');
    assert.equal((await sim.app.request('/_control/orders/never-made')).status, 404);
  });
});

/** A simulator whose callback target accepts the connection and never answers (honours abort). */
function simulatorHonouringSignal() {
  const app = createOttPaySimulator({
    publicUrl: PUBLIC_URL,
    merchantId: MERCHANT_ID,
    operatorId: OPERATOR_ID,
    signKey: SIGN_KEY,
    currency: 'CAD',
    merchantName: 'Maple Tea House',
    now: () => NOW,
    callbackTimeoutMs: 20,
    fetch: (_input, init) =>
      new Promise<Response>((_resolve, reject) => {
        const signal = init?.signal;
        signal?.addEventListener('abort', () => reject(abortError(signal)));
      }),
  });
  return {
    app,
    async created() {
      const request = {
        order_id: 'sim-hang-1',
        operator_id: OPERATOR_ID,
        amount: '100',
        biz_type: 'WECHATPAY',
        call_back_url: 'https://shop.example/v1/notify/ottpay',
      };
      const response = await app.request('/processV2', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({
          action: 'ACTIVEPAY',
          version: '1.0',
          merchant_id: MERCHANT_ID,
          ...ottEncrypt(request, SIGN_KEY),
        }),
      });
      assert.equal((await readAnswer(response)).rsp_code, 'SUCCESS');
      return { request };
    },
  };
}
