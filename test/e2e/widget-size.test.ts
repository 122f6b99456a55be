/**
 * The script-tag bundle's size, as a shopper's phone downloads it: `/tender.js` (English inside)
 * at most 16 KiB gzipped, and each other language at most 2 KiB. Reads what `npm run build` wrote
 * (test/run.mjs builds before the end-to-end tests).
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

// The widget package's build output; the BFF serves tender.iife.js as /tender.js.
const dist = fileURLToPath(new URL('../../widget/dist/', import.meta.url));
const KIB = 1024;

function gzipped(path: string): number {
  assert.ok(existsSync(path), `${path} is missing: run \`npm run build\` first`);
  return gzipSync(readFileSync(path)).length;
}

describe('widget bundle size', () => {
  it('sends /tender.js in 16 KiB or less, gzipped', () => {
    const size = gzipped(join(dist, 'tender.iife.js'));
    assert.ok(size <= 16 * KIB, `tender.js is ${size} bytes gzipped, over ${16 * KIB}`);
  });

  it('keeps every other language out of it, each in 2 KiB or less, gzipped', () => {
    const dir = join(dist, 'tender-locales');
    const files = existsSync(dir) ? readdirSync(dir).sort() : [];
    assert.deepEqual(
      files,
      ['ar', 'id', 'ja', 'km', 'ko', 'ms', 'th', 'vi', 'zh-Hans', 'zh-Hant'].map((locale) => `${locale}.js`),
    );
    const main = readFileSync(join(dist, 'tender.iife.js'), 'utf8');
    assert.ok(!main.includes('ชำระ'), 'Thai text is in tender.js');
    for (const file of files) {
      const size = gzipped(join(dir, file));
      assert.ok(size <= 2 * KIB, `${file} is ${size} bytes gzipped, over ${2 * KIB}`);
    }
  });
});
