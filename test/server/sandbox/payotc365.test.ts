/**
 * The PayOtc365 simulator on its own, through `app.request()`: the documented wallet inquiry with its
 * six-decimal number, its strictness about credentials and headers, and its controls and faults.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  createPayOtc365Simulator,
  HUGE_ANSWER_BYTES,
  PAYOTC365_CODES,
} from '../../../server/sandbox/payotc365/index.ts';

const APP_ID = 'app_7Kq2mX';
/** Non-ASCII (Basic takes UTF-8) and of a length whose Base64 ends in padding. */
const SECRET = 's3cr3t-Ω-key!';
const PUBLIC_URL = 'https://tender.example/sandbox/payotc365';

function basic(appId: string, secret: string): string {
  return `Basic ${Buffer.from(`${appId}:${secret}`, 'utf8').toString('base64')}`;
}

function simulator(balances?: Record<string, string>) {
  const app = createPayOtc365Simulator({ publicUrl: PUBLIC_URL, appId: APP_ID, secret: SECRET, balances });

  function inquire(headers: Record<string, string> = {}, init: RequestInit = {}) {
    return app.request('/pay/inquire/wallet', {
      method: 'POST',
      headers: { Accept: 'application/json', Authorization: basic(APP_ID, SECRET), ...headers },
      ...init,
    });
  }

  async function control(path: string, body: unknown): Promise<Response> {
    return app.request(`/_control/${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
  }

  return { app, inquire, control };
}

async function refusalOf(response: Response): Promise<{ code: number; message: string }> {
  assert.equal(response.status, 412);
  const body = (await response.json()) as { status: string; code: number; message: string };
  assert.equal(body.status, 'fail');
  assert.equal(typeof body.code, 'number');
  assert.equal(typeof body.message, 'string');
  return body;
}

describe('PayOtc365 simulator: the wallet inquiry', () => {
  it('answers the documented success shape, totalAssets written as a number with six decimals', async () => {
    const { inquire } = simulator();
    const response = await inquire();
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
    const text = await response.text();
    assert.match(text, /"totalAssets" : 1250\.000000,/);
    assert.deepEqual(JSON.parse(text), { status: 'success', data: { totalAssets: 1250, coin: 'USDT' } });
  });

  it('writes configured balances digit for digit, padded to six decimals', async () => {
    for (const [given, written] of [
      ['0.000001', '0.000001'],
      ['123456789.123456', '123456789.123456'],
      ['0', '0.000000'],
      ['12.5', '12.500000'],
      ['999999999999999.999999', '999999999999999.999999'],
    ]) {
      const text = await (await simulator({ USDT: given! }).inquire()).text();
      assert.ok(text.includes(`"totalAssets" : ${written},`), `${given} → ${text}`);
    }
  });

  it('refuses balances it could not write as the document does', () => {
    for (const bad of ['1.0000001', '-1', '1e3', '01', '1.', '', ' 1']) {
      assert.throws(
        () =>
          createPayOtc365Simulator({ publicUrl: PUBLIC_URL, appId: APP_ID, secret: SECRET, balances: { USDT: bad } }),
        /balances\.USDT/,
        bad,
      );
    }
    assert.throws(() =>
      createPayOtc365Simulator({ publicUrl: PUBLIC_URL, appId: APP_ID, secret: SECRET, balances: {} }),
    );
    assert.throws(() => createPayOtc365Simulator({ publicUrl: PUBLIC_URL, appId: 'a:b', secret: SECRET }));
  });

  it('answers only POST', async () => {
    const { app } = simulator();
    const response = await app.request('/pay/inquire/wallet', {
      headers: { Accept: 'application/json', Authorization: basic(APP_ID, SECRET) },
    });
    assert.equal(response.status, 404);
  });

  it('refuses a missing or malformed Authorization header with 10001', async () => {
    const { inquire } = simulator();
    const token = Buffer.from(`${APP_ID}:${SECRET}`).toString('base64');
    assert.ok(token.endsWith('='), 'the unpadded case below needs a padded token');
    const cases: Array<Record<string, string>> = [
      { Authorization: '' },
      { Authorization: `Bearer ${token}` },
      { Authorization: 'Basic' },
      { Authorization: 'Basic not*base64' },
      { Authorization: `Basic ${token.replace(/=+$/, '')}` },
      { Authorization: `Basic ${Buffer.from(`${APP_ID}${SECRET}`).toString('base64')}` },
      { Authorization: `Basic ${Buffer.from([0xff, 0x3a, 0x61]).toString('base64')}` },
    ];
    for (const headers of cases) {
      const refusal = await refusalOf(await inquire(headers));
      assert.equal(refusal.code, PAYOTC365_CODES.authorization, JSON.stringify(headers));
    }
  });

  it('refuses a wrong app id or secret with 10000, without saying which', async () => {
    const { inquire } = simulator();
    const wrongSecret = await refusalOf(await inquire({ Authorization: basic(APP_ID, `${SECRET}x`) }));
    const wrongApp = await refusalOf(await inquire({ Authorization: basic('app_other', SECRET) }));
    assert.equal(wrongSecret.code, PAYOTC365_CODES.credentials);
    assert.equal(wrongApp.code, PAYOTC365_CODES.credentials);
    assert.equal(wrongSecret.message, wrongApp.message);
  });

  it('takes the Basic scheme name in any case', async () => {
    const { inquire } = simulator();
    const token = Buffer.from(`${APP_ID}:${SECRET}`, 'utf8').toString('base64');
    assert.equal((await inquire({ Authorization: `basic ${token}` })).status, 200);
  });

  it('wants Accept to allow application/json (10002)', async () => {
    const { inquire } = simulator();
    for (const accept of ['', 'text/html', 'application/json;q=0', 'application/xml, text/plain']) {
      const refusal = await refusalOf(await inquire({ Accept: accept }));
      assert.equal(refusal.code, PAYOTC365_CODES.accept, accept);
    }
    for (const accept of ['*/*', 'application/*', 'text/html, application/json;q=0.9']) {
      assert.equal((await inquire({ Accept: accept })).status, 200, accept);
    }
  });
});

describe('PayOtc365 simulator: controls', () => {
  it('sets a balance exactly and counts inquiries', async () => {
    const { app, inquire, control } = simulator();
    const set = await control('balance', { coin: 'USDT', totalAssets: '0.000001' });
    assert.equal(set.status, 200);
    assert.ok((await (await inquire()).text()).includes('"totalAssets" : 0.000001,'));
    const state = (await (await app.request('/_control/state')).json()) as Record<string, unknown>;
    assert.deepEqual(state.wallet, { coin: 'USDT', totalAssets: '0.000001' });
    assert.equal(state.inquiries, 1);
    assert.equal(state.apiUrl, `${PUBLIC_URL}/pay/inquire/wallet`);
  });

  it('makes the wallet report another coin when told to', async () => {
    const { inquire, control } = simulator();
    await control('balance', { coin: 'BTC', totalAssets: '0.5' });
    const body = (await (await inquire()).json()) as { data: { coin: string } };
    assert.equal(body.data.coin, 'BTC');
  });

  it('answers 400 to control bodies it cannot take', async () => {
    const { control, app } = simulator();
    for (const body of [
      { coin: 'USDT', totalAssets: 1.5 },
      { coin: 'USDT', totalAssets: '1.1234567' },
      { coin: 'usdt', totalAssets: '1' },
      { coin: 'USDT', totalAssets: '1', extra: true },
    ]) {
      assert.equal((await control('balance', body)).status, 400, JSON.stringify(body));
    }
    for (const body of [{ mode: 'explode' }, { mode: 'slow', delayMs: -1 }, { mode: 'http500', count: 0 }]) {
      assert.equal((await control('faults', body)).status, 400, JSON.stringify(body));
    }
    for (const body of [{ code: 20001 }, { refuse: true, code: -1 }, { refuse: true, count: 0 }]) {
      assert.equal((await control('refusal', body)).status, 400, JSON.stringify(body));
    }
    const notJson = await app.request('/_control/faults', { method: 'POST', body: '{mode' });
    assert.equal(notJson.status, 400);
  });
});

describe('PayOtc365 simulator: faults', () => {
  it('http500 answers an HTML page, for `count` calls only, and every inquiry is counted', async () => {
    const { app, inquire, control } = simulator();
    await control('faults', { mode: 'http500', count: 1 });
    const failed = await inquire();
    assert.equal(failed.status, 500);
    assert.match(await failed.text(), /<html>/);
    assert.equal((await inquire()).status, 200);
    const state = (await (await app.request('/_control/state')).json()) as Record<string, unknown>;
    assert.equal(state.inquiries, 2);
  });

  it('garbage cuts the real answer in half', async () => {
    const { inquire, control } = simulator();
    await control('faults', { mode: 'garbage' });
    const response = await inquire();
    assert.equal(response.status, 200);
    const text = await response.text();
    assert.ok(text.startsWith('{\n  "status" : "success"'));
    assert.throws(() => JSON.parse(text));
    await control('faults', { mode: 'garbage', handled: false });
    const own = await (await inquire()).text();
    assert.ok(!own.includes('"status" : "success"'), 'garbage of its own when the request is not handled');
    assert.throws(() => JSON.parse(own));
  });

  it('slow trickles the answer out; hang with a delay ends in a 504', async () => {
    const { inquire, control } = simulator();
    await control('faults', { mode: 'slow', delayMs: 5 });
    const slow = await inquire();
    assert.equal(slow.status, 200);
    assert.equal(((await slow.json()) as { status: string }).status, 'success');
    await control('faults', { mode: 'hang', delayMs: 10 });
    assert.equal((await inquire()).status, 504);
  });

  it('hang with no delay waits until the client gives up', async () => {
    const { inquire, control } = simulator();
    await control('faults', { mode: 'hang' });
    const abort = new AbortController();
    let settled = false;
    const pending = Promise.resolve(inquire({}, { signal: abort.signal })).then((response) => {
      settled = true;
      return response;
    });
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.equal(settled, false);
    abort.abort();
    assert.equal((await pending).status, 504);
  });

  it('huge streams a valid, padded success answer of several MiB', async () => {
    const { inquire, control } = simulator({ USDT: '7.25' });
    await control('faults', { mode: 'huge' });
    const response = await inquire();
    assert.equal(response.status, 200);
    const text = await response.text();
    assert.ok(text.length >= HUGE_ANSWER_BYTES - 1024 && text.length <= HUGE_ANSWER_BYTES + 1024, `${text.length}`);
    const body = JSON.parse(text) as { status: string; data: unknown };
    assert.deepEqual([body.status, body.data], ['success', { totalAssets: 7.25, coin: 'USDT' }]);
  });

  it('the refusal control answers 412 with the given code, but credentials are checked first', async () => {
    const { inquire, control } = simulator();
    await control('refusal', { refuse: true, code: 20001, message: 'wallet frozen' });
    assert.deepEqual(await refusalOf(await inquire()), { status: 'fail', code: 20001, message: 'wallet frozen' });
    const wrong = await refusalOf(await inquire({ Authorization: basic(APP_ID, 'nope') }));
    assert.equal(wrong.code, PAYOTC365_CODES.credentials);
    await control('refusal', { refuse: false });
    assert.equal((await inquire()).status, 200);
    await control('refusal', { refuse: true, count: 1 });
    assert.equal((await refusalOf(await inquire())).code, PAYOTC365_CODES.credentials, 'the default code');
    assert.equal((await inquire()).status, 200, 'count 1: the next inquiry is answered');
  });
});
