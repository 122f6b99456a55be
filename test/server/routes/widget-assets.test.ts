/**
 * The script-tag bundle and its on-demand files as the BFF serves them: compressed by
 * Accept-Encoding, under a plain name cached briefly and a content-hashed name cached for a year,
 * and the hosted page asking for the hashed one.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import type { createApp } from '../../../server/app.ts';
import { pickEncoding } from '../../../server/routes/pages.ts';
import { startTestBff, type TestBff } from '../harness.ts';

const hashOf = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 12);

describe('widget files', () => {
  let bff: TestBff;
  let dir = '';
  let app: ReturnType<typeof createApp>;
  const bundle = `/* the bundle */ ${'customElements.define("tender-checkout", class extends HTMLElement {});\n'.repeat(40)}`;
  const part = 'export function renderTill() { return "till"; }\n';

  before(async () => {
    bff = await startTestBff();
    dir = mkdtempSync(join(tmpdir(), 'tender-assets-'));
    writeFileSync(join(dir, 'tender.js'), bundle);
    mkdirSync(join(dir, 'tender-parts'));
    writeFileSync(join(dir, 'tender-parts', 'till.js'), part);
    mkdirSync(join(dir, 'tender-locales'));
    writeFileSync(join(dir, 'tender-locales', 'th.js'), 'export default {"retry":"ลองอีกครั้ง"};');
    app = bff.appWithWidget(join(dir, 'tender.js'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
    return bff.close();
  });

  it('sends brotli or gzip by Accept-Encoding, and the plain bytes to a client that takes neither', async () => {
    const br = await app.request('/tender.js', { headers: { 'accept-encoding': 'gzip, deflate, br' } });
    assert.equal(br.status, 200);
    assert.equal(br.headers.get('content-encoding'), 'br');
    assert.equal(br.headers.get('vary'), 'Accept-Encoding');
    const brBody = Buffer.from(await br.arrayBuffer());
    assert.ok(brBody.length < bundle.length / 4, `brotli body is ${brBody.length} bytes`);
    assert.equal(brotliDecompressSync(brBody).toString(), bundle);

    const gz = await app.request('/tender.js', { headers: { 'accept-encoding': 'gzip;q=1, br;q=0' } });
    assert.equal(gz.headers.get('content-encoding'), 'gzip');
    assert.equal(gunzipSync(Buffer.from(await gz.arrayBuffer())).toString(), bundle);

    const plain = await app.request('/tender.js');
    assert.equal(plain.headers.get('content-encoding'), null);
    assert.equal(await plain.text(), bundle);
  });

  it('caches the plain name for minutes and the hashed name for a year; a stale hash is not found', async () => {
    const plain = await app.request('/tender.js');
    assert.equal(plain.headers.get('cache-control'), 'public, max-age=300');
    const hashed = await app.request(`/tender.${hashOf(bundle)}.js`, { headers: { 'accept-encoding': 'br' } });
    assert.equal(hashed.status, 200);
    assert.equal(hashed.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.match(hashed.headers.get('content-type') ?? '', /^text\/javascript/);
    assert.equal(brotliDecompressSync(Buffer.from(await hashed.arrayBuffer())).toString(), bundle);
    assert.equal((await app.request('/tender.0123456789ab.js')).status, 404);

    const etag = plain.headers.get('etag') ?? '';
    assert.equal(etag, `"${hashOf(bundle)}"`);
    assert.equal((await app.request('/tender.js', { headers: { 'if-none-match': etag } })).status, 304);
  });

  it('serves the parts and languages under both names, importable from another origin', async () => {
    for (const path of ['/tender-parts/till.js', `/tender-parts/till.${hashOf(part)}.js`]) {
      const served = await app.request(path, { headers: { 'accept-encoding': 'gzip' } });
      assert.equal(served.status, 200, path);
      assert.equal(served.headers.get('access-control-allow-origin'), '*');
      assert.equal(gunzipSync(Buffer.from(await served.arrayBuffer())).toString(), part);
    }
    const th = await app.request('/tender-locales/th.js');
    assert.equal(th.status, 200);
    for (const path of [
      `/tender-parts/till.${hashOf('stale')}.js`,
      '/tender-parts/card.js',
      '/tender-parts/nope.js',
      '/tender-parts/..%2Ftender.js',
      '/tender-locales/fr.js',
    ]) {
      assert.equal((await app.request(path)).status, 404, path);
    }
  });

  it('points the hosted page at the hashed bundle', async () => {
    const session = await bff.createSession({ amount: '3.00', currency: 'CAD', reference: 'assets' });
    const page = await app.request(`/pay/${session.id}?secret=${encodeURIComponent(session.clientSecret)}`);
    const html = await page.text();
    assert.match(html, new RegExp(`<script data-bundle="/tender\\.${hashOf(bundle)}\\.js" data-modules="">`));
  });

  it('reads Accept-Encoding with its weights', () => {
    assert.equal(pickEncoding(undefined), 'identity');
    assert.equal(pickEncoding('gzip, deflate, br, zstd'), 'br');
    assert.equal(pickEncoding('gzip'), 'gzip');
    assert.equal(pickEncoding('br;q=0, gzip;q=0.5'), 'gzip');
    assert.equal(pickEncoding('*'), 'br');
    assert.equal(pickEncoding('identity'), 'identity');
  });
});
