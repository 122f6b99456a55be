import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Hono } from 'hono';
import { DomainError } from '../../../server/domain/errors.ts';
import { silentLogger } from '../../../server/domain/log.ts';
import { ApiError, toApiError } from '../../../server/http/errors.ts';
import { errorHandler, requestId, type AppEnv } from '../../../server/http/middleware.ts';
import { ProviderError } from '../../../server/providers/provider.ts';

describe('toApiError', () => {
  it('gives each domain error its status, and both kinds of bad request one code', () => {
    const cases: [DomainError, number, string][] = [
      [new DomainError('invalid_request', 'x'), 400, 'invalid_request'],
      [new DomainError('unprocessable', 'x'), 422, 'invalid_request'],
      [new DomainError('not_found', 'x'), 404, 'not_found'],
      [new DomainError('session_closed', 'x'), 409, 'session_closed'],
      [new DomainError('not_refundable', 'x'), 409, 'not_refundable'],
      [new DomainError('refund_unsupported', 'x'), 422, 'refund_unsupported'],
      [new DomainError('invalid_notification', 'x'), 401, 'invalid_notification'],
      [new DomainError('provider_unavailable', 'x'), 503, 'provider_unavailable'],
      [new DomainError('provider_error', 'x'), 502, 'provider_error'],
    ];
    for (const [error, status, code] of cases) {
      const api = toApiError(error);
      assert.deepEqual([api.status, api.code, api.message], [status, code, 'x'], error.code);
    }
  });

  it("maps a provider's failure to our own words, never the provider's", () => {
    const cases: [ProviderError['code'], number, string][] = [
      ['unavailable', 503, 'provider_unavailable'],
      ['declined', 422, 'provider_declined'],
      ['refused', 422, 'provider_refused'],
      ['insufficient_funds', 422, 'insufficient_funds'],
      ['amount_out_of_range', 422, 'amount_out_of_range'],
      ['unsupported', 422, 'unsupported'],
      ['authentication', 502, 'provider_error'],
      ['bad_response', 502, 'provider_error'],
    ];
    for (const [providerCode, status, code] of cases) {
      const api = toApiError(new ProviderError('someprovider', providerCode, 'Secret raw wording 42'));
      assert.equal(api.status, status, providerCode);
      assert.equal(api.code, code, providerCode);
      assert.doesNotMatch(api.message, /Secret raw wording|someprovider/);
    }
  });

  it('keeps an ApiError and hides anything unknown', () => {
    const own = new ApiError(401, 'unauthorized', 'no');
    assert.equal(toApiError(own), own);
    const unknown = toApiError(new Error('SELECT * FROM secrets failed'));
    assert.deepEqual([unknown.status, unknown.code], [500, 'internal']);
    assert.doesNotMatch(unknown.message, /secrets/);
  });
});

describe('errorHandler', () => {
  it('answers domain and provider errors in the one JSON shape', async () => {
    const app = new Hono<AppEnv>();
    app.use('*', requestId());
    app.onError(errorHandler({ log: silentLogger }));
    app.get('/domain', () => {
      throw new DomainError('session_closed', 'this checkout has been paid');
    });
    app.get('/provider', () => {
      throw new ProviderError('someprovider', 'unavailable', 'ECONNRESET');
    });
    const domain = await app.request('/domain');
    assert.equal(domain.status, 409);
    const body = (await domain.json()) as { error: { code: string; message: string; requestId: string } };
    assert.deepEqual(body.error, {
      code: 'session_closed',
      message: 'this checkout has been paid',
      requestId: domain.headers.get('x-request-id'),
    });
    const provider = await app.request('/provider');
    assert.equal(provider.status, 503);
    assert.equal(((await provider.json()) as { error: { code: string } }).error.code, 'provider_unavailable');
  });
});
