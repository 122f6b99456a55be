/**
 * The OTT Pay simulator's own Appendix A crypto against the document's worked example
 * (docs/providers/ottpay.md, "Appendix A"). It shares no code with the adapter.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { digestOf, keyFor, open, seal, sealWith, SealError } from '../../../../server/sandbox/ottpay/crypto.ts';

// The example's data, with its keys in the order the document writes them.
const DATA = {
  orderId: '1234567890',
  idCardName: '张三',
  idCardNum: '123456789012345678',
  bankCardNum: '62000000000010',
  mobile: '13711111111',
  idCardType: '1',
};
const MD5 = 'C12F9560769C2CB55E6954935B325916';
const SIGN_KEY = '6698851A525C9433';
const AES_KEY = 'EF1712FC070C2C21';
const CIPHERTEXT =
  'Y2+GoqBBPc6EJ9JzXRFoOziKd+DqWg5FiUZY1IYoVBVv0xfFznT9/qanMpiNEamEN2NM7J+hxoRn8VGSJImA2soeip9nYr+VJvTXe7D8j4aXiKyFipuPVCQLiCDg3jkJP+S2EezYMf7crqKY/YAni1CCeIwr2aJfFVT1vYhsWIm8t3eyPL//cY4kwombAKhE2gAdEFXz6gVvencz80aRWQ==';

describe('OTT Pay simulator crypto (Appendix A worked example)', () => {
  it('hashes the values in key order into the documented md5', () => {
    assert.equal(digestOf(DATA), MD5);
  });

  it('derives the documented AES key', () => {
    assert.equal(keyFor(MD5, SIGN_KEY), AES_KEY);
  });

  it('encrypts to the documented ciphertext', () => {
    const sealed = seal(DATA, SIGN_KEY);
    assert.equal(sealed.md5, MD5);
    assert.ok(sealed.data.startsWith('Y2+GoqBBPc6E'));
    assert.ok(sealed.data.endsWith('80aRWQ=='));
    assert.equal(sealed.data, CIPHERTEXT);
  });

  it('decrypts the documented ciphertext, wrapped or not, to the same JSON', () => {
    assert.equal(JSON.stringify(open(CIPHERTEXT, MD5, SIGN_KEY)), JSON.stringify(DATA));
    assert.deepEqual(open(CIPHERTEXT.replace(/(.{60})/g, '$1\n'), MD5, SIGN_KEY), DATA);
  });

  it('refuses another key, other data under this md5, and an md5 that is not one', () => {
    assert.throws(() => open(CIPHERTEXT, MD5, '6698851A525C9434'), SealError);
    assert.throws(() => open(sealWith({ ...DATA, mobile: '13700000000' }, MD5, SIGN_KEY), MD5, SIGN_KEY), SealError);
    assert.throws(() => open(CIPHERTEXT, 'C12F9560', SIGN_KEY), SealError);
    assert.throws(() => open('not base64!', MD5, SIGN_KEY), SealError);
  });

  it('hashes a JSON number as written or in the Java form', () => {
    assert.equal(digestOf({ a: 'x', amount: 1999 }), digestOf({ a: 'x', amount: '1999' }));
    assert.equal(digestOf({ a: 'x', amount: 1999 }, 'javaDouble'), digestOf({ a: 'x', amount: '1999.0' }));
  });
});
