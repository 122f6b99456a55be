/**
 * The payer SanSan's createPayer needs, from what the merchant passed in `customer` and what the
 * shopper filled in; the offer asks only for what is missing (docs/providers/sansan.md, "Adapter").
 */
import type { FieldSpec } from '../../../widget/wire.ts';
import { ProviderError, type Customer } from '../provider.ts';
import type { CreatePayerRequest } from './wire.ts';

/**
 * ITU-T E.164 country calling codes are prefix-free: 1 and 7 are one digit, these are two, every
 * other code is three. That is enough to split "+66 81 234 5678" into 66 and 812345678.
 */
const TWO_DIGIT_CALLING_CODES = new Set(
  '20 27 30 31 32 33 34 36 39 40 41 43 44 45 46 47 48 49 51 52 53 54 55 56 57 58 60 61 62 63 64 65 66 81 82 84 86 90 91 92 93 94 95 98'.split(
    ' ',
  ),
);

/** A phone number in international form (`+` or `00`, then the country code), split as SanSan takes it. */
export function splitPhone(value: string | undefined): { areaCode: number; phone: string } | null {
  const trimmed = (value ?? '').trim();
  const international = trimmed.startsWith('+') ? trimmed.slice(1) : trimmed.startsWith('00') ? trimmed.slice(2) : null;
  if (international === null) return null;
  const digits = international.replace(/[\s().-]/g, '');
  if (!/^[1-9]\d{6,14}$/.test(digits)) return null;
  const length = digits[0] === '1' || digits[0] === '7' ? 1 : TWO_DIGIT_CALLING_CODES.has(digits.slice(0, 2)) ? 2 : 3;
  const phone = digits.slice(length);
  if (!/^\d{4,15}$/.test(phone)) return null;
  return { areaCode: Number(digits.slice(0, length)), phone };
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** What the offer asks the shopper for: the billing address always, email and phone when the merchant did not pass them. */
export function payerFields(customer: Customer): FieldSpec[] {
  const fields: FieldSpec[] = [];
  if (!EMAIL.test(customer.email?.trim() ?? '')) {
    fields.push({
      name: 'email',
      type: 'email',
      required: true,
      label: 'field.email',
      maxLength: 254,
      autocomplete: 'email',
    });
  }
  if (!splitPhone(customer.phone)) {
    fields.push({
      name: 'phone',
      type: 'tel',
      required: true,
      label: 'field.phone',
      maxLength: 24,
      // International form: SanSan takes the country code apart from the number.
      pattern: '(\\+|00)[1-9][0-9 ().-]{6,20}',
      inputMode: 'tel',
      autocomplete: 'tel',
    });
  }
  fields.push(
    {
      name: 'address',
      type: 'text',
      required: true,
      label: 'field.address',
      labels: {
        en: 'Street address',
        'zh-Hans': '街道地址',
        'zh-Hant': '街道地址',
        th: 'ที่อยู่',
        ja: '住所',
        ko: '주소',
        vi: 'Địa chỉ',
        id: 'Alamat',
        ms: 'Alamat',
        km: 'អាសយដ្ឋាន',
        ar: 'العنوان',
      },
      maxLength: 255,
      autocomplete: 'address-line1',
    },
    {
      name: 'city',
      type: 'text',
      required: true,
      label: 'field.city',
      labels: {
        en: 'City',
        'zh-Hans': '城市',
        'zh-Hant': '城市',
        th: 'เมือง',
        ja: '市区町村',
        ko: '도시',
        vi: 'Thành phố',
        id: 'Kota',
        ms: 'Bandar',
        km: 'ទីក្រុង',
        ar: 'المدينة',
      },
      maxLength: 100,
      autocomplete: 'address-level2',
    },
    {
      name: 'province',
      type: 'text',
      required: false,
      label: 'field.province',
      labels: {
        en: 'State or province',
        'zh-Hans': '省/州',
        'zh-Hant': '省／州',
        th: 'จังหวัดหรือรัฐ',
        ja: '都道府県・州',
        ko: '주/도',
        vi: 'Tỉnh/bang',
        id: 'Provinsi',
        ms: 'Negeri',
        km: 'ខេត្ត ឬរដ្ឋ',
        ar: 'الولاية أو المقاطعة',
      },
      maxLength: 100,
      autocomplete: 'address-level1',
    },
    {
      name: 'postcode',
      type: 'text',
      required: true,
      label: 'field.postcode',
      labels: {
        en: 'Postcode',
        'zh-Hans': '邮政编码',
        'zh-Hant': '郵遞區號',
        th: 'รหัสไปรษณีย์',
        ja: '郵便番号',
        ko: '우편번호',
        vi: 'Mã bưu chính',
        id: 'Kode pos',
        ms: 'Poskod',
        km: 'លេខកូដប្រៃសណីយ៍',
        ar: 'الرمز البريدي',
      },
      maxLength: 20,
      pattern: '[A-Za-z0-9 -]{1,20}',
      autocomplete: 'postal-code',
    },
    {
      name: 'country',
      type: 'text',
      required: true,
      label: 'field.country',
      labels: {
        en: 'Country (2-letter code, e.g. KH)',
        'zh-Hans': '国家（两位字母代码，如 KH）',
        'zh-Hant': '國家（兩位字母代碼，如 KH）',
        th: 'ประเทศ (รหัส 2 ตัวอักษร เช่น TH)',
        ja: '国（2 文字のコード、例: JP）',
        ko: '국가(2자리 코드, 예: KR)',
        vi: 'Quốc gia (mã 2 chữ cái, ví dụ VN)',
        id: 'Negara (kode 2 huruf, mis. ID)',
        ms: 'Negara (kod 2 huruf, cth. MY)',
        km: 'ប្រទេស (កូដ ២ អក្សរ ឧ. KH)',
        ar: 'البلد (رمز من حرفين، مثل AE)',
      },
      maxLength: 2,
      pattern: '[A-Za-z]{2}',
      autocomplete: 'country',
    },
  );
  return fields;
}

function refuse(message: string): never {
  throw new ProviderError('sansan', 'invalid_request', message);
}

/** Letters without their accents, and only what SanSan's `address` allows: `[A-Za-z0-9 ]`. */
function plainAddress(value: string): string {
  return value
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9 ]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 255)
    .trim();
}

/**
 * createPayer's fields. The name is the merchant's `customer.name`, else the name on the card; a
 * single word is used as both first and last name. A missing province is the city (SanSan requires
 * one; many countries have none).
 */
export function payerRequest(given: Customer, fields: Record<string, string>): CreatePayerRequest {
  // What the shopper typed for a field the offer asked for wins over what the merchant passed.
  const customer: Customer = {
    ...given,
    ...(fields.email?.trim() ? { email: fields.email } : {}),
    ...(fields.phone?.trim() ? { phone: fields.phone } : {}),
  };
  const name = (customer.name?.trim() || fields.cardHolderName?.trim() || '').replace(/\s+/g, ' ');
  if (!name) refuse('no name for the payer (customer.name or the name on the card)');
  const words = name.split(' ');
  const lastName = words.length > 1 ? words.pop()! : words[0]!;
  const firstName = words.join(' ');

  const email = customer.email?.trim() ?? '';
  if (!EMAIL.test(email)) refuse("fields.email is required (SanSan needs the payer's email)");
  const phone = splitPhone(customer.phone);
  if (!phone) refuse('fields.phone must be an international phone number such as "+1 415 555 0100"');

  const address = plainAddress(fields.address ?? '');
  if (!address) refuse('fields.address is required');
  const city = (fields.city ?? '').trim().slice(0, 100);
  if (!city) refuse('fields.city is required');
  const province = (fields.province ?? '').trim().slice(0, 100) || city;
  const postcode = (fields.postcode ?? '').trim().toUpperCase();
  if (!/^[A-Z0-9 -]{1,20}$/.test(postcode)) refuse('fields.postcode must be letters, digits, spaces or "-"');
  const country = (fields.country ?? '').trim().toUpperCase();
  if (!/^[A-Z]{2}$/.test(country)) refuse('fields.country must be a two-letter country code such as "US"');

  return {
    firstName: firstName.slice(0, 100),
    lastName: lastName.slice(0, 100),
    email,
    areaCode: phone.areaCode,
    phone: phone.phone,
    address,
    city,
    province,
    postcode,
    country,
  };
}
