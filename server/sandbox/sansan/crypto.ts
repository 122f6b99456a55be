/**
 * SanSan Fintech's message crypto, written from its documents (docs/providers/sansan.md, "Crypto"):
 * - bizContent is the JSON of the business object, AES-128-ECB with PKCS#5/7 padding, Base64. The
 *   key is the merchant's 128-bit key, given as Base64 of its 16 raw bytes; ECB has no IV.
 * - sign is SHA256withRSA (RSASSA-PKCS1-v1_5, 2048-bit keys), Base64, over the same JSON in
 *   plaintext, before encryption. The receiver decrypts first, then verifies over the decrypted text
 *   exactly as it came (never re-serialized).
 * Merchant requests are signed with the merchant's private key; the platform's answers and webhooks
 * with the platform's. Keys are PEM here (PKCS#8 private, SPKI public).
 */
import {
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign as rsaSign,
  verify as rsaVerify,
  type KeyObject,
} from 'node:crypto';

/** The 16 raw key bytes from their Base64 form; anything else is a configuration error. */
export function aesKeyFromBase64(aesKey: string): Buffer {
  const trimmed = aesKey.trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed)) throw new Error('aesKey must be Base64');
  const key = Buffer.from(trimmed, 'base64');
  if (key.length !== 16) throw new Error(`aesKey must be Base64 of 16 bytes, not ${key.length}`);
  return key;
}

export function aesEncrypt(plaintext: string, key: Buffer): string {
  const cipher = createCipheriv('aes-128-ecb', key, null);
  return Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]).toString('base64');
}

/** Decrypts Base64 ciphertext into UTF-8 text; throws when it is not Base64, not whole blocks, badly padded or not UTF-8. */
export function aesDecrypt(ciphertext: string, key: Buffer): string {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(ciphertext)) throw new Error('not Base64');
  const bytes = Buffer.from(ciphertext, 'base64');
  if (bytes.length === 0 || bytes.length % 16 !== 0) throw new Error('not whole AES blocks');
  const decipher = createDecipheriv('aes-128-ecb', key, null);
  const plain = Buffer.concat([decipher.update(bytes), decipher.final()]);
  return new TextDecoder('utf-8', { fatal: true }).decode(plain);
}

export function rsaSignText(text: string, privateKey: KeyObject): string {
  return rsaSign('sha256', Buffer.from(text, 'utf8'), privateKey).toString('base64');
}

export function rsaVerifyText(text: string, signature: string, publicKey: KeyObject): boolean {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(signature)) return false;
  try {
    return rsaVerify('sha256', Buffer.from(text, 'utf8'), publicKey, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}

export function privateKeyFromPem(pem: string): KeyObject {
  return createPrivateKey({ key: pem, format: 'pem' });
}

export function publicKeyFromPem(pem: string): KeyObject {
  return createPublicKey({ key: pem, format: 'pem' });
}

export interface Sealed {
  bizContent: string;
  sign: string;
}

/** Signs the JSON text, then encrypts the same text: the order the documents give. */
export function seal(json: string, key: Buffer, privateKey: KeyObject): Sealed {
  return { bizContent: aesEncrypt(json, key), sign: rsaSignText(json, privateKey) };
}

export type Opened = { ok: true; json: string } | { ok: false; reason: 'decrypt' | 'sign' };

/** Decrypts bizContent, then verifies `sign` over the decrypted text. */
export function open(sealed: Sealed, key: Buffer, publicKey: KeyObject): Opened {
  let json: string;
  try {
    json = aesDecrypt(sealed.bizContent, key);
  } catch {
    return { ok: false, reason: 'decrypt' };
  }
  return rsaVerifyText(json, sealed.sign, publicKey) ? { ok: true, json } : { ok: false, reason: 'sign' };
}

export interface SanSanSandboxKeys {
  merchantPrivateKey: string;
  merchantPublicKey: string;
  platformPrivateKey: string;
  platformPublicKey: string;
}

/** Two fresh RSA-2048 key pairs as PEM (PKCS#8 / SPKI), made at start and never written down. */
export function generateSanSanSandboxKeys(): SanSanSandboxKeys {
  const pair = () =>
    generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
  const merchant = pair();
  const platform = pair();
  return {
    merchantPrivateKey: merchant.privateKey,
    merchantPublicKey: merchant.publicKey,
    platformPrivateKey: platform.privateKey,
    platformPublicKey: platform.publicKey,
  };
}
