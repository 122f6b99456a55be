/**
 * Redirects for real: the element leaves for the provider's page with `location.assign` (GET) or a
 * submitted form (POST), keeping the client secret in this tab first, and the hosted page the
 * shopper comes back to (no secret in its URL) carries on with it. Each test runs the element in an
 * iframe on the test server's /fake/embed page, so the navigation happens and the runner stays put;
 * the harness's redirect-canceling listener is on the top document and does not reach in there.
 */
import { expect, waitUntil } from '@open-wc/testing';
import type { TenderCheckout } from '../../widget/define.ts';
import { $, attach, choose, fake, mount, pay, record, statusText, waitForStatus, type FakeSession } from './harness.ts';

const secretKey = (sessionId: string) => `tender:client-secret:${sessionId}`;

interface Frame {
  iframe: HTMLIFrameElement;
  /** The page's <tender-checkout> once it has loaded its checkout. */
  checkout(): Promise<TenderCheckout>;
  /** Resolves on the iframe's next page load. */
  nextLoad(): Promise<void>;
  href(): string;
}

async function embed(session: FakeSession, { withSecret }: { withSecret: boolean }): Promise<Frame> {
  const iframe = attach(document.createElement('iframe'));
  const frame: Frame = {
    iframe,
    nextLoad: () => new Promise((resolve) => iframe.addEventListener('load', () => resolve(), { once: true })),
    href: () => iframe.contentWindow?.location.href ?? '',
    async checkout() {
      let el: TenderCheckout | null = null;
      await waitUntil(() => {
        el = iframe.contentDocument?.querySelector('tender-checkout') ?? null;
        return el !== null && statusText(el) !== '' && statusText(el) !== 'Loading checkout…';
      }, 'the embedded checkout did not load');
      return el as unknown as TenderCheckout;
    },
  };
  const loaded = frame.nextLoad();
  const query = new URLSearchParams({ session: session.id });
  if (withSecret) query.set('secret', session.clientSecret);
  iframe.src = `/fake/embed?${query}`;
  await loaded;
  return frame;
}

function fill(el: TenderCheckout, selector: string, value: string): void {
  // The element lives in an iframe: its controls are instances of that window's classes.
  const { HTMLInputElement: Input, HTMLSelectElement: Select } = el.ownerDocument.defaultView!;
  const control = $(el, selector);
  if (!(control instanceof Input || control instanceof Select)) {
    throw new Error(`${selector} is a <${control.localName}>, not an input or a select`);
  }
  control.value = value;
  control.dispatchEvent(new Event(control.localName === 'select' ? 'change' : 'input', { bubbles: true }));
}

describe('<tender-checkout> redirects for real', () => {
  let session: FakeSession | null = null;
  afterEach(() => {
    if (session) sessionStorage.removeItem(secretKey(session.id));
    session = null;
  });

  it('goes to a GET provider page with location.assign, keeping the secret in the tab', async () => {
    session = await fake.session('thb');
    const frame = await embed(session, { withSecret: true });
    const el = await frame.checkout();
    await choose(el, 'Thai QR');
    fill(el, 'select', '1');
    fill(el, '#field-1', 'Somchai Jaidee');
    fill(el, '#field-2', '1234567890');
    const left = frame.nextLoad();
    await pay(el);
    await left;

    const { providerVisits, events } = await fake.log(session.id);
    const order = events.at(-1)?.attempt?.id ?? '';
    expect(providerVisits).to.deep.equal([{ method: 'GET', order }]);
    expect(frame.href()).to.equal(`${location.origin}/fake/provider/one1pay?order=${order}`);
    expect(sessionStorage.getItem(secretKey(session.id))).to.equal(session.clientSecret);
  });

  it('posts a form to a POST provider page, with the fields the provider asked for', async () => {
    session = await fake.session('thb');
    const frame = await embed(session, { withSecret: true });
    const el = await frame.checkout();
    await choose(el, 'TrueMoney Wallet');
    fill(el, 'input[type="tel"]', '+66 81 234 5678');
    const left = frame.nextLoad();
    await pay(el);
    await left;

    const { providerVisits, events } = await fake.log(session.id);
    const order = events.at(-1)?.attempt?.id ?? '';
    expect(providerVisits).to.deep.equal([{ method: 'POST', order }]);
    expect(frame.href()).to.equal(`${location.origin}/fake/provider/one1pay`);
    expect(sessionStorage.getItem(secretKey(session.id))).to.equal(session.clientSecret);
  });

  it('carries on when the provider sends the shopper back to a page without the secret', async () => {
    session = await fake.session('thb');
    const frame = await embed(session, { withSecret: true });
    const el = await frame.checkout();
    await choose(el, 'TrueMoney Wallet');
    fill(el, 'input[type="tel"]', '+66 81 234 5678');
    const left = frame.nextLoad();
    await pay(el);
    await left;

    // Back from the provider: the return URL names the session only.
    const back = frame.nextLoad();
    frame.iframe.src = `/fake/embed?session=${encodeURIComponent(session.id)}`;
    await back;
    expect(frame.href()).not.to.contain('secret');
    const returned = await frame.checkout();
    expect(statusText(returned)).to.equal('Waiting for confirmation…');
    await fake.emit(session.id, { status: 'succeeded', attempt: { status: 'succeeded' } });
    await waitForStatus(returned, 'Payment received. Thank you!');
    // Still on the page: a resumed redirect is not made again.
    expect(frame.href()).to.contain('/fake/embed');
    expect((await fake.log(session.id)).providerVisits).to.have.length(1);
  });

  it('keeps no secret when the host page takes over the redirect', async () => {
    session = await fake.session('thb');
    // Top document: the harness cancels every tender-redirect here, as a host page may.
    const el = await mount(session);
    const redirects = record(el, 'tender-redirect');
    await choose(el, 'TrueMoney Wallet');
    fill(el, 'input[type="tel"]', '+66 81 234 5678');
    await pay(el);
    await waitForStatus(el, 'Waiting for confirmation…');
    expect(redirects).to.have.length(1);
    expect(sessionStorage.getItem(secretKey(session.id))).to.equal(null);
  });
});
