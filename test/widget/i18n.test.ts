import { expect } from '@open-wc/testing';
import { resolveLocale, tables, translator } from '../../widget/i18n.ts';

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

  it('answers undefined for an unknown dynamic key so the caller can choose', () => {
    const t = translator('zh-CN');
    expect(t.maybe('method.ottpay.alipay')).to.equal('支付宝');
    expect(t.maybe('method.one1pay.thaiqr')).to.equal(undefined);
    expect(t.maybe('field.bankId')).to.equal('银行');
    expect(t.maybe('failure.no_such_code')).to.equal(undefined);
  });

  it('has every English key in every other table, with the same parameters', () => {
    const english = tables.en ?? {};
    const params = (text: string | undefined) => [...(text ?? '').matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const [locale, table] of Object.entries(tables)) {
      const missing = Object.keys(english).filter((key) => table[key] === undefined);
      expect(missing, `${locale} lacks`).to.deep.equal([]);
      const wrongParams = Object.keys(english).filter(
        (key) => JSON.stringify(params(table[key])) !== JSON.stringify(params(english[key])),
      );
      expect(wrongParams, `${locale} has other parameters in`).to.deep.equal([]);
    }
  });

  it('names the server’s failure codes in every language', () => {
    for (const code of [
      'declined',
      'expired',
      'amount_mismatch',
      'provider_unavailable',
      'provider_rejected',
      'not_found',
    ]) {
      for (const locale of ['en', 'th', 'zh-CN']) {
        expect(tables[locale]?.[`failure.${code}`], `${locale} failure.${code}`).to.be.a('string');
      }
    }
  });
});
