/**
 * PayOtc365 simulator, written from PayOtc365's "Quick start" page, the only part of its API that is
 * public (docs/providers/payotc365.md). It serves the one documented call:
 *
 *   POST /pay/inquire/wallet
 *     Accept: application/json
 *     Authorization: Basic base64(appId ":" secret)
 *   → 200 {"status" : "success", "data" : {"totalAssets" : 1250.000000, "coin" : "USDT"}}
 *   → 412 {"status" : "fail", "code" : 10000, "message" : "…"}
 *
 * `totalAssets` is a JSON number written with six decimals, as the document shows it ("0.000000"):
 * the simulator writes the JSON text itself, so a client that reads it through a float is caught.
 *
 * It is strict. The document's error table is not public, so the codes are Tender's own:
 *   10000  the app id and secret are not an account's (the document's example code)
 *   10001  Authorization missing, not "Basic", or not base64 of "appId:secret" in UTF-8
 *   10002  Accept missing or not allowing application/json (both of the document's requests send it)
 *
 * The wallet reports one coin (the call takes no parameters): the first of `balances`, or the coin a
 * control last set. Controls, the kit's (../kit/controls.ts: faults and delay on the API route, with
 * the request handled before a fault spoils its answer unless the fault says `handled: false`) and:
 *   GET  /_control/state     the wallet, every coin's balance, the fault, the refusal and how many
 *                            inquiries came
 *   POST /_control/balance   {coin, totalAssets: "decimal text", ≤ 6 decimals}: sets that coin's
 *                            balance and makes it the coin the wallet reports
 *   POST /_control/refusal   {refuse, code?, message?, count?}: a request that passes every check is
 *                            answered 412 with `code` (default 10000) and `message`, a refusal the
 *                            simulator has no reason of its own for; until `{refuse: false}`, or for
 *                            the next `count` inquiries
 *
 * State is in memory and lives as long as the returned app.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context, Hono } from 'hono';
import { z } from 'zod';
import { control, createApiSwitches, createSimulatorApp, mountSwitchControls, readControlBody } from '../kit/index.ts';

export interface PayOtc365SimulatorOptions {
  /** This simulator's own base URL, e.g. "http://localhost:8787/sandbox/payotc365". */
  publicUrl: string;
  appId: string;
  secret: string;
  /** Coin → balance as decimal text (≤ 6 decimals); default `{ USDT: "1250.000000" }`. */
  balances?: Record<string, string>;
}

export const PAYOTC365_CODES = {
  credentials: 10000,
  authorization: 10001,
  accept: 10002,
} as const;

/** The size of the `huge` fault's answer. */
export const HUGE_ANSWER_BYTES = 4 * 1024 * 1024;

const COIN = /^[A-Z][A-Z0-9]{1,9}$/;
const ASSETS = /^(0|[1-9]\d{0,14})(?:\.(\d{1,6}))?$/;

const balanceSchema = z.strictObject({
  coin: z.string().regex(COIN, 'must be a coin code such as "USDT"'),
  totalAssets: z.string().regex(ASSETS, 'must be decimal text with at most 6 decimals, such as "12.5"'),
});

const refusalSchema = z.strictObject({
  refuse: z.boolean(),
  code: z.number().int().min(0).max(999_999_999).optional(),
  message: z.string().max(500).optional(),
  count: z.number().int().min(1).max(1000).optional(),
});

/** A 412 answer: the document's failure shape. */
interface Refusal {
  code: number;
  message: string;
}

/** The refusal control's setting: on for `count` more inquiries (null: until switched off). */
type RefusalSetting = (Refusal & { count: number | null }) | null;

export function createPayOtc365Simulator(options: PayOtc365SimulatorOptions): Hono {
  if (!options.appId || options.appId.includes(':')) throw new Error('appId must be non-empty, without ":"');
  if (!options.secret) throw new Error('secret must be non-empty');
  const publicUrl = options.publicUrl.replace(/\/+$/, '');
  const expected = digest(`${options.appId}:${options.secret}`);

  const balances = new Map<string, string>();
  for (const [coin, text] of Object.entries(options.balances ?? { USDT: '1250.000000' })) {
    const parsed = balanceSchema.safeParse({ coin, totalAssets: text });
    if (!parsed.success) throw new Error(`balances.${coin}: ${parsed.error.issues[0]!.message}`);
    balances.set(coin, sixDecimals(text));
  }
  let walletCoin = balances.keys().next().value;
  if (walletCoin === undefined) throw new Error('balances must name at least one coin');
  const switches = createApiSwitches({ hugeBytes: HUGE_ANSWER_BYTES, handled: true });
  let refusal: RefusalSetting = null;
  let inquiries = 0;

  /** The refusal for one inquiry that passed every check, counting down `count`. */
  function takeRefusal(): Refusal | null {
    const current = refusal;
    if (current?.count != null) refusal = current.count > 1 ? { ...current, count: current.count - 1 } : null;
    return current;
  }

  function wallet(): { coin: string; totalAssets: string } {
    return { coin: walletCoin!, totalAssets: balances.get(walletCoin!)! };
  }

  /** The checks the request itself must pass, in the order a server would make them. */
  function check(c: Context): Refusal | null {
    const authorization = c.req.header('authorization');
    if (!authorization) return { code: PAYOTC365_CODES.authorization, message: 'Authorization header is required' };
    const credentials = basicCredentials(authorization);
    if (credentials === null) {
      return {
        code: PAYOTC365_CODES.authorization,
        message: 'Authorization must be "Basic " followed by base64 of app_id:secret',
      };
    }
    if (!timingSafeEqual(digest(credentials), expected)) {
      return { code: PAYOTC365_CODES.credentials, message: 'APP ID or key is incorrect' };
    }
    if (!acceptsJson(c.req.header('accept'))) {
      return { code: PAYOTC365_CODES.accept, message: 'Accept must be application/json' };
    }
    return null;
  }

  const app = createSimulatorApp();

  // Every inquiry counts, whatever a fault then does with it.
  app.use('/pay/inquire/wallet', async function countInquiries(_c, next) {
    inquiries += 1;
    await next();
  });
  app.use('/pay/inquire/wallet', switches.api);
  app.post('/pay/inquire/wallet', (c) => {
    const refused = check(c) ?? takeRefusal();
    return refused ? failText(refused) : jsonText(successText(wallet()), 200);
  });

  // --- test controls ---------------------------------------------------------------------------

  function state() {
    return {
      apiUrl: `${publicUrl}/pay/inquire/wallet`,
      wallet: wallet(),
      balances: Object.fromEntries(balances),
      fault: switches.fault,
      refusal,
      inquiries,
    };
  }

  mountSwitchControls(app, switches);

  app.get('/_control/state', (c) => c.json(state()));

  app.post(
    '/_control/balance',
    control(async (c) => {
      const { coin, totalAssets } = await readControlBody(c, balanceSchema);
      balances.set(coin, sixDecimals(totalAssets));
      walletCoin = coin;
      return state();
    }),
  );

  app.post(
    '/_control/refusal',
    control(async (c) => {
      const { refuse, code, message, count } = await readControlBody(c, refusalSchema);
      refusal = refuse
        ? { code: code ?? PAYOTC365_CODES.credentials, message: message ?? 'refused', count: count ?? null }
        : null;
      return state();
    }),
  );

  return app;
}

// --- the wire text ----------------------------------------------------------------------------

/** The success answer laid out as the document shows it, `totalAssets` as a bare number. */
function successText(wallet: { coin: string; totalAssets: string }): string {
  return `{\n  "status" : "success",\n  "data" : {\n    "totalAssets" : ${wallet.totalAssets},\n    "coin" : ${JSON.stringify(wallet.coin)}\n  }\n}\n`;
}

function failText(refusal: Refusal): Response {
  return jsonText(
    `{\n  "status" : "fail",\n  "code" : ${refusal.code},\n  "message" : ${JSON.stringify(refusal.message)}\n}\n`,
    412,
  );
}

function jsonText(text: string, status: number): Response {
  return new Response(text, { status, headers: { 'Content-Type': 'application/json;charset=UTF-8' } });
}

/** "12.5" → "12.500000": the document writes six decimals. */
function sixDecimals(text: string): string {
  const [whole, fraction = ''] = text.split('.');
  return `${whole}.${fraction.padEnd(6, '0')}`;
}

// --- request checks ---------------------------------------------------------------------------

/** "Basic <base64 of appId:secret>" → "appId:secret"; null when it is anything else. */
function basicCredentials(header: string): string | null {
  const match = /^Basic ([A-Za-z0-9+/]+={0,2})$/i.exec(header.trim());
  if (!match || match[1]!.length % 4 !== 0) return null;
  const bytes = Buffer.from(match[1]!, 'base64');
  // Strict base64: it must be the canonical encoding of the bytes it decodes to.
  if (bytes.toString('base64') !== match[1]) return null;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
  return text.indexOf(':') > 0 ? text : null;
}

/** Whether an Accept header admits application/json, by name or by a wildcard range. */
function acceptsJson(header: string | undefined): boolean {
  if (!header) return false;
  return header.split(',').some((range) => {
    const [type, ...params] = range.split(';').map((part) => part.trim().toLowerCase());
    const refused = params.some((param) => /^q=0(\.0*)?$/.test(param));
    return !refused && (type === 'application/json' || type === 'application/*' || type === '*/*');
  });
}

/** Equal-length digests, so comparing credentials takes the same time whatever was sent. */
function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
