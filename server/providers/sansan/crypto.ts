/**
 * SanSan's message crypto, from its "Encryption" and "Signature" pages (docs/providers/sansan.md):
 * - bizContent: the business object's JSON, AES-128-ECB with PKCS#5 padding, no IV, Base64; the key
 *   is the 16 bytes the merchant's Base64 key decodes to;
 * - sign: SHA256withRSA (RSASSA-PKCS1-v1_5), Base64, over the same JSON in plaintext.
 * Requests: serialise → sign with the merchant's private key → encrypt. Answers and webhooks:
 * decrypt → verify over exactly the decrypted text with the platform's public key. Nothing is
 * parsed before it has verified.
 */
import {
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  createPublicKey,
  sign as rsaSign,
  verify as rsaVerify,
  type KeyObject,
} from 'node:crypto';

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export interface SanSanKeys {
  aes: Buffer;
  merchantPrivate: KeyObject;
  platformPublic: KeyObject;
}

/** The keys from validated options (see options.ts, which has already checked each one). */
export function loadKeys(options: {
  aesKey: string;
  merchantPrivateKey: string;
  platformPublicKey: string;
}): SanSanKeys {
  return {
    aes: Buffer.from(options.aesKey, 'base64'),
    merchantPrivate: createPrivateKey(options.merchantPrivateKey),
    platformPublic: createPublicKey(options.platformPublicKey),
  };
}

export interface Sealed {
  bizContent: string;
  sign: string;
}

/** Signs the JSON text, then encrypts that same text (the document's order). */
export function seal(json: string, keys: SanSanKeys): Sealed {
  const plain = Buffer.from(json, 'utf8');
  const signature = rsaSign('sha256', plain, keys.merchantPrivate);
  const cipher = createCipheriv('aes-128-ecb', keys.aes, null);
  const bizContent = Buffer.concat([cipher.update(plain), cipher.final()]);
  return { bizContent: bizContent.toString('base64'), sign: signature.toString('base64') };
}

/** Why sealed content was refused: it did not decrypt under our AES key, or its signature is not the platform's. */
export type OpenFailure = 'decrypt' | 'sign';

export type Opened = { ok: true; json: string } | { ok: false; reason: OpenFailure };

/** Decrypts bizContent, then verifies `sign` over the decrypted text as it is. */
export function open(sealed: Sealed, keys: SanSanKeys): Opened {
  let json: string;
  try {
    if (!BASE64.test(sealed.bizContent)) return { ok: false, reason: 'decrypt' };
    const bytes = Buffer.from(sealed.bizContent, 'base64');
    if (bytes.length === 0 || bytes.length % 16 !== 0) return { ok: false, reason: 'decrypt' };
    const decipher = createDecipheriv('aes-128-ecb', keys.aes, null);
    const plain = Buffer.concat([decipher.update(bytes), decipher.final()]);
    json = new TextDecoder('utf-8', { fatal: true }).decode(plain);
  } catch {
    return { ok: false, reason: 'decrypt' };
  }
  if (!BASE64.test(sealed.sign)) return { ok: false, reason: 'sign' };
  let verified: boolean;
  try {
    verified = rsaVerify('sha256', Buffer.from(json, 'utf8'), keys.platformPublic, Buffer.from(sealed.sign, 'base64'));
  } catch {
    verified = false;
  }
  return verified ? { ok: true, json } : { ok: false, reason: 'sign' };
}

/** What an operator reads when something sealed is refused; names the setting to check, never a key. */
export function describeFailure(reason: OpenFailure): string {
  return reason === 'decrypt'
    ? 'bizContent does not decrypt with providers.sansan.aesKey (a wrong key, or the ciphertext was altered)'
    : 'sign does not verify with providers.sansan.platformPublicKey (a wrong key, or the content was altered)';
}
