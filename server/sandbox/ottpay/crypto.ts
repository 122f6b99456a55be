/**
 * OTT Pay's Appendix A, as the simulator (standing in for OTT Pay's server) applies it. Written from
 * the document (docs/providers/ottpay.md, "Appendix A"), not shared with the adapter, so a mistake
 * in one cannot hide in the other; test/server/sandbox/ottpay/crypto.test.ts checks it against the
 * document's worked example.
 *
 *   1. Sort the data's keys in dictionary (ASCII) order and join the values alone, no separators.
 *   2. md5 = upper-case hex MD5 of that text (UTF-8).
 *   3. key = the middle 16 characters (8 to 24) of upper-case hex MD5(md5 + signKey), used as 16
 *      ASCII bytes.
 *   4. data = Base64 of AES-128-ECB (PKCS#7 padding, no IV) over the compact JSON of the object, in
 *      the order its keys were written, non-ASCII characters left as they are.
 * Decrypting derives the key from the md5 that came with the data, so the md5 recomputed over what
 * decrypted must be that md5, or the message is refused.
 */
import { createCipheriv, createDecipheriv, createHash } from 'node:crypto';

/**
 * How a JSON number enters the md5. OTT Pay's own answers may carry numbers; one public client
 * hashes them as Java's `Double.toString` writes them ("1999.0"), so the simulator can do either.
 */
export type NumberForm = 'asWritten' | 'javaDouble';

function hexMd5(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex').toUpperCase();
}

function valueForDigest(value: unknown, numbers: NumberForm): string {
  if (typeof value === 'number') return numbers === 'javaDouble' && Number.isInteger(value) ? `${value}.0` : `${value}`;
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  return JSON.stringify(value);
}

/** Steps 1 and 2. */
export function digestOf(data: Record<string, unknown>, numbers: NumberForm = 'asWritten'): string {
  const keys = Object.keys(data).sort((a, b) => (a === b ? 0 : a < b ? -1 : 1));
  return hexMd5(keys.map((key) => valueForDigest(data[key], numbers)).join(''));
}

/** Step 3: the AES key as its 16 characters. */
export function keyFor(md5: string, signKey: string): string {
  return hexMd5(md5 + signKey).substring(8, 24);
}

/** Step 4 under the key a given md5 names (forgeries use an md5 of other data). */
export function sealWith(data: Record<string, unknown>, md5: string, signKey: string): string {
  const cipher = createCipheriv('aes-128-ecb', Buffer.from(keyFor(md5, signKey), 'latin1'), null);
  cipher.setAutoPadding(true);
  return Buffer.concat([cipher.update(JSON.stringify(data), 'utf8'), cipher.final()]).toString('base64');
}

/** Steps 1 to 4: `{data, md5}` for an envelope. */
export function seal(
  data: Record<string, unknown>,
  signKey: string,
  numbers: NumberForm = 'asWritten',
): { data: string; md5: string } {
  const md5 = digestOf(data, numbers);
  return { data: sealWith(data, md5, signKey), md5 };
}

/** Why a message was refused. */
export class SealError extends Error {}

/**
 * Decrypts `data` under the key `md5` names and checks the md5 over what came out. Whitespace in
 * the Base64 is ignored (the document's own examples wrap it every 60 characters).
 */
export function open(data: string, md5: string, signKey: string): Record<string, unknown> {
  if (!/^[0-9A-F]{32}$/i.test(md5)) throw new SealError('md5 is not 32 hex digits');
  const base64 = data.replace(/\s+/g, '');
  if (!/^(?:[A-Za-z0-9+/]{4})+(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(base64) || base64.length % 4 !== 0) {
    throw new SealError('data is not Base64');
  }
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.length % 16 !== 0) throw new SealError('data is not whole AES blocks');
  let text: string;
  try {
    const decipher = createDecipheriv('aes-128-ecb', Buffer.from(keyFor(md5.toUpperCase(), signKey), 'latin1'), null);
    text = Buffer.concat([decipher.update(bytes), decipher.final()]).toString('utf8');
  } catch {
    throw new SealError('data does not decrypt under the merchant key');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new SealError('decrypted data is not JSON');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new SealError('decrypted data is not a JSON object');
  }
  const object = parsed as Record<string, unknown>;
  if (digestOf(object) !== md5.toUpperCase()) throw new SealError('md5 does not match the data');
  return object;
}
