/**
 * Every string a shopper can see. English is the reference; Thai and Simplified Chinese carry every
 * English key (a test holds them to it), and English stays the fallback for any key a table lacks.
 * `{name}` marks a parameter.
 *
 * Keys with a dynamic part (`field.<name>`, `error.<code>`, `failure.<code>`, `method.<id>`) are
 * looked up with `Translator.maybe`, which answers `undefined` so the caller can pick its own fallback.
 */

const en = {
  loading: 'Loading checkout…',
  loadFailed: 'This checkout could not be loaded.',
  retry: 'Try again',
  methodsLegend: 'Payment method',
  choose: 'Choose how you would like to pay.',
  chooseMethodError: 'Choose a payment method.',
  noMethods: 'No payment method is available for this amount.',
  pay: 'Pay {amount}',
  paying: 'Processing…',
  required: 'required',
  selectPlaceholder: 'Select…',
  fieldRequired: '{field} is required.',
  fieldInvalidEmail: 'Enter a valid email address.',
  fieldInvalidTel: 'Enter a valid phone number.',
  fieldTooLong: '{field} is too long.',
  fieldInvalidOption: 'Choose one of the options.',
  'field.bankId': 'Bank',
  'field.holderName': 'Account holder name',
  'field.accountNumber': 'Account number',
  'field.email': 'Email',
  'field.phone': 'Phone number',
  'field.name': 'Full name',
  qrLabel: 'QR code to pay {amount} with {method}',
  scan: 'Scan the code with {method} to pay.',
  expiresIn: 'Code expires in {time}',
  openInApp: 'Open in app',
  openIn: 'Open in {app}',
  'app.wechat': 'WeChat',
  'app.alipay': 'Alipay',
  'app.truemoney': 'TrueMoney',
  saveQr: 'Save QR image',
  copyCode: 'Copy payment link',
  copied: 'Copied',
  codeExpired: 'This code has expired.',
  newCode: 'Get a new code',
  estimate: '≈ {amount}',
  redirecting: 'Taking you to {method}…',
  inApp: 'Confirm the payment in {method}…',
  challenge: 'Confirm the payment with your bank.',
  challengeFrame: 'Your bank’s security check',
  cardFrame: 'Card details',
  awaiting: 'Waiting for confirmation…',
  awaitingHint: 'This page updates by itself once the payment is confirmed.',
  continueAt: 'Continue to {method}',
  chooseAnother: 'Use another method',
  reconnecting: 'Connection lost. Reconnecting…',
  succeeded: 'Payment received. Thank you!',
  failed: 'The payment did not go through.',
  tryAnother: 'Try another method',
  expired: 'This checkout has expired.',
  expiredHint: 'If you paid just now, this page will update by itself.',
  canceled: 'This checkout was canceled.',
  startAgainHint: 'Please return to the shop and start again.',
  goBack: 'Go back',
  cardUnsupported: 'Card payments are not supported in this version.',
  returnToShop: 'Return to {merchant}',
  'error.generic': 'Something went wrong. Please try again.',
  'error.network': 'Could not reach the payment server. Check your connection and try again.',
  'error.timeout': 'The payment server took too long to answer. Please try again.',
  'error.unauthorized': 'This checkout link is not valid.',
  'error.forbidden': 'This checkout link is not valid.',
  'error.not_found': 'This checkout does not exist.',
  'error.invalid_config': 'This checkout is not set up correctly.',
  'error.session_closed': 'This checkout is closed.',
  'error.method_unavailable': 'This payment method is not available right now. Choose another.',
  'error.amount_out_of_range': 'This payment method does not accept this amount. Choose another.',
  'error.provider_unavailable': 'The payment provider is not responding. Try again or choose another method.',
  'error.provider_declined': 'The payment provider declined this payment. Choose another method.',
  'error.invalid_request': 'Some details are not valid. Check them and try again.',
  'error.wallet_canceled': 'The payment was not confirmed in the app. You can try again.',
  'error.wallet_unavailable': 'The app could not open the payment. Choose another method.',
  posScan: 'Scan the buyer’s payment code.',
  posCode: 'Payment code',
  posCamera: 'Scan with camera',
  posCharge: 'Charge {amount}',
  posCodeInvalid: 'Enter the 16 to 24 digits under the buyer’s barcode.',
  posCodeUsed: 'This code was already used. Ask the buyer to refresh it.',
  posConfirming: 'Waiting for the buyer to confirm (PIN)…',
  posConfirmingHint: 'The buyer may need to enter their PIN in the wallet app.',
  posScanAgain: 'Scan again',
  'brand.wechat': 'WeChat Pay',
  'brand.alipay': 'Alipay',
  'brand.unionpay': 'UnionPay',
  'brand.thaiqr': 'Thai QR',
  'brand.truemoney': 'TrueMoney',
  'brand.promptpay': 'PromptPay',
  'brand.card': 'Card',
  'brand.khqr': 'KHQR',
  // Why an attempt failed (`failure.code` from the BFF), shown after `failed`.
  'failure.declined': 'It was declined by the bank or wallet.',
  'failure.expired': 'The payment request expired before it was paid.',
  'failure.amount_mismatch': 'The amount paid did not match this order. Please contact {merchant} before paying again.',
  'failure.provider_unavailable': 'The payment provider could not be reached.',
  'failure.provider_rejected': 'The payment provider refused it.',
  'failure.not_found': 'The payment provider has no record of it.',
} as const;

export type MessageKey = keyof typeof en;
type Table = Partial<Record<MessageKey, string>> & { readonly [key: string]: string | undefined };

const th: Table = {
  loading: 'กำลังโหลดหน้าชำระเงิน…',
  loadFailed: 'ไม่สามารถโหลดหน้าชำระเงินนี้ได้',
  retry: 'ลองอีกครั้ง',
  methodsLegend: 'วิธีการชำระเงิน',
  choose: 'เลือกวิธีที่คุณต้องการชำระเงิน',
  chooseMethodError: 'กรุณาเลือกวิธีการชำระเงิน',
  noMethods: 'ไม่มีวิธีการชำระเงินสำหรับยอดนี้',
  pay: 'ชำระ {amount}',
  paying: 'กำลังดำเนินการ…',
  required: 'จำเป็น',
  selectPlaceholder: 'เลือก…',
  fieldRequired: 'กรุณากรอก{field}',
  fieldInvalidEmail: 'กรุณากรอกอีเมลให้ถูกต้อง',
  fieldInvalidTel: 'กรุณากรอกหมายเลขโทรศัพท์ให้ถูกต้อง',
  fieldTooLong: '{field}ยาวเกินไป',
  fieldInvalidOption: 'กรุณาเลือกจากตัวเลือกที่มี',
  'field.bankId': 'ธนาคาร',
  'field.holderName': 'ชื่อเจ้าของบัญชี',
  'field.accountNumber': 'เลขที่บัญชี',
  'field.email': 'อีเมล',
  'field.phone': 'หมายเลขโทรศัพท์',
  'field.name': 'ชื่อ-นามสกุล',
  qrLabel: 'คิวอาร์โค้ดสำหรับชำระ {amount} ด้วย {method}',
  scan: 'สแกนคิวอาร์โค้ดด้วย {method} เพื่อชำระเงิน',
  expiresIn: 'โค้ดจะหมดอายุใน {time}',
  openInApp: 'เปิดในแอป',
  saveQr: 'บันทึกรูปคิวอาร์โค้ด',
  codeExpired: 'คิวอาร์โค้ดนี้หมดอายุแล้ว',
  chooseAgain: 'เลือกใหม่',
  redirecting: 'กำลังพาคุณไปที่ {method}…',
  awaiting: 'กำลังรอการยืนยัน…',
  awaitingHint: 'หน้านี้จะอัปเดตเองเมื่อการชำระเงินได้รับการยืนยัน',
  chooseAnother: 'ใช้วิธีอื่น',
  reconnecting: 'การเชื่อมต่อขาดหาย กำลังเชื่อมต่อใหม่…',
  succeeded: 'ได้รับการชำระเงินแล้ว ขอบคุณ!',
  failed: 'การชำระเงินไม่สำเร็จ',
  tryAnother: 'ลองวิธีอื่น',
  expired: 'หน้าชำระเงินนี้หมดอายุแล้ว',
  canceled: 'หน้าชำระเงินนี้ถูกยกเลิกแล้ว',
  cardUnsupported: 'เวอร์ชันนี้ยังไม่รองรับการชำระด้วยบัตร',
  returnToShop: 'กลับไปที่ {merchant}',
  'error.generic': 'เกิดข้อผิดพลาด กรุณาลองอีกครั้ง',
  'error.network': 'ไม่สามารถเชื่อมต่อเซิร์ฟเวอร์ชำระเงินได้ กรุณาตรวจสอบการเชื่อมต่อแล้วลองอีกครั้ง',
  'error.timeout': 'เซิร์ฟเวอร์ชำระเงินตอบกลับช้าเกินไป กรุณาลองอีกครั้ง',
  'error.unauthorized': 'ลิงก์ชำระเงินนี้ไม่ถูกต้อง',
  'error.forbidden': 'ลิงก์ชำระเงินนี้ไม่ถูกต้อง',
  'error.not_found': 'ไม่พบหน้าชำระเงินนี้',
  'error.session_closed': 'หน้าชำระเงินนี้ปิดแล้ว',
  'error.method_unavailable': 'วิธีการชำระเงินนี้ไม่พร้อมใช้งานในขณะนี้ กรุณาเลือกวิธีอื่น',
  'error.provider_unavailable': 'ผู้ให้บริการชำระเงินไม่ตอบสนอง กรุณาลองอีกครั้งหรือเลือกวิธีอื่น',
  'error.invalid_config': 'หน้าชำระเงินนี้ตั้งค่าไม่ถูกต้อง',
  'error.amount_out_of_range': 'วิธีการชำระเงินนี้ไม่รองรับยอดนี้ กรุณาเลือกวิธีอื่น',
  'error.provider_declined': 'ผู้ให้บริการชำระเงินปฏิเสธการชำระเงินนี้ กรุณาเลือกวิธีอื่น',
  'error.invalid_request': 'ข้อมูลบางอย่างไม่ถูกต้อง กรุณาตรวจสอบแล้วลองอีกครั้ง',
  'failure.declined': 'ธนาคารหรือกระเป๋าเงินปฏิเสธรายการนี้',
  'failure.expired': 'คำขอชำระเงินหมดอายุก่อนที่จะชำระ',
  'failure.amount_mismatch': 'ยอดที่ชำระไม่ตรงกับคำสั่งซื้อนี้ กรุณาติดต่อ {merchant} ก่อนชำระอีกครั้ง',
  'failure.provider_unavailable': 'ไม่สามารถติดต่อผู้ให้บริการชำระเงินได้',
  'failure.provider_rejected': 'ผู้ให้บริการชำระเงินปฏิเสธรายการนี้',
  'failure.not_found': 'ผู้ให้บริการชำระเงินไม่พบรายการนี้',
};

const zhCN: Table = {
  loading: '正在加载收银台…',
  loadFailed: '无法加载此收银台。',
  retry: '重试',
  methodsLegend: '支付方式',
  choose: '请选择支付方式。',
  chooseMethodError: '请选择一种支付方式。',
  noMethods: '此金额暂无可用的支付方式。',
  pay: '支付 {amount}',
  paying: '处理中…',
  required: '必填',
  selectPlaceholder: '请选择…',
  fieldRequired: '请填写{field}。',
  fieldInvalidEmail: '请输入有效的电子邮箱地址。',
  fieldInvalidTel: '请输入有效的电话号码。',
  fieldTooLong: '{field}过长。',
  fieldInvalidOption: '请从选项中选择。',
  'field.bankId': '银行',
  'field.holderName': '账户持有人姓名',
  'field.accountNumber': '账号',
  'field.email': '电子邮箱',
  'field.phone': '电话号码',
  'field.name': '姓名',
  'method.ottpay.wechat': '微信支付',
  'method.ottpay.alipay': '支付宝',
  'method.ottpay.unionpay': '银联',
  'method.kesspay.wechat': '微信支付',
  'method.kesspay.alipay': '支付宝',
  qrLabel: '用{method}支付 {amount} 的二维码',
  scan: '请使用{method}扫描二维码完成支付。',
  expiresIn: '二维码将在 {time} 后失效',
  openInApp: '在应用中打开',
  saveQr: '保存二维码图片',
  codeExpired: '此二维码已失效。',
  chooseAgain: '重新选择',
  redirecting: '正在跳转至{method}…',
  awaiting: '正在等待支付确认…',
  awaitingHint: '支付确认后，此页面会自动更新。',
  chooseAnother: '使用其他方式',
  reconnecting: '连接已断开，正在重新连接…',
  succeeded: '支付成功，谢谢！',
  failed: '支付未成功。',
  tryAnother: '尝试其他支付方式',
  expired: '此收银台已过期。',
  canceled: '此收银台已取消。',
  cardUnsupported: '此版本暂不支持银行卡支付。',
  returnToShop: '返回{merchant}',
  'error.generic': '出现问题，请重试。',
  'error.network': '无法连接支付服务器，请检查网络后重试。',
  'error.timeout': '支付服务器响应超时，请重试。',
  'error.unauthorized': '此支付链接无效。',
  'error.forbidden': '此支付链接无效。',
  'error.not_found': '此收银台不存在。',
  'error.session_closed': '此收银台已关闭。',
  'error.method_unavailable': '此支付方式暂不可用，请选择其他方式。',
  'error.provider_unavailable': '支付服务商无响应，请重试或选择其他方式。',
  'error.invalid_config': '此收银台设置有误。',
  'error.amount_out_of_range': '此支付方式不支持该金额，请选择其他方式。',
  'error.provider_declined': '支付服务商拒绝了此笔支付，请选择其他方式。',
  'error.invalid_request': '部分信息无效，请检查后重试。',
  'failure.declined': '银行或钱包拒绝了此笔支付。',
  'failure.expired': '支付请求在付款前已过期。',
  'failure.amount_mismatch': '支付金额与订单金额不符。再次支付前，请先联系{merchant}。',
  'failure.provider_unavailable': '无法连接支付服务商。',
  'failure.provider_rejected': '支付服务商拒绝了此笔支付。',
  'failure.not_found': '支付服务商查无此笔支付。',
};

/** Every table by locale tag; English is the reference the others are checked against. */
export const tables: Readonly<Record<string, Table>> = { en, th, 'zh-CN': zhCN };

export interface Translator {
  /** The tag of the table in use (`en`, `th`, `zh-CN`), for the `lang` attribute. */
  readonly locale: string;
  (key: MessageKey, params?: Readonly<Record<string, string>>): string;
  /** A dynamic key: the locale's text, else English, else `undefined`. */
  maybe(key: string, params?: Readonly<Record<string, string>>): string | undefined;
}

/**
 * Picks the table for a BCP 47 tag: the exact tag, then its language (`th-TH` → `th`; every `zh`
 * → Simplified, the only Chinese table), then English.
 */
export function resolveLocale(tag: string): string {
  const normalized = tag.trim();
  if (normalized in tables) return normalized;
  const language = normalized.split(/[-_]/)[0]?.toLowerCase() ?? '';
  if (language === 'zh') return 'zh-CN';
  if (language in tables) return language;
  return 'en';
}

export function translator(tag: string): Translator {
  const locale = resolveLocale(tag);
  const table: Table = tables[locale] ?? en;
  const english: Table = en;
  const lookup = (key: string, params?: Readonly<Record<string, string>>) => {
    const text = table[key] ?? english[key];
    return text === undefined ? undefined : fill(text, params);
  };
  const t = ((key: MessageKey, params?: Readonly<Record<string, string>>) => lookup(key, params) ?? key) as Translator;
  Object.defineProperty(t, 'locale', { value: locale });
  t.maybe = lookup;
  return t;
}

function fill(text: string, params: Readonly<Record<string, string>> | undefined): string {
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => params[name] ?? whole);
}
