/**
 * Bounded reading of HTTP answers from hosts Tender does not control (payment providers). An answer
 * is read under a size limit and a deadline that covers the whole body, not only the headers, so a
 * huge, slow or endless answer cannot exhaust memory, block the event loop or hold a request
 * forever. Nothing here knows about providers; `providerFetch` in provider.ts maps these failures to
 * `ProviderError` codes.
 */
import { LIMITS } from '../limits.ts';

export type AnswerFailure =
  /** No headers within `firstByteMs`, or not the whole body within `totalMs`. */
  | 'timeout'
  /** The body is larger than `maxBytes`; the rest was not read. */
  | 'too_large'
  /** The connection failed or the body was cut off. */
  | 'network';

export class AnswerError extends Error {
  override name = 'AnswerError';
  constructor(
    readonly reason: AnswerFailure,
    message: string,
    /** The answer's HTTP status when its headers had arrived. */
    readonly status: number | null = null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface AnswerLimits {
  /** Largest body read, in bytes. */
  maxBytes: number;
  /** Longest wait for the status line and headers. */
  firstByteMs: number;
  /** Longest the whole exchange may take, up to the last byte of the body. */
  totalMs: number;
}

export const DEFAULT_ANSWER_LIMITS: Readonly<AnswerLimits> = {
  maxBytes: LIMITS.providerAnswerBytes,
  firstByteMs: LIMITS.providerFirstByteMs,
  totalMs: LIMITS.providerAnswerMs,
};

/** Statuses whose Response may not carry a body (the Response constructor refuses one). */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/**
 * Sends the request and reads the whole answer within `limits`. The Response returned holds its body
 * in memory already, so `text()` and `json()` on it neither wait on the network nor grow past
 * `maxBytes`. Throws `AnswerError` for every way the exchange can fail.
 */
export async function fetchBounded(
  fetchImpl: typeof fetch,
  url: string,
  init: RequestInit,
  limits: AnswerLimits = DEFAULT_ANSWER_LIMITS,
): Promise<Response> {
  const deadline = new AbortController();
  const expire = (message: string) => () => deadline.abort(new AnswerError('timeout', message));
  const totalTimer = setTimeout(expire(`no complete answer within ${limits.totalMs} ms`), limits.totalMs);
  const firstByteTimer = setTimeout(expire(`no answer within ${limits.firstByteMs} ms`), limits.firstByteMs);
  const signal = init.signal ? AbortSignal.any([init.signal, deadline.signal]) : deadline.signal;
  try {
    let response: Response;
    try {
      response = await untilAborted(fetchImpl(url, { ...init, signal }), deadline.signal);
    } catch (cause) {
      if (deadline.signal.aborted) throw deadline.signal.reason as AnswerError;
      throw new AnswerError('network', 'the request failed', null, { cause });
    } finally {
      clearTimeout(firstByteTimer);
    }
    const body = await readBody(response, limits.maxBytes, deadline.signal);
    return new Response(NULL_BODY_STATUSES.has(response.status) ? null : body, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  } finally {
    clearTimeout(totalTimer);
  }
}

/**
 * Whether JSON text nests arrays and objects deeper than `maxDepth`. One linear pass that skips
 * string contents; run before `JSON.parse`, so a hostile answer cannot make the parser build (or
 * recurse through) millions of levels.
 */
export function jsonNestingExceeds(text: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      if (++depth > maxDepth) return true;
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) {
      depth--;
    }
  }
  return false;
}

/** Reads a body whole, refusing it past `maxBytes` and giving up when `signal` aborts. */
async function readBody(response: Response, maxBytes: number, signal: AbortSignal): Promise<Uint8Array<ArrayBuffer>> {
  const status = response.status;
  const tooLarge = () => new AnswerError('too_large', `the answer is larger than ${maxBytes} bytes`, status);
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) {
    void response.body?.cancel().catch(() => undefined);
    throw tooLarge();
  }
  if (!response.body) return new Uint8Array(0);
  const reader = response.body.getReader();
  // A stream that ignores the fetch signal (a test double, a proxy) is cancelled when the deadline
  // passes; the pending read then settles and the check below reports the timeout.
  const stop = () => void reader.cancel().catch(() => undefined);
  signal.addEventListener('abort', stop, { once: true });
  const chunks: Uint8Array[] = [];
  let size = 0;
  let done = false;
  try {
    while (!done) {
      let step: ReadableStreamReadResult<Uint8Array>;
      try {
        step = await reader.read();
      } catch (cause) {
        if (signal.aborted) throw withStatus(signal.reason as AnswerError, status);
        throw new AnswerError('network', 'the answer was cut off', status, { cause });
      }
      if (signal.aborted) throw withStatus(signal.reason as AnswerError, status);
      if (step.done) {
        done = true;
      } else {
        size += step.value.byteLength;
        if (size > maxBytes) throw tooLarge();
        chunks.push(step.value);
      }
    }
  } finally {
    signal.removeEventListener('abort', stop);
    if (!done) stop();
  }
  return concat(chunks, size);
}

function withStatus(error: AnswerError, status: number): AnswerError {
  return new AnswerError(error.reason, error.message, status, { cause: error.cause });
}

/** Settles with `promise`, or rejects with the signal's reason as soon as it aborts. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function concat(chunks: Uint8Array[], size: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}
