/**
 * <tender-checkout> after "Pay": QR codes, redirects, live status over SSE (with both kinds of
 * reconnect), resuming an attempt in progress, and load errors.
 */
import { expect, oneEvent, waitUntil } from '@open-wc/testing';
import type { TenderCheckout } from '../../widget/define.ts';
import { silenceLimitMs } from '../../widget/status-stream.ts';
import {
  $,
  $$,
  FAKE_QR_PATH,
  FAKE_HEARTBEAT_MS,
  attach,
  ManualClock,
  buttonNamed,
  choose,
  fake,
  hasButton,
  mount,
  pay,
  radios,
  record,
  recordFromNow,
  statusText,
  waitForStatus,
  waitForStreams,
  type FakeSession,
} from './harness.ts';
import { urlOf } from '../fetch-args.ts';

/**
 * Mounts a CAD session and pays with the given QR wallet; resolves once the code is on screen. The
 * fake server's clock is frozen at the test clock's start, so server and device agree to the ms.
 */
async function scanning(method = 'WeChat Pay', clock = new ManualClock()) {
  const session = await fake.session('cad', undefined, { serverNow: clock.now() });
  const el = await mount(session, { clock });
  const attempts = record(el, 'tender-attempt');
  await choose(el, method);
  await pay(el);
  await waitForStatus(el, `Scan the code with ${method} to pay.`);
  const attempt = attempts[0]?.detail.attempt;
  if (!attempt || attempt.action?.type !== 'qr') throw new Error('no QR attempt');
  return { session, el, clock, attempt, qr: attempt.action };
}

function countdown(el: TenderCheckout): string {
  return $(el, '[part="countdown"]').textContent?.trim() ?? '';
}

describe('<tender-checkout> paying', () => {
  it('is accessible while showing a QR code', async () => {
    const { el } = await scanning('Alipay');
    await expect(el).to.be.accessible();
  });

  it('is accessible after a failure', async () => {
    const { el, session } = await scanning();
    await fake.emit(session.id, { status: 'failed', attempt: { status: 'failed' } });
    await waitForStatus(el, 'The payment did not go through. It was declined by the bank or wallet.');
    await expect(el).to.be.accessible();
  });

  describe('QR codes', () => {
    it('draws the server’s module path with a four-module quiet zone, as a labelled image', async () => {
      const { el, session, attempt } = await scanning();
      expect(
        (await fake.log(session.id)).attemptRequests.map(({ client: _client, ...request }) => request),
      ).to.deep.equal([{ method: 'ottpay.wechat' }]);
      expect(attempt.method).to.equal('ottpay.wechat');
      const svg = $(el, 'svg[part="qr-code"]', SVGSVGElement);
      expect(svg.getAttribute('role')).to.equal('img');
      expect(svg.getAttribute('aria-label')).to.equal('QR code to pay CA$42.50 with WeChat Pay');
      expect(svg.getAttribute('viewBox')).to.equal('-4 -4 29 29');
      expect(svg.querySelector('path')?.getAttribute('d')).to.equal(FAKE_QR_PATH);
      const quietZone = svg.querySelector('rect');
      expect([
        quietZone?.getAttribute('x'),
        quietZone?.getAttribute('width'),
        quietZone?.getAttribute('fill'),
      ]).to.deep.equal(['-4', '29', '#ffffff']);
      expect(svg.querySelector('path')?.getAttribute('fill')).to.equal('#000000');
    });

    it('counts down to the code’s expiry each second and then offers another method', async () => {
      const { el, qr, clock } = await scanning('UnionPay');
      clock.set(Date.parse(qr.expiresAt) - 65_000);
      await el.updateComplete;
      expect(countdown(el)).to.equal('Code expires in 01:05');
      clock.advance(1_000);
      await el.updateComplete;
      expect(countdown(el)).to.equal('Code expires in 01:04');
      clock.advance(64_000);
      await el.updateComplete;
      expect(statusText(el)).to.equal('This code has expired.');
      expect(shadowOf(el).querySelector('svg[part="qr-code"]')).to.equal(null);
      expect(hasButton(el, 'Get a new code')).to.equal(true);
      buttonNamed(el, 'Use another method').click();
      await el.updateComplete;
      expect(statusText(el)).to.equal('Choose how you would like to pay.');
      const chosen = radios(el).find((r) => r.checked);
      expect(chosen?.value).to.equal('ottpay.unionpay');
      // Focus lands on the shopper's previous choice, ready for the arrow keys.
      await waitUntil(() => el.shadowRoot?.activeElement === chosen, 'focus did not return to the method choice');
    });

    it('links the deep link as "Open in Alipay" only when the provider gave one', async () => {
      const wechat = await scanning('WeChat Pay');
      expect(shadowOf(wechat.el).querySelector('[part="deep-link"]')).to.equal(null);

      const alipay = await scanning('Alipay');
      const link = $(alipay.el, '[part="deep-link"]', HTMLAnchorElement);
      expect(link.textContent?.trim()).to.equal('Open in Alipay');
      expect(link.getAttribute('href')).to.equal(alipay.qr.deepLink);
    });

    it('saves the code as a PNG drawn in the page, with no secret anywhere', async () => {
      const { el, session } = await scanning();
      const link = $(el, '[part="save-qr"]', HTMLAnchorElement);
      expect(link.textContent?.trim()).to.equal('Save QR image');
      // A same-origin blob: the download attribute is honoured even on a merchant's page.
      expect(link.protocol).to.equal('blob:');
      expect(link.getAttribute('download')).to.equal('payment-qr.png');
      expect(link.hasAttribute('target')).to.equal(false);
      expect(shadowOf(el).innerHTML).not.to.contain(session.clientSecret);

      const file = await (await fetch(link.href)).blob();
      expect(file.type).to.equal('image/png');
      const image = await createImageBitmap(file);
      // 21 modules plus 4 of quiet zone each side, 10 px a module.
      expect([image.width, image.height]).to.deep.equal([290, 290]);
      const canvas = document.createElement('canvas');
      canvas.width = image.width;
      canvas.height = image.height;
      const context = canvas.getContext('2d');
      context?.drawImage(image, 0, 0);
      const pixel = (x: number, y: number) => [...(context?.getImageData(x, y, 1, 1).data ?? [])].slice(0, 3);
      expect(pixel(5, 5), 'quiet zone').to.deep.equal([255, 255, 255]);
      expect(pixel(45, 45), 'finder pattern, top left').to.deep.equal([0, 0, 0]);
      expect(pixel(55, 55), 'the light ring inside the finder').to.deep.equal([255, 255, 255]);
      expect(pixel(65, 65), 'the finder’s centre').to.deep.equal([0, 0, 0]);
      expect(pixel(145, 65), 'an empty module').to.deep.equal([255, 255, 255]);
      expect(pixel(135, 135), 'the block in the middle').to.deep.equal([0, 0, 0]);
    });

    it('counts down on the server’s clock when the phone’s clock is 16 minutes fast', async () => {
      const serverNow = Math.floor(Date.now() / 1000) * 1000;
      const clock = new ManualClock(serverNow + 16 * 60_000);
      const session = await fake.session('cad', undefined, { serverNow });
      const el = await mount(session, { clock });
      await choose(el, 'WeChat Pay');
      await pay(el);
      await waitForStatus(el, 'Scan the code with WeChat Pay to pay.');
      expect(countdown(el)).to.equal('Code expires in 15:00');
      clock.advance(61_000);
      await el.updateComplete;
      expect(countdown(el)).to.equal('Code expires in 13:59');
    });

    it('shows "Open in app" only for web and wallet links, not for a disguised script', async () => {
      const wechat = await scanning('WeChat Pay');
      expect(shadowOf(wechat.el).querySelector('[part="deep-link"]')).to.equal(null);

      for (const [deepLink, shown] of [
        ['weixin://wxpay/bizpayurl?pr=abc', true],
        ['java\tscript:alert(document.domain)', false],
        ['data:text/html,hi', false],
      ] as const) {
        const session = await fake.session('cad', undefined, { deepLink });
        const el = await mount(session);
        await choose(el, 'WeChat Pay');
        await pay(el);
        await waitForStatus(el, 'Scan the code with WeChat Pay to pay.');
        const link = shadowOf(el).querySelector<HTMLAnchorElement>('[part="deep-link"]');
        expect(link?.getAttribute('href') ?? null, JSON.stringify(deepLink)).to.equal(shown ? deepLink : null);
      }
    });

    it('gets the same attempt back when the shopper picks the same wallet again', async () => {
      const { el, session, attempt } = await scanning();
      const attempts = record(el, 'tender-attempt');
      buttonNamed(el, 'Use another method').click();
      await el.updateComplete;
      await pay(el);
      await waitForStatus(el, 'Scan the code with WeChat Pay to pay.');
      expect(attempts[0]?.detail.attempt.id).to.equal(attempt.id);
      expect((await fake.log(session.id)).attemptRequests).to.have.length(2);
    });
  });

  describe('redirects', () => {
    it('fires a cancelable tender-redirect and, when canceled, waits for the status', async () => {
      const session = await fake.session('thb');
      const el = await mount(session);
      const redirect = oneEvent(el, 'tender-redirect');
      el.addEventListener('tender-redirect', (event) => event.preventDefault());
      await choose(el, 'TrueMoney Wallet');
      const phone = $(el, 'input[type="tel"]', HTMLInputElement);
      phone.value = '+66 81 234 5678';
      phone.dispatchEvent(new Event('input'));
      await pay(el);
      const event = (await redirect) as GlobalEventHandlersEventMap['tender-redirect'];
      expect(event.cancelable).to.equal(true);
      expect(event.composed).to.equal(true);
      expect(event.detail.method).to.equal('POST');
      expect(event.detail.url).to.equal(`${location.origin}/fake/provider/one1pay`);
      expect(Object.keys(event.detail.fields)).to.deep.equal(['order']);
      await waitForStatus(el, 'Waiting for confirmation…');
      expect(hasButton(el, 'Use another method')).to.equal(true);
    });
  });

  describe('live status', () => {
    it('shows success and fires tender-status then tender-succeeded, then closes the stream', async () => {
      const { el, session, attempt } = await scanning();
      await waitForStreams(session.id, 1);
      const order: string[] = [];
      const statuses = record(el, 'tender-status');
      el.addEventListener('tender-status', () => order.push('status'));
      el.addEventListener('tender-succeeded', () => order.push('succeeded'));
      const succeeded = oneEvent(el, 'tender-succeeded');
      await fake.emit(session.id, { status: 'succeeded', attempt: { status: 'succeeded' } });
      const event = (await succeeded) as GlobalEventHandlersEventMap['tender-succeeded'];
      expect(event.detail).to.deep.equal({ sessionId: session.id, attemptId: attempt.id });
      await el.updateComplete;
      expect(statusText(el)).to.equal('Payment received. Thank you!');
      expect(shadowOf(el).querySelector('svg')).to.equal(null);
      expect(order).to.deep.equal(['status', 'succeeded']);
      expect(statuses[0]?.detail.event.status).to.equal('succeeded');
      await waitForStreams(session.id, 0);
    });

    it('shows a failure and lets the shopper try another method', async () => {
      const { el, session, attempt } = await scanning();
      const failed = oneEvent(el, 'tender-failed');
      await fake.emit(session.id, {
        status: 'failed',
        attempt: { status: 'failed', failure: { code: 'declined', message: 'The payment was declined.' } },
      });
      const event = (await failed) as GlobalEventHandlersEventMap['tender-failed'];
      expect(event.detail).to.deep.equal({
        sessionId: session.id,
        attemptId: attempt.id,
        failure: { code: 'declined', message: 'The payment was declined.' },
        canRetry: true,
      });
      await el.updateComplete;
      expect(statusText(el)).to.equal('The payment did not go through. It was declined by the bank or wallet.');
      buttonNamed(el, 'Try another method').click();
      await el.updateComplete;
      expect(statusText(el)).to.equal('Choose how you would like to pay.');
      expect(radios(el)).to.have.length(3);
      await choose(el, 'UnionPay');
      await pay(el);
      await waitForStatus(el, 'Scan the code with UnionPay to pay.');
    });

    it('says why a payment failed, in the shopper’s language', async () => {
      const { el, session } = await scanning();
      await fake.emit(session.id, {
        status: 'failed',
        attempt: { status: 'failed', failure: { code: 'amount_mismatch', message: 'The amount paid was wrong.' } },
      });
      await waitForStatus(
        el,
        'The payment did not go through. The amount paid did not match this order. Please contact Maple Tea House before paying again.',
      );
      el.locale = 'th';
      await waitForStatus(el, 'การชำระเงินไม่สำเร็จ ยอดที่ชำระไม่ตรงกับคำสั่งซื้อนี้ กรุณาติดต่อ Maple Tea House ก่อนชำระอีกครั้ง');
    });

    it('falls back to the BFF’s own words for a failure code it has no text for', async () => {
      const { el, session } = await scanning();
      await fake.emit(session.id, {
        status: 'failed',
        attempt: {
          status: 'failed',
          failure: { code: 'limit_exceeded', message: 'Your wallet’s daily limit is reached.' },
        },
      });
      await waitForStatus(el, 'The payment did not go through. Your wallet’s daily limit is reached.');
    });

    it('does not offer another method once the session is past its expiry', async () => {
      const session = await fake.session('cad', { expiresAt: new Date(Date.now() + 60_000).toISOString() });
      const clock = new ManualClock();
      const el = await mount(session, { clock });
      await choose(el, 'WeChat Pay');
      await pay(el);
      await waitForStatus(el, 'Scan the code with WeChat Pay to pay.');
      clock.advance(120_000);
      const failed = oneEvent(el, 'tender-failed');
      await fake.emit(session.id, { status: 'failed', attempt: { status: 'failed' } });
      expect(((await failed) as GlobalEventHandlersEventMap['tender-failed']).detail.canRetry).to.equal(false);
      await el.updateComplete;
      expect(hasButton(el, 'Try another method')).to.equal(false);
    });

    it('gets a new code for the same wallet once the provider expired the one on screen', async () => {
      const { el, session, attempt } = await scanning('Alipay');
      await fake.emit(session.id, { status: 'pending', attempt: { status: 'expired' } });
      await waitForStatus(el, 'This code has expired.');
      const attempts = record(el, 'tender-attempt');
      buttonNamed(el, 'Get a new code').click();
      await waitForStatus(el, 'Scan the code with Alipay to pay.');
      expect(attempts[0]?.detail.attempt.method).to.equal('ottpay.alipay');
      expect(attempts[0]?.detail.attempt.id).not.to.equal(attempt.id);
    });

    it('shows expiry, fires tender-expired, and still shows a payment confirmed after it', async () => {
      const { el, session } = await scanning();
      const expired = oneEvent(el, 'tender-expired');
      await fake.emit(session.id, { status: 'expired', attempt: null });
      expect(((await expired) as GlobalEventHandlersEventMap['tender-expired']).detail.sessionId).to.equal(session.id);
      await el.updateComplete;
      expect(statusText(el)).to.equal('This checkout has expired.');
      expect($(el, '[part="hint"]').textContent?.trim()).to.equal(
        'If you paid just now, this page will update by itself.',
      );
      expect($$(el, 'button')).to.have.length(0);
      // The wallet confirms a payment made just before the deadline: the stream is still there.
      expect((await fake.log(session.id)).openStreams).to.equal(1);
      await fake.emit(session.id, { status: 'succeeded', attempt: { status: 'succeeded' } });
      await waitForStatus(el, 'Payment received. Thank you!');
      await waitForStreams(session.id, 0);
    });

    it('lets the browser reconnect with Last-Event-ID and applies the event it missed', async () => {
      const { el, session } = await scanning();
      await waitForStreams(session.id, 1);
      const lastSeen = (await fake.log(session.id)).events.at(-1)?.seq;
      // The next stream request is parked until released: the missed event is emitted meanwhile.
      await fake.drop(session.id, { hold: true });
      // The browser reconnects after the BFF's `retry` (3 s).
      await waitUntil(async () => (await fake.log(session.id)).heldStreams === 1, 'the browser did not reconnect', {
        timeout: 5_000,
      });
      await fake.emit(session.id, { status: 'succeeded', attempt: { status: 'succeeded' } });
      const succeeded = oneEvent(el, 'tender-succeeded');
      await fake.release(session.id);
      await succeeded;
      await el.updateComplete;
      expect(statusText(el)).to.equal('Payment received. Thank you!');
      const reconnect = (await fake.log(session.id)).connections.at(-1);
      expect(reconnect?.lastEventIdHeader).to.equal(String(lastSeen));
    }).timeout(10_000);

    it('opens a new stream with lastEventId after the old one was closed for good', async () => {
      const { el, session, clock } = await scanning();
      await waitForStreams(session.id, 1);
      const lastSeen = (await fake.log(session.id)).events.at(-1)?.seq;
      const statuses = record(el, 'tender-status');
      // A refused reconnect (503) makes EventSource give up; only a new one can continue.
      await fake.drop(session.id, { refuse: 1 });
      // The browser tries again after the BFF's `retry` (3 s), is refused, and gives up.
      await waitUntil(() => clock.hasPendingOnceIn(1_000), 'no reconnect was scheduled', { timeout: 5_000 });
      await el.updateComplete;
      const note = $(el, '[part="connection"]');
      expect(note.textContent?.trim()).to.equal('Connection lost. Reconnecting…');
      // Inside the live region, so a screen reader hears it too.
      expect(note.closest('[aria-live="polite"]')?.getAttribute('role')).to.equal('status');
      await fake.emit(session.id, { status: 'succeeded', attempt: { status: 'succeeded' } });
      clock.advance(1_000);
      await waitForStatus(el, 'Payment received. Thank you!');
      const connections = (await fake.log(session.id)).connections;
      expect(connections.some((c) => c.refused)).to.equal(true);
      expect(connections.at(-1)?.lastEventIdQuery).to.equal(String(lastSeen));
      expect(statuses.map((s) => s.detail.event.status)).to.deep.equal(['succeeded']);
      expect(shadowOf(el).querySelector('[part="connection"]')).to.equal(null);
    }).timeout(10_000);
  });

  describe('a stream that died in silence', () => {
    it('is replaced after a heartbeat and its grace, and the payment it missed is shown', async () => {
      const { el, session, clock } = await scanning();
      await waitForStreams(session.id, 1);
      const lastSeen = (await fake.log(session.id)).events.at(-1)?.seq;
      // The connection stays open on both ends, but nothing gets through any more (NAT timeout).
      await fake.mute(session.id);
      await fake.emit(session.id, { status: 'succeeded', attempt: { status: 'succeeded' } });
      await el.updateComplete;
      expect(statusText(el)).to.equal('Scan the code with WeChat Pay to pay.');
      // Until its `ready` is read the stream assumes the BFF's default 15 s heartbeat: wait for either.
      clock.advance(silenceLimitMs(Math.max(FAKE_HEARTBEAT_MS, 15_000)));
      await waitForStatus(el, 'Payment received. Thank you!');
      expect((await fake.log(session.id)).connections.at(-1)?.lastEventIdQuery).to.equal(String(lastSeen));
    });

    it('is replaced at once when the shopper comes back to the page from a wallet app', async () => {
      const { el, session } = await scanning();
      await waitForStreams(session.id, 1);
      await fake.mute(session.id);
      await fake.emit(session.id, { status: 'succeeded', attempt: { status: 'succeeded' } });
      window.dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true }));
      await waitForStatus(el, 'Payment received. Thank you!');
    });
  });

  describe('news while the attempt is being made', () => {
    /** Records the seq of every status event any EventSource on this page receives. */
    function watchStreams(): { seqs: number[]; restore: () => void } {
      const seqs: number[] = [];
      const Original = window.EventSource;
      window.EventSource = class extends Original {
        constructor(url: string | URL, init?: EventSourceInit) {
          super(url, init);
          this.addEventListener('status', (event) => seqs.push((JSON.parse(event.data) as { seq: number }).seq));
        }
      };
      return { seqs, restore: () => (window.EventSource = Original) };
    }

    it('does not send the shopper to pay a session that was paid meanwhile', async () => {
      const stream = watchStreams();
      try {
        const session = await fake.session('thb');
        const el = await mount(session);
        const redirects = record(el, 'tender-redirect');
        await fake.holdNextAttempt(session.id);
        await choose(el, 'TrueMoney Wallet');
        const phone = $(el, 'input[type="tel"]', HTMLInputElement);
        phone.value = '+66 81 234 5678';
        phone.dispatchEvent(new Event('input'));
        await pay(el);
        await waitUntil(async () => (await fake.log(session.id)).heldAttempts === 1, 'the attempt never arrived');
        // Paid (on another device, say) before the answer to "Pay" reaches this page.
        const paid = await fake.emit(session.id, { status: 'succeeded', attempt: { status: 'succeeded' } });
        await waitUntil(() => stream.seqs.includes(paid.seq), 'the payment never reached the page');
        expect(statusText(el)).to.equal('Processing…');
        await fake.releaseAttempt(session.id);
        await waitForStatus(el, 'Payment received. Thank you!');
        expect(redirects).to.have.length(0);
      } finally {
        stream.restore();
      }
    });
  });

  describe('focus', () => {
    it('moves to the status line when Pay brings up the QR code', async () => {
      const session = await fake.session('cad');
      const el = await mount(session);
      await choose(el, 'WeChat Pay');
      const payButton = $(el, '[part="pay-button"]', HTMLButtonElement);
      payButton.focus();
      payButton.click();
      await waitForStatus(el, 'Scan the code with WeChat Pay to pay.');
      await el.updateComplete;
      expect(focusedPart(el)).to.equal('status');
      expect($(el, '[part="status"]').getAttribute('tabindex')).to.equal('-1');
    });

    it('moves to the outcome when news replaces the screen the shopper was using', async () => {
      const { el, session } = await scanning();
      $(el, '[part="save-qr"]').focus();
      await fake.emit(session.id, { status: 'failed', attempt: { status: 'failed' } });
      await waitForStatus(el, 'The payment did not go through. It was declined by the bank or wallet.');
      await el.updateComplete;
      expect(focusedPart(el)).to.equal('status');

      buttonNamed(el, 'Try another method').click();
      await el.updateComplete;
      await choose(el, 'UnionPay');
      const payButton = $(el, '[part="pay-button"]', HTMLButtonElement);
      payButton.focus();
      payButton.click();
      await waitForStatus(el, 'Scan the code with UnionPay to pay.');
      await fake.emit(session.id, { status: 'succeeded', attempt: { status: 'succeeded' } });
      await waitForStatus(el, 'Payment received. Thank you!');
      await el.updateComplete;
      expect(focusedPart(el)).to.equal('status');
    });

    it('leaves focus alone when the shopper is elsewhere on the page', async () => {
      const { el, session } = await scanning();
      const search = attach(document.createElement('input'));
      search.setAttribute('aria-label', 'Search the shop');
      search.focus();
      await fake.emit(session.id, { status: 'succeeded', attempt: { status: 'succeeded' } });
      await waitForStatus(el, 'Payment received. Thank you!');
      await el.updateComplete;
      expect(document.activeElement === search, 'focus stayed in the search box').to.equal(true);
    });
  });

  describe('coming back', () => {
    async function redirectStarted(): Promise<{ session: FakeSession; attemptId: string }> {
      const session = await fake.session('thb');
      // The shopper chose TrueMoney on an earlier page load and went to the provider.
      const response = await fetch(`/v1/checkout/${session.id}/attempts`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Tender-Client-Secret': session.clientSecret },
        body: JSON.stringify({ method: 'one1pay.truemoney', fields: { phone: '+66812345678' } }),
      });
      const attempt = (await response.json()) as { id: string };
      return { session, attemptId: attempt.id };
    }

    it('resumes an attempt in progress: waits without redirecting again, then shows the outcome', async () => {
      const { session, attemptId } = await redirectStarted();
      const redirects = recordFromNow('tender-redirect');
      const statuses = recordFromNow('tender-status');
      const el = await mount(session);
      expect(statusText(el)).to.equal('Waiting for confirmation…');
      await waitForStreams(session.id, 1);
      // The fresh stream replays the session's history (this attempt's creation): none of it is
      // news. Only the next event is; once it is applied, the replay is behind us.
      const succeeded = oneEvent(el, 'tender-succeeded');
      const paid = await fake.emit(session.id, { status: 'succeeded', attempt: { status: 'succeeded' } });
      expect(((await succeeded) as GlobalEventHandlersEventMap['tender-succeeded']).detail.attemptId).to.equal(
        attemptId,
      );
      expect(statuses.map((s) => s.detail.event.seq)).to.deep.equal([paid.seq]);
      await el.updateComplete;
      expect(statusText(el)).to.equal('Payment received. Thank you!');
      expect(redirects).to.have.length(0);
      const back = $(el, '[part="return-link"]', HTMLAnchorElement);
      expect(back.textContent?.trim()).to.equal('Return to Siam Goods');
      expect(back.href).to.equal(`${location.origin}/fake/shop/thanks`);
    });

    it('back from the provider without paying: focus on the news, continue there, or choose again with the fields kept', async () => {
      const { session } = await redirectStarted();
      sessionStorage.setItem(`tender:fields:${session.id}`, JSON.stringify({ phone: '+66812345678' }));
      try {
        const redirects = recordFromNow('tender-redirect');
        const el = await mount(session);
        expect(statusText(el)).to.equal('Waiting for confirmation…');
        expect(focusedPart(el)).to.equal('status');
        expect($(el, '[part="status"]').tagName).to.equal('H2');
        await expect(el).to.be.accessible();
        buttonNamed(el, 'Continue to TrueMoney Wallet').click();
        expect(redirects.map((r) => r.detail.fields)).to.have.length(1);
        // The harness cancels the redirect, so the page stays and waits; now choose again.
        await el.updateComplete;
        buttonNamed(el, 'Use another method').click();
        await el.updateComplete;
        expect(radios(el).find((r) => r.checked)?.value).to.equal('one1pay.truemoney');
        expect($(el, 'input[name="phone"]', HTMLInputElement).value).to.equal('+66812345678');
      } finally {
        sessionStorage.removeItem(`tender:fields:${session.id}`);
      }
    });

    it('shows an already paid session as paid, without opening a stream', async () => {
      const session = await fake.session('succeeded');
      const el = await mount(session);
      expect(statusText(el)).to.equal('Payment received. Thank you!');
      const log = await fake.log(session.id);
      expect(log.connections).to.have.length(0);
    });

    it('shows an expired session as expired, with the way back to the shop', async () => {
      const session = await fake.session('expired');
      const el = await mount(session);
      expect(statusText(el)).to.equal('This checkout has expired.');
      expect($$(el, 'button, input')).to.have.length(0);
      expect($(el, '[part="return-link"]', HTMLAnchorElement).textContent?.trim()).to.equal('Return to Siam Goods');
      await expect(el).to.be.accessible();
    });
  });

  describe('errors', () => {
    it('reports a refused client secret and fires tender-error', async () => {
      const session = await fake.session('thb');
      const error = new Promise<GlobalEventHandlersEventMap['tender-error']>((resolve) =>
        document.addEventListener('tender-error', resolve, { once: true }),
      );
      const el = await mount(session, { secret: 'cs_secret_wrong' });
      const { detail } = await error;
      expect(detail.error.code).to.equal('unauthorized');
      expect(detail.error.status).to.equal(401);
      expect(detail.error.recoverable).to.equal(false);
      expect(statusText(el)).to.equal('This checkout link is not valid.');
      expect(hasButton(el, 'Try again')).to.equal(false);
    });

    it('offers to try again after a timeout, and recovers', async () => {
      const session = await fake.session('cad');
      await fake.stallNext(session.id);
      const clock = new ManualClock();
      const el = document.createElement('tender-checkout');
      el.clock = clock;
      el.session = session.id;
      el.clientSecret = session.clientSecret;
      const errors = record(el, 'tender-error');
      attach(el);
      await waitUntil(() => clock.pendingOnce === 1, 'the view request never started');
      clock.advance(15_000);
      await waitForStatus(el, 'The payment server took too long to answer. Please try again.');
      expect(errors[0]?.detail.error.code).to.equal('timeout');
      buttonNamed(el, 'Try again').click();
      await waitForStatus(el, 'Choose how you would like to pay.');
    });

    it('keeps the shopper choosing when the provider is down, and pays on the next try', async () => {
      const session = await fake.session('cad');
      const el = await mount(session);
      await fake.failNext(session.id, 502, 'provider_unavailable');
      await choose(el, 'WeChat Pay');
      await pay(el);
      await waitForStatus(el, 'The payment provider is not responding. Try again or choose another method.');
      expect(radios(el).every((r) => !r.disabled)).to.equal(true);
      // Picking another method clears an error that was about the previous one.
      await choose(el, 'Alipay');
      expect(statusText(el)).to.equal('Choose how you would like to pay.');
      await choose(el, 'WeChat Pay');
      await pay(el);
      await waitForStatus(el, 'Scan the code with WeChat Pay to pay.');
    });

    it('says plainly that cards are not supported yet', async () => {
      const session = await fake.session('usd');
      const el = await mount(session);
      // This BFF never answers a `card` action (its card methods come with a tokenizer); a BFF that
      // does is stood in for by rewriting the action of its answer to "Pay".
      const realFetch = window.fetch;
      window.fetch = async (input, init) => {
        const response = await realFetch(input, init);
        if (!urlOf(input).endsWith('/attempts')) return response;
        const attempt = (await response.json()) as Record<string, unknown>;
        const action = { type: 'card', tokenizerUrl: `${location.origin}/fake/provider/card` };
        return new Response(JSON.stringify({ ...attempt, action }), {
          status: response.status,
          headers: response.headers,
        });
      };
      try {
        await pay(el);
        await waitForStatus(el, 'Card payments are not supported in this version.');
      } finally {
        window.fetch = realFetch;
      }
      expect(hasButton(el, 'Try another method')).to.equal(true);
    });
  });
});

function shadowOf(el: TenderCheckout): ShadowRoot {
  if (!el.shadowRoot) throw new Error('no shadow root');
  return el.shadowRoot;
}

/** The `part` of whatever has focus inside the element (a name that reads well in a failure). */
function focusedPart(el: TenderCheckout): string | null {
  return shadowOf(el).activeElement?.getAttribute('part') ?? null;
}
