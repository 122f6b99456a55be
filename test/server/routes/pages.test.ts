import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createApp } from '../../../server/app.ts';
import { startTestBff, type TestBff } from '../harness.ts';

describe('hosted page and script bundle', () => {
  let bff: TestBff;
  before(async () => {
    bff = await startTestBff();
  });
  after(() => bff.close());

  it('serves the hosted page only with the client secret, under a strict CSP', async () => {
    const session = await bff.createSession({ amount: '12.00', currency: 'CAD', reference: 'hosted' });
    const page = await bff.runtime.app.request(`/pay/${session.id}?secret=${encodeURIComponent(session.clientSecret)}`);
    assert.equal(page.status, 200);
    const csp = page.headers.get('content-security-policy') ?? '';
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.equal(page.headers.get('referrer-policy'), 'no-referrer');
    const html = await page.text();
    assert.match(html, new RegExp(`<tender-checkout session="${session.id}" client-secret="${session.clientSecret}">`));
    // The bundle's content-hashed name once it is built (widget-assets.test.ts), else the plain one.
    assert.match(html, /<script src="\/tender(\.[0-9a-f]{12})?\.js" defer><\/script>/);
    assert.doesNotMatch(html, /<script>|<style>| style=/, 'nothing inline that the CSP would block');
    assert.ok(!html.includes(bff.config.merchant.secretKey));

    for (const query of ['?secret=', '?secret=wrong', `?secret=${session.clientSecret}x`]) {
      const denied = await bff.runtime.app.request(`/pay/${session.id}${query}`);
      assert.equal(denied.status, 404, query);
      assert.ok(!(await denied.text()).includes('tender-checkout'));
    }
    assert.equal((await bff.runtime.app.request('/pay/not-a-session')).status, 404);

    // Coming back from a provider: no secret in the URL, so the page holds no session data at all.
    const shell = await bff.runtime.app.request(`/pay/${session.id}`, {
      headers: { 'accept-language': 'th-TH,th;q=0.9,en;q=0.8' },
    });
    assert.equal(shell.status, 200);
    const shellHtml = await shell.text();
    assert.match(shellHtml, new RegExp(`<tender-checkout session="${session.id}"></tender-checkout>`));
    assert.ok(!shellHtml.includes('secret'), 'no secret in the shell');
    assert.ok(!shellHtml.includes('12.00'), 'no session data in the shell');
    assert.match(shellHtml, /<html lang="th">/);
    const css = await bff.runtime.app.request('/pay.css');
    assert.match(css.headers.get('content-type') ?? '', /^text\/css/);
  });

  it('serves the widget bundle at /tender.js, and says how to build it when it is missing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tender-bundle-'));
    try {
      const bundle = join(dir, 'tender.js');
      writeFileSync(bundle, 'console.log("tender")');
      const deps = {
        config: bff.config,
        store: bff.runtime.store,
        checkout: bff.runtime.checkout,
        hub: bff.runtime.hub,
        log: { info() {}, warn() {}, error() {} },
      };
      const served = await createApp({ ...deps, widgetBundlePath: bundle }).request('/tender.js');
      assert.equal(served.status, 200);
      assert.match(served.headers.get('content-type') ?? '', /^text\/javascript/);
      assert.equal(await served.text(), 'console.log("tender")');

      const missing = await createApp({ ...deps, widgetBundlePath: join(dir, 'nope.js') }).request('/tender.js');
      assert.equal(missing.status, 503);
      assert.match((await missing.json()).error.message, /npm run build/);

      // The languages beside it, importable from a merchant's page on another origin.
      mkdirSync(join(dir, 'tender-locales'));
      writeFileSync(join(dir, 'tender-locales', 'zh-Hant.js'), 'export default {"retry":"重試"};');
      const app = createApp({ ...deps, widgetBundlePath: bundle });
      const locale = await app.request('/tender-locales/zh-Hant.js');
      assert.equal(locale.status, 200);
      assert.match(locale.headers.get('content-type') ?? '', /^text\/javascript/);
      assert.equal(locale.headers.get('access-control-allow-origin'), '*');
      assert.equal(await locale.text(), 'export default {"retry":"重試"};');
      for (const path of ['/tender-locales/fr.js', '/tender-locales/..%2Ftender.js', '/tender-locales/ja.js']) {
        assert.equal((await app.request(path)).status, 404, path);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('picks the hosted page language from Accept-Language, and remembers nothing', async () => {
    const session = await bff.createSession({ amount: '5.00', currency: 'CAD', reference: 'languages' });
    const lang = async (acceptLanguage: string | undefined) => {
      const page = await bff.runtime.app.request(`/pay/${session.id}`, {
        headers: acceptLanguage === undefined ? {} : { 'accept-language': acceptLanguage },
      });
      assert.equal(page.headers.get('set-cookie'), null, 'no language cookie');
      return /<html lang="([^"]+)">/.exec(await page.text())?.[1];
    };
    assert.equal(await lang(undefined), 'en');
    assert.equal(await lang('th'), 'th');
    assert.equal(await lang('zh-TW,zh;q=0.9'), 'zh-Hant');
    assert.equal(await lang('zh-Hant-HK'), 'zh-Hant');
    assert.equal(await lang('zh-CN'), 'zh-Hans');
    assert.equal(await lang('zh'), 'zh-Hans');
    assert.equal(await lang('in-ID'), 'id');
    assert.equal(await lang('fr-FR,ar;q=0.8'), 'ar');
    assert.equal(await lang('fr-FR,fr;q=0.9,th;q=0.5,en;q=0.7'), 'en');
    assert.equal(await lang('de, th;q=0'), 'en');
    assert.equal(await lang('en-GB,th;q=0.9'), 'en');
  });
});
