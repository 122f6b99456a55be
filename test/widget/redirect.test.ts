import { expect } from '@open-wc/testing';
import { buildRedirectForm, isAppLink, isNavigableUrl, performRedirect } from '../../widget/redirect.ts';

function recorder() {
  const assigned: string[] = [];
  const submitted: HTMLFormElement[] = [];
  return {
    assigned,
    submitted,
    navigator: { assign: (url: string) => assigned.push(url), submit: (form: HTMLFormElement) => submitted.push(form) },
  };
}

describe('redirects', () => {
  it('navigates a plain GET with location.assign', () => {
    const r = recorder();
    performRedirect({ type: 'redirect', url: 'https://pay.example/p/1', method: 'GET', fields: {} }, r.navigator);
    expect(r.assigned).to.deep.equal(['https://pay.example/p/1']);
    expect(r.submitted).to.have.length(0);
  });

  it('submits a form with hidden fields for a POST', () => {
    const r = recorder();
    performRedirect(
      { type: 'redirect', url: 'https://pay.example/p', method: 'POST', fields: { order: 'o_1', sign: 'a&b' } },
      r.navigator,
    );
    const form = r.submitted[0];
    expect(form?.method).to.equal('post');
    expect(form?.action).to.equal('https://pay.example/p');
    expect([...new FormData(form)].map(([k, v]) => `${k}=${typeof v === 'string' ? v : v.name}`)).to.deep.equal([
      'order=o_1',
      'sign=a&b',
    ]);
  });

  it('uses a form for a GET that carries fields', () => {
    const form = buildRedirectForm(document, {
      type: 'redirect',
      url: 'https://pay.example/p',
      method: 'GET',
      fields: { q: '1' },
    });
    expect(form.method).to.equal('get');
    expect(form.hidden).to.equal(true);
  });

  it('refuses script and data URLs', () => {
    expect(isNavigableUrl('javascript:alert(1)')).to.equal(false);
    expect(isNavigableUrl('data:text/html,hi')).to.equal(false);
    expect(isNavigableUrl('https://pay.example')).to.equal(true);
  });

  it('lets "Open in app" use only the web and wallet schemes, however the scheme is disguised', () => {
    expect(isAppLink('weixin://wxpay/bizpayurl?pr=abc')).to.equal(true);
    expect(isAppLink('alipays://platformapi/startapp?saId=10000007&qrcode=x')).to.equal(true);
    expect(isAppLink('alipay://platformapi/startapp')).to.equal(true);
    expect(isAppLink('https://qr.alipay.com/x')).to.equal(true);
    for (const bad of [
      'javascript:alert(1)',
      'java\tscript:alert(1)',
      'java\nscript:alert(1)',
      ' JavaScript:alert(1)',
      '\u0000javascript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'vbscript:msgbox',
      'file:///etc/passwd',
      'intent://x#Intent;end',
      '/relative/path',
      '',
    ]) {
      expect(isAppLink(bad), JSON.stringify(bad)).to.equal(false);
    }
  });
});
