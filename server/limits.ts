/**
 * Every limit on what enters Tender, named once with its default. Exceeding one is answered with a
 * clear error (a 413 in the one error shape for request bodies, `bad_response` or `unavailable` for
 * a provider's answer), never a crash. Code reads these values instead of writing numbers of its own.
 */
export const LIMITS = {
  // --- answers from payment providers (server/providers/http.ts) --------------------------------

  /** Largest provider answer body read, in bytes; a larger one is `bad_response`, read no further. */
  providerAnswerBytes: 1024 * 1024,
  /** Deepest nesting of arrays and objects in a provider's JSON answer; deeper is `bad_response`. */
  providerAnswerDepth: 64,
  /** Longest wait for a provider's status line and headers; longer is `unavailable`. */
  providerFirstByteMs: 10_000,
  /**
   * Longest a whole provider call may take, from sending to the last byte of the answer; longer is
   * `unavailable` (a 503 to the caller), however the time was spent.
   */
  providerAnswerMs: 15_000,

  // --- request bodies -------------------------------------------------------------------------

  /** Largest body on `/v1/*` (the merchant and browser API); checked before any route-specific limit. */
  apiBodyBytes: 64 * 1024,
  /**
   * Largest provider callback body (`/v1/notify/:provider`). Real callbacks are a few hundred bytes.
   * NOTE: it must not exceed `apiBodyBytes`, which every `/v1` path passes first.
   */
  callbackBodyBytes: 32 * 1024,
  /** Largest body any `/sandbox/*` simulator route reads. */
  sandboxBodyBytes: 64 * 1024,
  /** Largest request line plus headers the node server accepts (Node's own default is 16 KiB). */
  headerBytes: 16 * 1024,

  // --- status streams (SSE) ---------------------------------------------------------------------

  /** Open status streams one checkout session may hold; a browser needs one, a few tabs a few more. */
  sseStreamsPerSession: 4,
  /** Open status streams from one client address, across all sessions. */
  sseStreamsPerClient: 32,
  /**
   * Open status streams one BFF instance serves in all (each costs a file descriptor and about
   * 10 KiB). Fewer when the process's open-file limit minus `sseFileReserve` is lower.
   */
  sseStreamsTotal: 25_000,
  /**
   * File descriptors kept out of the streams' reach, for the merchant API, provider callbacks and
   * calls, and the database: the stream total stays this far below the open-file limit.
   */
  sseFileReserve: 1_024,
} as const;

export type LimitName = keyof typeof LIMITS;
