/**
 * <tender-checkout>: loading, the method choice and the fields a method asks for.
 * The payment flow after "Pay" is in checkout-flow.test.ts.
 */
import { expect, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import { render } from 'lit/html.js';
import { CheckoutApi } from '../../widget/api.ts';
import { TenderCheckout } from '../../widget/define.ts';
import {
  $,
  $$,
  attach,
  recordFromNow,
  buttonNamed,
  choose,
  fake,
  hasButton,
  mount,
  pay,
  radios,
  record,
  statusText,
  waitForStatus,
} from './harness.ts';

function fieldByLabel(el: TenderCheckout, label: string): HTMLInputElement | HTMLSelectElement {
  const found = $$<HTMLLabelElement>(el, '.field label').find((l) => l.textContent?.replace('*', '').trim() === label);
  const control = found?.control;
  if (!(control instanceof HTMLInputElement || control instanceof HTMLSelectElement)) {
    throw new Error(`no field labelled "${label}"`);
  }
  return control;
}

async function type(el: TenderCheckout, label: string, value: string): Promise<void> {
  const control = fieldByLabel(el, label);
  control.value = value;
  control.dispatchEvent(new Event(control instanceof HTMLSelectElement ? 'change' : 'input', { bubbles: true }));
  await el.updateComplete;
}

function fieldErrors(el: TenderCheckout): string[] {
  return $$(el, '.field .field-error').map((p) => p.textContent?.trim() ?? '');
}

describe('<tender-checkout> choosing a method', () => {
  it('is accessible while choosing, with fields shown', async () => {
    const el = await mount(await fake.session('thb'));
    await choose(el, 'Thai QR');
    await expect(el).to.be.accessible();
  });

  it('draws each method’s logo inline beside its name, as decoration', async () => {
    const el = await mount(await fake.session('cad'));
    await waitUntil(() => el.shadowRoot?.querySelectorAll('[part="logo"] svg').length === 3, 'no logos');
    for (const logo of $$(el, '[part="logo"] svg')) {
      expect(logo.getAttribute('aria-hidden')).to.equal('true');
      expect(logo.querySelector('path')?.getAttribute('d')).to.match(/^M/);
      expect(logo.getBoundingClientRect().width).to.equal(24);
    }
    await expect(el).to.be.accessible();
  });

  it('is accessible with validation errors shown', async () => {
    const el = await mount(await fake.session('thb'));
    await choose(el, 'Thai QR');
    await pay(el);
    expect(fieldErrors(el)).to.have.length(3);
    await expect(el).to.be.accessible();
  });

  describe('defaults and attributes', () => {
    it('says it is not set up when session and client-secret are missing, without firing events', async () => {
      const el = document.createElement('tender-checkout');
      const errors = record(el, 'tender-error');
      const ready = record(el, 'tender-ready');
      attach(el);
      await el.updateComplete;
      expect(el.session).to.equal('');
      expect(el.clientSecret).to.equal('');
      expect(el.api).to.equal('');
      expect(el.locale).to.equal('');
      expect(statusText(el)).to.equal('This checkout is not set up correctly.');
      expect(hasButton(el, 'Try again')).to.equal(false);
      expect(errors).to.have.length(0);
      expect(ready).to.have.length(0);
    });

    it('finds the secret this tab kept before a redirect when the page gives none', async () => {
      // The hosted page a provider sends the shopper back to has no secret in its URL.
      const session = await fake.session('cad');
      const key = `tender:client-secret:${session.id}`;
      sessionStorage.setItem(key, session.clientSecret);
      try {
        const el = document.createElement('tender-checkout');
        el.session = session.id;
        el.locale = 'en';
        attach(el);
        await waitForStatus(el, 'Choose how you would like to pay.');
        expect(el.hasAttribute('client-secret')).to.equal(false);
      } finally {
        sessionStorage.removeItem(key);
      }
    });

    it('shows only the outcome and the way back when neither the page nor this tab has the secret', async () => {
      const session = await fake.session('thb');
      const errors = recordFromNow('tender-error');
      const open = document.createElement('tender-checkout');
      open.session = session.id;
      open.locale = 'en';
      attach(open);
      await waitForStatus(open, 'This payment has not been made.');
      expect($(open, '[part="merchant"]').textContent?.trim()).to.equal('Siam Goods');
      expect($(open, '[part="amount"]').textContent).to.include('1,250.00');
      expect($(open, '[part="hint"]').textContent?.trim()).to.equal('Please return to the shop and start again.');
      expect(open.shadowRoot?.querySelectorAll('input, select, button')).to.have.length(0);
      await expect(open).to.be.accessible();

      const paidSession = await fake.session('succeeded');
      const paid = document.createElement('tender-checkout');
      paid.session = paidSession.id;
      paid.locale = 'en';
      attach(paid);
      await waitForStatus(paid, 'Payment received. Thank you!');
      const back = $(paid, '[part="return-link"]', HTMLAnchorElement);
      expect(back.href).to.equal(`${location.origin}/fake/shop/thanks`);
      expect(back.textContent?.trim()).to.equal('Return to Maple Tea House');
      expect(paid.shadowRoot?.querySelector('[part="hint"]')).to.equal(null);
      expect((await fake.log(session.id)).connections).to.have.length(0);
      expect(errors).to.have.length(0);
    });

    it('says the checkout does not exist for an unknown session and no secret', async () => {
      const el = document.createElement('tender-checkout');
      el.session = 'cs_nope';
      el.locale = 'en';
      attach(el);
      await waitForStatus(el, 'This checkout does not exist.');
      expect(hasButton(el, 'Try again')).to.equal(false);
    });

    it('reflects session, api and locale, but never writes the client secret into an attribute', async () => {
      const session = await fake.session('thb');
      const el = await mount(session);
      expect(el.session).to.equal(session.id);
      expect(el.clientSecret).to.equal(session.clientSecret);
      el.api = location.origin;
      el.locale = 'th';
      el.clientSecret = 'changed-by-property';
      await el.updateComplete;
      expect(el.getAttribute('api')).to.equal(location.origin);
      expect(el.getAttribute('locale')).to.equal('th');
      expect(el.getAttribute('client-secret')).to.equal(session.clientSecret);
    });

    it('talks to the page origin when api is absent and to the api attribute when set', async () => {
      const session = await fake.session('thb');
      const el = await mount(session);
      // The BFF lives on the page's origin: loading at all proves the default.
      expect(statusText(el)).to.equal('Choose how you would like to pay.');
      el.api = 'http://127.0.0.1:9/';
      await waitUntil(
        () => statusText(el) !== 'Loading checkout…' && statusText(el) !== 'Choose how you would like to pay.',
      );
      expect(statusText(el)).to.equal('Could not reach the payment server. Check your connection and try again.');
    });

    it('fires no event when the host changes the locale', async () => {
      const el = await mount(await fake.session('thb'));
      const seen: string[] = [];
      for (const type of ['tender-ready', 'tender-status', 'tender-error', 'tender-attempt'] as const) {
        el.addEventListener(type, () => seen.push(type));
      }
      el.locale = 'zh-CN';
      await waitUntil(() => $(el, 'legend').textContent?.trim() === '支付方式', 'the table did not load');
      expect(seen).to.deep.equal([]);
    });
  });

  it('draws control borders at 3:1 or more against the background (WCAG 1.4.11)', async () => {
    const el = await mount(await fake.session('thb'));
    await choose(el, 'Thai QR');
    const surface = rgb(getComputedStyle($(el, '[part="base"]')).backgroundColor);
    const controls = [$(el, 'select'), $(el, 'input[type="text"]'), $(el, 'label.method')];
    for (const control of controls) {
      const border = rgb(getComputedStyle(control).borderTopColor);
      expect(contrast(border, surface), control.outerHTML.slice(0, 40)).to.be.at.least(3);
    }
  });

  it('shows merchant, formatted amount and description', async () => {
    const el = await mount(await fake.session('thb'));
    expect($(el, '[part="merchant"]').textContent?.trim()).to.equal('Siam Goods');
    expect($(el, '[part="amount"]').textContent?.trim()).to.equal('THB\u00a01,250.00');
    expect($(el, '[part="description"]').textContent?.trim()).to.equal('Order #1042');
  });

  it('fires tender-ready with the view once loaded', async () => {
    const session = await fake.session('cad');
    const el = document.createElement('tender-checkout');
    const ready = record(el, 'tender-ready');
    el.session = session.id;
    el.clientSecret = session.clientSecret;
    attach(el);
    await waitUntil(() => ready.length === 1);
    expect(ready[0]?.detail.view.id).to.equal(session.id);
    expect(ready[0]?.detail.view.methods.map((m) => m.id)).to.deep.equal([
      'ottpay.wechat',
      'ottpay.alipay',
      'ottpay.unionpay',
    ]);
    expect(ready[0]?.bubbles).to.equal(true);
    expect(ready[0]?.composed).to.equal(true);
  });

  it('keeps the method list a server drew (a declarative shadow root) until its own is ready, then draws over it', async () => {
    const session = await fake.session('cad');
    const view = await new CheckoutApi({
      base: location.origin,
      sessionId: session.id,
      clientSecret: session.clientSecret,
    }).firstView();
    // What the hosted page writes (server/routes/first-screen.ts), drawn here by the same method.
    const drawn = document.createElement('div');
    render(await TenderCheckout.firstScreen(view, 'en'), drawn);
    const host = document.createElement('div');
    host.setHTMLUnsafe(
      `<tender-checkout session="${session.id}" client-secret="${session.clientSecret}" locale="en"><template shadowrootmode="open"><style>${TenderCheckout.styles}</style><div inert>${drawn.innerHTML}</div></template></tender-checkout>`,
    );
    const el = host.querySelector('tender-checkout');
    if (!el) throw new Error('no element parsed');
    const root = el.shadowRoot;
    expect(root, 'the declarative root is attached').to.not.equal(null);
    const ready = record(el, 'tender-ready');
    attach(host);
    await el.updateComplete;
    // Still loading: the drawing stays, with no "Loading" screen drawn over or beside it.
    expect(el.shadowRoot).to.equal(root);
    expect($$(el, '[inert] [part~="method"]')).to.have.length(3);
    expect($$(el, 'form')).to.have.length(1);
    await waitUntil(
      () => ready.length === 1 && !el.shadowRoot?.querySelector('[inert]'),
      'the element did not take over',
    );
    await el.updateComplete;
    // Its own list, once: the server's drawing and its stylesheet are gone, the adopted one styles it.
    expect(el.shadowRoot).to.equal(root);
    expect($$(el, 'form')).to.have.length(1);
    expect($$(el, 'style')).to.have.length(0);
    expect(radios(el).map((radio) => radio.value)).to.deep.equal(view.methods.map((method) => method.id));
    expect(getComputedStyle($(el, '.base')).display).to.equal('grid');
    await choose(el, 'Alipay');
    expect(radios(el).find((radio) => radio.checked)?.value).to.equal('ottpay.alipay');
  });

  it('draws over a server-drawn list with the error when the session cannot be loaded', async () => {
    const session = await fake.session('cad');
    const host = document.createElement('div');
    host.setHTMLUnsafe(
      `<tender-checkout session="${session.id}" client-secret="wrong" locale="en"><template shadowrootmode="open"><div inert><label part="method">WeChat Pay</label></div></template></tender-checkout>`,
    );
    const el = host.querySelector('tender-checkout');
    if (!el) throw new Error('no element parsed');
    attach(host);
    await waitUntil(() => !el.shadowRoot?.querySelector('[inert]'), 'the drawing stayed');
    expect(statusText(el)).to.not.equal('');
    expect($$(el, '[part~="method"]')).to.have.length(0);
  });

  it('lists the methods as native radios in a fieldset with a legend, none chosen yet', async () => {
    const el = await mount(await fake.session('cad'));
    const fieldset = $(el, 'fieldset', HTMLFieldSetElement);
    expect(fieldset.querySelector('legend')?.textContent?.trim()).to.equal('Payment method');
    const inputs = radios(el);
    expect(inputs.map((r) => r.labels?.[0]?.textContent?.trim())).to.deep.equal(['WeChat Pay', 'Alipay', 'UnionPay']);
    expect(new Set(inputs.map((r) => r.name)).size).to.equal(1);
    expect(inputs.some((r) => r.checked)).to.equal(false);
    expect($(el, '[part="pay-button"]').textContent?.trim()).to.equal('Pay CA$42.50');
  });

  it('preselects the only method when there is one', async () => {
    const el = await mount(await fake.session('usd'));
    expect(radios(el).map((r) => r.checked)).to.deep.equal([true]);
  });

  it('moves the choice with the arrow keys and selects with Space', async () => {
    const el = await mount(await fake.session('thb'));
    const [thaiQr, trueMoney] = radios(el);
    thaiQr?.focus();
    await sendKeys({ press: 'Space' });
    await el.updateComplete;
    expect(thaiQr?.checked).to.equal(true);
    expect(fieldByLabel(el, 'Bank')).to.exist;

    await sendKeys({ press: 'ArrowDown' });
    await el.updateComplete;
    expect(trueMoney?.checked).to.equal(true);
    expect(shadowActive(el)).to.equal(trueMoney);
    // The fields follow the choice: TrueMoney asks for a phone, not a bank.
    expect(fieldByLabel(el, 'Phone number')).to.exist;
    expect(() => fieldByLabel(el, 'Bank')).to.throw();
  });

  it('asks to choose a method when Pay is pressed without one', async () => {
    const session = await fake.session('cad');
    const el = await mount(session);
    await pay(el);
    expect($(el, '#method-error').textContent?.trim()).to.equal('Choose a payment method.');
    expect($(el, 'fieldset').getAttribute('aria-describedby')).to.equal('method-error');
    expect((await fake.log(session.id)).attemptRequests).to.have.length(0);
    await choose(el, 'Alipay');
    expect(shadow(el).querySelector('#method-error')).to.equal(null);
  });

  describe('One1Pay fields', () => {
    it('renders each field with a visible label and marks the required ones', async () => {
      const el = await mount(await fake.session('thb'));
      await choose(el, 'Thai QR');
      const labels = $$<HTMLLabelElement>(el, '.field label').map((l) => l.textContent?.replace(/\s+/g, ' ').trim());
      expect(labels).to.deep.equal(['Bank *', 'Account holder name *', 'Account number *']);
      const bank = fieldByLabel(el, 'Bank');
      expect(bank).to.be.instanceOf(HTMLSelectElement);
      expect([...(bank as HTMLSelectElement).options].map((o) => o.textContent?.trim())).to.deep.equal([
        'Select…',
        'Siam Commercial Bank',
        'Kasikornbank',
      ]);
      expect(fieldByLabel(el, 'Account holder name').required).to.equal(true);
      expect((fieldByLabel(el, 'Account number') as HTMLInputElement).maxLength).to.equal(12);

      await choose(el, 'TrueMoney Wallet');
      expect(fieldByLabel(el, 'Phone number').type).to.equal('tel');
      expect(fieldByLabel(el, 'Email').required).to.equal(false);
    });

    it('validates before submitting and sends nothing while a field is wrong', async () => {
      const session = await fake.session('thb');
      const el = await mount(session);
      await choose(el, 'Thai QR');
      await pay(el);
      expect(fieldErrors(el)).to.deep.equal([
        'Bank is required.',
        'Account holder name is required.',
        'Account number is required.',
      ]);
      const bank = fieldByLabel(el, 'Bank');
      expect(bank.getAttribute('aria-invalid')).to.equal('true');
      expect(bank.getAttribute('aria-describedby')).to.equal('field-0-error');
      await waitUntil(() => shadowActive(el) === bank, 'focus did not move to the first invalid field');
      expect((await fake.log(session.id)).attemptRequests).to.have.length(0);

      await type(el, 'Bank', '2');
      // Fixing a field clears its message as the shopper types.
      expect(fieldErrors(el)).to.deep.equal(['Account holder name is required.', 'Account number is required.']);
      await type(el, 'Account holder name', 'Somchai Jaidee');
      await type(el, 'Account number', '1234567890123');
      await pay(el);
      expect(fieldErrors(el)).to.deep.equal(['Account number is too long.']);
      expect((await fake.log(session.id)).attemptRequests).to.have.length(0);
    });

    it('checks phone and email formats', async () => {
      const el = await mount(await fake.session('thb'));
      await choose(el, 'TrueMoney Wallet');
      await type(el, 'Phone number', 'call me');
      await type(el, 'Email', 'not-an-email');
      await pay(el);
      expect(fieldErrors(el)).to.deep.equal(['Enter a valid phone number.', 'Enter a valid email address.']);
    });

    it('sends the trimmed fields of the chosen method with the attempt', async () => {
      const session = await fake.session('thb');
      const el = await mount(session);
      el.addEventListener('tender-redirect', (event) => event.preventDefault());
      await choose(el, 'Thai QR');
      await type(el, 'Bank', '1');
      await type(el, 'Account holder name', '  Somchai Jaidee ');
      await type(el, 'Account number', '123-4-56789');
      await pay(el);
      await waitForStatus(el, 'Waiting for confirmation…');
      expect(
        (await fake.log(session.id)).attemptRequests.map(({ client: _client, ...request }) => request),
      ).to.deep.equal([
        {
          method: 'one1pay.thaiqr',
          fields: { bankId: '1', holderName: 'Somchai Jaidee', accountNumber: '123-4-56789' },
        },
      ]);
    });
  });

  describe('translations', () => {
    it('speaks Thai with locale="th"', async () => {
      const el = await mount(await fake.session('thb'), { locale: 'th' });
      expect($(el, 'legend').textContent?.trim()).to.equal('วิธีการชำระเงิน');
      expect(statusText(el)).to.equal('เลือกวิธีที่คุณต้องการชำระเงิน');
      expect($(el, '[part="base"]').getAttribute('lang')).to.equal('th');
      await choose(el, 'Thai QR');
      expect(fieldByLabel(el, 'ธนาคาร')).to.exist;
      expect($(el, '[part="amount"]').textContent?.trim()).to.equal('฿1,250.00');
    });

    it('names Thai banks in Japanese with locale="ja"', async () => {
      const el = await mount(await fake.session('thb'), { locale: 'ja' });
      await choose(el, 'Thai QR');
      const bank = fieldByLabel(el, '銀行') as HTMLSelectElement;
      expect([...bank.options].map((o) => o.textContent?.trim())).to.deep.equal([
        '選択してください',
        'サイアム商業銀行',
        'カシコン銀行',
      ]);
    });

    it('speaks Simplified Chinese and names the wallets in Chinese', async () => {
      const el = await mount(await fake.session('cad'), { locale: 'zh-CN' });
      expect(radios(el).map((r) => r.labels?.[0]?.textContent?.trim())).to.deep.equal(['微信支付', '支付宝', '银联']);
      expect(buttonNamed(el, '支付 CA$42.50')).to.exist;
    });

    it('falls back to English for a language it does not have', async () => {
      const el = await mount(await fake.session('cad'), { locale: 'fr-FR' });
      expect($(el, 'legend').textContent?.trim()).to.equal('Payment method');
      expect($(el, '[part="base"]').getAttribute('lang')).to.equal('en');
    });

    it('speaks Arabic right to left, and is accessible so', async () => {
      const el = await mount(await fake.session('cad'), { locale: 'ar' });
      const base = $(el, '[part="base"]');
      expect([base.getAttribute('lang'), base.getAttribute('dir')]).to.deep.equal(['ar', 'rtl']);
      expect(statusText(el)).to.equal('اختر طريقة الدفع التي تفضّلها.');
      // The amount through Intl in Arabic; the method names where Arabic has them.
      expect($(el, '[part="amount"]').textContent?.trim()).to.equal(
        new Intl.NumberFormat('ar', { style: 'currency', currency: 'CAD' }).format(42.5),
      );
      expect(radios(el)[0]?.labels?.[0]?.textContent?.trim()).to.equal('وي تشات باي');
      await expect(el).to.be.accessible();
    });

    it('follows the nearest lang of the page when it has no locale', async () => {
      const session = await fake.session('cad');
      const wrapper = attach(document.createElement('div'));
      wrapper.lang = 'zh-TW';
      const el = document.createElement('tender-checkout');
      el.session = session.id;
      el.clientSecret = session.clientSecret;
      wrapper.append(el);
      await waitForStatus(el, '請選擇付款方式。');
      expect($(el, '[part="base"]').getAttribute('lang')).to.equal('zh-Hant');
    });

    it('follows the browser’s languages when the page says nothing it speaks', async () => {
      const session = await fake.session('cad');
      const languages = Object.getOwnPropertyDescriptor(Navigator.prototype, 'languages');
      Object.defineProperty(navigator, 'languages', { configurable: true, get: () => ['fr-FR', 'ja-JP', 'en'] });
      try {
        const wrapper = attach(document.createElement('div'));
        wrapper.lang = 'fr';
        const el = document.createElement('tender-checkout');
        el.session = session.id;
        el.clientSecret = session.clientSecret;
        wrapper.append(el);
        await waitForStatus(el, 'お支払い方法を選んでください。');
      } finally {
        delete (navigator as { languages?: unknown }).languages;
        expect(Object.getOwnPropertyDescriptor(Navigator.prototype, 'languages')).to.deep.equal(languages);
      }
    });
  });
});

function shadow(el: TenderCheckout): ShadowRoot {
  if (!el.shadowRoot) throw new Error('no shadow root');
  return el.shadowRoot;
}

function shadowActive(el: TenderCheckout): Element | null {
  return shadow(el).activeElement;
}

function rgb(color: string): [number, number, number] {
  const parts = /rgba?\((\d+), (\d+), (\d+)/.exec(color);
  if (!parts) throw new Error(`not an rgb() colour: ${color}`);
  return [Number(parts[1]), Number(parts[2]), Number(parts[3])];
}

/** WCAG 2 contrast ratio of two sRGB colours. */
function contrast(a: [number, number, number], b: [number, number, number]): number {
  const luminance = (c: [number, number, number]) => {
    const [r, g, bl] = c.map((v) => {
      const s = v / 255;
      return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    }) as [number, number, number];
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}
