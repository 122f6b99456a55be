/**
 * A stand-in for the BFF's browser API, mounted on the test runner's own server so the element
 * talks to it same-origin. It speaks the checkout contract and is
 * strict where the real BFF is: a missing or misplaced client secret is a 401/400, which the
 * element surfaces as an error and a test notices.
 *
 * Sessions come from templates and are created per test, so tests running side by side never
 * share one. Test controls (under /fake/) drive what the BFF would learn from providers:
 *   POST /fake/sessions                    {template, view?, serverNow?, deepLink?} → {id, clientSecret};
 *        `serverNow` (ms since the epoch) freezes this session's server clock there: its
 *        `serverTime` stamps and QR expiry times use it instead of the real time; `deepLink`
 *        replaces the deep link of its QR codes
 *   POST /fake/sessions/:id/emit           {status, attempt?}    → the appended StatusEvent
 *   POST /fake/sessions/:id/drop           {refuse?, hold?}      ends the open streams; `refuse: n`
 *        answers the next n stream requests with 503 (EventSource then gives up: CLOSED);
 *        `hold: true` parks new stream requests until /release
 *   POST /fake/sessions/:id/release                              lets parked stream requests through
 *   POST /fake/sessions/:id/fail-next      {status, code}        the next attempt create fails so
 *   POST /fake/sessions/:id/stall-next                           the next view request never answers
 *   POST /fake/sessions/:id/hold-next-attempt                    the next attempt is made (and its
 *        event sent) but the answer waits for /release-attempt
 *   POST /fake/sessions/:id/release-attempt                      answers the held attempt
 *   POST /fake/sessions/:id/mute                                 the open streams go silent without
 *        closing (a connection that died on the way): no events, no pings
 *   GET  /fake/sessions/:id/log                                  what the fake received
 * Pages besides the API:
 *   GET  /fake/embed?session=…&secret=…    a page with just the element (secret optional), for
 *        tests that let it navigate for real inside an iframe
 *   GET|POST /fake/provider/one1pay        the provider page redirects lead to; visits are logged
 *   GET|POST /fake/provider/3ds            the card issuer's check (a `challenge` action's frame)
 *   GET  /fake/provider/card-frame         the card tokenizer's frame (MethodView.tokenizer)
 * Templates `card`, `pos` and `cny` carry the newer method fields (tokenizer, buyerCode, estimate);
 * a `.wechat` attempt made with `client.inApp: 'wechat'` answers an `app` action, and a buyer's
 * code is charged once (the same code again answers the same attempt).
 */

/** @typedef {import('../../widget/wire.ts').CheckoutView} CheckoutView */
/** @typedef {import('../../widget/wire.ts').AttemptView} AttemptView */
/** @typedef {import('../../widget/wire.ts').StatusEvent} StatusEvent */
/** @typedef {import('../../widget/wire.ts').MethodView} MethodView */

/** A 21×21 grid with the three finder patterns: enough for the widget to draw, not a real code. */
export const FAKE_QR_PATH =
  'M0 0h7v1H0zM0 1h1v5H0zM6 1h1v5H6zM0 6h7v1H0zM2 2h3v3H2z' +
  'M14 0h7v1H14zM14 1h1v5H14zM20 1h1v5H20zM14 6h7v1H14zM16 2h3v3H16z' +
  'M0 14h7v1H0zM0 15h1v5H0zM6 15h1v5H6zM0 20h7v1H0zM2 16h3v3H2zM9 9h3v3H9z';

const QR_TTL_MS = 15 * 60 * 1000;
/** Announced in `ready`; the fake pings on the real clock, the widget counts on its own. */
export const FAKE_HEARTBEAT_MS = 10_000;
const SESSION_TTL_MS = 60 * 60 * 1000;
const FINAL = new Set(['succeeded', 'partially_refunded', 'refunded', 'expired', 'canceled']);

let counter = 0;
const nextId = (prefix) => `${prefix}_fake${++counter}${Math.random().toString(36).slice(2, 8)}`;

/** @type {Map<string, any>} */
const sessions = new Map();
/** Attempt id → session, for the provider pages that only see the order. */
const attemptSessions = new Map();

/** @param {string} origin @returns {Record<string, () => Omit<CheckoutView, 'id'>>} */
function templates(origin) {
  const expiresAt = new Date(Date.now() + SESSION_TTL_MS).toISOString();
  /** @type {MethodView[]} */
  const one1pay = [
    {
      id: 'one1pay.thaiqr',
      provider: 'one1pay',
      kind: 'redirect',
      label: 'Thai QR',
      fields: [
        {
          // As the One1Pay adapter sends it: `label` is a key into the widget's translations.
          name: 'bankId',
          type: 'select',
          required: true,
          label: 'field.bankId',
          options: [
            { value: '1', label: 'Siam Commercial Bank' },
            { value: '2', label: 'Kasikornbank' },
          ],
        },
        { name: 'holderName', type: 'text', required: true },
        { name: 'accountNumber', type: 'text', required: true, maxLength: 12 },
      ],
    },
    {
      id: 'one1pay.truemoney',
      provider: 'one1pay',
      kind: 'redirect',
      label: 'TrueMoney Wallet',
      fields: [
        { name: 'phone', type: 'tel', required: true },
        { name: 'email', type: 'email', required: false },
      ],
    },
  ];
  /** @type {MethodView[]} */
  const ottpay = [
    { id: 'ottpay.wechat', provider: 'ottpay', kind: 'qr', brand: 'wechat', label: 'WeChat Pay', fields: [] },
    { id: 'ottpay.alipay', provider: 'ottpay', kind: 'qr', brand: 'alipay', label: 'Alipay', fields: [] },
    { id: 'ottpay.unionpay', provider: 'ottpay', kind: 'qr', brand: 'unionpay', label: 'UnionPay', fields: [] },
  ];
  const thb = () => ({
    status: 'open',
    amount: '1250.00',
    currency: 'THB',
    merchant: { name: 'Siam Goods' },
    description: 'Order #1042',
    expiresAt,
    returnUrl: `${origin}/fake/shop/thanks`,
    methods: one1pay,
    attempt: null,
  });
  const cad = () => ({
    status: 'open',
    amount: '42.50',
    currency: 'CAD',
    merchant: { name: 'Maple Tea House' },
    description: null,
    expiresAt,
    returnUrl: null,
    methods: ottpay,
    attempt: null,
  });
  return {
    thb,
    cad,
    usd: () => ({
      ...cad(),
      amount: '15.00',
      currency: 'USD',
      methods: [{ id: 'sansan.card', provider: 'sansan', kind: 'card', label: 'Card', fields: [] }],
    }),
    // Card fields in the tokenizer's frame, then 3-D Secure in a frame.
    card: () => ({
      ...cad(),
      amount: '15.00',
      currency: 'USD',
      methods: [
        {
          id: 'sansan.card',
          provider: 'sansan',
          kind: 'card',
          brand: 'card',
          label: 'Card',
          fields: [],
          tokenizer: { url: `${origin}/fake/provider/card-frame`, origin },
        },
      ],
    }),
    // A till: KessPay's wallets take a buyer's code (QUICK PAY); the card method does not.
    pos: () => ({
      ...cad(),
      amount: '88.00',
      currency: 'USD',
      methods: [
        {
          id: 'kesspay.wechat',
          provider: 'kesspay',
          kind: 'qr',
          brand: 'wechat',
          label: 'WeChat Pay',
          fields: [],
          buyerCode: true,
        },
        {
          id: 'kesspay.alipay',
          provider: 'kesspay',
          kind: 'qr',
          brand: 'alipay',
          label: 'Alipay',
          fields: [],
          buyerCode: true,
        },
        { id: 'sansan.card', provider: 'sansan', kind: 'card', label: 'Card', fields: [] },
      ],
    }),
    // OTT Pay with brands and the approximate CNY amount its wallets will show.
    cny: () => ({
      ...cad(),
      methods: [
        {
          id: 'ottpay.wechat',
          provider: 'ottpay',
          kind: 'qr',
          brand: 'wechat',
          label: 'WeChat Pay',
          fields: [],
          estimate: { amount: '221.35', currency: 'CNY' },
        },
        {
          id: 'ottpay.alipay',
          provider: 'ottpay',
          kind: 'qr',
          brand: 'alipay',
          label: 'Alipay',
          fields: [],
          estimate: { amount: '221.35', currency: 'CNY' },
        },
      ],
    }),
    succeeded: () => ({
      ...cad(),
      status: 'succeeded',
      attempt: { id: nextId('att'), method: 'ottpay.wechat', status: 'succeeded', action: null, failure: null },
    }),
    expired: () => ({ ...thb(), status: 'expired', expiresAt: new Date(Date.now() - 60_000).toISOString() }),
  };
}

/**
 * The action the real BFF would answer with: WeChat's payment sheet inside WeChat (JSAPI), 3-D
 * Secure after card tokens, a QR code for the Chinese wallets, a provider page for One1Pay.
 * @param {string} origin @param {any} attempt @param {string} method @param {any} session @param {any} body
 */
function actionFor(origin, attempt, method, session, body = {}) {
  if (method.endsWith('.wechat') && body.client?.inApp === 'wechat') {
    return {
      type: 'app',
      wallet: 'wechat',
      params: { appId: 'wx_fake', package: `prepay_id=${attempt}`, signType: 'RSA' },
    };
  }
  if (method === 'sansan.card' && body.fields?.token) {
    return {
      type: 'challenge',
      display: 'frame',
      url: `${origin}/fake/provider/3ds`,
      method: 'POST',
      fields: { order: attempt, creq: 'fake-creq' },
    };
  }
  if (method.startsWith('ottpay.') || method.startsWith('kesspay.')) {
    return {
      type: 'qr',
      content: `${origin}/fake/wallet/${attempt}`,
      modules: { size: 21, path: FAKE_QR_PATH },
      // Whole seconds, like the providers' own expiry times; tests start their clocks on a whole second.
      expiresAt: new Date(Math.ceil((session.now() + QR_TTL_MS) / 1000) * 1000).toISOString(),
      deepLink:
        session.deepLink ??
        (method.endsWith('.alipay') ? `alipays://platformapi/startapp?saId=10000007&qrcode=${attempt}` : null),
    };
  }
  if (method === 'one1pay.thaiqr') {
    return { type: 'redirect', url: `${origin}/fake/provider/one1pay?order=${attempt}`, method: 'GET', fields: {} };
  }
  if (method === 'one1pay.truemoney') {
    return { type: 'redirect', url: `${origin}/fake/provider/one1pay`, method: 'POST', fields: { order: attempt } };
  }
  return { type: 'card', tokenizerUrl: `${origin}/fake/provider/card` };
}

function createSession(origin, template, overrides, { serverNow, deepLink } = {}) {
  const make = templates(origin)[template];
  if (!make) throw new Error(`unknown template ${template}`);
  const id = nextId('cs');
  const session = {
    id,
    secret: nextId('secret'),
    /** @type {CheckoutView} */
    view: { id, ...make(), ...(overrides ?? {}) },
    /** @type {AttemptView[]} */
    attempts: [],
    /** @type {StatusEvent[]} */
    events: [],
    /** @type {Set<import('node:http').ServerResponse>} */
    streams: new Set(),
    /** @type {Array<{ lastEventIdHeader: string | null, lastEventIdQuery: string | null, refused: boolean }>} */
    connections: [],
    /** @type {Array<{ method: string, fields: Record<string, string> | undefined }>} */
    attemptRequests: [],
    refuse: 0,
    hold: false,
    /** @type {Array<() => void>} */
    held: [],
    failNext: null,
    stallNext: false,
    holdNextAttempt: false,
    /** @type {Array<() => void>} */
    heldAttempts: [],
    /** @type {Set<import('node:http').ServerResponse>} */
    muted: new Set(),
    /** @type {Array<{ method: string, order: string | null }>} */
    providerVisits: [],
    now: () => (typeof serverNow === 'number' ? serverNow : Date.now()),
    deepLink: typeof deepLink === 'string' ? deepLink : undefined,
  };
  if (session.view.attempt) {
    session.attempts.push(session.view.attempt);
    attemptSessions.set(session.view.attempt.id, session);
  }
  sessions.set(id, session);
  append(session, 'open', null);
  if (session.view.status !== 'open') append(session, session.view.status, session.view.attempt);
  return session;
}

/** @returns {StatusEvent} */
function append(session, status, attempt) {
  const event = {
    seq: session.events.length + 1,
    status,
    attempt: attempt ? { id: attempt.id, status: attempt.status, failure: attempt.failure ?? null } : null,
    at: new Date().toISOString(),
  };
  session.events.push(event);
  for (const res of session.streams) writeEvent(res, event);
  return event;
}

function writeEvent(res, event) {
  res.write(`id: ${event.seq}\nevent: status\ndata: ${JSON.stringify(event)}\n\n`);
}

function json(ctx, status, body) {
  ctx.status = status;
  ctx.set('Cache-Control', 'no-store');
  ctx.type = 'application/json';
  ctx.body = JSON.stringify(body);
}

let requestCounter = 0;
function fail(ctx, status, code, message) {
  if (process.env.FAKE_BFF_DEBUG) console.log('fake-bff', ctx.method, ctx.url, status, code, message);
  json(ctx, status, { error: { code, message, requestId: `req_fake_${++requestCounter}` } });
}

async function readJson(ctx) {
  const chunks = [];
  for await (const chunk of ctx.req) chunks.push(chunk);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text === '') return {};
  return JSON.parse(text);
}

/** Fetch endpoints take the secret only as a header; a secret in the URL would end up in logs. */
function checkHeaderSecret(ctx, session) {
  if (ctx.query.secret !== undefined) {
    fail(ctx, 400, 'invalid_request', 'the client secret belongs in the Tender-Client-Secret header');
    return false;
  }
  if (ctx.get('tender-client-secret') !== session.secret) {
    fail(ctx, 401, 'unauthorized', 'missing or wrong client secret');
    return false;
  }
  return true;
}

function checkQuerySecret(ctx, session) {
  if (ctx.query.secret !== session.secret) {
    fail(ctx, 401, 'unauthorized', 'missing or wrong client secret');
    return false;
  }
  return true;
}

function sameFields(a, b) {
  const norm = (f) => JSON.stringify(Object.entries(f ?? {}).sort(([x], [y]) => (x < y ? -1 : 1)));
  return norm(a) === norm(b);
}

async function createAttempt(ctx, session) {
  if (!ctx.is('application/json')) return fail(ctx, 415, 'invalid_request', 'send JSON');
  let body;
  try {
    body = await readJson(ctx);
  } catch {
    return fail(ctx, 400, 'invalid_request', 'body is not JSON');
  }
  session.attemptRequests.push({
    method: body.method,
    fields: body.fields,
    client: body.client,
    buyerCode: body.buyerCode,
  });
  if (session.failNext) {
    const { status, code } = session.failNext;
    session.failNext = null;
    return fail(ctx, status, code, 'failing as the test asked');
  }
  if (FINAL.has(session.view.status)) return fail(ctx, 409, 'session_closed', 'the session is closed');
  const method = session.view.methods.find((m) => m.id === body.method);
  if (!method) return fail(ctx, 422, 'method_unavailable', `method ${body.method} is not offered`);
  const fields = body.fields ?? {};
  if (typeof fields !== 'object' || Array.isArray(fields)) return fail(ctx, 400, 'invalid_request', 'fields');
  for (const name of Object.keys(fields)) {
    // A tokenizer's fields are its own (tokens); the method lists only what the page asks for.
    if (!method.tokenizer && !method.fields.some((f) => f.name === name)) {
      return fail(ctx, 400, 'invalid_request', `unknown field ${name}`);
    }
  }
  for (const spec of method.fields) {
    if (spec.required && !(typeof fields[spec.name] === 'string' && fields[spec.name] !== '')) {
      return fail(ctx, 400, 'invalid_request', `${spec.name} is required`);
    }
  }
  if (body.buyerCode !== undefined) {
    if (!method.buyerCode || !/^\d{16,24}$/.test(String(body.buyerCode))) {
      return fail(ctx, 400, 'invalid_request', 'buyerCode');
    }
    // One code, one charge: the same code again answers the attempt it already made.
    const charged = session.attempts.find((a) => a.buyerCode === body.buyerCode);
    if (charged) {
      const { fieldsSent: _sent, buyerCode: _code, ...view } = charged;
      return json(ctx, 200, { ...view, serverTime: new Date(session.now()).toISOString() });
    }
    const id = nextId('att');
    const attempt = { id, method: body.method, status: 'pending', action: { type: 'none' }, failure: null };
    session.attempts.push({ ...attempt, buyerCode: body.buyerCode });
    attemptSessions.set(id, session);
    session.view = { ...session.view, status: 'pending', attempt };
    append(session, 'pending', attempt);
    return json(ctx, 201, { ...attempt, serverTime: new Date(session.now()).toISOString() });
  }
  const latest = session.attempts.at(-1);
  if (
    latest &&
    latest.method === body.method &&
    sameFields(latest.fieldsSent, body.fields) &&
    (latest.status === 'requires_action' || latest.status === 'pending')
  ) {
    const { fieldsSent: _sent, buyerCode: _code, ...view } = latest;
    return json(ctx, 200, { ...view, serverTime: new Date(session.now()).toISOString() });
  }
  const id = nextId('att');
  const attempt = {
    id,
    method: body.method,
    status: 'requires_action',
    action: actionFor(ctx.origin, id, body.method, session, body),
    failure: null,
  };
  session.attempts.push({ ...attempt, fieldsSent: body.fields });
  attemptSessions.set(id, session);
  session.view = { ...session.view, status: 'pending', attempt };
  append(session, 'pending', attempt);
  if (session.holdNextAttempt) {
    session.holdNextAttempt = false;
    await new Promise((resolve) => session.heldAttempts.push(resolve));
  }
  json(ctx, 201, { ...attempt, serverTime: new Date(session.now()).toISOString() });
}

async function openStream(ctx, session) {
  const header = ctx.get('last-event-id') || null;
  const query = typeof ctx.query.lastEventId === 'string' ? ctx.query.lastEventId : null;
  const connection = { lastEventIdHeader: header, lastEventIdQuery: query, refused: false };
  session.connections.push(connection);
  if (session.refuse > 0) {
    session.refuse -= 1;
    connection.refused = true;
    return fail(ctx, 503, 'internal', 'stream refused as the test asked');
  }
  if (session.hold) {
    const closed = await new Promise((resolve) => {
      session.held.push(() => resolve(false));
      ctx.req.once('close', () => resolve(true));
    });
    if (closed) {
      ctx.status = 204;
      ctx.respond = false;
      return;
    }
  }
  ctx.status = 200;
  ctx.respond = false;
  const res = ctx.res;
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store',
    Connection: 'keep-alive',
  });
  // A short retry keeps the browser's own reconnects (Last-Event-ID) quick in tests.
  res.write(`retry: 50\nevent: ready\ndata: ${JSON.stringify({ heartbeatMs: FAKE_HEARTBEAT_MS })}\n\n`);
  const after = Number(header ?? query ?? 0);
  for (const event of session.events) if (event.seq > after) writeEvent(res, event);
  session.streams.add(res);
  const heartbeat = setInterval(() => {
    if (session.streams.has(res)) res.write('event: ping\ndata: {}\n\n');
  }, FAKE_HEARTBEAT_MS);
  const done = () => {
    clearInterval(heartbeat);
    session.streams.delete(res);
    session.muted.delete(res);
  };
  res.once('close', done);
}

function emit(session, body) {
  const target = body.attemptId ? session.attempts.find((a) => a.id === body.attemptId) : session.attempts.at(-1);
  if (body.attempt && target) {
    target.status = body.attempt.status;
    target.failure = body.attempt.failure ?? null;
  }
  const attemptView = target ? (({ fieldsSent: _sent, buyerCode: _code, ...view }) => view)(target) : null;
  session.view = { ...session.view, status: body.status, attempt: attemptView ?? session.view.attempt };
  return append(session, body.status, body.attempt === null ? null : attemptView);
}

function qrSvg(session) {
  const action = session.view.attempt?.action;
  if (!action || action.type !== 'qr') return null;
  const box = action.modules.size + 8;
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="-4 -4 ${box} ${box}"><rect x="-4" y="-4" width="${box}" height="${box}" fill="#fff"/><path d="${action.modules.path}"/></svg>`;
}

async function handleControl(ctx, parts) {
  // parts: ['sessions'] or ['sessions', id, verb]
  if (parts.length === 1 && ctx.method === 'POST') {
    const body = await readJson(ctx);
    const session = createSession(ctx.origin, body.template ?? 'thb', body.view, body);
    return json(ctx, 201, { id: session.id, clientSecret: session.secret });
  }
  const session = sessions.get(parts[1] ?? '');
  if (!session) return fail(ctx, 404, 'not_found', 'no such fake session');
  const verb = parts[2];
  if (verb === 'log' && ctx.method === 'GET') {
    return json(ctx, 200, {
      connections: session.connections,
      attemptRequests: session.attemptRequests,
      openStreams: session.streams.size,
      heldStreams: session.held.length,
      heldAttempts: session.heldAttempts.length,
      providerVisits: session.providerVisits,
      events: session.events,
    });
  }
  if (ctx.method !== 'POST') return fail(ctx, 405, 'invalid_request', 'POST only');
  const body = await readJson(ctx);
  switch (verb) {
    case 'emit':
      return json(ctx, 200, emit(session, body));
    case 'drop':
      session.refuse = body.refuse ?? 0;
      session.hold = body.hold === true;
      for (const res of [...session.streams, ...session.muted]) res.end();
      session.streams.clear();
      session.muted.clear();
      return json(ctx, 200, { ok: true });
    case 'release': {
      session.hold = false;
      const held = session.held.splice(0);
      for (const release of held) release();
      return json(ctx, 200, { released: held.length });
    }
    case 'fail-next':
      session.failNext = { status: body.status ?? 502, code: body.code ?? 'provider_unavailable' };
      return json(ctx, 200, { ok: true });
    case 'stall-next':
      session.stallNext = true;
      return json(ctx, 200, { ok: true });
    case 'hold-next-attempt':
      session.holdNextAttempt = true;
      return json(ctx, 200, { ok: true });
    case 'release-attempt': {
      const held = session.heldAttempts.splice(0);
      for (const release of held) release();
      return json(ctx, 200, { released: held.length });
    }
    case 'mute':
      for (const res of session.streams) session.muted.add(res);
      session.streams.clear();
      return json(ctx, 200, { ok: true });
    default:
      return fail(ctx, 404, 'not_found', `no control ${verb}`);
  }
}

async function handleCheckout(ctx, id, rest) {
  const session = sessions.get(id);
  if (!session) return fail(ctx, 404, 'not_found', 'checkout not found');
  if (rest === '' && ctx.method === 'GET') {
    if (!checkHeaderSecret(ctx, session)) return;
    if (session.stallNext) {
      session.stallNext = false;
      // Never answer; the client's timeout must end the request.
      await new Promise((resolve) => ctx.req.once('close', resolve));
      // The client is gone: nothing is sent. The status only keeps Koa's bookkeeping (and the
      // test runner's 404 report) from counting this as a missing file.
      ctx.status = 204;
      ctx.respond = false;
      return;
    }
    return json(ctx, 200, { ...session.view, serverTime: new Date(session.now()).toISOString() });
  }
  if (rest === '/attempts' && ctx.method === 'POST') {
    if (!checkHeaderSecret(ctx, session)) return;
    return createAttempt(ctx, session);
  }
  if (rest === '/events' && ctx.method === 'GET') {
    if (!checkQuerySecret(ctx, session)) return;
    return openStream(ctx, session);
  }
  if (rest === '/qr.svg' && ctx.method === 'GET') {
    if (!checkQuerySecret(ctx, session)) return;
    const svg = qrSvg(session);
    if (!svg) return fail(ctx, 404, 'not_found', 'no QR code for this session');
    ctx.type = 'image/svg+xml';
    ctx.body = svg;
    return;
  }
  return fail(ctx, 404, 'not_found', 'no such route');
}

/** The element alone on a page, loaded as a module straight from widget/ (the test server compiles it). */
function embedPage(ctx) {
  ctx.type = 'text/html';
  ctx.body = `<!doctype html>
<html lang="en">
  <head><meta charset="utf-8"><title>Embed</title></head>
  <body>
    <script type="module">
      import '/widget/define.ts';
      const params = new URLSearchParams(location.search);
      const el = document.createElement('tender-checkout');
      el.setAttribute('session', params.get('session') ?? '');
      if (params.has('secret')) el.setAttribute('client-secret', params.get('secret'));
      el.setAttribute('locale', 'en');
      document.body.append(el);
    </script>
  </body>
</html>`;
}

/**
 * The card tokenizer's frame: one field, and the postMessage protocol of widget/card-frame.ts. On
 * `tender-card-submit` it answers a token for a 16-digit number, an error otherwise; it tells its
 * parent how tall it is once loaded.
 */
function cardFramePage(ctx) {
  ctx.type = 'text/html';
  ctx.body = `<!doctype html>
<html lang="en">
  <head><meta charset="utf-8"><title>Card</title></head>
  <body>
    <label for="number">Card number</label> <input id="number" inputmode="numeric" autocomplete="cc-number">
    <script>
      const parentOrigin = ${JSON.stringify(ctx.origin)};
      parent.postMessage({ type: 'tender-card-resize', height: 120 }, parentOrigin);
      window.sendToken = (token) => parent.postMessage({ type: 'tender-card-token', fields: { token } }, parentOrigin);
      addEventListener('message', (event) => {
        // A test may silence the frame (window.silent) to answer for it with sendToken().
        if (window.silent || event.source !== parent || event.data?.type !== 'tender-card-submit') return;
        const number = document.getElementById('number').value.replace(/\\s/g, '');
        parent.postMessage(
          /^\\d{16}$/.test(number)
            ? { type: 'tender-card-token', fields: { token: 'tok_' + number.slice(-4) } }
            : { type: 'tender-card-error', message: 'Enter a 16-digit card number.' },
          parentOrigin,
        );
      });
    </script>
  </body>
</html>`;
}

async function providerPage(ctx, title = 'The provider’s payment page') {
  let order = typeof ctx.query.order === 'string' ? ctx.query.order : null;
  if (ctx.method === 'POST') {
    const chunks = [];
    for await (const chunk of ctx.req) chunks.push(chunk);
    order = new URLSearchParams(Buffer.concat(chunks).toString('utf8')).get('order');
  }
  attemptSessions.get(order ?? '')?.providerVisits.push({ method: ctx.method, order });
  ctx.type = 'text/html';
  ctx.body = `<!doctype html><html lang="en"><title>Provider</title><p>${title}</p></html>`;
}

/** Koa middleware for web-test-runner's `middleware` option. */
export function fakeBffMiddleware() {
  return async function fakeBff(ctx, next) {
    const checkout = /^\/v1\/checkout\/([^/]+)(\/[a-z.]+)?$/.exec(ctx.path);
    try {
      if (checkout) return await handleCheckout(ctx, decodeURIComponent(checkout[1] ?? ''), checkout[2] ?? '');
      if (ctx.path === '/fake/embed' && ctx.method === 'GET') return embedPage(ctx);
      if (ctx.path === '/fake/provider/one1pay') return await providerPage(ctx);
      if (ctx.path === '/fake/provider/3ds') return await providerPage(ctx, 'Your bank’s check');
      if (ctx.path === '/fake/provider/card-frame') return cardFramePage(ctx);
      if (ctx.path.startsWith('/fake/sessions')) {
        return await handleControl(ctx, ctx.path.slice('/fake/'.length).split('/').filter(Boolean));
      }
    } catch (error) {
      return fail(ctx, 500, 'internal', String(error));
    }
    return next();
  };
}
