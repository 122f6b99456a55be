/**
 * axe on every screen a shopper can meet, left to right (English) and right to left (Arabic), in
 * light and dark, and the layout at 320 px with 200% text.
 */
import { expect, waitUntil } from '@open-wc/testing';
import type { TenderCheckout } from '../../widget/define.ts';
import { $, attach, buttonNamed, choose, fake, mount, pay, radios, statusText } from './harness.ts';

type Screen = (locale: string) => Promise<TenderCheckout>;

async function payFirst(el: TenderCheckout): Promise<void> {
  radios(el)[0]?.click();
  await el.updateComplete;
  await pay(el);
}

const screens: Record<string, Screen> = {
  'choosing, with fields': async (locale) => {
    const el = await mount(await fake.session('thb'), { locale });
    radios(el)[0]?.click();
    await el.updateComplete;
    await pay(el); // every field flagged
    return el;
  },
  'scanning a QR code': async (locale) => {
    const el = await mount(await fake.session('cny'), { locale });
    await payFirst(el);
    await waitUntil(() => el.shadowRoot?.querySelector('[part="qr-code"]'), 'no QR code');
    return el;
  },
  'code expired': async (locale) => {
    const session = await fake.session('cad');
    const el = await mount(session, { locale });
    await payFirst(el);
    await waitUntil(() => el.shadowRoot?.querySelector('[part="qr-code"]'), 'no QR code');
    await fake.emit(session.id, { status: 'pending', attempt: { status: 'expired' } });
    await waitUntil(() => !el.shadowRoot?.querySelector('[part="qr-code"]'), 'still scanning');
    return el;
  },
  failed: async (locale) => {
    const session = await fake.session('cad');
    const el = await mount(session, { locale });
    await payFirst(el);
    await waitUntil(() => el.shadowRoot?.querySelector('[part="qr-code"]'), 'no QR code');
    await fake.emit(session.id, {
      status: 'failed',
      attempt: { status: 'failed', failure: { code: 'declined', message: '' } },
    });
    await waitUntil(() => $(el, '[part="status"]').classList.contains('is-error'), 'not failed');
    return el;
  },
  succeeded: async (locale) => mount(await fake.session('succeeded'), { locale }),
  expired: async (locale) => mount(await fake.session('expired'), { locale }),
  'link not valid': async (locale) => mount(await fake.session('cad'), { locale, secret: 'wrong' }),
  'paid, opened without the secret': async (locale) => {
    const session = await fake.session('succeeded');
    const el = attach(document.createElement('tender-checkout'));
    el.locale = locale;
    el.session = session.id;
    await waitUntil(() => el.shadowRoot?.querySelector('.status.is-success'), 'no outcome');
    return el;
  },
  'till waiting for the PIN': async (locale) => {
    const el = await mount(await fake.session('pos'), { locale, mode: 'pos' });
    radios(el)[0]?.click();
    await el.updateComplete;
    $(el, 'input[name="code"]', HTMLInputElement).value = '134567890123456789';
    await pay(el);
    await waitUntil(() => el.shadowRoot?.querySelector('[part="hint"]'), 'not waiting');
    return el;
  },
};

describe('<tender-checkout> accessibility on every screen', () => {
  for (const [name, screen] of Object.entries(screens)) {
    it(`${name}: left to right, and right to left in dark`, async () => {
      const ltr = await screen('en');
      await expect(ltr).to.be.accessible();
      const rtl = await screen('ar');
      rtl.theme = 'dark';
      await rtl.updateComplete;
      expect($(rtl, '[part="base"]').dir).to.equal('rtl');
      expect(getComputedStyle($(rtl, '[part="base"]')).backgroundColor, 'dark surface').to.equal('rgb(17, 24, 39)');
      await expect(rtl).to.be.accessible();
    });
  }

  it('keeps the amount and the buttons inside a 320 px card at 200% text', async () => {
    const session = await fake.session('cny', { amount: '1234567.89', currency: 'IDR' });
    const frame = attach(document.createElement('div'));
    frame.style.width = '320px';
    frame.style.fontSize = '200%';
    const el = document.createElement('tender-checkout');
    el.session = session.id;
    el.clientSecret = session.clientSecret;
    el.locale = 'en';
    frame.append(el);
    await waitUntil(() => statusText(el) === 'Choose how you would like to pay.', 'did not load');
    await choose(el, 'WeChat Pay≈ CN¥221.35').catch(() => radios(el)[0]?.click());
    await el.updateComplete;
    const card = $(el, '[part="base"]').getBoundingClientRect();
    for (const part of ['amount', 'pay-button', 'estimate']) {
      const box = $(el, `[part="${part}"]`).getBoundingClientRect();
      expect(box.right, part).to.be.at.most(card.right + 0.5);
      expect(box.left, part).to.be.at.least(card.left - 0.5);
    }
    expect(buttonNamed(el, `Pay ${$(el, '[part="amount"]').textContent?.trim()}`)).to.exist;
  });
});
