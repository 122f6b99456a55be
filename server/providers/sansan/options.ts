/**
 * `providers.sansan` in the configuration (docs/providers/sansan.md, "Adapter"). Keys are checked
 * here, once, with node:crypto, so a key that cannot sign or verify stops the server at start with
 * the field's name instead of failing the first shopper.
 */
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { baseUrlSchema } from '../options.ts';

export const SANSAN_METHODS = ['sansan.card'] as const;
export type SanSanMethod = (typeof SANSAN_METHODS)[number];

/** The values the document lists for `relationship` (checkoutOrder). */
export const RELATIONSHIPS = [
  'BUSINESS_OWNER_SHAREHOLDER',
  'DIRECTOR_SENIOR_MANAGEMENT',
  'EMPLOYEE',
  'RELATIVE',
  'CUSTOMER',
  'FRIEND',
] as const;

const HOSTNAME =
  /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/**
 * A key as it may arrive: PEM text, PEM whose line breaks came through an environment variable as
 * the two characters `\n`, or bare Base64 of the DER (the form SanSan hands out).
 */
export function normalisePem(value: string, kind: 'PRIVATE KEY' | 'PUBLIC KEY'): string {
  const text = value
    .replace(/\\r\\n|\\n|\\r/g, '\n')
    .replace(/\r\n?/g, '\n')
    .trim();
  if (text.startsWith('-----BEGIN')) return `${text}\n`;
  const base64 = text.replace(/\s+/g, '');
  const lines = base64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${kind}-----\n${lines.join('\n')}\n-----END ${kind}-----\n`;
}

function rsaKey(kind: 'private' | 'public', value: string): KeyObject | null {
  try {
    const key =
      kind === 'private'
        ? createPrivateKey({ key: normalisePem(value, 'PRIVATE KEY'), format: 'pem' })
        : createPublicKey({ key: normalisePem(value, 'PUBLIC KEY'), format: 'pem' });
    if (key.type !== kind || key.asymmetricKeyType !== 'rsa') return null;
    return (key.asymmetricKeyDetails?.modulusLength ?? 0) >= 2048 ? key : null;
  } catch {
    return null;
  }
}

/** An RSA key of at least 2048 bits, written back as PEM (PKCS#8 for private, SPKI for public). */
function pemKey(kind: 'private' | 'public') {
  const expected =
    kind === 'private'
      ? 'must be an RSA private key of 2048 bits or more, as PEM (PKCS#8 "BEGIN PRIVATE KEY") or Base64 DER'
      : 'must be an RSA public key of 2048 bits or more, as PEM (SPKI "BEGIN PUBLIC KEY") or Base64 DER';
  return z
    .string()
    .min(1, 'must not be empty')
    .transform((value, ctx) => {
      const key = rsaKey(kind, value);
      if (!key) {
        ctx.addIssue({ code: 'custom', message: expected });
        return z.NEVER;
      }
      return kind === 'private'
        ? (key.export({ type: 'pkcs8', format: 'pem' }) as string)
        : (key.export({ type: 'spki', format: 'pem' }) as string);
    });
}

export const sansanOptionsSchema = z.strictObject({
  /** SanSan's root; every service is `POST {baseUrl}/api/v2/pay`. */
  baseUrl: baseUrlSchema,
  /** Base64 of the merchant's 16-byte AES key (AES-128-ECB). */
  aesKey: z
    .string()
    .transform((value) => value.trim())
    .refine(
      (value) => /^[A-Za-z0-9+/]+={0,2}$/.test(value) && Buffer.from(value, 'base64').length === 16,
      'must be Base64 of 16 bytes (a 128-bit AES key)',
    ),
  /** Signs every request (SHA256withRSA). */
  merchantPrivateKey: pemKey('private'),
  /** Verifies every answer and webhook. */
  platformPublicKey: pemKey('public'),
  /** Sent as `Authorization: Bearer`; SanSan's token endpoint is not public, so it is configuration. */
  token: z.string().trim().min(1, 'must not be empty').regex(/^\S+$/, 'must not contain spaces'),
  /**
   * The card-fields page loaded in a frame (it posts `{type:'tender-card-token', fields}` to the
   * checkout). Default `{baseUrl}/tokenizer`, which the sandbox serves; in production, a page
   * that runs Worldpay's Access Checkout SDK and posts the same message.
   */
  tokenizerUrl: baseUrlSchema.optional(),
  /**
   * How the 3-D Secure challenge is shown: in a frame on the checkout (payOrder gets no
   * `returnUrl`; the page tells its parent when it is done), or by sending the shopper to it
   * (payOrder gets the attempt's `returnUrl`).
   */
  challengeDisplay: z.enum(['frame', 'redirect']).default('frame'),
  /** createOrder `purposeOfTransaction`; the document lists 31 values. */
  purposeOfTransaction: z
    .string()
    .regex(/^[A-Z][A-Z_]{1,63}$/, 'must be one of SanSan\'s values, such as "PAY_FOR_GOODS"')
    .default('PAY_FOR_GOODS'),
  /** checkoutOrder `relationship` of the cardholder to the merchant. */
  relationship: z.enum(RELATIONSHIPS).default('CUSTOMER'),
  /** createOrder `skip3ds`: authorize at checkout without 3-D Secure (only if SanSan allows it). */
  skip3ds: z.boolean().default(false),
  /** createOrder `domain`: the shop's host name, when SanSan wants it. */
  domain: z.string().regex(HOSTNAME, 'must be a host name such as "shop.example"').optional(),
});

export type SanSanOptions = z.output<typeof sansanOptionsSchema>;
