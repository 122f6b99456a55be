/**
 * <tender-checkout> with the newer actions: the wallet's own payment sheet inside WeChat (`app`),
 * card fields in the tokenizer's frame followed by 3-D Secure in a frame (`challenge`), the
 * approximate amount in the wallet's currency, and the client context sent with each attempt.
 */
import { expect, waitUntil } from '@open-wc/testing';
import type { TenderCheckout } from '../../widget/define.ts';
import { $, choose, fake, mount, pay, radios, statusText, waitForStatus } from './harness.ts';

/** The frame once it is on screen: the card part (tokenizer and challenge) loads on demand. */
async function frameOf(el: TenderCheckout, part: string): Promise<HTMLIFrameElement> {
  const selector = `iframe[part="${part}"]`;
  await waitUntil(() => el.shadowRoot?.querySelector(selector) != null, `no ${selector}`);
  return $(el, selector, HTMLIFrameElement);
}

async function frameLoaded(frame: HTMLIFrameElement, id: string): Promise<Document> {
  await waitUntil(() => frame.contentDocument?.getElementById(id) != null, 'the frame did not load');
  return frame.contentDocument as Document;
}

describe('<tender-checkout> actions', () => {
  it('sends where the shopper is with every attempt', async () => {
    const session = await fake.session('cad');
    const el = await mount(session);
    await choose(el, 'WeChat Pay');
    await pay(el);
    await waitForStatus(el, 'Scan the code with WeChat Pay to pay.');
    const [request] = (await fake.log(session.id)).attemptRequests;
    expect(request?.client).to.deep.equal({ device: 'desktop', inApp: null });
  });

  it('shows the approximate amount in the wallet’s currency beside each method and the amount', async () => {
    const session = await fake.session('cny');
    const el = await mount(session);
    const label = radios(el)[0]?.closest('label');
    expect(label?.querySelector('.method-estimate')?.textContent?.trim()).to.equal('≈ CN¥221.35');
    radios(el)[0]?.click();
    await el.updateComplete;
    expect($(el, '[part="estimate"]').textContent?.trim()).to.equal('≈ CN¥221.35');
    await expect(el).to.be.accessible();
  });

  describe('inside WeChat', () => {
    let calls: Array<{ name: string; params: Record<string, string> }> = [];
    let answer = 'get_brand_wcpay_request:ok';

    beforeEach(() => {
      calls = [];
      Object.defineProperty(navigator, 'userAgent', {
        configurable: true,
        get: () => 'Mozilla/5.0 (iPhone) AppleWebKit/605.1.15 Mobile/15E148 MicroMessenger/8.0.50',
      });
      window.WeixinJSBridge = {
        invoke: (name, params, callback) => {
          calls.push({ name, params });
          setTimeout(() => callback({ err_msg: answer }), 0);
        },
      };
    });

    afterEach(() => {
      delete (navigator as { userAgent?: string }).userAgent;
      delete window.WeixinJSBridge;
    });

    it('opens WeChat’s payment sheet with the BFF’s parameters, then waits for the outcome', async () => {
      answer = 'get_brand_wcpay_request:ok';
      const session = await fake.session('cad');
      const el = await mount(session);
      await choose(el, 'WeChat Pay');
      await pay(el);
      await waitForStatus(el, 'Waiting for confirmation…');
      expect(calls).to.have.length(1);
      expect(calls[0]?.name).to.equal('getBrandWCPayRequest');
      expect(calls[0]?.params.signType).to.equal('RSA');
      const [request] = (await fake.log(session.id)).attemptRequests;
      expect(request?.client?.inApp).to.equal('wechat');
      await fake.emit(session.id, { status: 'succeeded', attempt: { status: 'succeeded' } });
      await waitForStatus(el, 'Payment received. Thank you!');
    });

    it('lets the shopper try again after closing the sheet', async () => {
      answer = 'get_brand_wcpay_request:cancel';
      const session = await fake.session('cad');
      const el = await mount(session);
      await choose(el, 'WeChat Pay');
      await pay(el);
      await waitForStatus(el, 'The payment was not confirmed in the app. You can try again.');
      expect($(el, '[part="pay-button"]').textContent?.trim()).to.equal('Pay CA$42.50');
    });
  });

  describe('cards', () => {
    it('takes the card in the tokenizer’s frame, pays with its token, then shows the bank’s check in a frame', async () => {
      const session = await fake.session('card');
      const el = await mount(session);
      const frame = await frameOf(el, 'card-frame');
      expect(frame.title).to.equal('Card details');
      const doc = await frameLoaded(frame, 'number');
      await waitUntil(() => frame.getAttribute('height') === '120', 'the frame’s size was not applied');
      await expect(el).to.be.accessible();

      (doc.getElementById('number') as HTMLInputElement).value = '4242 4242 4242 4242';
      expect($(el, '[part="pay-button"]').textContent?.trim()).to.equal('Pay $15.00');
      await pay(el);
      await waitForStatus(el, 'Confirm the payment with your bank.');
      const [request] = (await fake.log(session.id)).attemptRequests;
      expect(request?.fields).to.deep.equal({ token: 'tok_4242' });

      // The issuer's fields were posted into the frame, not the page.
      const challenge = await frameOf(el, 'challenge-frame');
      await waitUntil(async () => (await fake.log(session.id)).providerVisits.length === 1, 'no visit to the bank');
      const [visit] = (await fake.log(session.id)).providerVisits;
      expect(visit?.method).to.equal('POST');
      await waitUntil(() => challenge.contentDocument?.body?.textContent?.includes('Your bank’s check') === true);
      await expect(el).to.be.accessible();

      await fake.emit(session.id, { status: 'succeeded', attempt: { status: 'succeeded' } });
      await waitForStatus(el, 'Payment received. Thank you!');
    });

    it('shows the frame’s own error and stays on the form', async () => {
      const session = await fake.session('card');
      const el = await mount(session);
      await frameLoaded(await frameOf(el, 'card-frame'), 'number');
      await pay(el);
      await waitUntil(() => el.shadowRoot?.querySelector('#form-note') != null, 'no error shown');
      expect($(el, '#form-note').textContent?.trim()).to.equal('Enter a 16-digit card number.');
      expect(statusText(el)).to.equal('Choose how you would like to pay.');
      expect((await fake.log(session.id)).attemptRequests).to.have.length(0);
    });

    it('ignores card messages that do not come from the frame', async () => {
      const session = await fake.session('card');
      const el = await mount(session);
      const frame = await frameOf(el, 'card-frame');
      await frameLoaded(frame, 'number');
      const inner = frame.contentWindow as Window & { silent?: boolean; sendToken?: (token: string) => void };
      // Silence the frame, so only the messages sent below can answer "Pay".
      inner.silent = true;
      await pay(el);
      expect(statusText(el)).to.equal('Processing…');
      // Same origin, but sent by this page and not by the frame.
      window.postMessage({ type: 'tender-card-token', fields: { token: 'tok_forged' } }, location.origin);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect((await fake.log(session.id)).attemptRequests).to.have.length(0);
      // From the frame itself: counted.
      inner.sendToken?.('tok_real');
      await waitForStatus(el, 'Confirm the payment with your bank.');
      expect((await fake.log(session.id)).attemptRequests.map((r) => r.fields?.token)).to.deep.equal(['tok_real']);
    });
  });
});
