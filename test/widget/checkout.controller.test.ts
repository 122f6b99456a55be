/**
 * CheckoutController on a bare host (no element), against the BFF the widget tests run: the states
 * it goes through, what it asks of the screen that shows it, and the QR countdown it runs. The
 * element's own tests cover the same flows as a shopper sees them.
 */
import { expect, waitUntil } from '@open-wc/testing';
import type { ReactiveController } from 'lit';
import type { CheckoutStateName } from '../../widget/checkout-state.ts';
import { CheckoutController, type CheckoutHost, type CheckoutScreen } from '../../widget/checkout.controller.ts';
import type { TenderEventName } from '../../widget/events.ts';
import type { MethodView } from '../../widget/wire.ts';
import { fake, ManualClock, waitForStreams, type FakeSession } from './harness.ts';

/** Hosts made by a test, removed after it: an open status stream holds one of the browser's few connections. */
const hosts: BareHost[] = [];

afterEach(() => {
  for (const host of hosts.splice(0)) host.disconnect();
});

class BareHost implements CheckoutHost {
  readonly controllers: ReactiveController[] = [];
  readonly updateComplete = Promise.resolve(true);
  api = '';
  mode: 'checkout' | 'pos' = 'checkout';
  hasUpdated = false;
  updates = 0;
  constructor(
    public session: string,
    public clientSecret: string,
    readonly clock: ManualClock,
  ) {
    hosts.push(this);
  }
  addController(controller: ReactiveController): void {
    this.controllers.push(controller);
  }
  requestUpdate(): void {
    this.updates += 1;
  }
  connect(): void {
    for (const controller of this.controllers) controller.hostConnected?.();
  }
  disconnect(): void {
    for (const controller of this.controllers) controller.hostDisconnected?.();
  }
}

/** A screen that records what it is asked; `redirect` is what a `tender-redirect` listener answers. */
function screen(redirect = true) {
  const record = {
    states: [] as CheckoutStateName[],
    events: [] as TenderEventName[],
    prepared: [] as string[],
    loaded: 0,
  };
  const hooks: CheckoutScreen = {
    emit(type) {
      record.events.push(type);
      return type === 'tender-redirect' ? redirect : true;
    },
    prepare(what) {
      record.prepared.push(typeof what === 'string' ? what : `view ${what.id}`);
      return Promise.resolve();
    },
    loaded() {
      record.loaded += 1;
    },
    entered(_previous, next) {
      record.states.push(next.name);
    },
  };
  return { record, hooks };
}

async function started(session: FakeSession, options: { clock?: ManualClock; redirect?: boolean } = {}) {
  const clock = options.clock ?? new ManualClock();
  const host = new BareHost(session.id, session.clientSecret, clock);
  const { record, hooks } = screen(options.redirect);
  const checkout = new CheckoutController(host, hooks);
  checkout.start();
  await waitUntil(() => checkout.state.name !== 'loading', 'the checkout did not load');
  return { host, record, checkout, clock };
}

function method(checkout: CheckoutController, id: string): MethodView {
  const found = checkout.view?.methods.find((m) => m.id === id);
  if (!found) throw new Error(`no method ${id}`);
  return found;
}

describe('CheckoutController', () => {
  it('joins its host with its countdown, and starts only when told (or re-attached after a first update)', () => {
    const host = new BareHost('cs_x', 'secret', new ManualClock());
    const checkout = new CheckoutController(host, screen().hooks);
    expect(host.controllers).to.deep.equal([checkout.countdown, checkout]);
    host.connect();
    expect(checkout.state.name).to.equal('loading');
    expect(host.updates).to.equal(0);
  });

  it('loads the session with what the screen prepares, then lets the shopper choose', async () => {
    const session = await fake.session('cad');
    const { checkout, record, host } = await started(session);
    expect(checkout.state).to.deep.equal({ name: 'choosing', error: null });
    expect(checkout.view?.id).to.equal(session.id);
    expect(record.prepared).to.deep.equal(['session', `view ${session.id}`]);
    expect(record.loaded).to.equal(1);
    expect(record.states).to.deep.equal(['loading', 'choosing']);
    expect(record.events).to.deep.equal(['tender-ready']);
    expect(host.updates).to.be.greaterThan(0);
  });

  it('without a session says so, and fetches nothing', () => {
    const host = new BareHost('', '', new ManualClock());
    const { record, hooks } = screen();
    const checkout = new CheckoutController(host, hooks);
    checkout.start();
    expect(checkout.state.name).to.equal('unavailable');
    expect(checkout.state.name === 'unavailable' && checkout.state.error.code).to.equal('invalid_config');
    expect(record.prepared).to.deep.equal([]);
  });

  it('pays, shows the QR code, and counts it down on the BFF’s clock to code-expired', async () => {
    const clock = new ManualClock();
    const session = await fake.session('cad', undefined, { serverNow: clock.now() });
    const { checkout, record } = await started(session, { clock });
    await checkout.pay(method(checkout, 'ottpay.wechat'), {});
    const state = checkout.state;
    if (state.name !== 'scanning') throw new Error(`not scanning but ${state.name}`);
    const expiresAt = Date.parse(state.qr.expiresAt);
    expect(checkout.countdown.remainingMs).to.equal(expiresAt - clock.now());
    clock.set(expiresAt - 1_000);
    expect(checkout.countdown.remainingMs).to.equal(1_000);
    clock.advance(1_000);
    expect(checkout.state).to.deep.equal({ name: 'code-expired', attempt: state.attempt });
    expect(checkout.countdown.remainingMs).to.equal(null);
    expect(record.states.slice(-3)).to.deep.equal(['submitting', 'scanning', 'code-expired']);
    expect(record.events).to.deep.equal(['tender-ready', 'tender-attempt']);
  });

  it('follows the status stream to the outcome, and fires it once', async () => {
    const session = await fake.session('cad');
    const { checkout, record } = await started(session);
    await checkout.pay(method(checkout, 'ottpay.alipay'), {});
    await waitForStreams(session.id, 1);
    await fake.emit(session.id, { status: 'succeeded', attempt: { status: 'succeeded' } });
    await waitUntil(() => checkout.state.name === 'succeeded', 'the payment was not seen');
    expect(record.events).to.deep.equal(['tender-ready', 'tender-attempt', 'tender-status', 'tender-succeeded']);
    // Paid: nothing can change any more, so the stream is closed.
    await waitForStreams(session.id, 0);
  });

  it('waits when the host navigates itself, and goes to the provider again on resume()', async () => {
    const session = await fake.session('cad');
    await fake.script(session.id, { action: 'redirect' });
    const { checkout, record } = await started(session, { redirect: false });
    await checkout.pay(method(checkout, 'ottpay.wechat'), {});
    expect(checkout.state.name).to.equal('awaiting');
    checkout.resume();
    expect(checkout.state.name).to.equal('awaiting');
    expect(record.events.filter((type) => type === 'tender-redirect')).to.have.length(2);
  });

  it('stops with its host, and starts again when the host comes back', async () => {
    const session = await fake.session('cad');
    const { checkout, record, host } = await started(session);
    await checkout.pay(method(checkout, 'ottpay.wechat'), {});
    await waitForStreams(session.id, 1);
    host.disconnect();
    await waitForStreams(session.id, 0);
    host.hasUpdated = true;
    host.connect();
    // The attempt in progress is resumed: its code is on screen again.
    await waitUntil(() => checkout.state.name === 'scanning', 'the attempt was not resumed');
    expect(record.states.slice(-2)).to.deep.equal(['loading', 'scanning']);
  });
});
