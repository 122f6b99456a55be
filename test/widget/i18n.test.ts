import { expect } from '@open-wc/testing';
import { resolveLocale, translator } from '../../widget/i18n.ts';

describe('translator', () => {
  it('picks the table by exact tag, then language, then English', () => {
    expect(resolveLocale('th-TH')).to.equal('th');
    expect(resolveLocale('zh-CN')).to.equal('zh-CN');
    expect(resolveLocale('zh-Hans-SG')).to.equal('zh-CN');
    expect(resolveLocale('fr')).to.equal('en');
    expect(resolveLocale('')).to.equal('en');
  });

  it('fills parameters', () => {
    expect(translator('en')('pay', { amount: '$5.00' })).to.equal('Pay $5.00');
    expect(translator('th')('pay', { amount: '฿5.00' })).to.equal('ชำระ ฿5.00');
  });

  it('falls back to English for a key a table lacks', () => {
    expect(translator('th')('error.invalid_config')).to.equal('This checkout is not set up correctly.');
  });

  it('answers undefined for an unknown dynamic key so the caller can choose', () => {
    const t = translator('zh-CN');
    expect(t.maybe('method.ottpay.alipay')).to.equal('支付宝');
    expect(t.maybe('method.one1pay.thaiqr')).to.equal(undefined);
    expect(t.maybe('field.bankId')).to.equal('银行');
  });
});
