import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig, parseConfig, sandboxConfig } from '../../server/config.ts';

const minimal = {
  publicUrl: 'https://pay.shop.example/',
  database: 'sqlite:./data/x.db',
  merchant: { name: 'Shop', secretKey: 'env:SHOP_KEY', allowedOrigins: ['https://shop.example'] },
  providers: {
    ottpay: {
      baseUrl: 'https://frontapi.ottpay.com:443',
      merchantId: 'QC1',
      operatorId: '0000000001',
      signKey: 'env:OTT_SIGN',
      currency: 'CAD',
    },
  },
};

describe('configuration', () => {
  it('reads env: references and normalises URLs', () => {
    const config = parseConfig(minimal, { SHOP_KEY: 'sk_live_abcdefghijkl', OTT_SIGN: 'SIGNKEY123' });
    assert.equal(config.merchant.secretKey, 'sk_live_abcdefghijkl');
    assert.equal(config.providers.ottpay?.signKey, 'SIGNKEY123');
    assert.equal(config.publicUrl, 'https://pay.shop.example');
    assert.equal(config.sandbox, false);
    assert.equal(config.checkout.sessionTtlSeconds, 3600);
  });

  it('names the field whose environment variable is missing', () => {
    assert.throws(() => parseConfig(minimal, { SHOP_KEY: 'sk_live_abcdefghijkl' }), {
      name: 'ConfigError',
      message: 'providers.ottpay.signKey: environment variable OTT_SIGN is not set',
    });
  });

  it('names the bad field', () => {
    const env = { SHOP_KEY: 'sk_live_abcdefghijkl', OTT_SIGN: 'x' };
    const cases: Array<[unknown, RegExp]> = [
      [{ ...minimal, publicUrl: 'ftp://x' }, /^publicUrl: /],
      [{ ...minimal, database: 'mysql://x' }, /^database: /],
      [
        { ...minimal, merchant: { ...minimal.merchant, allowedOrigins: ['https://shop.example/path'] } },
        /^merchant\.allowedOrigins\.0: /,
      ],
      [{ ...minimal, merchant: { ...minimal.merchant, secretKey: 'short' } }, /^merchant\.secretKey: /],
      [
        { ...minimal, providers: { ottpay: { ...minimal.providers.ottpay, currency: 'XXX' } } },
        /^providers\.ottpay\.currency/,
      ],
      [{ ...minimal, providers: { one1pay: { baseUrl: 'https://x.example' } } }, /^providers\.one1pay\.username/],
      [{ ...minimal, surprise: 1 }, /^\(root\)|surprise/],
      [
        { ...minimal, merchant: { ...minimal.merchant, webhookUrl: 'https://shop.example/hooks' } },
        /^merchant\.webhookSecret: is required when merchant\.webhookUrl is set/,
      ],
    ];
    for (const [raw, message] of cases) {
      assert.throws(
        () => parseConfig(raw, env),
        (error: unknown) => error instanceof ConfigError && message.test(error.message),
        String(message),
      );
    }
  });

  it('refuses sandbox mode next to a provider that is not its simulator', () => {
    assert.throws(
      () => parseConfig({ ...minimal, sandbox: true }, { SHOP_KEY: 'sk_live_abcdefghijkl', OTT_SIGN: 'k' }),
      {
        name: 'ConfigError',
        message:
          /^providers\.ottpay\.baseUrl: with "sandbox": true it must be https:\/\/pay\.shop\.example\/sandbox\/ottpay/,
      },
    );
  });

  it('uses the built-in sandbox when TENDER_CONFIG is unset, with sk_test_sandbox unless TENDER_SECRET_KEY is set', () => {
    const config = loadConfig({});
    assert.equal(config.sandbox, true);
    assert.equal(config.merchant.secretKey, 'sk_test_sandbox');
    assert.equal(config.publicUrl, 'http://localhost:8787');
    assert.equal(config.providers.one1pay?.baseUrl, 'http://localhost:8787/sandbox/one1pay');
    assert.equal(config.providers.ottpay?.baseUrl, 'http://localhost:8787/sandbox/ottpay');
    assert.equal(config.database, 'sqlite:./data/tender.db');
    assert.equal(
      sandboxConfig({ TENDER_SECRET_KEY: 'sk_test_mine_123', PORT: '9000' }).merchant.secretKey,
      'sk_test_mine_123',
    );
    assert.equal(sandboxConfig({ PORT: '9000' }).publicUrl, 'http://localhost:9000');
  });

  it('reads the file named by TENDER_CONFIG and reports an unreadable or invalid one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tender-config-'));
    try {
      const file = join(dir, 'tender.json');
      writeFileSync(file, JSON.stringify(minimal));
      assert.equal(
        loadConfig({ TENDER_CONFIG: file, SHOP_KEY: 'sk_live_abcdefghijkl', OTT_SIGN: 'k' }).merchant.name,
        'Shop',
      );
      writeFileSync(file, '{ not json');
      assert.throws(() => loadConfig({ TENDER_CONFIG: file }), /TENDER_CONFIG: .* is not valid JSON/);
      assert.throws(
        () => loadConfig({ TENDER_CONFIG: join(dir, 'missing.json') }),
        /TENDER_CONFIG: cannot read .*ENOENT/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
