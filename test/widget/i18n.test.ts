import { expect } from '@open-wc/testing';
import {
  english,
  LOCALES,
  loadTranslator,
  localeOf,
  resolveLocale,
  setLocaleLoader,
  translator,
} from '../../widget/i18n.ts';
import { tables } from '../../widget/locales/all.ts';
import { bundledLocales } from '../../widget/locales/bundled.ts';

describe('translator', () => {
  it('maps a BCP 47 tag to the table for its language and script', () => {
    expect(localeOf('th-TH')).to.equal('th');
    expect(localeOf('zh-CN')).to.equal('zh-Hans');
    expect(localeOf('zh-Hans-SG')).to.equal('zh-Hans');
    expect(localeOf('zh-TW')).to.equal('zh-Hant');
    expect(localeOf('zh-HK')).to.equal('zh-Hant');
    expect(localeOf('zh-Hant-CN')).to.equal('zh-Hant');
    expect(localeOf('in-ID')).to.equal('id');
    expect(localeOf('ar-EG')).to.equal('ar');
    expect(localeOf('km')).to.equal('km');
    expect(localeOf('fr')).to.equal(null);
  });

  it('picks the first tag it speaks, else English', () => {
    expect(resolveLocale(['', null, 'fr-FR', 'ko-KR', 'ja'])).to.equal('ko');
    expect(resolveLocale(['de', undefined])).to.equal('en');
    expect(resolveLocale([])).to.equal('en');
  });

  it('fills parameters, and says which way the text runs', () => {
    expect(translator()('pay', { amount: '$5.00' })).to.equal('Pay $5.00');
    expect(translator('th', tables.th)('pay', { amount: '฿5.00' })).to.equal('ชำระ ฿5.00');
    expect(translator('ar', tables.ar).dir).to.equal('rtl');
    expect(translator('ja', tables.ja).dir).to.equal('ltr');
  });

  it('answers undefined for an unknown dynamic key so the caller can choose', () => {
    const t = translator('zh-Hans', tables['zh-Hans']);
    expect(t.maybe('brand.alipay')).to.equal('支付宝');
    expect(t.maybe('brand.nowhere')).to.equal(undefined);
    expect(t.maybe('field.bankId')).to.equal('银行');
    expect(t.maybe('failure.no_such_code')).to.equal(undefined);
  });

  it('loads a table only when asked, and falls back to English when it cannot', async () => {
    setLocaleLoader(async () => {
      throw new Error('offline');
    });
    expect((await loadTranslator('ko')).locale).to.equal('en');
    setLocaleLoader(bundledLocales);
    const ko = await loadTranslator('ko');
    expect(ko.locale).to.equal('ko');
    expect(ko('retry')).to.equal('다시 시도');
  });

  it('has every English key in every table, with the same parameters, and translated', () => {
    const params = (text: string | undefined) => [...(text ?? '').matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    // Wallet and scheme names are proper names: a table names them only where the language does.
    const keys = Object.keys(english).filter((key) => !key.startsWith('brand.') && !key.startsWith('app.'));
    expect(Object.keys(tables).sort()).to.deep.equal(LOCALES.filter((l) => l !== 'en').sort());
    for (const [locale, table] of Object.entries(tables)) {
      const missing = keys.filter((key) => table[key] === undefined);
      expect(missing, `${locale} lacks`).to.deep.equal([]);
      const extra = Object.keys(table).filter((key) => english[key] === undefined);
      expect(extra, `${locale} has keys English lacks`).to.deep.equal([]);
      const wrongParams = keys.filter(
        (key) => JSON.stringify(params(table[key])) !== JSON.stringify(params(english[key])),
      );
      expect(wrongParams, `${locale} has other parameters in`).to.deep.equal([]);
      // A copy of the English text is a translation someone forgot (a few words are the same).
      const same = keys.filter(
        (key) => table[key] === english[key] && !/^(≈ \{amount\}|Email|Bank)$/.test(table[key] ?? ''),
      );
      expect(same, `${locale} left in English`).to.deep.equal([]);
    }
  });
});
