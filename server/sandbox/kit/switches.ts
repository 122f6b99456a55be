/**
 * The delay and fault switches a simulator puts in front of its API routes (never its shopper pages
 * or controls), so a test can make a provider slow or broken in the ways real ones are:
 *
 * - `http500`: HTTP 500 with an HTML error page, before the request is handled;
 * - `garbage`: HTTP 200, `Content-Type: application/json`, a body that is not JSON;
 * - `slow`: the request is handled, then its answer trickles out a few bytes every `delayMs`;
 * - `hang`: no answer at all until the client gives up (or `hangLimitMs` passes);
 * - `huge`: HTTP 200 with a well-formed JSON body of several MB;
 * - `nested`: HTTP 200 with JSON nested `nestedDepth` levels deep;
 * - `reset`: the connection is destroyed without an answer (on Node's server; under `app.request()`
 *   the answer's body fails instead, which a client reads the same way).
 * A fault applies to every API request until switched off, or to the next `count` requests.
 * The delay switch holds each answer `ms` before it is handled (all of them, or the next `count`).
 */
import type { MiddlewareHandler } from 'hono';

export const FAULT_MODES = ['none', 'http500', 'garbage', 'slow', 'hang', 'huge', 'nested', 'reset'] as const;
export type FaultMode = (typeof FAULT_MODES)[number];

export interface FaultSetting {
  mode: FaultMode;
  /** `slow`: the pause between two pieces of the answer (default 250 ms). */
  delayMs?: number;
  /** How many API requests it applies to; absent: until switched again. */
  count?: number;
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
const NO_DELAY: DelaySetting = { ms: 0 };

export function createApiSwitches({
  hugeBytes = 5 * 1024 * 1024,
  nestedDepth = 100_000,
  hangLimitMs = 120_000,
  slowChunkBytes = 8,
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
    const { mode, delayMs = 250 } = takeFault();
    switch (mode) {
      case 'none':
        return next();
      case 'http500':
        return c.html('<html><body><h1>500 Internal Server Error</h1></body></html>', 500);
      case 'garbage':
        return c.body('<html>\u0000\u00ff{"rsp_code":"SUCC', 200, { 'Content-Type': 'application/json' });
      case 'huge':
        return new Response(hugeJson(hugeBytes), { status: 200, headers: { 'Content-Type': 'application/json' } });
      case 'nested':
        return c.body(`${'['.repeat(nestedDepth)}${']'.repeat(nestedDepth)}`, 200, {
          'Content-Type': 'application/json',
        });
      case 'hang':
        await clientGone(c.req.raw.signal, socketOf(c.env), hangLimitMs);
        return c.body(null, 504);
      case 'reset': {
        const socket = socketOf(c.env);
        if (socket) {
          socket.destroy();
          return c.body(null, 500);
        }
        const failing = new ReadableStream<Uint8Array>({
          start(controller) {
            controller.error(new Error('connection reset'));
          },
        });
        return new Response(failing, { status: 200, headers: { 'Content-Type': 'application/json' } });
      }
      case 'slow': {
        await next();
        const answer = new Uint8Array(await c.res.arrayBuffer());
        const headers = new Headers(c.res.headers);
        headers.delete('content-length');
        c.res = new Response(trickle(answer, slowChunkBytes, delayMs), { status: c.res.status, headers });
        return;
      }
    }
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
      fault = setting.mode === 'none' ? NONE : { ...setting };
      return fault;
    },
    setDelay(setting) {
      delay = setting.ms === 0 ? NO_DELAY : { ...setting };
      return delay;
    },
  };
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

/** `{"rsp_code":"SUCCESS","padding":"AAAA…"}`, generated piece by piece. */
function hugeJson(bytes: number): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const head = encoder.encode('{"rsp_code":"SUCCESS","padding":"');
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
        controller.enqueue(piece.subarray(0, size));
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
