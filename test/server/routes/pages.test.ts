import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createHash } from 'node:crypto';
import { jsonForScriptElement } from '../../../server/routes/pages.ts';
import { startTestBff, type TestBff } from '../harness.ts';

/** The CSP source for one inline script or stylesheet, computed here apart from the server's. */
const hashOf = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

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
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.equal(page.headers.get('referrer-policy'), 'no-referrer');
    const html = await page.text();
    assert.match(
      html,
      new RegExp(`<tender-checkout session="${session.id}" client-secret="${session.clientSecret}"\\s*>`),
    );
    assert.ok(
      /<template shadowrootmode="open"><style>/.test(html),
      'the method list is drawn (the widget must be built)',
    );
    // The page shows the method list: nothing is fetched before it is painted. Its loader, written
    // into the page, names the bundle (its content-hashed name once built, widget-assets.test.ts,
    // else the plain one) and adds it then.
    assert.doesNotMatch(html, /<link rel="(module)?preload"|<script src=/);
    const loader = /<script data-bundle="\/tender(\.[0-9a-f]{12})?\.js" data-modules="">([^]*?)<\/script>/.exec(
      html,
    )?.[2];
    assert.ok(loader, 'the loader names the bundle');
    assert.match(loader, /first-contentful-paint/);
    // Inline code is let in by its hash and nothing else: the loader, the page's own stylesheet and
    // the first screen's (first-screen.ts).
    assert.ok(csp.includes(`script-src 'self' ${hashOf(loader)};`), csp);
    const styles = [...html.matchAll(/<style>([^]*?)<\/style>/g)].map((match) => match[1] ?? '');
    assert.equal(styles.length, 2);
    assert.ok(csp.includes(`style-src 'self' ${styles.map(hashOf).join(' ')};`), csp);
    assert.equal(html.match(/<script/g)?.length, 2, 'the loader and the view (a data block), nothing else');
    assert.doesNotMatch(html, / style=/);
    assert.ok(!html.includes(bff.config.merchant.secretKey));

    for (const query of ['?secret=', '?secret=wrong', `?secret=${session.clientSecret}x`]) {
      const denied = await bff.runtime.app.request(`/pay/${session.id}${query}`);
      assert.equal(denied.status, 404, query);
      assert.ok(!(await denied.text()).includes('tender-checkout'));
    }
    assert.equal((await bff.runtime.app.request('/pay/not-a-session')).status, 404);

    // Coming back from a provider: no secret in the URL, so the page holds no session data at all,
    // and nothing to show before the element runs: the bundle is loaded at once, no inline script.
    const shell = await bff.runtime.app.request(`/pay/${session.id}`, {
      headers: { 'accept-language': 'th-TH,th;q=0.9,en;q=0.8' },
    });
    assert.equal(shell.status, 200);
    const shellHtml = await shell.text();
    assert.match(shellHtml, new RegExp(`<tender-checkout session="${session.id}"></tender-checkout>`));
    assert.ok(!shellHtml.includes('secret'), 'no secret in the shell');
    assert.ok(!shellHtml.includes('12.00'), 'no session data in the shell');
    assert.match(shellHtml, /<html lang="th" dir="ltr">/);
    assert.match(shellHtml, /<script src="\/tender(\.[0-9a-f]{12})?\.js" defer><\/script>/);
    assert.doesNotMatch(shellHtml, /<script>|<script data-/);
    assert.match(shell.headers.get('content-security-policy') ?? '', /script-src 'self';/);

    // The "not valid" page has no element, so no script either; its stylesheet is the page's own.
    const invalid = await bff.runtime.app.request(`/pay/${session.id}?secret=wrong`);
    const invalidHtml = await invalid.text();
    assert.doesNotMatch(invalidHtml, /<script|preload/);
    const pageStyle = /<style>([^]*?)<\/style>/.exec(invalidHtml)?.[1] ?? '';
    assert.match(pageStyle, /prefers-color-scheme:dark/);
    assert.ok(
      (invalid.headers.get('content-security-policy') ?? '').includes(`style-src 'self' ${hashOf(pageStyle)};`),
    );
  });

  it('draws the method list into the page for a session with no attempt yet, and no list once it has one', async () => {
    const hostile = '</template></tender-checkout><script src="/x.js"></script> checked="true" <!--lit-part-->';
    const session = await bff.createSession({
      amount: '450.00',
      currency: 'THB',
      reference: 'first-screen',
      description: hostile,
    });
    const url = `/pay/${session.id}?secret=${encodeURIComponent(session.clientSecret)}`;
    const html = await (await bff.runtime.app.request(url, { headers: { 'accept-language': 'th' } })).text();
    const screen = /<template shadowrootmode="open"><style>[^]*?<\/style><div inert>([^]*?)<\/div><\/template>/.exec(
      html,
    )?.[1];
    assert.ok(screen !== undefined, 'the method list is drawn into the page (the widget must be built)');
    const view = (await (await bff.browser(`/v1/checkout/${session.id}`, session.clientSecret)).json()) as {
      methods: { id: string }[];
    };
    // The widget's own markup, in the page's language, one radio per method and none checked (no
    // single method to pick), without Lit's markers; the merchant's text escaped.
    assert.deepEqual(
      [...screen.matchAll(/<input\s+type="radio"\s+name="method"\s+part="radio"\s+value="([^"]+)"\s*\/>/g)].map(
        (match) => match[1],
      ),
      view.methods.map((method) => method.id),
    );
    assert.ok(view.methods.length > 1);
    assert.match(screen, /<div class="base" part="base" lang="th" dir="ltr"/);
    assert.match(screen, /<legend part="legend">วิธีการชำระเงิน<\/legend>/);
    assert.match(screen, /part="pay-button"/);
    assert.match(screen, /&lt;\/template&gt;&lt;\/tender-checkout&gt;&lt;script/);
    assert.match(screen, / checked=&quot;true&quot; &lt;!--lit-part--&gt;/);
    assert.doesNotMatch(screen, /<!--|<script/);
    assert.equal(html.match(/<script/g)?.length, 2, 'the bundle and the data block, nothing else');

    // One method: it is picked, and its radio is checked as the element would check it.
    const single = await bff.createSession({
      amount: '450.00',
      currency: 'THB',
      reference: 'first-screen-one',
      methods: [view.methods[0]?.id],
    });
    const singleHtml = await (
      await bff.runtime.app.request(`/pay/${single.id}?secret=${encodeURIComponent(single.clientSecret)}`)
    ).text();
    const radios = singleHtml.match(/<input[^>]*type="radio"[^>]*>/g) ?? [];
    assert.equal(radios.length, 1);
    assert.match(radios[0] ?? '', /\schecked\s/);

    // With an attempt under way the first screen is not the list: the element draws it.
    const paying = await bff.createSession({ amount: '12.00', currency: 'CAD', reference: 'first-screen-paying' });
    const payingUrl = `/pay/${paying.id}?secret=${encodeURIComponent(paying.clientSecret)}`;
    assert.match(await (await bff.runtime.app.request(payingUrl)).text(), /shadowrootmode/);
    const attempt = await bff.browser(`/v1/checkout/${paying.id}/attempts`, paying.clientSecret, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ method: 'ottpay.wechat' }),
    });
    assert.equal(attempt.status, 201, await attempt.clone().text());
    const later = await (await bff.runtime.app.request(payingUrl)).text();
    assert.doesNotMatch(later, /shadowrootmode/);
    assert.match(later, /<tender-checkout [^>]*>\s*<\/tender-checkout/);
  });

  it('carries the first view inline as a data block, escaped, and names what the first screen needs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tender-page-'));
    try {
      const files = {
        'tender.js': 'console.log("tender")',
        'tender-locales/th.js': 'export default {"retry":"ลองอีกครั้ง"};',
        'tender-parts/fields.js': 'export const fields = 1;',
      };
      mkdirSync(join(dir, 'tender-locales'));
      mkdirSync(join(dir, 'tender-parts'));
      for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
      const hash = (file: keyof typeof files) => createHash('sha256').update(files[file]).digest('hex').slice(0, 12);
      const app = bff.appWithWidget(join(dir, 'tender.js'));
      const hostile = '</script><script src="/x.js"></script><!-- <SCRIPT> & \u2029 "quoted"';
      const session = await bff.createSession({
        amount: '450.00',
        currency: 'THB',
        reference: 'inline-view',
        description: hostile,
        customer: { email: 'shopper@example.com', phone: '66812345678' },
      });
      const secret = encodeURIComponent(session.clientSecret);
      const page = await app.request(`/pay/${session.id}?secret=${secret}`, { headers: { 'accept-language': 'th' } });
      assert.equal(page.status, 200);
      assert.equal(page.headers.get('cache-control'), 'no-store');
      assert.doesNotMatch(page.headers.get('content-security-policy') ?? '', /unsafe-inline|unsafe-eval/);
      const html = await page.text();

      // The block ends at the first `</script>` after it: nothing in the JSON may end it earlier.
      const block = new RegExp(`<script type="application/json" id="tender-view-${session.id}">([^]*?)</script>`).exec(
        html,
      )?.[1];
      assert.ok(block, 'the page carries the view');
      assert.doesNotMatch(block, /[<>&\u2028\u2029]/);
      const view = await bff.browser(`/v1/checkout/${session.id}`, session.clientSecret);
      assert.deepEqual(JSON.parse(block), await view.json(), 'the same view GET /v1/checkout/:id answers');
      assert.equal((JSON.parse(block) as { description: string }).description, hostile);
      assert.equal(html.match(/<script/g)?.length, 2, 'the bundle and the data block, nothing else');

      // The bundle, the Thai table and the fields part (THB methods ask for fields), by hashed name,
      // named to the loader, which adds them once the first screen is painted; each is served.
      const named = /<script data-bundle="([^"]*)" data-modules="([^"]*)">/.exec(html);
      assert.ok(named, 'the loader names the files');
      assert.equal(named[1], `/tender.${hash('tender.js')}.js`);
      assert.deepEqual(named[2]?.split(' '), [
        `/tender-locales/th.${hash('tender-locales/th.js')}.js`,
        `/tender-parts/fields.${hash('tender-parts/fields.js')}.js`,
      ]);
      for (const href of [named[1], ...(named[2]?.split(' ') ?? [])]) {
        assert.equal((await app.request(href ?? '')).status, 200, href);
      }
      assert.doesNotMatch(html, /<link rel="(module)?preload"/);

      // English, and methods without fields: the bundle alone.
      const plain = await bff.createSession({ amount: '12.00', currency: 'CAD', reference: 'inline-plain' });
      const plainHtml = await (
        await app.request(`/pay/${plain.id}?secret=${encodeURIComponent(plain.clientSecret)}`, {
          headers: { 'accept-language': 'en-US' },
        })
      ).text();
      assert.match(plainHtml, new RegExp(`id="tender-view-${plain.id}"`));
      assert.match(plainHtml, new RegExp(`<script data-bundle="/tender\\.${hash('tender.js')}\\.js" data-modules="">`));

      // A wrong secret: no view, no script. None: no view either, nothing of the session's, and
      // the bundle at once (the element of the page without a secret draws everything itself).
      for (const query of ['?secret=wrong', `?secret=${secret}x`, '']) {
        const other = await app.request(`/pay/${session.id}${query}`, { headers: { 'accept-language': 'th' } });
        const text = await other.text();
        assert.equal(other.status, query ? 404 : 200, query);
        assert.ok(!text.includes('tender-view'), query);
        assert.deepEqual(
          text.match(/<script[^>]*>/g) ?? [],
          query ? [] : [`<script src="/tender.${hash('tender.js')}.js" defer>`],
          query,
        );
        assert.ok(!text.includes('450.00') && !text.includes('quoted'), query);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('writes JSON that cannot end a script element or open a comment, and reads back the same', () => {
    const value = { text: '</script><!--x-->&amp;\u2028\u2029', n: 1 };
    const json = jsonForScriptElement(value);
    assert.equal(json, '{"text":"\\u003c/script\\u003e\\u003c!--x--\\u003e\\u0026amp;\\u2028\\u2029","n":1}');
    assert.deepEqual(JSON.parse(json), value);
  });

  it('serves the widget bundle at /tender.js, and says how to build it when it is missing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tender-bundle-'));
    try {
      const bundle = join(dir, 'tender.js');
      writeFileSync(bundle, 'console.log("tender")');
      const served = await bff.appWithWidget(bundle).request('/tender.js');
      assert.equal(served.status, 200);
      assert.match(served.headers.get('content-type') ?? '', /^text\/javascript/);
      assert.equal(await served.text(), 'console.log("tender")');

      const missing = await bff.appWithWidget(join(dir, 'nope.js')).request('/tender.js');
      assert.equal(missing.status, 503);
      assert.match(((await missing.json()) as { error: { message: string } }).error.message, /npm run build/);

      // The languages beside it, importable from a merchant's page on another origin.
      mkdirSync(join(dir, 'tender-locales'));
      writeFileSync(join(dir, 'tender-locales', 'zh-Hant.js'), 'export default {"retry":"重試"};');
      const app = bff.appWithWidget(bundle);
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
      const [, lang, dir] = /<html lang="([^"]+)" dir="(ltr|rtl)">/.exec(await page.text()) ?? [];
      assert.equal(dir, lang === 'ar' ? 'rtl' : 'ltr', `the direction of ${lang}`);
      return lang;
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
