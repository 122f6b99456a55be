/**
 * Faults a test switches on (`POST /control/faults`) so an adapter can be tried against a PayOtc365
 * that misbehaves. They apply to the API route only, never to the controls:
 *   none     answers normally
 *   http500  HTTP 500 with a proxy's HTML page, whatever the request
 *   garbage  the real answer (success or refusal) cut in half: HTTP 200, application/json, not JSON
 *   slow     the real answer, `delayMs` later (default 3000)
 *   hang     no answer until the client gives up; with `delayMs`, an HTTP 504 page after that long
 *   huge     HTTP 200 with a valid success answer padded to 4 MiB, streamed (a client must stop
 *            reading by itself: the JSON would parse and the balance in it is right)
 *   refuse   a request that passes every check is answered 412 with `code` (default 10000) and
 *            `message`: a refusal whose code the simulator has no reason of its own for
 * A fault lasts until it is switched off, or for the next `times` API calls.
 */
import { z } from 'zod';

export const FAULT_MODES = ['none', 'http500', 'garbage', 'slow', 'hang', 'huge', 'refuse'] as const;
export type FaultMode = (typeof FAULT_MODES)[number];

export const faultSchema = z.strictObject({
  mode: z.enum(FAULT_MODES),
  delayMs: z.number().int().min(0).max(600_000).optional(),
  times: z.number().int().min(1).optional(),
  /** For `refuse`: the `code` of the 412 answer. */
  code: z.number().int().min(0).max(999_999_999).optional(),
  /** For `refuse`: the `message` of the 412 answer. */
  message: z.string().max(500).optional(),
});

export type FaultSetting = z.output<typeof faultSchema>;

/** The size of the `huge` answer. */
export const HUGE_ANSWER_BYTES = 4 * 1024 * 1024;
const DEFAULT_SLOW_MS = 3000;
/** A hang with no delay still ends, unnoticed, after this long (its timer does not hold the process). */
const HANG_LIMIT_MS = 10 * 60_000;

const HTML_500 =
  '<html>\r\n<head><title>500 Internal Server Error</title></head>\r\n<body>\r\n<center><h1>500 Internal Server Error</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';
const HTML_504 =
  '<html>\r\n<head><title>504 Gateway Time-out</title></head>\r\n<body>\r\n<center><h1>504 Gateway Time-out</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';

export class Faults {
  #setting: FaultSetting = { mode: 'none' };

  get setting(): FaultSetting {
    return this.#setting;
  }

  set(setting: FaultSetting): void {
    this.#setting = setting.mode === 'none' ? { mode: 'none' } : setting;
  }

  /** The fault for one API call, counting down `times`. */
  take(): FaultSetting {
    const current = this.#setting;
    if (current.times !== undefined) {
      const left = current.times - 1;
      this.#setting = left > 0 ? { ...current, times: left } : { mode: 'none' };
    }
    return current;
  }
}

/** Runs one API call under `fault`; `handle` gives the real answer. `refuse` is applied by the caller. */
export async function withFault(
  fault: FaultSetting,
  signal: AbortSignal,
  handle: () => Response,
  hugeBody: (padding: number) => ReadableStream<Uint8Array>,
): Promise<Response> {
  switch (fault.mode) {
    case 'none':
    case 'refuse':
      return handle();
    case 'http500':
      return html(HTML_500, 500);
    case 'garbage': {
      const answer = handle();
      const text = await answer.text();
      return new Response(text.slice(0, Math.floor(text.length / 2)), {
        status: 200,
        headers: { 'Content-Type': 'application/json;charset=UTF-8' },
      });
    }
    case 'slow': {
      const answer = handle();
      await sleep(fault.delayMs ?? DEFAULT_SLOW_MS, signal);
      return answer;
    }
    case 'hang':
      if (fault.delayMs === undefined) await sleep(HANG_LIMIT_MS, signal, { holdProcess: false });
      else await sleep(fault.delayMs, signal);
      return html(HTML_504, 504);
    case 'huge':
      return new Response(hugeBody(HUGE_ANSWER_BYTES), {
        status: 200,
        headers: { 'Content-Type': 'application/json;charset=UTF-8' },
      });
  }
}

function html(body: string, status: number): Response {
  return new Response(body, { status, headers: { 'Content-Type': 'text/html' } });
}

/**
 * Waits `ms`, or less when the client goes away first. A wait that must not keep the process alive
 * (an endless hang) says so.
 */
function sleep(ms: number, signal: AbortSignal, { holdProcess = true } = {}): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    if (!holdProcess) timer.unref?.();
    signal.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
