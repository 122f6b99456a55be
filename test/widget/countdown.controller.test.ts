/**
 * CountdownController on a bare host: the figure it keeps, the beat it ticks at, the one expiry it
 * reports, and that it ticks only while its host is connected. Time moves by hand.
 */
import { expect } from '@open-wc/testing';
import type { ReactiveController } from 'lit';
import { CountdownController, type CountdownHost } from '../../widget/countdown.controller.ts';
import { ManualClock } from './harness.ts';

class BareHost implements CountdownHost {
  readonly controllers: ReactiveController[] = [];
  readonly updateComplete = Promise.resolve(true);
  updates = 0;
  constructor(readonly clock: ManualClock) {}
  addController(controller: ReactiveController): void {
    this.controllers.push(controller);
  }
  requestUpdate(): void {
    this.updates += 1;
  }
}

function countdown(start = Date.parse('2026-11-22T10:00:00.000Z')) {
  const clock = new ManualClock(start);
  const host = new BareHost(clock);
  let expired = 0;
  const controller = new CountdownController(
    host,
    () => clock.now(),
    () => (expired += 1),
  );
  return { clock, host, controller, expired: () => expired };
}

describe('CountdownController', () => {
  it('joins its host, and counts down once a second, asking the host to render each figure', () => {
    const { clock, host, controller, expired } = countdown();
    expect(host.controllers).to.deep.equal([controller]);
    expect(controller.remainingMs).to.equal(null);
    controller.start(new Date(clock.now() + 3_000).toISOString());
    expect(controller.remainingMs).to.equal(3_000);
    const updates = host.updates;
    clock.advance(1_000);
    expect(controller.remainingMs).to.equal(2_000);
    expect(host.updates).to.equal(updates + 1);
    clock.advance(1_000);
    expect([controller.remainingMs, expired()]).to.deep.equal([1_000, 0]);
  });

  it('reports the deadline once, then stops ticking', () => {
    const { clock, host, controller, expired } = countdown();
    controller.start(new Date(clock.now() + 2_000).toISOString());
    clock.advance(2_000);
    expect(expired()).to.equal(1);
    expect(controller.remainingMs).to.equal(null);
    const updates = host.updates;
    clock.advance(10_000);
    expect([expired(), host.updates]).to.deep.equal([1, updates]);
  });

  it('reports a deadline already past at once, and does not tick', () => {
    const { clock, host, controller, expired } = countdown();
    controller.start(new Date(clock.now() - 1).toISOString());
    expect(expired()).to.equal(1);
    const updates = host.updates;
    clock.advance(5_000);
    expect([expired(), host.updates]).to.deep.equal([1, updates]);
  });

  it('shows nothing for an unreadable time and never reports it', () => {
    const { clock, controller, expired } = countdown();
    controller.start('soon');
    expect(controller.remainingMs).to.equal(null);
    clock.advance(3_600_000);
    expect(expired()).to.equal(0);
  });

  it('keeps its beat when started again while ticking', () => {
    const { clock, host, controller } = countdown();
    const deadline = clock.now() + 10_000;
    controller.start(new Date(deadline).toISOString());
    clock.advance(500);
    controller.start(new Date(deadline + 5_000).toISOString());
    const updates = host.updates;
    // One timer, still on the first start's seconds: the next figure comes 500 ms later.
    clock.advance(500);
    expect(host.updates).to.equal(updates + 1);
    expect(controller.remainingMs).to.equal(14_000);
  });

  it('ticks only while its host is connected, and resumes where the deadline is', () => {
    const { clock, host, controller, expired } = countdown();
    const deadline = clock.now() + 5_000;
    controller.start(new Date(deadline).toISOString());
    controller.hostDisconnected();
    const updates = host.updates;
    clock.advance(10_000);
    expect([expired(), host.updates]).to.deep.equal([0, updates]);
    controller.hostConnected();
    clock.advance(1_000);
    expect(expired()).to.equal(1);
  });

  it('stops on stop(): no figure and no expiry', () => {
    const { clock, controller, expired } = countdown();
    controller.start(new Date(clock.now() + 2_000).toISOString());
    controller.stop();
    expect(controller.remainingMs).to.equal(null);
    clock.advance(5_000);
    expect(expired()).to.equal(0);
    // A host connecting again does not bring a stopped countdown back.
    controller.hostConnected();
    clock.advance(5_000);
    expect(expired()).to.equal(0);
  });
});
