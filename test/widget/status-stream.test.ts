/**
 * StatusStream against a scripted EventSource: seq de-duplication, the two reconnect paths, the
 * watchdog for a connection that died in silence, and catching up when the shopper comes back.
 */
import { expect, waitUntil } from '@open-wc/testing';
import { followSession, silenceLimitMs, StatusStream, type StreamConnection } from '../../widget/status-stream.ts';
import type { CheckoutView, StatusEvent } from '../../widget/wire.ts';
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
  ready(heartbeatMs: number): void {
    this.dispatchEvent(new MessageEvent('ready', { data: JSON.stringify({ heartbeatMs }) }));
  }
  ping(): void {
    this.dispatchEvent(new MessageEvent('ping', { data: '{}' }));
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

function harness(poll?: () => Promise<StatusEvent | null>) {
  const sources: ScriptedSource[] = [];
  const seen: number[] = [];
  const connection: StreamConnection[] = [];
  const clock = new ManualClock();
  const page = { visibility: 'visible' as DocumentVisibilityState };
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
    visibility: () => page.visibility,
    ...(poll ? { poll, pollMs: 3_000 } : {}),
  });
  const last = () => {
    const source = sources.at(-1);
    if (!source) throw new Error('no source');
    return source;
  };
  return { stream, sources, seen, connection, clock, last, page };
}

describe('StatusStream', () => {
  let opened: StatusStream[] = [];
  function open(h: ReturnType<typeof harness>) {
    h.stream.open();
    opened.push(h.stream);
    return h;
  }
  afterEach(() => {
    for (const stream of opened) stream.close();
    opened = [];
  });

  it('delivers each seq once, in order, dropping replays and malformed events', () => {
    const { stream, seen, last } = open(harness());
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
    const { sources, connection, clock, last } = open(harness());
    last().open();
    last().ready(10_000);
    last().send(4);
    last().drop();
    expect(connection).to.deep.equal(['open', 'reconnecting']);
    clock.advance(silenceLimitMs(10_000) - 1);
    expect(sources).to.have.length(1);
    last().open();
    expect(connection.at(-1)).to.equal('open');
  });

  it('opens a new source with lastEventId after a CLOSED one, backing off between tries', () => {
    const { sources, clock, last, seen } = open(harness());
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

  it('stops for good on close(): no retry, no watchdog, no more events', () => {
    const { stream, sources, clock, last, seen, page } = harness();
    stream.open();
    last().open();
    last().fail();
    stream.close();
    clock.advance(600_000);
    page.visibility = 'visible';
    document.dispatchEvent(new Event('visibilitychange'));
    window.dispatchEvent(new Event('online'));
    expect(sources).to.have.length(1);
    sources[0]?.send(1);
    expect(seen).to.deep.equal([]);
  });

  describe('a connection that died without a word', () => {
    it('gives the BFF’s 15 s heartbeat 20 s before declaring the connection dead', () => {
      expect(silenceLimitMs(15_000)).to.equal(20_000);
      expect(silenceLimitMs(3_000)).to.equal(4_000);
    });

    it('is replaced after a heartbeat and its grace of silence, resuming after the last seq', () => {
      const { sources, clock, last, connection } = open(harness());
      last().open();
      last().ready(4_000);
      last().send(3);
      clock.advance(silenceLimitMs(4_000) - 1);
      expect(sources).to.have.length(1);
      clock.advance(1);
      expect(sources[0]?.closed).to.equal(true);
      expect(sources.map((s) => s.url)).to.deep.equal(['/events', '/events?lastEventId=3']);
      expect(connection).to.deep.equal(['open', 'reconnecting']);
      last().open();
      expect(connection.at(-1)).to.equal('open');
    });

    it('is kept while pings and events keep arriving', () => {
      const { sources, clock, last } = open(harness());
      last().open();
      last().ready(4_000);
      for (let i = 0; i < 5; i++) {
        clock.advance(5_000);
        last().ping();
      }
      clock.advance(5_000);
      last().send(1);
      clock.advance(5_000);
      expect(sources).to.have.length(1);
    });

    it('assumes the BFF’s default 15 s heartbeat until ready says otherwise', () => {
      const { sources, clock, last } = open(harness());
      last().open();
      clock.advance(silenceLimitMs(15_000) - 1);
      expect(sources).to.have.length(1);
      clock.advance(1);
      expect(sources).to.have.length(2);
    });
  });

  describe('where no stream stays open', () => {
    it('polls after three streams in a row failed, keeps trying streams, and stops polling when one opens', async () => {
      let polls = 0;
      const h = open(
        harness(async () => {
          polls += 1;
          return { seq: 0, status: 'pending', attempt: null, at: '' };
        }),
      );
      h.last().fail();
      h.clock.advance(1_000);
      h.last().fail();
      h.clock.advance(5_000);
      expect(polls).to.equal(0);
      h.last().fail();
      expect(h.stream.polling).to.equal(true);
      await Promise.resolve();
      expect(polls).to.equal(1);
      expect(h.seen).to.deep.equal([0]);
      h.clock.advance(3_000);
      await Promise.resolve();
      expect(polls).to.equal(2);
      // The stream retry still comes, and once it opens the polling ends.
      h.clock.advance(2_000);
      expect(h.sources).to.have.length(4);
      h.last().open();
      expect(h.stream.polling).to.equal(false);
      h.clock.advance(9_000);
      await Promise.resolve();
      expect(polls).to.equal(2);
    });
  });

  describe('followSession', () => {
    it('opens at once on the session’s events URL, and polls its view as a status event', async () => {
      const sources: ScriptedSource[] = [];
      const seen: StatusEvent[] = [];
      const signals: Array<AbortSignal | undefined> = [];
      const clock = new ManualClock();
      const abort = new AbortController();
      const view: CheckoutView = {
        id: 'cs_1',
        status: 'pending',
        amount: '10.00',
        currency: 'THB',
        merchant: { name: 'Shop' },
        description: null,
        expiresAt: '2026-11-22T11:00:00.000Z',
        returnUrl: null,
        methods: [],
        attempt: { id: 'att_1', method: 'ottpay.wechat', status: 'pending', action: null, failure: null },
        serverTime: '2026-11-22T10:00:00.000Z',
      };
      const stream = followSession(
        {
          eventsUrl: (last) => `/v1/checkout/cs_1/events${last === null ? '' : `?lastEventId=${last}`}`,
          getView: async (signal) => {
            signals.push(signal);
            return view;
          },
        },
        {
          onStatus: (event) => seen.push(event),
          clock,
          createEventSource: (url) => {
            const source = new ScriptedSource(url);
            sources.push(source);
            return source as unknown as EventSource;
          },
          retryDelaysMs: [1_000],
          signal: abort.signal,
        },
      );
      try {
        expect(sources.map((source) => source.url)).to.deep.equal(['/v1/checkout/cs_1/events']);
        sources.at(-1)?.send(4);
        for (let failed = 0; failed < 3; failed++) {
          sources.at(-1)?.fail();
          if (failed < 2) clock.advance(1_000);
        }
        expect(stream.polling).to.equal(true);
        await waitUntil(() => seen.length === 2);
        expect(seen[1]).to.deep.equal({
          seq: 4,
          status: 'pending',
          attempt: { id: 'att_1', status: 'pending', failure: null },
          at: '2026-11-22T10:00:00.000Z',
        });
        expect(signals).to.deep.equal([abort.signal]);
      } finally {
        stream.close();
      }
    });
  });

  describe('coming back', () => {
    it('reconnects at once, quietly, when the page becomes visible again', () => {
      const { sources, last, page, connection } = open(harness());
      last().open();
      last().send(2);
      page.visibility = 'hidden';
      document.dispatchEvent(new Event('visibilitychange'));
      expect(sources).to.have.length(1);
      page.visibility = 'visible';
      document.dispatchEvent(new Event('visibilitychange'));
      expect(sources[0]?.closed).to.equal(true);
      expect(sources.map((s) => s.url)).to.deep.equal(['/events', '/events?lastEventId=2']);
      // A precaution, not an outage: no "reconnecting" note flashes up.
      expect(connection).to.deep.equal(['open']);
    });

    it('reconnects at once when the page is restored from the back/forward cache', () => {
      const { sources, last } = open(harness());
      last().open();
      last().send(7);
      window.dispatchEvent(new PageTransitionEvent('pageshow', { persisted: false }));
      expect(sources).to.have.length(1);
      window.dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true }));
      expect(sources.map((s) => s.url)).to.deep.equal(['/events', '/events?lastEventId=7']);
    });

    it('reconnects at once when the browser comes back online, waiting or not', () => {
      const { sources, last, clock } = open(harness());
      last().open();
      last().send(2);
      last().fail();
      window.dispatchEvent(new Event('online'));
      expect(sources.map((s) => s.url)).to.deep.equal(['/events', '/events?lastEventId=2']);
      // The retry that was waiting is gone.
      clock.advance(1_000);
      expect(sources).to.have.length(2);
      // A source that looks open may be a dead one from the old network.
      last().open();
      window.dispatchEvent(new Event('online'));
      expect(sources).to.have.length(3);
      expect(sources[1]?.closed).to.equal(true);
    });
  });
});
