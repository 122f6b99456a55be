/**
 * What a fake `fetch` in a test was called with, read without guessing: the URL whichever form the
 * caller used (a string, a URL or a Request), and the body when it is text. Plain functions with no
 * Node or browser-only imports, so server and widget tests share them.
 */

/** The URL of a fetch call, whether `input` is a string, a URL or a Request. */
export function urlOf(input: RequestInfo | URL): string {
  return input instanceof Request ? input.url : input.toString();
}

/** The body of a fetch call when it is text (every JSON or form request Tender sends); '' when absent or not text. */
export function bodyOf(init: RequestInit | undefined): string {
  return typeof init?.body === 'string' ? init.body : '';
}

/**
 * What a fake fetch rejects with when its signal aborts: the signal's reason, as a real fetch does
 * (an AbortError or TimeoutError DOMException). `AbortSignal.reason` is typed `any`; a reason that
 * is not an Error becomes an AbortError naming it.
 */
export function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new DOMException(String(reason), 'AbortError');
}
