/**
 * The real BFF for the widget tests, mounted in web-test-runner's own server so the element talks to
 * it same-origin: `createApp` over the real checkout service and a temporary SQLite file, with
 * scripted providers (scripted-provider.ts) in place of the payment providers. Two merchants, each
 * its own BFF (the merchant's name is configuration): "Siam Goods" for the THB templates, "Maple
 * Tea House" for the others.
 *
 * Sessions are made per test from templates, so tests running side by side never share one. Each
 * session has a clock of its own (`SessionClocks`): the BFF reads it while it serves that session,
 * so a test can freeze a session's time or move it past its expiry without touching the others.
 *
 * Test controls (under /__bff/), besides the real API under /v1/:
 *   POST /__bff/sessions                  {template, view?, serverNow?, deepLink?} → {id, clientSecret}
 *        `view` may set amount, currency, expiresAt; `serverNow` freezes the session's clock there
 *   POST /__bff/sessions/:id/script       {action?: qr|redirect|app|challenge|none, fail?: <provider
 *        error code>}   queues the provider's answer to the next payment create
 *   POST /__bff/sessions/:id/settle       {state: succeeded|failed|expired, paid?: decimal}
 *        → the status event it led to; the provider reports this for the latest attempt and the
 *        BFF asks it (`queryPayment`), as it confirms any payment; `paid` other than the amount is
 *        a payment of the wrong amount
 *   POST /__bff/sessions/:id/expire       moves the session's clock past its expiry and lets the BFF
 *        expire it → the status event
 *   POST /__bff/sessions/:id/record       {status, attempt: {status, failure}} writes what a newer
 *        BFF could have recorded (a failure code this one never gives) → the status event
 * Network faults between the page and the BFF (the BFF itself is untouched):
 *   POST /__bff/sessions/:id/drop         {refuse?, hold?} ends the open streams; `refuse: n`
 *        answers the next n stream requests with 503; `hold: true` parks new stream requests
 *   POST /__bff/sessions/:id/release      lets parked stream requests through
 *   POST /__bff/sessions/:id/stall-next   the next view request never answers
 *   POST /__bff/sessions/:id/hold-next-attempt / release-attempt
 *        the next attempt is made (and its event sent) but its answer waits for release-attempt
 *   POST /__bff/sessions/:id/mute         the open streams go silent without closing
 *   GET  /__bff/sessions/:id/log          what went over the wire, and the session's events
 * The provider's side (what a provider would host):
 *   GET  /fake/embed?session=…&secret=…   a page with just the element, for real navigations
 *   GET|POST /fake/provider/one1pay        the redirect target; visits are logged by order
 *   GET|POST /fake/provider/3ds            the card issuer's check (a `challenge` action's frame)
 *   GET  /fake/provider/card-frame         the card tokenizer's frame
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdtempSync, rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getRequestListener } from '@hono/node-server';
import { createApp, type App } from '../../../server/app.ts';
import { parseConfig, SANDBOX_CREDENTIALS } from '../../../server/config.ts';
import { Checkout } from '../../../server/domain/checkout.ts';
import type { Clock } from '../../../server/domain/clock.ts';
import { createLocalHub, type EventHub } from '../../../server/domain/events.ts';
import { silentLogger } from '../../../server/domain/log.ts';
import { parseDecimal } from '../../../server/domain/money.ts';
import { encodeQr } from '../../../server/domain/qr.ts';
import { bankNames } from '../../../server/providers/one1pay/banks.ts';
import type { MethodOffer, PaymentState, ProviderErrorCode } from '../../../server/providers/provider.ts';
import { openStore } from '../../../server/store/index.ts';
import type { Store } from '../../../server/store/store.ts';
import type { AttemptFailure, AttemptStatus, SessionStatus, StatusEvent } from '../../../widget/wire.ts';
import { HEARTBEAT_MS, QR_CONTENT, QR_PATH } from './constants.ts';
import { ScriptBook, ScriptedProvider, type ActionKind, type SessionScript } from './scripted-provider.ts';

/** The subset of Koa's context this middleware uses. */
interface KoaContext {
  method: string;
  path: string;
  url: string;
  origin: string;
  query: Record<string, string | string[] | undefined>;
  req: IncomingMessage;
  res: ServerResponse;
  status: number;
  body: unknown;
  type: string;
  respond?: boolean;
  get(name: string): string;
  set(name: string, value: string): void;
}
type Next = () => Promise<unknown>;

const MERCHANT_KEY = 'sk_test_widget_bff_key';
const PROVIDERS = ['ottpay', 'kesspay', 'one1pay', 'sansan'] as const;

/** Each session's own time: frozen, or the real time moved by an offset. */
export class SessionClocks implements Clock {
  readonly #current = new AsyncLocalStorage<string>();
  readonly #clocks = new Map<string, { frozenAt: number | null; offsetMs: number }>();

  now(): Date {
    const id = this.#current.getStore();
    const clock = id === undefined ? undefined : this.#clocks.get(id);
    if (!clock) return new Date();
    return new Date(clock.frozenAt ?? Date.now() + clock.offsetMs);
  }

  /** Runs `fn` (and everything it starts) on the session's clock. */
  within<T>(sessionId: string, fn: () => T): T {
    return this.#current.run(sessionId, fn);
  }

  freeze(sessionId: string, at: number): void {
    this.#clocks.set(sessionId, { frozenAt: at, offsetMs: 0 });
  }

  /** Moves the session's clock on to `time` (staying frozen if it was). */
  moveTo(sessionId: string, time: number): void {
    const clock = this.#clocks.get(sessionId) ?? { frozenAt: null, offsetMs: 0 };
    if (clock.frozenAt !== null) clock.frozenAt = Math.max(clock.frozenAt, time);
    else clock.offsetMs = Math.max(clock.offsetMs, time - Date.now());
    this.#clocks.set(sessionId, clock);
  }
}

interface Merchant {
  name: string;
  store: Store;
  checkout: Checkout;
  hub: EventHub;
  app: App;
}

interface Template {
  merchant: 'siam' | 'maple';
  amount: string;
  currency: string;
  description?: string;
  returnPath?: string;
  offers(origin: string): MethodOffer[];
}

const one1payOffers = (): MethodOffer[] => [
  {
    method: 'one1pay.thaiqr',
    label: 'Thai QR',
    kind: 'redirect',
    fields: [
      {
        // As the One1Pay adapter sends it: `label` is a key into the widget's translations.
        name: 'bankId',
        type: 'select',
        required: true,
        label: 'field.bankId',
        // With their names in other languages, from the adapter's own table.
        options: [
          { value: '1', label: 'Siam Commercial Bank', labels: bankNames('THB', 'Siam Commercial Bank') },
          { value: '2', label: 'Kasikornbank', labels: bankNames('THB', 'Kasikornbank') },
        ],
      },
      { name: 'holderName', type: 'text', required: true },
      { name: 'accountNumber', type: 'text', required: true, maxLength: 12 },
    ],
  },
  {
    method: 'one1pay.truemoney',
    label: 'TrueMoney Wallet',
    kind: 'redirect',
    fields: [
      { name: 'phone', type: 'tel', required: true },
      { name: 'email', type: 'email', required: false },
    ],
  },
];

const ottpayOffers = (estimate?: string): MethodOffer[] =>
  (
    [
      ['wechat', 'WeChat Pay'],
      ['alipay', 'Alipay'],
      ['unionpay', 'UnionPay'],
    ] as const
  )
    .filter(([brand]) => !estimate || brand !== 'unionpay')
    .map(([brand, label]) => ({
      method: `ottpay.${brand}`,
      label,
      kind: 'qr',
      brand,
      fields: [],
      ...(estimate ? { estimate: parseDecimal(estimate, 'CNY') } : {}),
    }));

const plainCard: MethodOffer = { method: 'sansan.card', label: 'Card', kind: 'card', fields: [] };

const TEMPLATES: Record<string, Template> = {
  thb: {
    merchant: 'siam',
    amount: '1250.00',
    currency: 'THB',
    description: 'Order #1042',
    returnPath: '/fake/shop/thanks',
    offers: one1payOffers,
  },
  cad: { merchant: 'maple', amount: '42.50', currency: 'CAD', offers: () => ottpayOffers() },
  // OTT Pay with the approximate CNY amount its wallets will show.
  cny: { merchant: 'maple', amount: '42.50', currency: 'CAD', offers: () => ottpayOffers('221.35') },
  usd: { merchant: 'maple', amount: '15.00', currency: 'USD', offers: () => [plainCard] },
  // Card fields in the tokenizer's frame, then 3-D Secure in a frame.
  card: {
    merchant: 'maple',
    amount: '15.00',
    currency: 'USD',
    offers: (origin) => [
      {
        ...plainCard,
        brand: 'card',
        tokenizer: { url: `${origin}/fake/provider/card-frame`, origin, fields: ['token'] },
      },
    ],
  },
  // A till: KessPay's wallets take a buyer's code (QUICK PAY); the card method does not.
  pos: {
    merchant: 'maple',
    amount: '88.00',
    currency: 'USD',
    offers: () => [
      { method: 'kesspay.wechat', label: 'WeChat Pay', kind: 'qr', brand: 'wechat', fields: [], buyerCode: true },
      { method: 'kesspay.alipay', label: 'Alipay', kind: 'qr', brand: 'alipay', fields: [], buyerCode: true },
      plainCard,
    ],
  },
};

interface Faults {
  refuse: number;
  hold: boolean;
  held: Array<() => void>;
  stallNext: boolean;
  holdNextAttempt: boolean;
  heldAttempts: Array<() => void>;
  streams: Set<ServerResponse>;
  muted: Set<ServerResponse>;
  connections: Array<{ lastEventIdHeader: string | null; lastEventIdQuery: string | null; refused: boolean }>;
  attemptRequests: unknown[];
  providerVisits: Array<{ method: string; order: string | null }>;
}

export interface WidgetBff {
  /** Koa middleware for web-test-runner's `middleware` option. */
  middleware(ctx: KoaContext, next: Next): Promise<unknown>;
  close(): Promise<void>;
}

export async function startWidgetBff(): Promise<WidgetBff> {
  if (encodeQr(QR_CONTENT).path !== QR_PATH) throw new Error('constants.ts: QR_PATH is not the path of QR_CONTENT');
  const dir = mkdtempSync(join(tmpdir(), 'tender-widget-'));
  const clocks = new SessionClocks();
  const book = new ScriptBook();

  async function merchant(name: string, file: string): Promise<Merchant> {
    const config = parseConfig({
      // Not reachable, and never called: the providers here are scripted.
      publicUrl: 'http://127.0.0.1:9',
      database: `sqlite:${join(dir, file)}`,
      merchant: { name, secretKey: MERCHANT_KEY },
      providers: Object.fromEntries(
        PROVIDERS.map((id) => [id, { ...SANDBOX_CREDENTIALS[id], baseUrl: `http://127.0.0.1:9/${id}` }]),
      ),
    });
    const store = await openStore(config.database);
    const hub = createLocalHub();
    const providers = new Map(PROVIDERS.map((id) => [id, new ScriptedProvider(id, book, () => clocks.now())]));
    const checkout = new Checkout({ config, store, providers, hub, clock: clocks, log: silentLogger });
    const app = createApp({
      config,
      store,
      checkout,
      hub,
      log: silentLogger,
      sseHeartbeatMs: HEARTBEAT_MS,
      // Every test page streams from one address.
      sseLimits: { perClient: 1000 },
    });
    return { name, store, checkout, hub, app };
  }

  const merchants = {
    siam: await merchant('Siam Goods', 'siam.db'),
    maple: await merchant('Maple Tea House', 'maple.db'),
  };
  const sessions = new Map<string, { merchant: Merchant; script: SessionScript; faults: Faults }>();

  const lastEvent = async (m: Merchant, id: string): Promise<StatusEvent> => {
    const events = await m.store.listEvents(id, 0);
    return events.at(-1)!.data;
  };

  async function createSession(origin: string, body: Record<string, unknown>) {
    const name = typeof body.template === 'string' ? body.template : 'thb';
    const base = name === 'succeeded' ? 'cad' : name === 'expired' ? 'thb' : name;
    const template = TEMPLATES[base];
    if (!template) throw new Error(`unknown template ${name}`);
    const view = (body.view ?? {}) as { amount?: string; currency?: string; expiresAt?: string };
    const m = merchants[template.merchant];
    const script = book.create(
      origin,
      template.offers(origin),
      typeof body.deepLink === 'string' ? body.deepLink : undefined,
    );
    const expiresInSeconds = view.expiresAt
      ? Math.max(60, Math.ceil((Date.parse(view.expiresAt) - Date.now()) / 1000))
      : undefined;
    // Through the merchant API, as a shop would.
    const response = await m.app.request('/v1/sessions', {
      method: 'POST',
      headers: { authorization: `Bearer ${MERCHANT_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        amount: view.amount ?? template.amount,
        currency: view.currency ?? template.currency,
        reference: `widget-${script.key}`,
        customer: { name: script.key },
        ...(template.description ? { description: template.description } : {}),
        // A paid session always names the way back to the shop.
        ...(template.returnPath || name === 'succeeded'
          ? { returnUrl: `${origin}${template.returnPath ?? '/fake/shop/thanks'}` }
          : {}),
        ...(expiresInSeconds ? { expiresInSeconds } : {}),
      }),
    });
    if (response.status !== 201) throw new Error(`session create: ${response.status} ${await response.text()}`);
    const session = (await response.json()) as { id: string; clientSecret: string };
    script.sessionId = session.id;
    if (typeof body.serverNow === 'number') clocks.freeze(session.id, body.serverNow);
    sessions.set(session.id, { merchant: m, script, faults: newFaults() });

    if (name === 'succeeded') {
      await clocks.within(session.id, async () => {
        const attempt = await m.checkout.createAttempt(session.id, { method: 'ottpay.wechat', fields: {} });
        await settle(session.id, attempt.id, 'succeeded');
      });
    } else if (name === 'expired') {
      await expire(session.id);
    }
    return session;
  }

  function entry(id: string) {
    const found = sessions.get(id);
    if (!found) throw new Error(`no test session ${id}`);
    return found;
  }

  async function settle(id: string, orderId: string, state: PaymentState, paid?: string): Promise<StatusEvent> {
    const { merchant: m } = entry(id);
    const attempt = await m.store.getAttempt(orderId);
    if (!attempt) throw new Error(`no attempt ${orderId}`);
    book.settle(attempt.providerOrderId, state, paid === undefined ? undefined : parseDecimal(paid, attempt.currency));
    await clocks.within(id, () => m.checkout.reconcile(attempt, { throwIfUnavailable: true }));
    return lastEvent(m, id);
  }

  async function expire(id: string): Promise<StatusEvent> {
    const { merchant: m } = entry(id);
    const session = await m.store.getSession(id);
    if (!session) throw new Error(`no session ${id}`);
    clocks.moveTo(id, Date.parse(session.expiresAt) + 1000);
    await clocks.within(id, () => m.checkout.expireIfDue(id));
    return lastEvent(m, id);
  }

  /** Writes a session's change as a newer BFF could have: for failure codes this one never gives. */
  async function record(
    id: string,
    body: { status: SessionStatus; attempt: { status: AttemptStatus; failure?: AttemptFailure | null } },
  ): Promise<StatusEvent> {
    const { merchant: m } = entry(id);
    const session = (await m.store.getSession(id))!;
    const attempt = (await m.store.listAttempts(id)).at(-1);
    if (!attempt) throw new Error('record needs an attempt');
    const failure = body.attempt.failure ?? null;
    const now = clocks.within(id, () => clocks.now().toISOString());
    await m.store.commit({
      sessionId: id,
      expectedVersion: session.version,
      session: { status: body.status, updatedAt: now },
      attempt: {
        id: attempt.id,
        patch: {
          status: body.attempt.status,
          failureCode: failure?.code ?? null,
          failureMessage: failure?.message ?? null,
          nextCheckAt: null,
          updatedAt: now,
        },
      },
      event: { status: body.status, attempt: { id: attempt.id, status: body.attempt.status, failure }, at: now },
    });
    m.hub.publish(id);
    return lastEvent(m, id);
  }

  async function control(ctx: KoaContext, parts: string[]): Promise<void> {
    if (parts.length === 1 && ctx.method === 'POST') {
      return json(ctx, 201, await createSession(ctx.origin, await readJson(ctx.req)));
    }
    const id = parts[1] ?? '';
    const { merchant: m, script, faults } = entry(id);
    const verb = parts[2];
    if (verb === 'log' && ctx.method === 'GET') {
      return json(ctx, 200, {
        connections: faults.connections,
        attemptRequests: faults.attemptRequests,
        openStreams: faults.streams.size,
        heldStreams: faults.held.length,
        heldAttempts: faults.heldAttempts.length,
        providerVisits: faults.providerVisits,
        events: (await m.store.listEvents(id, 0)).map((event) => event.data),
      });
    }
    if (ctx.method !== 'POST') return json(ctx, 405, { error: 'POST only' });
    const body = await readJson(ctx.req);
    const latest = async () => {
      const attempt = (await m.store.listAttempts(id)).at(-1);
      if (!attempt) throw new Error('the session has no attempt yet');
      return attempt.id;
    };
    switch (verb) {
      case 'script':
        script.next.push({
          ...(typeof body.action === 'string' ? { action: body.action as ActionKind } : {}),
          ...(typeof body.fail === 'string' ? { fail: body.fail as ProviderErrorCode } : {}),
        });
        return json(ctx, 200, { queued: script.next.length });
      case 'settle':
        return json(
          ctx,
          200,
          await settle(id, await latest(), body.state as PaymentState, body.paid as string | undefined),
        );
      case 'expire':
        return json(ctx, 200, await expire(id));
      case 'record':
        return json(ctx, 200, await record(id, body as Parameters<typeof record>[1]));
      case 'drop':
        faults.refuse = typeof body.refuse === 'number' ? body.refuse : 0;
        faults.hold = body.hold === true;
        for (const res of [...faults.streams, ...faults.muted]) res.end();
        faults.streams.clear();
        faults.muted.clear();
        return json(ctx, 200, { ok: true });
      case 'release': {
        faults.hold = false;
        const held = faults.held.splice(0);
        for (const release of held) release();
        return json(ctx, 200, { released: held.length });
      }
      case 'stall-next':
        faults.stallNext = true;
        return json(ctx, 200, { ok: true });
      case 'hold-next-attempt':
        faults.holdNextAttempt = true;
        return json(ctx, 200, { ok: true });
      case 'release-attempt': {
        const held = faults.heldAttempts.splice(0);
        for (const release of held) release();
        return json(ctx, 200, { released: held.length });
      }
      case 'mute':
        for (const res of faults.streams) {
          // Nothing more gets through; the connection stays open on both ends.
          res.write = (() => true) as typeof res.write;
          faults.muted.add(res);
        }
        faults.streams.clear();
        return json(ctx, 200, { ok: true });
      default:
        return json(ctx, 404, { error: `no control ${verb}` });
    }
  }

  const streamListeners = new Map<Merchant, ReturnType<typeof getRequestListener>>();
  const listenerOf = (m: Merchant) => {
    let listener = streamListeners.get(m);
    if (!listener) {
      listener = getRequestListener(m.app.fetch);
      streamListeners.set(m, listener);
    }
    return listener;
  };

  /** Passes a /v1/checkout request to the session's BFF, through the faults the test asked for. */
  async function checkoutApi(ctx: KoaContext, id: string, rest: string): Promise<void> {
    const found = sessions.get(id);
    const m = found?.merchant ?? merchants.maple;
    const faults = found?.faults;
    const run = <T>(fn: () => T): T => (found ? clocks.within(id, fn) : fn());

    if (rest === '/events' && ctx.method === 'GET') {
      const header = ctx.get('last-event-id') || null;
      const query = typeof ctx.query.lastEventId === 'string' ? ctx.query.lastEventId : null;
      const connection = { lastEventIdHeader: header, lastEventIdQuery: query, refused: false };
      faults?.connections.push(connection);
      if (faults && faults.refuse > 0) {
        faults.refuse -= 1;
        connection.refused = true;
        return json(ctx, 503, {
          error: { code: 'internal', message: 'stream refused by the test', requestId: 'test' },
        });
      }
      if (faults?.hold) {
        const closed = await new Promise<boolean>((resolve) => {
          faults.held.push(() => resolve(false));
          ctx.req.once('close', () => resolve(true));
        });
        if (closed) {
          ctx.status = 204;
          ctx.respond = false;
          return;
        }
      }
      ctx.respond = false;
      if (faults) {
        faults.streams.add(ctx.res);
        ctx.res.once('close', () => {
          faults.streams.delete(ctx.res);
          faults.muted.delete(ctx.res);
        });
      }
      await run(() => listenerOf(m)(ctx.req, ctx.res));
      return;
    }

    if (rest === '' && ctx.method === 'GET' && faults?.stallNext) {
      faults.stallNext = false;
      // Never answer; the client's timeout must end the request.
      await new Promise((resolve) => ctx.req.once('close', resolve));
      ctx.status = 204;
      ctx.respond = false;
      return;
    }

    const raw = ctx.method === 'GET' || ctx.method === 'HEAD' ? null : await readBody(ctx.req);
    if (rest === '/attempts' && ctx.method === 'POST' && faults && raw) {
      try {
        faults.attemptRequests.push(JSON.parse(raw.toString('utf8')));
      } catch {
        faults.attemptRequests.push(null);
      }
    }
    const headers = new Headers();
    for (const [name, value] of Object.entries(ctx.req.headers)) {
      if (typeof value === 'string') headers.set(name, value);
      else if (Array.isArray(value)) for (const each of value) headers.append(name, each);
    }
    const request = new Request(`${ctx.origin}${ctx.url}`, {
      method: ctx.method,
      headers,
      ...(raw ? { body: new Uint8Array(raw) } : {}),
    });
    const response = await run(() => m.app.fetch(request, { incoming: ctx.req, outgoing: ctx.res }));
    if (rest === '/attempts' && faults?.holdNextAttempt) {
      faults.holdNextAttempt = false;
      await new Promise<void>((resolve) => faults.heldAttempts.push(resolve));
    }
    ctx.status = response.status;
    response.headers.forEach((value, name) => {
      if (name !== 'content-length') ctx.set(name, value);
    });
    ctx.body = Buffer.from(await response.arrayBuffer());
  }

  async function providerPage(ctx: KoaContext, title: string): Promise<void> {
    let order = typeof ctx.query.order === 'string' ? ctx.query.order : null;
    if (ctx.method === 'POST') order = new URLSearchParams((await readBody(ctx.req)).toString('utf8')).get('order');
    const sessionId = order ? book.sessionOfOrder(order) : null;
    if (sessionId) sessions.get(sessionId)?.faults.providerVisits.push({ method: ctx.method, order });
    ctx.type = 'text/html';
    ctx.body = `<!doctype html><html lang="en"><title>Provider</title><p>${title}</p></html>`;
  }

  return {
    async middleware(ctx, next) {
      const checkout = /^\/v1\/checkout\/([^/]+)(\/[a-z.]+)?$/.exec(ctx.path);
      try {
        if (checkout) return await checkoutApi(ctx, decodeURIComponent(checkout[1] ?? ''), checkout[2] ?? '');
        if (ctx.path.startsWith('/__bff/sessions')) {
          return await control(ctx, ctx.path.slice('/__bff/'.length).split('/').filter(Boolean));
        }
        if (ctx.path === '/fake/embed' && ctx.method === 'GET') return embedPage(ctx);
        if (ctx.path === '/fake/provider/one1pay') return await providerPage(ctx, 'The provider’s payment page');
        if (ctx.path === '/fake/provider/3ds') return await providerPage(ctx, 'Your bank’s check');
        if (ctx.path === '/fake/provider/card-frame') return cardFramePage(ctx);
      } catch (error) {
        if (ctx.respond === false) throw error;
        return json(ctx, 500, { error: { code: 'internal', message: String(error), requestId: 'test' } });
      }
      return next();
    },
    async close() {
      // The files go first, so a process on its way out (which runs no more than this line) leaves none.
      rmSync(dir, { recursive: true, force: true });
      await Promise.all(Object.values(merchants).map((m) => m.store.close()));
    },
  };
}

function newFaults(): Faults {
  return {
    refuse: 0,
    hold: false,
    held: [],
    stallNext: false,
    holdNextAttempt: false,
    heldAttempts: [],
    streams: new Set(),
    muted: new Set(),
    connections: [],
    attemptRequests: [],
    providerVisits: [],
  };
}

function json(ctx: KoaContext, status: number, body: unknown): void {
  ctx.status = status;
  ctx.set('Cache-Control', 'no-store');
  ctx.type = 'application/json';
  ctx.body = JSON.stringify(body);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const text = (await readBody(req)).toString('utf8');
  return text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
}

/** The element alone on a page, loaded as a module straight from widget/ (the test server compiles it). */
function embedPage(ctx: KoaContext): void {
  ctx.type = 'text/html';
  ctx.body = `<!doctype html>
<html lang="en">
  <head><meta charset="utf-8"><title>Embed</title></head>
  <body>
    <script type="module">
      import '/widget/index.ts';
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
function cardFramePage(ctx: KoaContext): void {
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
