/**
 * The OTT Pay simulator's H5PAY, EX_RATE_QUERY and UnionPay flows, spoken to with the adapter's own
 * Appendix A code, so the two independent implementations of the crypto check each other.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ottDecrypt, ottEncrypt } from '../../../../server/providers/ottpay/adapter.ts';
import { createOttPaySimulator } from '../../../../server/sandbox/ottpay/index.ts';
import { bodyOf } from '../../../fetch-args.ts';

const MERCHANT_ID = 'QC00000066';
const OPERATOR_ID = '0000000066';
const SIGN_KEY = '0F1E2D3C4B5A6978';
const PUBLIC_URL = 'http://192.168.1.20:8787/sandbox/ottpay';

function simulator() {
  const delivered: Array<Record<string, string>> = [];
  const app = createOttPaySimulator({
    publicUrl: PUBLIC_URL,
    merchantId: MERCHANT_ID,
    operatorId: OPERATOR_ID,
    signKey: SIGN_KEY,
    currency: 'CAD',
    merchantName: 'Maple Tea House',
    now: () => new Date('2026-11-21T08:00:00Z'),
    fetch: async (_input, init) => {
      delivered.push(JSON.parse(bodyOf(init)) as Record<string, string>);
      return new Response('SUCCESS');
    },
  });
  async function call(action: string, version: string, data: Record<string, string>) {
    const response = await app.request('/processV2', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ action, version, merchant_id: MERCHANT_ID, ...ottEncrypt(data, SIGN_KEY) }),
    });
    const body = (await response.json()) as Record<string, string>;
    return { rsp_code: body.rsp_code!, data: body.data ? ottDecrypt(body.data, body.md5!, SIGN_KEY) : null };
  }
  return { app, delivered, call };
}

function h5Request(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    merchant_id: MERCHANT_ID,
    shop_id: 'SHOP1',
    amount: '1500',
    order_id: 'h5-order-1',
    currency_type: 'CAD',
    biz_type: 'WECHATPAY',
    operator_id: OPERATOR_ID,
    submit_type: 'form',
    call_back_url: 'https://shop.example/v1/notify/ottpay',
    ...overrides,
  };
}

describe('OTT Pay simulator: H5PAY', () => {
  it('answers payinfo, an http link to its wallet page, and settles like any order', async () => {
    const sim = simulator();
    const answer = await sim.call('H5PAY', '2.0', h5Request());
    assert.equal(answer.rsp_code, 'SUCCESS');
    assert.deepEqual(Object.keys(answer.data!), ['order_id', 'merchant_id', 'amount', 'payinfo', 'time_zone_id']);
    assert.equal(answer.data!.order_id, 'h5-order-1');
    assert.equal(answer.data!.merchant_id, MERCHANT_ID);
    assert.equal(answer.data!.amount, '1500');
    const payinfo = String(answer.data!.payinfo);
    assert.match(payinfo, /^http:\/\/192\.168\.1\.20:8787\/sandbox\/ottpay\/wallet\/[A-Za-z0-9_-]{22}$/);

    const token = payinfo.split('/').pop()!;
    const page = await (await sim.app.request(`/wallet/${token}`)).text();
    assert.match(page, /WeChat Pay/);
    assert.match(page, /15\.00/);
    await sim.app.request(`/wallet/${token}/pay`, { method: 'POST' });
    assert.equal(sim.delivered.length, 1);
    const status = await sim.call('STATUS_QUERY', '1.0', { order_id: 'h5-order-1' });
    assert.equal(status.data!.order_status, 'success');
  });

  it('adds the convenience fee to the answered amount when the dialect says so', async () => {
    const sim = simulator();
    await sim.app.request('/_control/dialect', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ convenienceFee: 1 }),
    });
    const answer = await sim.call('H5PAY', '2.0', h5Request({ order_id: 'h5-fee' }));
    assert.equal(answer.data!.amount, '1501');
  });

  it('rejects what the document does not allow', async () => {
    const sim = simulator();
    const cases: Array<[string, string, Record<string, string>]> = [
      ['PARAM_INVALID', '1.0', h5Request()],
      ['PARAM_INVALID', '2.0', h5Request({ biz_type: 'ALIPAY' })],
      ['PARAM_INVALID', '2.0', h5Request({ currency_type: 'EUR' })],
      ['PARAM_INVALID', '2.0', h5Request({ currency_type: 'USD' })],
      ['PARAM_INVALID', '2.0', h5Request({ merchant_id: 'QC00000067' })],
      ['PARAM_INVALID', '2.0', h5Request({ submit_type: 'json' })],
      ['PARAM_INVALID', '2.0', h5Request({ order_id: '' })],
      ['PARAM_INVALID', '2.0', h5Request({ operator_id: '0000000067' })],
      ['PARAM_INVALID', '2.0', h5Request({ amount: '15.00' })],
    ];
    for (const [index, [code, version, data]] of cases.entries()) {
      const answer = await sim.call('H5PAY', version, data);
      assert.equal(answer.rsp_code, code, `case ${index}`);
    }
    assert.equal((await sim.call('H5PAY', '2.0', h5Request({ order_id: 'once' }))).rsp_code, 'SUCCESS');
    assert.equal((await sim.call('H5PAY', '2.0', h5Request({ order_id: 'once' }))).rsp_code, 'ORDER_USED');
  });
});

describe('OTT Pay simulator: EX_RATE_QUERY', () => {
  it('answers the rate to CNY × 10^8 for CAD and USD, and takes new rates from a control', async () => {
    const sim = simulator();
    const cad = await sim.call('EX_RATE_QUERY', '1.0', { fee_type: 'CAD' });
    assert.deepEqual(cad.data, { feeType: 'CAD', rate: '515000000' });
    assert.equal((await sim.call('EX_RATE_QUERY', '1.0', { fee_type: 'USD' })).data!.rate, '712000000');
    assert.equal((await sim.call('EX_RATE_QUERY', '1.0', { fee_type: 'EUR' })).rsp_code, 'PARAM_INVALID');
    assert.equal((await sim.call('EX_RATE_QUERY', '1.0', {})).rsp_code, 'PARAM_INVALID');
    assert.equal((await sim.call('EX_RATE_QUERY', '2.0', { fee_type: 'CAD' })).rsp_code, 'PARAM_INVALID');

    const set = await sim.app.request('/_control/rates', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ CAD: 650000000 }),
    });
    assert.equal(set.status, 200);
    assert.equal((await sim.call('EX_RATE_QUERY', '1.0', { fee_type: 'CAD' })).data!.rate, '650000000');
    const bad = await sim.app.request('/_control/rates', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ CAD: 6.5 }),
    });
    assert.equal(bad.status, 400);
  });
});

describe('OTT Pay simulator: UnionPay', () => {
  it('takes ACTIVEPAY with biz_type UNIONPAY and shows a UnionPay wallet', async () => {
    const sim = simulator();
    const answer = await sim.call('ACTIVEPAY', '1.0', {
      order_id: 'union-1',
      operator_id: OPERATOR_ID,
      amount: '300',
      biz_type: 'UNIONPAY',
      call_back_url: 'https://shop.example/v1/notify/ottpay',
    });
    assert.equal(answer.rsp_code, 'SUCCESS');
    const token = String(answer.data!.code_url).split('/').pop()!;
    assert.match(await (await sim.app.request(`/wallet/${token}`)).text(), /UnionPay \(sandbox wallet\)/);
    const status = await sim.call('STATUS_QUERY', '1.0', { order_id: 'union-1' });
    assert.equal(status.data!.biz_type, 'UNIONPAY');
  });
});
