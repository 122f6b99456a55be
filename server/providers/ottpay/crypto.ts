/**
 * OTT Pay's Appendix A crypto, checked against the document's worked example in the tests:
 * docs/providers/ottpay.md, "Crypto".
 */
import { createCipheriv, createDecipheriv, createHash } from 'node:crypto';
import { ProviderError, type ProviderErrorCode } from '../provider.ts';

/**
 * The "md5" of a transaction-data object: the values concatenated in ASCII key order, with no
 * separators and no key names, then MD5 as upper-case hex (Appendix A, steps 1–2).
 * NOTE: an empty value adds nothing to the concatenation, so "omit empty keys" (Tender's convention)
 * and "send them empty" hash alike; the document leaves open which one the server expects.
 */
export function ottMd5(data: Record<string, string>): string {
  const concat = Object.keys(data)
    .sort(compareAscii)
    .map((key) => data[key])
    .join('');
  return createHash('md5').update(concat, 'utf8').digest('hex').toUpperCase();
}

/**
 * The AES key: the middle 16 hex characters of UPPER(MD5(md5 + signKey)), used as 16 ASCII bytes
 * (not hex-decoded) — OTT Pay's "16-bit MD5" (Appendix A, step 3).
 */
export function ottAesKey(md5: string, signKey: string): string {
  return createHash('md5')
    .update(md5 + signKey, 'utf8')
    .digest('hex')
    .toUpperCase()
    .slice(8, 24);
}

/**
 * Encrypts transaction data for an envelope: AES-128-ECB with PKCS#7 padding over the compact JSON
 * of the object in the order its keys were built, non-ASCII left raw (Appendix A, step 4).
 */
export function ottEncrypt(data: Record<string, string>, signKey: string): { data: string; md5: string } {
  const md5 = ottMd5(data);
  const cipher = createCipheriv('aes-128-ecb', Buffer.from(ottAesKey(md5, signKey), 'utf8'), null);
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(data), 'utf8'), cipher.final()]);
  return { data: ciphertext.toString('base64'), md5 };
}

/**
 * Decrypts an envelope's `data` and checks it against `md5`. The key is derived from the md5 the
 * sender chose, so decrypting alone proves little: the md5 recomputed over the decrypted values must
 * match too, or a captured (data, md5) pair could be replayed with other contents (docs/providers/ottpay.md).
 * Keys `md5` and `code` are left out of the recompute, as OTT Pay's own plugins do.
 *
 * `failure` is the error code for anything that does not decrypt or verify: `invalid_signature` for
 * callbacks, `bad_response` for answers to our own requests.
 */
export function ottDecrypt(
  dataB64: string,
  md5: string,
  signKey: string,
  failure: Extract<ProviderErrorCode, 'invalid_signature' | 'bad_response'> = 'invalid_signature',
): Record<string, unknown> {
  if (!/^[0-9A-Fa-f]{32}$/.test(md5)) {
    throw new ProviderError('ottpay', failure, 'md5 is not 32 hex characters');
  }
  const key = Buffer.from(ottAesKey(md5, signKey), 'utf8');
  const expected = md5.toUpperCase();
  let lastError: unknown = null;
  for (const candidate of base64Candidates(dataB64)) {
    let decrypted: Record<string, unknown>;
    try {
      decrypted = decryptObject(candidate, key);
    } catch (cause) {
      lastError = cause;
      continue;
    }
    const hashed = Object.fromEntries(Object.entries(decrypted).filter(([name]) => name !== 'md5' && name !== 'code'));
    if (md5Forms(hashed).includes(expected)) return decrypted;
    lastError = new Error('md5 does not match the decrypted data');
  }
  throw new ProviderError('ottpay', failure, 'data does not decrypt and verify under the sign key', {
    cause: lastError,
  });
}

/**
 * Decoders must ignore whitespace: the docs show `data` wrapped every 60 characters, and some
 * channels hand it over form-decoded with '+' turned into ' ' (docs/providers/ottpay.md). The two
 * readings of a space differ, so both are tried; the md5 check decides which one was meant.
 */
function base64Candidates(dataB64: string): string[] {
  const plusRestored = dataB64.replace(/ /g, '+').replace(/\s/g, '');
  const whitespaceRemoved = dataB64.replace(/\s/g, '');
  return [...new Set([plusRestored, whitespaceRemoved])].filter(
    (candidate) => candidate.length > 0 && candidate.length % 4 === 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(candidate),
  );
}

function decryptObject(base64: string, key: Buffer): Record<string, unknown> {
  const ciphertext = Buffer.from(base64, 'base64');
  if (ciphertext.length === 0 || ciphertext.length % 16 !== 0) throw new Error('ciphertext is not whole AES blocks');
  const decipher = createDecipheriv('aes-128-ecb', key, null);
  const plaintext = Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
  const parsed: unknown = JSON.parse(plaintext);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new Error('data is not a JSON object');
  return parsed as Record<string, unknown>;
}

/**
 * The md5 forms a decrypted object may legitimately have. Tender and its simulator send every value
 * as a string (docs/providers/ottpay.md, "Conventions"), and then there is exactly one form. OTT Pay's server may answer
 * with JSON numbers, and one public client appends ".0" to numeric values before hashing, which
 * reads as the server hashing Java `Double.toString` (docs/providers/ottpay.md). We therefore accept
 * the number as written or in that Java form — both are only the *unkeyed* md5 of the same values,
 * so accepting either adds no room for forgery: authenticity rests on decrypting under the signKey
 * derived key. `null` counts as empty (it adds nothing to the concatenation either way).
 */
function md5Forms(data: Record<string, unknown>): string[] {
  const plain: Record<string, string> = {};
  const javaDouble: Record<string, string> = {};
  for (const [key, value] of Object.entries(data)) {
    plain[key] = valueText(value, false);
    javaDouble[key] = valueText(value, true);
  }
  return [...new Set([ottMd5(plain), ottMd5(javaDouble)])];
}

function valueText(value: unknown, javaDouble: boolean): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return javaDouble && Number.isInteger(value) ? `${value}.0` : String(value);
  if (typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** ASCII (code unit) order, which is what OTT Pay's "dictionary order" means for its ASCII keys. */
function compareAscii(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
