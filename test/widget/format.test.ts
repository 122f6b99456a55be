import { expect } from '@open-wc/testing';
import { formatAmount, formatCountdown } from '../../widget/format.ts';

describe('formatAmount', () => {
  it('formats ISO currencies for the locale', () => {
    expect(formatAmount('1250.00', 'THB', 'th')).to.equal('฿1,250.00');
    expect(formatAmount('42.50', 'CAD', 'en-CA')).to.equal('$42.50');
    expect(formatAmount('1000', 'JPY', 'en')).to.equal('¥1,000');
  });

  it('keeps every digit of a large amount', () => {
    expect(formatAmount('12345678901234567.89', 'USD', 'en-US')).to.equal('$12,345,678,901,234,567.89');
  });

  it('falls back to "<amount> <code>" for codes Intl does not know, such as USDT', () => {
    expect(formatAmount('12.345678', 'USDT', 'en')).to.equal('12.345678 USDT');
  });

  it('survives a malformed locale tag', () => {
    expect(formatAmount('5.00', 'USD', 'not a tag!')).to.equal('5.00 USD');
  });
});

describe('formatCountdown', () => {
  it('shows mm:ss, rounding up so 00:00 means the code is gone', () => {
    expect(formatCountdown(65_000)).to.equal('01:05');
    expect(formatCountdown(64_001)).to.equal('01:05');
    expect(formatCountdown(500)).to.equal('00:01');
    expect(formatCountdown(0)).to.equal('00:00');
    expect(formatCountdown(-3_000)).to.equal('00:00');
    expect(formatCountdown(90 * 60_000)).to.equal('90:00');
  });
});
