/**
 * Provider faults, switched on by a test (`POST /control/faults`) and applied to every API route,
 * get_token included, so an adapter can be tried against a KessPay that misbehaves:
 *   none     answers normally
 *   http500  HTTP 500 with a proxy's HTML page; the request is NOT processed
 *   garbage  the request IS processed; the answer is cut in half (HTTP 200, application/json)
 *   slow     the request IS processed at once; the answer comes `delayMs` later (default 3000)
 *   hang     the request IS processed; no answer until the client gives up (or, with `delayMs`,
 *            an HTTP 504 page after that long)
 *   huge     the request IS processed; the answer is a 32 MiB JSON document
 * "Processed but the answer lost" is the case that matters: the adapter must find out with
 * check_payment_status, never by sending the payment again. A fault lasts until switched off, or
 * for the next `times` API calls.
 */

export const FAULT_MODES = ['none', 'http500', 'garbage', 'slow', 'hang', 'huge'] as const;
export type FaultMode = (typeof FAULT_MODES)[number];

export interface FaultSetting {
  mode: FaultMode;
  delayMs: number | null;
  /** API calls left that this fault applies to; null = until switched off. */
  times: number | null;
}

export const HUGE_ANSWER_BYTES = 32 * 1024 * 1024;
const DEFAULT_SLOW_MS = 3000;
/** A hang with no delay given still ends, unnoticed, after this long (the timer does not hold the process). */
const HANG_LIMIT_MS = 10 * 60_000;

const HTML_500 =
  '<html>\r\n<head><title>500 Internal Server Error</title></head>\r\n<body>\r\n<center><h1>500 Internal Server Error</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';
const HTML_504 =
  '<html>\r\n<head><title>504 Gateway Time-out</title></head>\r\n<body>\r\n<center><h1>504 Gateway Time-out</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';

export class Faults {
  setting: FaultSetting = { mode: 'none', delayMs: null, times: null };

  /** Reads a control body `{mode, delayMs?, times?}`; returns an error message or null. */
  set(input: unknown): string | null {
    if (input === null || typeof input !== 'object') return 'body must be {mode, delayMs?, times?}';
    const { mode, delayMs, times } = input as Record<string, unknown>;
    if (!FAULT_MODES.includes(mode as FaultMode)) return `mode must be one of ${FAULT_MODES.join(', ')}`;
    if (
      delayMs !== undefined &&
      (!Number.isInteger(delayMs) || (delayMs as number) < 0 || (delayMs as number) > 600_000)
    ) {
      return 'delayMs must be an integer from 0 to 600000';
    }
    if (times !== undefined && (!Number.isInteger(times) || (times as number) < 1)) {
      return 'times must be a positive integer';
    }
    this.setting = {
      mode: mode as FaultMode,
      delayMs: (delayMs as number | undefined) ?? null,
      times: mode === 'none' ? null : ((times as number | undefined) ?? null),
    };
    return null;
  }

  /** Runs one API call under the current fault. */
  async apply(request: Request, handle: () => Promise<Response>): Promise<Response> {
    const { mode, delayMs } = this.setting;
    if (this.setting.times !== null && (this.setting.times -= 1) <= 0) {
      this.setting = { mode: 'none', delayMs: null, times: null };
    }
    switch (mode) {
      case 'none':
        return handle();
      case 'http500':
        return new Response(HTML_500, { status: 500, headers: { 'Content-Type': 'text/html' } });
      case 'garbage': {
        const text = await (await handle()).text();
        return new Response(text.slice(0, Math.floor(text.length / 2)), {
          status: 200,
          headers: { 'Content-Type': 'application/json' },
        });
      }
      case 'slow': {
        const answer = await handle();
        await sleep(delayMs ?? DEFAULT_SLOW_MS, true);
        return answer;
      }
      case 'hang': {
        await handle();
        await untilAborted(request.signal, delayMs);
        return new Response(HTML_504, { status: 504, headers: { 'Content-Type': 'text/html' } });
      }
      case 'huge':
        await handle();
        return new Response(hugeBody(), { status: 200, headers: { 'Content-Type': 'application/json' } });
    }
  }
}

function sleep(ms: number, holdProcess: boolean): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    if (!holdProcess) timer.unref();
  });
}

function untilAborted(signal: AbortSignal, delayMs: number | null): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, delayMs ?? HANG_LIMIT_MS);
    // A hang the client walks away from must not keep the process alive on its own.
    if (delayMs === null) timer.unref();
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}

/** `{"success":true,"data":{"padding":"xxx…"}}`, HUGE_ANSWER_BYTES long, made as it is read. */
function hugeBody(): ReadableStream<Uint8Array> {
  const head = new TextEncoder().encode('{"success":true,"data":{"padding":"');
  const tail = new TextEncoder().encode('"}}');
  const chunk = new Uint8Array(64 * 1024).fill(0x78);
  let left = HUGE_ANSWER_BYTES - head.length - tail.length;
  let started = false;
  return new ReadableStream({
    pull(controller) {
      if (!started) {
        started = true;
        controller.enqueue(head);
        return;
      }
      if (left <= 0) {
        controller.enqueue(tail);
        controller.close();
        return;
      }
      const size = Math.min(left, chunk.length);
      controller.enqueue(size === chunk.length ? chunk.slice() : chunk.slice(0, size));
      left -= size;
    },
  });
}
