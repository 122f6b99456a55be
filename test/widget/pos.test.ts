/**
 * <tender-checkout mode="pos">: a till that charges the buyer's payment code, typed (or typed by a
 * handheld scanner) or read by the camera, once per code, and shows the outcome.
 */
import { expect, waitUntil } from '@open-wc/testing';
import type { TenderCheckout } from '../../widget/define.ts';
import {
  $,
  $$,
  buttonNamed,
  fake,
  hasButton,
  ManualClock,
  mount,
  radios,
  statusText,
  waitForStatus,
} from './harness.ts';

const WECHAT_CODE = '134567890123456789';

async function typeCode(el: TenderCheckout, code: string): Promise<void> {
  const input = $(el, 'input[name="code"]', HTMLInputElement);
  input.value = code;
  $(el, '[part="pay-button"]', HTMLButtonElement).click();
  await el.updateComplete;
}

describe('<tender-checkout mode="pos">', () => {
  it('is accessible, and lists only the methods that take a buyer’s code', async () => {
    const el = await mount(await fake.session('pos'), { mode: 'pos' });
    await expect(el).to.be.accessible();
    expect(statusText(el)).to.equal('Scan the buyer’s payment code.');
    expect(radios(el).map((r) => r.value)).to.deep.equal(['kesspay.wechat', 'kesspay.alipay']);
    const input = $(el, 'input[name="code"]', HTMLInputElement);
    expect(input.inputMode).to.equal('numeric');
    expect(input.autocomplete).to.equal('off');
    expect($(el, '[part="pay-button"]').textContent?.trim()).to.equal('Charge $88.00');
  });

  it('checks the typed code, charges it, waits for the buyer’s PIN and shows the outcome', async () => {
    const session = await fake.session('pos');
    const el = await mount(session, { mode: 'pos' });
    radios(el)[0]?.click();
    await typeCode(el, '12345');
    expect($(el, '#form-note').textContent?.trim()).to.equal('Enter the 16 to 24 digits under the buyer’s barcode.');
    expect($(el, 'input[name="code"]').getAttribute('aria-invalid')).to.equal('true');
    expect((await fake.log(session.id)).attemptRequests).to.have.length(0);

    await typeCode(el, WECHAT_CODE);
    await waitForStatus(el, 'Waiting for the buyer to confirm (PIN)…');
    const [request] = (await fake.log(session.id)).attemptRequests;
    expect(request).to.include({ method: 'kesspay.wechat', buyerCode: WECHAT_CODE });
    await expect(el).to.be.accessible();
    await fake.emit(session.id, { status: 'succeeded', attempt: { status: 'succeeded' } });
    await waitForStatus(el, 'Payment received. Thank you!');
  });

  it('after a failure scans again, and never sends the same code twice', async () => {
    const session = await fake.session('pos');
    const el = await mount(session, { mode: 'pos' });
    radios(el)[1]?.click();
    await typeCode(el, WECHAT_CODE);
    await waitForStatus(el, 'Waiting for the buyer to confirm (PIN)…');
    await fake.emit(session.id, {
      status: 'failed',
      attempt: { status: 'failed', failure: { code: 'declined', message: 'declined' } },
    });
    await waitForStatus(el, 'The payment did not go through. It was declined by the bank or wallet.');
    buttonNamed(el, 'Scan again').click();
    await el.updateComplete;
    await typeCode(el, WECHAT_CODE);
    expect($(el, '#form-note').textContent?.trim()).to.equal(
      'This code was already used. Ask the buyer to refresh it.',
    );
    expect((await fake.log(session.id)).attemptRequests).to.have.length(1);
    await typeCode(el, '284567890123456789');
    await waitForStatus(el, 'Waiting for the buyer to confirm (PIN)…');
    expect((await fake.log(session.id)).attemptRequests.map((r) => r.buyerCode)).to.deep.equal([
      WECHAT_CODE,
      '284567890123456789',
    ]);
  });

  describe('with a camera', () => {
    let reads = 0;
    afterEach(() => {
      delete (globalThis as { BarcodeDetector?: unknown }).BarcodeDetector;
    });

    it('reads the code with BarcodeDetector and charges it once, however often it is seen', async () => {
      reads = 0;
      // Chromium on Linux has no BarcodeDetector: stand one in that always sees the buyer's code.
      (globalThis as { BarcodeDetector?: unknown }).BarcodeDetector = class {
        async detect() {
          reads += 1;
          return [{ rawValue: 'https://not.a.code/' }, { rawValue: WECHAT_CODE }];
        }
      };
      const canvas = document.createElement('canvas');
      canvas.width = 64;
      canvas.height = 64;
      canvas.getContext('2d')?.fillRect(0, 0, 64, 64);
      const stream = canvas.captureStream(10);
      const getUserMedia = navigator.mediaDevices.getUserMedia;
      navigator.mediaDevices.getUserMedia = async () => stream;
      try {
        const clock = new ManualClock();
        const session = await fake.session('pos');
        const el = await mount(session, { mode: 'pos', clock });
        radios(el)[0]?.click();
        buttonNamed(el, 'Scan with camera').click();
        await waitUntil(() => !$(el, 'video', HTMLVideoElement).hidden, 'the camera did not start');
        await waitUntil(() => $(el, 'video', HTMLVideoElement).readyState >= 2, 'no picture');
        for (let i = 0; i < 4; i++) {
          clock.advance(250);
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        await waitForStatus(el, 'Waiting for the buyer to confirm (PIN)…');
        expect(reads).to.be.greaterThan(0);
        expect((await fake.log(session.id)).attemptRequests.map((r) => r.buyerCode)).to.deep.equal([WECHAT_CODE]);
        // The camera is off once the code is sent.
        expect(stream.getTracks().every((track) => track.readyState === 'ended')).to.equal(true);
        expect(hasButton(el, 'Scan with camera')).to.equal(false);
        expect($$(el, 'video')).to.have.length(0);
      } finally {
        navigator.mediaDevices.getUserMedia = getUserMedia;
      }
    });
  });
});
