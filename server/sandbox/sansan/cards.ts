/**
 * The sandbox's stand-in for Worldpay's card sessions: card data posted by the tokenizer frame is
 * kept only here, in memory, keyed by opaque tokens; the merchant sees the tokens alone.
 */
import { randomBytes } from 'node:crypto';

/** What a test card does once the payment reaches 3-D Secure and authorization. */
export type CardBehaviour = 'frictionless' | 'challenge' | 'declined' | 'authentication-failed';

/** The documented test cards (docs/providers/sansan.md); any other valid number is approved without a challenge. */
export const TEST_CARDS: Readonly<Record<string, CardBehaviour>> = {
  '4000000000000002': 'frictionless',
  '5555555555554444': 'frictionless',
  '4000000000003220': 'challenge',
  '4000000000000069': 'declined',
  '4000000000000101': 'authentication-failed',
};

export function behaviourOf(number: string): CardBehaviour {
  return TEST_CARDS[number] ?? 'frictionless';
}

export function luhnValid(number: string): boolean {
  if (!/^\d{12,19}$/.test(number)) return false;
  let sum = 0;
  for (let index = 0; index < number.length; index += 1) {
    let digit = Number(number[number.length - 1 - index]);
    if (index % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

export function brandOf(number: string): string {
  if (/^4/.test(number)) return 'visa';
  if (/^(5[1-5]|2[2-7])/.test(number)) return 'mastercard';
  if (/^3[47]/.test(number)) return 'amex';
  return 'card';
}

export interface CardSession {
  sessionCard: string;
  sessionCvc: string;
  /** The device-data session collected by the same frame, sent back in payOrder. */
  sessionId: string;
  number: string;
  expiryMonth: number;
  expiryYear: number;
  holder: string;
  createdAt: number;
  /** Set once checkoutOrder has taken the card: tokens are good for one order. */
  usedBy: string | null;
}

export interface CardInput {
  cardNumber?: unknown;
  expiry?: unknown;
  cvc?: unknown;
  holder?: unknown;
}

export type Tokenized =
  | { ok: true; session: CardSession }
  | { ok: false; field: 'cardNumber' | 'expiry' | 'cvc' | 'holder'; message: string };

/** Tokens live this long unless used (Tender convention; the real lifetime is Worldpay's). */
export const CARD_SESSION_TTL_MS = 15 * 60_000;

export class CardVault {
  readonly #byCard = new Map<string, CardSession>();
  readonly #byCvc = new Map<string, CardSession>();

  constructor(private readonly now: () => Date) {}

  tokenize(input: CardInput): Tokenized {
    const number = typeof input.cardNumber === 'string' ? input.cardNumber.replace(/[\s-]/g, '') : '';
    if (!luhnValid(number)) return { ok: false, field: 'cardNumber', message: 'Card number is not valid.' };
    const expiry = typeof input.expiry === 'string' ? /^\s*(\d{2})\s*\/\s*(\d{2}|\d{4})\s*$/.exec(input.expiry) : null;
    const month = expiry ? Number(expiry[1]) : 0;
    const year = expiry ? (expiry[2]!.length === 2 ? 2000 + Number(expiry[2]) : Number(expiry[2])) : 0;
    if (!expiry || month < 1 || month > 12) return { ok: false, field: 'expiry', message: 'Expiry must be MM/YY.' };
    const at = this.now();
    if (year * 12 + month < at.getUTCFullYear() * 12 + at.getUTCMonth() + 1) {
      return { ok: false, field: 'expiry', message: 'This card has expired.' };
    }
    const cvcDigits = brandOf(number) === 'amex' ? 4 : 3;
    if (typeof input.cvc !== 'string' || !new RegExp(`^\\d{${cvcDigits}}$`).test(input.cvc)) {
      return { ok: false, field: 'cvc', message: `Security code must be ${cvcDigits} digits.` };
    }
    const holder = typeof input.holder === 'string' ? input.holder.trim() : '';
    if (holder.length < 1 || holder.length > 100)
      return { ok: false, field: 'holder', message: 'Enter the name on the card.' };
    const session: CardSession = {
      sessionCard: `card_${randomBytes(18).toString('base64url')}`,
      sessionCvc: `cvc_${randomBytes(18).toString('base64url')}`,
      sessionId: `ddc_${randomBytes(18).toString('base64url')}`,
      number,
      expiryMonth: month,
      expiryYear: year,
      holder,
      createdAt: at.getTime(),
      usedBy: null,
    };
    this.#byCard.set(session.sessionCard, session);
    this.#byCvc.set(session.sessionCvc, session);
    return { ok: true, session };
  }

  /** The card behind a token pair made together, unexpired and not taken by another order. */
  find(sessionCard: string, sessionCvc: string, orderSn: string): CardSession | null {
    const session = this.#byCard.get(sessionCard);
    if (!session || this.#byCvc.get(sessionCvc) !== session) return null;
    if (this.now().getTime() - session.createdAt > CARD_SESSION_TTL_MS) return null;
    if (session.usedBy !== null && session.usedBy !== orderSn) return null;
    return session;
  }
}
