/**
 * The edge middleware built on Hono's own: security headers on the API (and not over the hosted
 * page's own), the merchant's bearer key with one 401 for every way of getting it wrong, and a key
 * that could never be sent as a bearer token refused when the configuration is read.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ConfigError, parseConfig } from '../../../server/config.ts';
import { SECRET_KEY, startTestBff, type TestBff } from '../harness.ts';

describe('edge middleware', () => {
  let bff: TestBff;
  before(async () => {
    bff = await startTestBff();
  });
  after(() => bff.close());

  it('sets security headers on API answers, errors included, and leaves the hosted page its own', async () => {
    const session = await bff.createSession({ amount: '2.00', currency: 'CAD', reference: 'headers' });
    for (const response of [
      await bff.merchant(`/v1/sessions/${session.id}`),
      await bff.merchant('/v1/sessions/ses_unknown0000'),
      await bff.runtime.app.request('/healthz'),
      await bff.runtime.app.request('/v1/sessions'),
    ]) {
      assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(response.headers.get('cross-origin-resource-policy'), 'same-origin');
      // Document-only headers stay off JSON: `frame-ancestors` is what stops framing.
      assert.equal(response.headers.get('x-frame-options'), null);
      assert.equal(response.headers.get('x-xss-protection'), null);
      assert.equal(response.headers.get('referrer-policy'), 'no-referrer');
      assert.equal(response.headers.get('content-security-policy'), "default-src 'none'; frame-ancestors 'none'");
      assert.match(response.headers.get('strict-transport-security') ?? '', /^max-age=\d+/);
    }
    const page = await bff.runtime.app.request(`/pay/${session.id}`);
    assert.match(page.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    assert.equal(page.headers.get('x-frame-options'), null);
  });

  it('takes the secret key as a bearer token, case-insensitive scheme, and one 401 for anything else', async () => {
    assert.equal(
      (await bff.runtime.app.request('/v1/sessions', { headers: { authorization: `bearer ${SECRET_KEY}` } })).status,
      200,
    );
    for (const authorization of [
      undefined,
      '',
      'Bearer',
      `Bearer ${SECRET_KEY} x`,
      `Bearer ${SECRET_KEY}x`,
      'Bearer sk_test_wrong_key',
      'Bearer bad!token',
      `Basic ${Buffer.from(`${SECRET_KEY}:`).toString('base64')}`,
    ]) {
      const response = await bff.runtime.app.request('/v1/sessions', {
        headers: authorization === undefined ? {} : { authorization },
      });
      assert.equal(response.status, 401, String(authorization));
      const body = (await response.json()) as { error: { code: string; message: string; requestId: string } };
      assert.deepEqual(Object.keys(body.error).sort(), ['code', 'message', 'requestId']);
      assert.equal(body.error.code, 'unauthorized');
      assert.equal(body.error.requestId, response.headers.get('x-request-id'));
    }
  });

  it('refuses a secret key that cannot be sent as a bearer token', () => {
    const config = (secretKey: string) => ({
      publicUrl: 'https://pay.example',
      database: 'sqlite:./x.db',
      merchant: { name: 'Shop', secretKey },
      providers: {},
    });
    assert.throws(
      () => parseConfig(config('sk_live_with space')),
      (error: unknown) => {
        return error instanceof ConfigError && /^merchant\.secretKey: .*bearer token/.test(error.message);
      },
    );
    assert.throws(() => parseConfig(config('sk_live_key!#%&')), ConfigError);
    assert.equal(parseConfig(config('sk_live_0123456789abcdef')).merchant.secretKey, 'sk_live_0123456789abcdef');
  });
});
