import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  MoneyError,
  formatDecimal,
  isKnownCurrency,
  parseDecimal,
  parseProviderDecimal,
  sameMoney,
} from '../../../server/domain/money.ts';

describe('parseDecimal and formatDecimal', () => {
  const roundTrips: [currency: string, text: string, minor: number][] = [
    ['THB', '100.00', 10_000],
    ['THB', '0.05', 5],
    ['THB', '0.00', 0],
    ['THB', '1234567.89', 123_456_789],
    ['THB', '90071992547409.91', Number.MAX_SAFE_INTEGER],
    ['JPY', '1500', 1500],
    ['JPY', '0', 0],
    ['JPY', '999999999999999', 999_999_999_999_999],
    ['USDT', '12.345678', 12_345_678],
    ['USDT', '0.000001', 1],
    ['USDT', '1.000000', 1_000_000],
  ];
  for (const [currency, text, minor] of roundTrips) {
    it(`${currency} "${text}" is ${minor} minor units and back`, () => {
      assert.deepEqual(parseDecimal(text, currency), { minor, currency });
      assert.equal(formatDecimal({ minor, currency }), text);
    });
  }

  it('accepts fewer decimals than the currency has and formats them in full', () => {
    assert.equal(parseDecimal('100', 'THB').minor, 10_000);
    assert.equal(parseDecimal('100.5', 'THB').minor, 10_050);
    assert.equal(formatDecimal(parseDecimal('100.5', 'THB')), '100.50');
    assert.equal(parseDecimal('1', 'USDT').minor, 1_000_000);
    assert.equal(formatDecimal(parseDecimal('0.5', 'USDT')), '0.500000');
  });

  const rejected: [currency: string, text: string][] = [
    ['THB', '1.234'],
    ['JPY', '100.5'],
    ['JPY', '100.0'],
    ['USDT', '1.0000001'],
    ['THB', '-1'],
    ['THB', '+1'],
    ['THB', '1e3'],
    ['THB', ''],
    ['THB', ' 1'],
    ['THB', '1 '],
    ['THB', '1.'],
    ['THB', '.5'],
    ['THB', '1,000.00'],
    ['THB', '0x10'],
    ['THB', '１'],
    ['THB', 'NaN'],
    ['THB', 'Infinity'],
    // Past Number.MAX_SAFE_INTEGER minor units, or past 15 whole digits.
    ['THB', '90071992547409.92'],
    ['THB', '99999999999999.99'],
    ['JPY', '1000000000000000'],
    ['USDT', '9007199254.740992'],
  ];
  for (const [currency, text] of rejected) {
    it(`rejects ${currency} ${JSON.stringify(text)}`, () => {
      assert.throws(() => parseDecimal(text, currency), MoneyError);
    });
  }

  it('refuses to format what is not a whole, non-negative, safe number of minor units', () => {
    for (const minor of [-1, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 1, Number.POSITIVE_INFINITY]) {
      assert.throws(() => formatDecimal({ minor, currency: 'THB' }), MoneyError, String(minor));
    }
  });
});

describe('parseProviderDecimal', () => {
  it('reads a provider amount with trailing zeros past the currency precision', () => {
    assert.deepEqual(parseProviderDecimal('300.0000', 'THB'), { minor: 30_000, currency: 'THB' });
    assert.equal(parseProviderDecimal('1.10', 'THB').minor, 110);
    assert.equal(parseProviderDecimal('300.00', 'JPY').minor, 300);
    assert.equal(parseProviderDecimal('2.5000000', 'USDT').minor, 2_500_000);
  });

  it('reads JSON numbers exactly', () => {
    assert.deepEqual(parseProviderDecimal(300, 'THB'), { minor: 30_000, currency: 'THB' });
    assert.equal(parseProviderDecimal(0.1, 'THB').minor, 10);
    assert.equal(parseProviderDecimal(19.99, 'THB').minor, 1999);
    assert.equal(parseProviderDecimal(0, 'JPY').minor, 0);
  });

  it('rejects digits beyond the currency precision instead of rounding them', () => {
    assert.throws(() => parseProviderDecimal('1.0001', 'THB'), MoneyError);
    assert.throws(() => parseProviderDecimal('300.50', 'JPY'), MoneyError);
    assert.throws(() => parseProviderDecimal(0.1 + 0.2, 'THB'), MoneyError);
    assert.throws(() => parseProviderDecimal(1e-7, 'USDT'), MoneyError);
  });

  it('rejects what is not a plain non-negative amount', () => {
    for (const value of ['-300.00', '', 'abc', '1e3', '3,00', -1, Number.NaN, Number.POSITIVE_INFINITY, 1e21]) {
      assert.throws(() => parseProviderDecimal(value, 'THB'), MoneyError, String(value));
    }
  });
});

describe('currencies', () => {
  it('rejects a currency it does not know, in every entry point', () => {
    for (const currency of ['XYZ', 'thb', '']) {
      assert.equal(isKnownCurrency(currency), false);
      assert.throws(() => parseDecimal('1', currency), MoneyError, currency);
      assert.throws(() => parseProviderDecimal('1', currency), MoneyError, currency);
      assert.throws(() => formatDecimal({ minor: 1, currency }), MoneyError, currency);
    }
  });

  it('rejects names inherited from Object.prototype as currencies', () => {
    for (const currency of ['toString', 'constructor', '__proto__', 'hasOwnProperty']) {
      assert.equal(isKnownCurrency(currency), false);
      assert.throws(() => parseDecimal('1', currency), MoneyError, currency);
      assert.throws(() => parseProviderDecimal('12.50', currency), MoneyError, currency);
      assert.throws(() => formatDecimal({ minor: 1, currency }), MoneyError, currency);
    }
  });

  it('compares money by amount and currency', () => {
    assert.equal(sameMoney({ minor: 100, currency: 'THB' }, parseDecimal('1.00', 'THB')), true);
    assert.equal(sameMoney({ minor: 100, currency: 'THB' }, { minor: 100, currency: 'USD' }), false);
    assert.equal(sameMoney({ minor: 100, currency: 'THB' }, { minor: 101, currency: 'THB' }), false);
  });
});
