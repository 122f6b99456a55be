/**
 * The BFF client: headers, URLs, timeouts and how every failure becomes one CheckoutError.
 */
import { expect } from '@open-wc/testing';
import { apiBaseOfScript, CheckoutApi, CheckoutError, resolveApiBase, setDefaultApiBase } from '../../widget/api.ts';
import { fake, ManualClock } from './harness.ts';
import { bodyOf, urlOf } from '../fetch-args.ts';

type FetchCall = { url: string; init: RequestInit | undefined };

function stubFetch(answer: (call: FetchCall) => Promise<Response>): { fetch: typeof fetch; calls: FetchCall[] } {
  const calls: FetchCall[] = [];
  const fn = (input: RequestInfo | URL, init?: RequestInit) => {
    const call = { url: urlOf(input), init };
    calls.push(call);
    return answer(call);
  };
  return { fetch: fn, calls };
}

function api(options: { fetch?: typeof fetch; clock?: ManualClock; base?: string } = {}): CheckoutApi {
  return new CheckoutApi({
    base: options.base ?? 'https://bff.example',
    sessionId: 'cs_1',
    clientSecret: 'secret_1',
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  });
}

async function failure(promise: Promise<unknown>): Promise<CheckoutError> {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(CheckoutError);
    return error as CheckoutError;
  }
  throw new Error('expected the call to fail');
}

const view = {
  id: 'cs_1',
  status: 'open',
  amount: '1.00',
  currency: 'CAD',
  merchant: { name: 'M' },
  description: null,
  expiresAt: '2030-01-01T00:00:00Z',
  returnUrl: null,
  methods: [],
  attempt: null,
};

describe('CheckoutApi', () => {
  it('loads the view from the BFF with the secret in the header', async () => {
    const session = await fake.session('cad');
    const client = new CheckoutApi({
      base: location.origin,
      sessionId: session.id,
      clientSecret: session.clientSecret,
    });
    const loaded = await client.getView();
    expect(loaded.id).to.equal(session.id);
    expect(loaded.currency).to.equal('CAD');
  });

  it('sends the secret as Tender-Client-Secret, never in the URL, and JSON for attempts', async () => {
    const stub = stubFetch(
      async () =>
        new Response(
          JSON.stringify({ id: 'a', method: 'ottpay.wechat', status: 'requires_action', action: null, failure: null }),
          { status: 201 },
        ),
    );
    await api({ fetch: stub.fetch }).createAttempt({ method: 'ottpay.wechat' });
    const call = stub.calls[0];
    expect(call?.url).to.equal('https://bff.example/v1/checkout/cs_1/attempts');
    const headers = new Headers(call?.init?.headers);
    expect(headers.get('Tender-Client-Secret')).to.equal('secret_1');
    expect(headers.get('Content-Type')).to.equal('application/json');
    expect(call?.init?.method).to.equal('POST');
    expect(JSON.parse(bodyOf(call?.init))).to.deep.equal({ method: 'ottpay.wechat' });
  });

  it('keeps a path prefix in the base and builds the stream URL with the secret', () => {
    const client = api({ base: 'https://shop.example/tender' });
    expect(client.eventsUrl(null)).to.equal('https://shop.example/tender/v1/checkout/cs_1/events?secret=secret_1');
    expect(client.eventsUrl(7)).to.equal(
      'https://shop.example/tender/v1/checkout/cs_1/events?secret=secret_1&lastEventId=7',
    );
  });

  it('tells the time by the BFF’s clock, from the serverTime of each answer', async () => {
    const clock = new ManualClock(Date.parse('2026-11-22T10:16:00Z'));
    const answers = [
      // The phone is 16 minutes fast.
      { ...view, serverTime: '2026-11-22T10:00:00Z' },
      // Later, an attempt answer: the phone's clock was corrected meanwhile and is now 2 s slow.
      {
        id: 'a',
        method: 'ottpay.wechat',
        status: 'requires_action',
        action: null,
        failure: null,
        serverTime: '2026-11-22T10:16:02Z',
      },
      // An answer without a stamp leaves the correction as it was.
      { ...view },
    ];
    const stub = stubFetch(async () => new Response(JSON.stringify(answers.shift())));
    const client = api({ fetch: stub.fetch, clock });
    expect(client.now()).to.equal(clock.now());
    await client.getView();
    expect(new Date(client.now()).toISOString()).to.equal('2026-11-22T10:00:00.000Z');
    clock.advance(30_000);
    expect(new Date(client.now()).toISOString()).to.equal('2026-11-22T10:00:30.000Z');
    clock.set(Date.parse('2026-11-22T10:16:00Z'));
    await client.createAttempt({ method: 'ottpay.wechat' });
    expect(new Date(client.now()).toISOString()).to.equal('2026-11-22T10:16:02.000Z');
    await client.getView();
    expect(new Date(client.now()).toISOString()).to.equal('2026-11-22T10:16:02.000Z');
  });

  it('maps the BFF error body to code, status, request id and recoverability', async () => {
    const session = await fake.session('cad');
    const client = new CheckoutApi({ base: location.origin, sessionId: session.id, clientSecret: 'wrong' });
    const error = await failure(client.getView());
    expect(error.code).to.equal('unauthorized');
    expect(error.status).to.equal(401);
    expect(error.recoverable).to.equal(false);
    expect(error.requestId).to.match(/^req_/);
  });

  it('treats 5xx and 429 as recoverable, and names an error without a body by its status', async () => {
    const unavailable = await failure(
      api({ fetch: stubFetch(async () => new Response('<h1>Bad gateway</h1>', { status: 502 })).fetch }).getView(),
    );
    expect([unavailable.code, unavailable.status, unavailable.recoverable]).to.deep.equal(['http_502', 502, true]);

    const throttled = await failure(
      api({
        fetch: stubFetch(
          async () =>
            new Response(JSON.stringify({ error: { code: 'rate_limited', message: 'slow down', requestId: 'r1' } }), {
              status: 429,
            }),
        ).fetch,
      }).getView(),
    );
    expect([throttled.code, throttled.recoverable, throttled.requestId]).to.deep.equal(['rate_limited', true, 'r1']);
  });

  it('turns a network failure into a recoverable "network" error', async () => {
    const error = await failure(
      api({ fetch: stubFetch(() => Promise.reject(new TypeError('Failed to fetch'))).fetch }).getView(),
    );
    expect(error.code).to.equal('network');
    expect(error.recoverable).to.equal(true);
    expect(error.cause).to.be.instanceOf(TypeError);
  });

  it('rejects an answer that is not JSON, or not a checkout view', async () => {
    const html = await failure(
      api({ fetch: stubFetch(async () => new Response('<html>portal</html>')).fetch }).getView(),
    );
    expect(html.code).to.equal('bad_response');
    const wrongShape = await failure(
      api({ fetch: stubFetch(async () => new Response(JSON.stringify({ ...view, methods: 'all' }))).fetch }).getView(),
    );
    expect(wrongShape.code).to.equal('bad_response');
    const ok = await api({ fetch: stubFetch(async () => new Response(JSON.stringify(view))).fetch }).getView();
    expect(ok.id).to.equal('cs_1');
  });

  it('gives up with a "timeout" error when the BFF does not answer in time', async () => {
    const session = await fake.session('cad');
    await fake.stallNext(session.id);
    const clock = new ManualClock();
    const client = new CheckoutApi({
      base: location.origin,
      sessionId: session.id,
      clientSecret: session.clientSecret,
      timeoutMs: 2_000,
      clock,
    });
    const pending = failure(client.getView());
    clock.advance(1_999);
    expect(clock.pendingOnce).to.equal(1);
    clock.advance(1);
    const error = await pending;
    expect(error.code).to.equal('timeout');
    expect(error.recoverable).to.equal(true);
    expect(clock.pendingOnce).to.equal(0);
  });

  it('says "aborted" when the caller cancels, and clears its timer', async () => {
    const clock = new ManualClock();
    const stub = stubFetch(
      (call) =>
        new Promise((_, reject) => {
          call.init?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
        }),
    );
    const controller = new AbortController();
    const pending = failure(api({ fetch: stub.fetch, clock }).getView(controller.signal));
    controller.abort();
    const error = await pending;
    expect(error.code).to.equal('aborted');
    expect(clock.pendingOnce).to.equal(0);
  });
});

describe('CheckoutApi#firstView', () => {
  /** The data block the hosted page writes after the element. */
  function inline(text: string, sessionId = 'cs_1'): HTMLScriptElement {
    const block = Object.assign(document.createElement('script'), {
      type: 'application/json',
      id: `tender-view-${sessionId}`,
      textContent: text,
    });
    document.body.append(block);
    return block;
  }
  const answered = () => stubFetch(async () => new Response(JSON.stringify({ ...view, status: 'processing' })));

  it('takes the view the page carries without fetching, once: the next call asks the BFF', async () => {
    const stub = answered();
    const block = inline(JSON.stringify(view));
    const client = api({ fetch: stub.fetch });
    expect(await client.firstView()).to.deep.equal(view);
    expect(stub.calls).to.have.length(0);
    expect(block.isConnected).to.equal(false);
    expect((await client.firstView()).status).to.equal('processing');
    expect(stub.calls).to.have.length(1);
  });

  it("asks the BFF when the page carries no view, another session's, or one it cannot read", async () => {
    for (const text of [null, JSON.stringify(view), 'not json', JSON.stringify({ ...view, methods: 'none' })]) {
      const stub = answered();
      const block = text === null ? null : inline(text, text === JSON.stringify(view) ? 'cs_other' : 'cs_1');
      try {
        expect((await api({ fetch: stub.fetch }).firstView()).status).to.equal('processing');
        expect(stub.calls[0]?.url).to.equal('https://bff.example/v1/checkout/cs_1');
      } finally {
        block?.remove();
      }
    }
  });

  it("sets the BFF's clock from the view's serverTime, stamped since the navigation started", async () => {
    inline(JSON.stringify({ ...view, serverTime: new Date(Date.now() + 3_600_000).toISOString() }));
    const client = api({ fetch: answered().fetch });
    await client.firstView();
    // The stamp is taken as made halfway between the navigation's start and now.
    const offset = client.now() - Date.now();
    expect(Math.abs(offset - 3_600_000 - performance.now() / 2)).to.be.below(100);
  });
});

describe('apiBaseOfScript', () => {
  it('is the directory tender.js was loaded from, so a BFF under a path prefix keeps it', () => {
    expect(apiBaseOfScript('https://shop.example/tender/tender.js')).to.equal('https://shop.example/tender/');
    expect(apiBaseOfScript('https://bff.example/tender.js?v=3')).to.equal('https://bff.example/');
    const client = new CheckoutApi({
      base: apiBaseOfScript('https://shop.example/tender/tender.js'),
      sessionId: 'cs_1',
      clientSecret: 's',
    });
    expect(client.eventsUrl(null)).to.equal('https://shop.example/tender/v1/checkout/cs_1/events?secret=s');
  });
});

describe('resolveApiBase', () => {
  afterEach(() => setDefaultApiBase(null));

  it('prefers the api attribute, then the script origin, then the page origin', () => {
    expect(resolveApiBase('')).to.equal(`${location.origin}/`);
    setDefaultApiBase('https://bff.example');
    expect(resolveApiBase('')).to.equal('https://bff.example/');
    expect(resolveApiBase('https://other.example/pay')).to.equal('https://other.example/pay');
    expect(resolveApiBase('/tender')).to.equal(`${location.origin}/tender`);
  });
});
