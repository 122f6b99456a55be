/**
 * Banks by the names their customers know them by. One1Pay lists banks in English (`bank_name`);
 * a Thai shopper looks for ธนาคารกสิกรไทย, a Malaysian Chinese shopper for 联昌银行, so each option
 * of the bank field carries these names by the widget's locale tags (FieldOption `labels`).
 *
 * How entries are chosen:
 * - the banks One1Pay can list for the currencies it serves (THB, MYR, SGD, CNY; docs/providers/
 *   one1pay.md), starting with every bank the simulator lists. Vietnamese, Indian and Bangladeshi
 *   banks are not here: Vietnamese shoppers know their banks by the brand (Vietcombank, BIDV), and
 *   the widget speaks neither Hindi nor Bengali;
 * - a language gets a name only where the bank has an established one in it: its own name at home
 *   (ธนาคารกรุงเทพ), its official Chinese name (盘谷银行, 马来亚银行), the name the press and the
 *   bank's own branches use in Japanese or Korean (カシコン銀行, 방콕은행, 中国工商銀行). Where people
 *   say the brand (Maybank in Malay, CIMB Bank in Japanese, Thai banks in Malay or Arabic), there is
 *   no entry and the shopper sees One1Pay's English name; nothing is transliterated for the sake of it;
 * - `en` lists the English names One1Pay may use for the bank, matched case-insensitively (spaces
 *   collapsed) among the banks of the list's currency. A bank not found keeps One1Pay's name.
 */

/** The widget's locale tags other than English (widget/i18n.ts `LOCALES`). */
type Tag = 'zh-Hans' | 'zh-Hant' | 'th' | 'vi' | 'id' | 'ms' | 'km' | 'ja' | 'ko' | 'ar';

interface BankNames {
  en: readonly string[];
  names: Readonly<Partial<Record<Tag, string>>>;
}

/**
 * By currency, because short names repeat across countries: SCB is Siam Commercial Bank in baht
 * and Sài Gòn Commercial Bank in dong, CIMB the Malaysian bank in ringgit and CIMB Thai in baht.
 */
const THB: readonly BankNames[] = [
  {
    en: ['Bangkok Bank'],
    names: {
      th: 'ธนาคารกรุงเทพ',
      'zh-Hans': '盘谷银行',
      'zh-Hant': '盤谷銀行',
      ja: 'バンコック銀行',
      ko: '방콕은행',
      vi: 'Ngân hàng Bangkok',
    },
  },
  {
    en: ['Kasikornbank', 'Kasikorn Bank', 'KBank'],
    names: { th: 'ธนาคารกสิกรไทย', 'zh-Hans': '开泰银行', 'zh-Hant': '開泰銀行', ja: 'カシコン銀行', ko: '카시콘은행' },
  },
  {
    en: ['Siam Commercial Bank', 'SCB'],
    names: {
      th: 'ธนาคารไทยพาณิชย์',
      'zh-Hans': '汇商银行',
      'zh-Hant': '匯商銀行',
      ja: 'サイアム商業銀行',
      ko: '시암상업은행',
    },
  },
  {
    en: ['Krungthai Bank', 'Krung Thai Bank'],
    names: {
      th: 'ธนาคารกรุงไทย',
      'zh-Hans': '泰京银行',
      'zh-Hant': '泰京銀行',
      ja: 'クルンタイ銀行',
      ko: '크룽타이은행',
    },
  },
  {
    en: ['Krungsri (Bank of Ayudhya)', 'Bank of Ayudhya', 'Krungsri', 'Krungsri Bank'],
    names: {
      th: 'ธนาคารกรุงศรีอยุธยา',
      'zh-Hans': '大城银行',
      'zh-Hant': '大城銀行',
      ja: 'アユタヤ銀行',
      ko: '아유타야은행',
    },
  },
  {
    en: ['TMBThanachart Bank', 'TMB Thanachart Bank', 'ttb'],
    names: { th: 'ธนาคารทหารไทยธนชาต', ja: 'TMBタナチャート銀行' },
  },
  {
    en: ['Government Savings Bank', 'GSB'],
    names: { th: 'ธนาคารออมสิน', 'zh-Hans': '政府储蓄银行', 'zh-Hant': '政府儲蓄銀行', ja: '政府貯蓄銀行' },
  },
  {
    en: ['Bank for Agriculture and Agricultural Cooperatives', 'BAAC'],
    names: { th: 'ธนาคารเพื่อการเกษตรและสหกรณ์การเกษตร (ธ.ก.ส.)' },
  },
  { en: ['Government Housing Bank', 'GH Bank'], names: { th: 'ธนาคารอาคารสงเคราะห์ (ธอส.)' } },
  { en: ['Kiatnakin Phatra Bank', 'KKP'], names: { th: 'ธนาคารเกียรตินาคินภัทร' } },
  { en: ['TISCO Bank'], names: { th: 'ธนาคารทิสโก้' } },
  { en: ['CIMB Thai', 'CIMB Thai Bank'], names: { th: 'ธนาคารซีไอเอ็มบี ไทย' } },
  { en: ['Land and Houses Bank', 'LH Bank'], names: { th: 'ธนาคารแลนด์ แอนด์ เฮ้าส์' } },
  {
    en: ['UOB', 'United Overseas Bank', 'UOB Thailand', 'United Overseas Bank (Thai)'],
    names: { th: 'ธนาคารยูโอบี', 'zh-Hans': '大华银行', 'zh-Hant': '大華銀行' },
  },
];

const MYR: readonly BankNames[] = [
  { en: ['Maybank', 'Malayan Banking'], names: { 'zh-Hans': '马来亚银行', 'zh-Hant': '馬來亞銀行', ja: 'メイバンク' } },
  { en: ['CIMB Bank', 'CIMB'], names: { 'zh-Hans': '联昌银行', 'zh-Hant': '聯昌銀行' } },
  { en: ['Public Bank'], names: { 'zh-Hans': '大众银行', 'zh-Hant': '大眾銀行' } },
  { en: ['RHB Bank', 'RHB'], names: { 'zh-Hans': '兴业银行', 'zh-Hant': '興業銀行' } },
  { en: ['Hong Leong Bank'], names: { 'zh-Hans': '丰隆银行', 'zh-Hant': '豐隆銀行' } },
  { en: ['AmBank'], names: { 'zh-Hans': '大马银行', 'zh-Hant': '大馬銀行' } },
  { en: ['Alliance Bank'], names: { 'zh-Hans': '安联银行', 'zh-Hant': '安聯銀行' } },
  { en: ['OCBC Bank', 'OCBC'], names: { 'zh-Hans': '华侨银行', 'zh-Hant': '華僑銀行' } },
  { en: ['UOB', 'United Overseas Bank'], names: { 'zh-Hans': '大华银行', 'zh-Hant': '大華銀行' } },
];

const SGD: readonly BankNames[] = [
  { en: ['DBS Bank', 'DBS'], names: { 'zh-Hans': '星展银行', 'zh-Hant': '星展銀行' } },
  { en: ['OCBC Bank', 'OCBC'], names: { 'zh-Hans': '华侨银行', 'zh-Hant': '華僑銀行' } },
  { en: ['UOB', 'United Overseas Bank'], names: { 'zh-Hans': '大华银行', 'zh-Hant': '大華銀行' } },
  { en: ['Maybank', 'Malayan Banking'], names: { 'zh-Hans': '马来亚银行', 'zh-Hant': '馬來亞銀行', ja: 'メイバンク' } },
];

const CNY: readonly BankNames[] = [
  {
    en: ['Industrial and Commercial Bank of China', 'ICBC'],
    names: { 'zh-Hans': '中国工商银行', 'zh-Hant': '中國工商銀行', ja: '中国工商銀行', ko: '중국공상은행' },
  },
  {
    en: ['China Construction Bank', 'CCB'],
    names: { 'zh-Hans': '中国建设银行', 'zh-Hant': '中國建設銀行', ja: '中国建設銀行', ko: '중국건설은행' },
  },
  {
    en: ['Agricultural Bank of China', 'ABC'],
    names: { 'zh-Hans': '中国农业银行', 'zh-Hant': '中國農業銀行', ja: '中国農業銀行', ko: '중국농업은행' },
  },
  {
    en: ['Bank of China', 'BOC'],
    names: { 'zh-Hans': '中国银行', 'zh-Hant': '中國銀行', ja: '中国銀行', ko: '중국은행' },
  },
  {
    en: ['Bank of Communications', 'BOCOM'],
    names: { 'zh-Hans': '交通银行', 'zh-Hant': '交通銀行', ja: '交通銀行', ko: '교통은행' },
  },
  {
    en: ['China Merchants Bank', 'CMB'],
    names: { 'zh-Hans': '招商银行', 'zh-Hant': '招商銀行', ja: '招商銀行', ko: '초상은행' },
  },
  {
    en: ['Postal Savings Bank of China', 'PSBC'],
    names: { 'zh-Hans': '中国邮政储蓄银行', 'zh-Hant': '中國郵政儲蓄銀行' },
  },
];

const BY_CURRENCY: Readonly<Record<string, readonly BankNames[]>> = { THB, MYR, SGD, CNY };

function key(currency: string, englishName: string): string {
  return `${currency} ${englishName.trim().replace(/\s+/g, ' ').toLowerCase()}`;
}

const BY_NAME: ReadonlyMap<string, BankNames['names']> = new Map(
  Object.entries(BY_CURRENCY).flatMap(([currency, banks]) =>
    banks.flatMap((bank) => bank.en.map((name) => [key(currency, name), bank.names] as const)),
  ),
);

/**
 * The names by locale tag of the bank One1Pay lists as `englishName` for Tender's `currency`, or
 * `undefined` when it has none here (the shopper then sees One1Pay's name in every language).
 */
export function bankNames(currency: string, englishName: string): Record<string, string> | undefined {
  const names = BY_NAME.get(key(currency, englishName));
  return names ? { ...names } : undefined;
}
