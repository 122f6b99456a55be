/**
 * One1Pay's own field names: its answers after `parseOne1PayJson` (every number as its text), its
 * callback, and its methods and currency names (docs/providers/one1pay.md).
 */
import { z } from 'zod';
import type { MethodId } from '../../../widget/wire.ts';
import type { NotificationAck } from '../provider.ts';

const text = z.string();
const idText = z.string().min(1);

export const currencyAnswer = z.object({
  status: z.literal(true),
  rate: z.array(z.object({ currency: text, min: text, max: text })),
});

export const authAnswer = z.object({ status: z.literal(true), auth: z.string().min(1) });

export const generateOrderAnswer = z.object({ status: z.literal(true), p_url: z.string().min(1), payment_id: idText });

export const statusAnswer = z.object({
  status: z.literal(true),
  order_status: text,
  order_datetime: text.optional(),
  amount: text,
  currency: text,
});

export const bankListAnswer = z.object({
  status: z.literal(true),
  data: z.array(z.object({ currency: text, bank_name: text, id: idText })),
});

export const withdrawAnswer = z.object({ status: z.literal(true), payment_id: idText.optional() });

export const balanceAnswer = z.object({ status: z.literal(true), balance: text });

/** The callback body. `name` and `remarks` are free text and are not used. */
export const callbackBody = z.object({
  order_id: idText,
  amount: text,
  currency: text,
  order_status: text,
  type: z.enum(['deposit', 'withdrawal']),
  token: text,
  charge: text.optional(),
});

/**
 * A phone number as Tender accepts it everywhere (this field's `pattern`, which the widget applies
 * too): an optional "+", then digits with spaces or dashes; One1Pay receives the digits only.
 */
export const PHONE_PATTERN = '\\+?[0-9][0-9 -]{5,19}';

/** Thai QR (PromptPay) and TrueMoney are Thai schemes: offered for THB only. */
export const METHODS = {
  'one1pay.thaiqr': { payMethod: 'thaiqr', label: 'Thai QR', brand: 'thaiqr', currencies: ['THB'] },
  'one1pay.truemoney': { payMethod: 'truemoney', label: 'TrueMoney', brand: 'truemoney', currencies: ['THB'] },
} as const satisfies Partial<
  Record<MethodId, { payMethod: string; label: string; brand: string; currencies: readonly string[] }>
>;

export type One1PayMethod = keyof typeof METHODS;

export function isOne1PayMethod(method: MethodId): method is One1PayMethod {
  return Object.hasOwn(METHODS, method);
}

/** One1Pay's name for Tender's USDT (the document's currency list). */
const WIRE_CURRENCIES: Readonly<Record<string, string>> = { USDT: 'USDT-TRC20' };

export function toWireCurrency(currency: string): string {
  return WIRE_CURRENCIES[currency] ?? currency;
}

export function fromWireCurrency(currency: string): string {
  const entry = Object.entries(WIRE_CURRENCIES).find(([, wire]) => wire === currency);
  return entry ? entry[0] : currency;
}

export const ONE1PAY_NOTIFICATION_ACK: NotificationAck = {
  status: 200,
  body: 'success',
  contentType: 'text/plain',
};
