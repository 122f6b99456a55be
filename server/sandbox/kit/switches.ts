/**
 * The delay and fault switches a simulator puts in front of its API routes (never its shopper pages
 * or controls), so a test can make a provider slow or broken in the ways real ones are:
 *
 * - `http500`: HTTP 500 with an HTML error page;
 * - `garbage`: HTTP 200, `Content-Type: application/json`, a body that is not JSON (when the request
 *   was handled: the first half of the real answer);
 * - `slow`: the request is handled, then its answer trickles out a few bytes every `delayMs`;
 * - `hang`: no answer at all until the client gives up (or `delayMs`, else `hangLimitMs`, passes:
 *   then an HTTP 504);
 * - `huge`: HTTP 200 with a well-formed JSON body of several MB (when the request was handled: the
 *   real answer, its object padded with a `padding` member);
 * - `nested`: HTTP 200 with JSON nested `nestedDepth` levels deep;
 * - `reset`: the connection is destroyed without an answer (on Node's server; under `app.request()`
 *   the answer's body fails instead, which a client reads the same way).
 *
 * Whether the request is handled before its answer is spoiled is the setting's `handled`. "Handled
 * but the answer lost" is the case an integration must survive without paying twice; "never
 * handled" is the case where a retry is safe. A simulator picks the default for the modes that spoil
 * an answer (`garbage`, `hang`, `huge`, `nested`, `reset`; option `handled`); `http500` is not
 * handled unless asked, and `slow` always is.
 *
 * A fault applies to every API request until switched off, or to the next `count` requests.
 * The delay switch holds each answer `ms` before it is handled (all of them, or the next `count`).
 */
import type { Context, MiddlewareHandler } from 'hono';

export const FAULT_MODES = ['none', 'http500', 'garbage', 'slow', 'hang', 'huge', 'nested', 'reset'] as const;
export type FaultMode = (typeof FAULT_MODES)[number];

export interface FaultSetting {
  mode: FaultMode;
  /**
   * `slow`: the pause between two pieces of the answer (default 250 ms); `hang`: how long before an
   * HTTP 504 (default: the switches' `hangLimitMs`).
   */
  delayMs?: number;
  /** How many API requests it applies to; absent: until switched again. */
  count?: number;
  /** Whether the request is handled before the fault spoils its answer (see the file's comment). */
  handled?: boolean;
}

export interface DelaySetting {
  ms: number;
  /** How many API answers it holds; absent: every one until switched again. */
  count?: number;
}

export interface ApiSwitchesOptions {
  /** Size of the `huge` answer (default 5 MiB). */
  hugeBytes?: number;
  /** Depth of the `nested` answer (default 100 000). */
  nestedDepth?: number;
  /** A `hang` answers (with nothing useful) after this long even if the client is still there. */
  hangLimitMs?: number;
  /** Bytes per piece of a `slow` answer (default 8). */
  slowChunkBytes?: number;
  /**
   * Whether `garbage`, `hang`, `huge`, `nested` and `reset` handle the request first when a fault
   * setting does not say (default false).
   */
  handled?: boolean;
}

export interface ApiSwitches {
  /** Middleware for the simulator's API routes. */
  readonly api: MiddlewareHandler;
  readonly fault: Readonly<FaultSetting>;
  readonly delay: Readonly<DelaySetting>;
  setFault(setting: FaultSetting): Readonly<FaultSetting>;
  setDelay(setting: DelaySetting): Readonly<DelaySetting>;
}

const NONE: FaultSetting = { mode: 'none' };
/** The modes that spoil an answer, for which a simulator picks whether the request is handled. */
const SPOILING: ReadonlySet<FaultMode> = new Set(['garbage', 'hang', 'huge', 'nested', 'reset']);
const NO_DELAY: DelaySetting = { ms: 0 };

export function createApiSwitches({
  hugeBytes = 5 * 1024 * 1024,
  nestedDepth = 100_000,
  hangLimitMs = 120_000,
  slowChunkBytes = 8,
  handled: handledByDefault = false,
}: ApiSwitchesOptions = {}): ApiSwitches {
  let fault: FaultSetting = NONE;
  let delay: DelaySetting = NO_DELAY;

  function takeFault(): FaultSetting {
    const current = fault;
    if (current.count !== undefined) fault = current.count > 1 ? { ...current, count: current.count - 1 } : NONE;
    return current;
  }

  function takeDelay(): number {
    const current = delay;
    if (current.count !== undefined) delay = current.count > 1 ? { ...current, count: current.count - 1 } : NO_DELAY;
    return current.ms;
  }

  const api: MiddlewareHandler = async function apiSwitches(c, next) {
    const ms = takeDelay();
    if (ms > 0) await sleep(ms);
    const { mode, delayMs, handled = false } = takeFault();
    if (mode === 'none') return next();
    if (mode === 'slow') {
      await next();
      const answer = new Uint8Array(await c.res.arrayBuffer());
      const headers = new Headers(c.res.headers);
      headers.delete('content-length');
      replace(c, new Response(trickle(answer, slowChunkBytes, delayMs ?? 250), { status: c.res.status, headers }));
      return;
    }
    // A spoiled answer replaces the real one, whose body is read here (handled) or never made.
    let answer: { status: number; text: string } | null = null;
    if (handled) {
      await next();
      answer = { status: c.res.status, text: await c.res.text() };
    }
    let spoiled: Response;
    switch (mode) {
      case 'http500':
        spoiled = new Response('<html><body><h1>500 Internal Server Error</h1></body></html>', {
          status: 500,
          headers: { 'Content-Type': 'text/html; charset=UTF-8' },
        });
        break;
      case 'garbage':
        spoiled = jsonResponse(
          answer ? answer.text.slice(0, Math.floor(answer.text.length / 2)) : '<html>\u0000\u00ff{"rsp_code":"SUCCESS',
        );
        break;
      case 'huge':
        spoiled = jsonResponse(paddedJson(answer?.text ?? null, hugeBytes), answer?.status ?? 200);
        break;
      case 'nested':
        spoiled = jsonResponse(`${'['.repeat(nestedDepth)}${']'.repeat(nestedDepth)}`);
        break;
      case 'hang':
        await clientGone(c.req.raw.signal, socketOf(c.env), delayMs ?? hangLimitMs);
        spoiled = new Response(null, { status: 504 });
        break;
      case 'reset': {
        const socket = socketOf(c.env);
        if (socket) {
          socket.destroy();
          spoiled = new Response(null, { status: 500 });
          break;
        }
        const failing = new ReadableStream<Uint8Array>({
          start(controller) {
            controller.error(new Error('connection reset'));
          },
        });
        spoiled = jsonResponse(failing);
        break;
      }
    }
    if (!handled) return spoiled;
    replace(c, spoiled);
  };

  return {
    api,
    get fault() {
      return fault;
    },
    get delay() {
      return delay;
    },
    setFault(setting) {
      if (setting.mode === 'none') fault = NONE;
      else if (setting.mode === 'slow') fault = { mode: 'slow', ...pick(setting, 'delayMs', 'count') };
      else {
        const handled = setting.handled ?? (SPOILING.has(setting.mode) ? handledByDefault : false);
        fault = { ...setting, handled };
      }
      return fault;
    },
    setDelay(setting) {
      delay = setting.ms === 0 ? NO_DELAY : { ...setting };
      return delay;
    },
  };
}

/** Replaces a handled answer; cleared first, so none of the real answer's headers (its length) survive. */
function replace(c: Context, response: Response): void {
  c.res = undefined;
  c.res = response;
}

function jsonResponse(body: string | ReadableStream<Uint8Array>, status = 200): Response {
  return new Response(body, { status, headers: { 'Content-Type': 'application/json' } });
}

function pick<T extends object, K extends keyof T>(value: T, ...keys: K[]): Pick<T, K> {
  const picked: Partial<Pick<T, K>> = {};
  for (const key of keys) if (value[key] !== undefined) picked[key] = value[key];
  return picked as Pick<T, K>;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

interface Destroyable {
  destroy(): void;
  once(event: 'close', listener: () => void): unknown;
}

/** The Node socket under a request, when the app runs on @hono/node-server (its bindings). */
function socketOf(env: unknown): Destroyable | null {
  const incoming = (env as { incoming?: { socket?: Destroyable } } | undefined)?.incoming;
  return incoming?.socket ?? null;
}

function clientGone(signal: AbortSignal, socket: Destroyable | null, limitMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, limitMs);
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    if (signal.aborted) return done();
    signal.addEventListener('abort', done, { once: true });
    socket?.once('close', done);
  });
}

/**
 * About `bytes` of well-formed JSON, generated piece by piece: `answer` (a JSON object's text) with a
 * `"padding":"AAAA…"` member added, or `{"rsp_code":"SUCCESS","padding":"AAAA…"}` when there is no
 * answer or it is not an object.
 */
function paddedJson(answer: string | null, bytes: number): ReadableStream<Uint8Array> {
  const object = answer?.trim() ?? '';
  const isObject = object.startsWith('{') && object.endsWith('}');
  const opening = isObject ? object.slice(0, -1).trimEnd() : '{"rsp_code":"SUCCESS"';
  const encoder = new TextEncoder();
  const head = encoder.encode(`${opening}${opening === '{' ? '' : ','}"padding":"`);
  const tail = encoder.encode('"}');
  const piece = new Uint8Array(64 * 1024).fill(0x41);
  let left = Math.max(0, bytes - head.length - tail.length);
  let started = false;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (!started) {
        started = true;
        controller.enqueue(head);
      } else if (left > 0) {
        const size = Math.min(left, piece.length);
        left -= size;
        controller.enqueue(piece.slice(0, size));
      } else {
        controller.enqueue(tail);
        controller.close();
      }
    },
  });
}

function trickle(bytes: Uint8Array, chunk: number, pauseMs: number): ReadableStream<Uint8Array> {
  let offset = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (offset >= bytes.length) return controller.close();
      if (offset > 0) await new Promise((resolve) => (timer = setTimeout(resolve, pauseMs)));
      controller.enqueue(bytes.slice(offset, offset + chunk));
      offset += chunk;
    },
    cancel() {
      clearTimeout(timer);
      offset = bytes.length;
    },
  });
}
