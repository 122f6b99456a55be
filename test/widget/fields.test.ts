import { expect } from '@open-wc/testing';
import { render } from 'lit/html.js';
import { checkField, checkFields, fieldValues, renderFields } from '../../widget/fields.ts';
import { translator } from '../../widget/i18n.ts';
import { tables } from '../../widget/locales/all.ts';
import type { FieldSpec } from '../../widget/wire.ts';

const bank: FieldSpec = {
  name: 'bankId',
  type: 'select',
  required: true,
  options: [{ value: '1', label: 'Siam Commercial Bank' }],
};
const email: FieldSpec = { name: 'email', type: 'email', required: false };
const phone: FieldSpec = { name: 'phone', type: 'tel', required: true, maxLength: 16 };

describe('field checks', () => {
  it('requires required fields, ignoring blanks', () => {
    expect(checkField(bank, '  ')).to.equal('required');
    expect(checkField(email, '')).to.equal(null);
  });

  it('accepts only offered options for a select', () => {
    expect(checkField(bank, '1')).to.equal(null);
    expect(checkField(bank, '9')).to.equal('option');
  });

  it('catches obvious email and phone slips and over-long values', () => {
    expect(checkField(email, 'a@b.co')).to.equal(null);
    expect(checkField(email, 'a@b')).to.equal('email');
    expect(checkField(phone, '+66 81 234 5678')).to.equal(null);
    expect(checkField(phone, '12ab')).to.equal('tel');
    expect(checkField(phone, '+66 81 234 5678 9')).to.equal('too_long');
  });

  it('reports per field and sends trimmed values of the method only', () => {
    expect(checkFields([bank, email, phone], { email: 'x' })).to.deep.equal({
      bankId: 'required',
      email: 'email',
      phone: 'required',
    });
    expect(fieldValues([bank, email], { bankId: ' 1 ', email: '', other: 'x' })).to.deep.equal({ bankId: '1' });
  });
});

describe('field rendering', () => {
  it('shows each bank by its name in the shopper’s language, else by the provider’s', () => {
    // As the One1Pay adapter sends a ringgit bank list (server/providers/one1pay/banks.ts).
    const banks: FieldSpec = {
      name: 'bankId',
      type: 'select',
      required: true,
      label: 'field.bankId',
      options: [
        { value: '21', label: 'Maybank', labels: { 'zh-Hans': '马来亚银行', 'zh-Hant': '馬來亞銀行' } },
        { value: '22', label: 'CIMB Bank', labels: { 'zh-Hans': '联昌银行', 'zh-Hant': '聯昌銀行' } },
        { value: '24', label: 'Bank Rakyat' },
      ],
    };
    const optionsIn = (locale: 'zh-Hans' | 'ms') => {
      const t = translator(locale, tables[locale]);
      const screen = { t, specs: [banks], values: {}, problems: {}, submitting: false, onInput: () => undefined };
      // Rendered detached: `fixture` waits for an animation frame, which a background tab may not get.
      const el = document.createElement('div');
      render(renderFields(screen), el);
      return [...el.querySelectorAll('option')].map((o) => o.textContent?.trim());
    };
    expect(optionsIn('zh-Hans')).to.deep.equal(['请选择…', '马来亚银行', '联昌银行', 'Bank Rakyat']);
    expect(optionsIn('ms')).to.deep.equal(['Pilih…', 'Maybank', 'CIMB Bank', 'Bank Rakyat']);
  });
});
