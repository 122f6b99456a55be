/**
 * StatusStream against a scripted EventSource: seq de-duplication and the two reconnect paths.
 */
import { expect } from '@open-wc/testing';
import { StatusStream, type StreamConnection } from '../../widget/status-stream.ts';
import type { StatusEvent } from '../../widget/wire.ts';
import { ManualClock } from './harness.ts';

/** Enough of EventSource for the stream: listeners, readyState, close(). */
class ScriptedSource extends EventTarget {
  readyState: number = EventSource.CONNECTING;
  closed = false;
  constructor(readonly url: string) {
    super();
  }
  close(): void {
    this.closed = true;
    this.readyState = EventSource.CLOSED;
  }
  open(): void {
    this.readyState = EventSource.OPEN;
    this.dispatchEvent(new Event('open'));
  }
  send(seq: number, status = 'pending', data?: string): void {
    const event: StatusEvent = { seq, status: status as StatusEvent['status'], attempt: null, at: '' };
    this.dispatchEvent(new MessageEvent('status', { data: data ?? JSON.stringify(event), lastEventId: String(seq) }));
  }
  /** The server ended the stream; the browser will retry by itself. */
  drop(): void {
    this.readyState = EventSource.CONNECTING;
    this.dispatchEvent(new Event('error'));
  }
  /** The retry was refused: EventSource gives up. */
  fail(): void {
    this.readyState = EventSource.CLOSED;
    this.dispatchEvent(new Event('error'));
  }
}

function harness() {
  const sources: ScriptedSource[] = [];
  const seen: number[] = [];
  const connection: StreamConnection[] = [];
  const clock = new ManualClock();
  const stream = new StatusStream({
    url: (last) => (last === null ? '/events' : `/events?lastEventId=${last}`),
    onStatus: (event) => seen.push(event.seq),
    onConnection: (state) => connection.push(state),
    clock,
    createEventSource: (url) => {
      const source = new ScriptedSource(url);
      sources.push(source);
      return source as unknown as EventSource;
    },
    retryDelaysMs: [1_000, 5_000],
  });
  const last = () => {
    const source = sources.at(-1);
    if (!source) throw new Error('no source');
    return source;
  };
  return { stream, sources, seen, connection, clock, last };
}

describe('StatusStream', () => {
  it('delivers each seq once, in order, dropping replays and malformed events', () => {
    const { stream, seen, last } = harness();
    stream.open();
    last().open();
    last().send(1);
    last().send(2);
    last().send(2);
    last().send(1);
    last().send(3, 'pending', '{not json');
    last().send(3);
    expect(seen).to.deep.equal([1, 2, 3]);
    expect(stream.lastSeq).to.equal(3);
  });

  it('leaves a CONNECTING source to the browser, which resends Last-Event-ID itself', () => {
    const { stream, sources, connection, clock, last } = harness();
    stream.open();
    last().open();
    last().send(4);
    last().drop();
    expect(connection).to.deep.equal(['open', 'reconnecting']);
    expect(sources).to.have.length(1);
    expect(clock.pendingOnce).to.equal(0);
    last().open();
    expect(connection.at(-1)).to.equal('open');
  });

  it('opens a new source with lastEventId after a CLOSED one, backing off between tries', () => {
    const { stream, sources, clock, last, seen } = harness();
    stream.open();
    last().open();
    last().send(5);
    last().fail();
    expect(sources[0]?.closed).to.equal(true);
    clock.advance(999);
    expect(sources).to.have.length(1);
    clock.advance(1);
    expect(sources.map((s) => s.url)).to.deep.equal(['/events', '/events?lastEventId=5']);

    last().fail();
    clock.advance(1_000);
    expect(sources).to.have.length(2);
    clock.advance(4_000);
    expect(sources).to.have.length(3);

    // A success resets the back-off.
    last().open();
    last().send(6);
    last().fail();
    clock.advance(1_000);
    expect(sources.at(-1)?.url).to.equal('/events?lastEventId=6');
    expect(seen).to.deep.equal([5, 6]);
  });

  it('stops for good on close(): no retry, no more events', () => {
    const { stream, sources, clock, last, seen } = harness();
    stream.open();
    last().open();
    last().fail();
    stream.close();
    clock.advance(60_000);
    expect(sources).to.have.length(1);
    sources[0]?.send(1);
    expect(seen).to.deep.equal([]);
  });

  it('reconnects at once when the browser comes back online', () => {
    const { stream, sources, last } = harness();
    stream.open();
    last().open();
    last().send(2);
    last().fail();
    window.dispatchEvent(new Event('online'));
    expect(sources.map((s) => s.url)).to.deep.equal(['/events', '/events?lastEventId=2']);
    stream.close();
  });
});
