import { expect } from '@open-wc/testing';
import { checkField, checkFields, fieldValues } from '../../widget/fields.ts';
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
