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

  it('names wallets and schemes as each language does, and keeps the brand where it is the name', () => {
    const names = (locale: keyof typeof tables) => {
      const t = translator(locale, tables[locale]);
      return ['brand.wechat', 'brand.alipay', 'brand.unionpay', 'app.wechat', 'app.alipay'].map((key) => t.maybe(key));
    };
    expect(names('zh-Hans')).to.deep.equal(['微信支付', '支付宝', '银联', '微信', '支付宝']);
    expect(names('zh-Hant')).to.deep.equal(['微信支付', '支付寶', '銀聯', '微信', '支付寶']);
    expect(names('ja')).to.deep.equal(['ウィーチャットペイ', 'アリペイ', '銀聯', 'ウィーチャット', 'アリペイ']);
    expect(names('ko')).to.deep.equal(['위챗페이', '알리페이', '유니온페이', '위챗', '알리페이']);
    expect(names('ar')).to.deep.equal(['وي تشات باي', 'علي باي', 'يونيون باي', 'وي تشات', 'علي باي']);
    // Thai writes foreign wallets by their brand, and its own schemes in Thai.
    expect(names('th')).to.deep.equal(['WeChat Pay', 'Alipay', 'UnionPay', 'WeChat', 'Alipay']);
    const th = translator('th', tables.th);
    expect([th.maybe('brand.promptpay'), th.maybe('brand.truemoney'), th.maybe('brand.thaiqr')]).to.deep.equal([
      'พร้อมเพย์',
      'ทรูมันนี่',
      'Thai QR',
    ]);
  });

  it('writes Khmer in Khmer script only, in whole clusters', () => {
    const khmer = /[\u1780-\u17ff]/;
    for (const [key, text] of Object.entries(tables.km)) {
      if (!text || !khmer.test(text)) continue;
      // No Thai letters slipped in (the scripts look alike to a tired eye).
      expect(/[\u0e00-\u0e7f]/.test(text), `${key} has Thai`).to.equal(false);
      // A subscript sign (coeng) is always followed by a consonant.
      expect(/\u17d2(?![\u1780-\u17a2])/.test(text), `${key} has a broken coeng`).to.equal(false);
      // A dependent vowel sign follows a consonant, a subscript or a register sign, never a space or another vowel.
      const code = (c: string | undefined) => c?.codePointAt(0) ?? 0;
      const carries = (c: string | undefined) =>
        code(c) <= 0x17b3 ? code(c) >= 0x1780 : [0x17c9, 0x17ca, 0x17cc].includes(code(c));
      const stray = Array.from(text).filter(
        (c, i, all) => code(c) >= 0x17b6 && code(c) <= 0x17c5 && !carries(all[i - 1]),
      );
      expect(stray, `${key} has a stray vowel`).to.deep.equal([]);
    }
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
