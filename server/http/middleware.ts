/** Middleware factories for the BFF. Each takes its options with defaults and returns a named function. */
import type { Context, MiddlewareHandler } from 'hono';
import { bearerAuth } from 'hono/bearer-auth';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { requestId as honoRequestId } from 'hono/request-id';
import { secureHeaders } from 'hono/secure-headers';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ErrorBody } from '../../widget/wire.ts';
import type { Checkout } from '../domain/checkout.ts';
import { newRequestId, secretMatcher, secretsEqual } from '../domain/ids.ts';
import { silentLogger, withLogBindings, type Logger } from '../domain/log.ts';
import { DomainError } from '../domain/errors.ts';
import { ProviderError } from '../providers/provider.ts';
import { ApiError, toApiError } from './errors.ts';
import type { AttemptRecord, SessionRecord } from '../store/store.ts';

export interface AppEnv {
  Variables: {
    requestId: string;
    session: SessionRecord;
    /** Set by `clientAuth({ withLatestAttempt: true })`: the session's latest attempt, or null. */
    latestAttempt: AttemptRecord | null;
  };
}

/** Header the browser uses for the session's client secret; `?secret=` where no header can be sent. */
export const CLIENT_SECRET_HEADER = 'Tender-Client-Secret';

/** The shape of a session id (`ses_` + base62); anything else is refused before the store is asked. */
export const SESSION_ID = /^ses_[A-Za-z0-9]{1,40}$/;

/**
 * Names the request (`X-Request-Id`, Hono's `requestId`): a `req_…` id of ours, or the one a proxy in
 * front already gave it (letters, digits, `_`, `-`, `=`; at most 64). The rest of the request runs
 * under a child of `log` bound to the id, so every line written meanwhile carries it, and the error
 * body repeats it (`errorHandler`).
 */
export function requestId({ log = silentLogger }: { log?: Logger } = {}): MiddlewareHandler<AppEnv> {
  const name = honoRequestId({ limitLength: 64, generator: () => newRequestId() });
  return async function requestIdMiddleware(c, next) {
    await name(c, () => withLogBindings(log, { requestId: c.get('requestId') }, next));
  };
}

/**
 * Merchant API: `Authorization: Bearer <merchant.secretKey>` (Hono's `bearerAuth`, which compares in
 * constant time). A missing, malformed or wrong key gets the one error shape, 401, whichever it was.
 */
export function merchantAuth({ secretKey }: { secretKey: string }): MiddlewareHandler<AppEnv> {
  const refuse = (c: Context): never => {
    c.header('WWW-Authenticate', 'Bearer realm="tender"');
    throw new ApiError(401, 'unauthorized', 'a valid secret key is required: Authorization: Bearer <secret key>');
  };
  // The comparison is ours (`secretMatcher`, constant time, synchronous): the default one hashes both
  // strings through WebCrypto's asynchronous digest on every request, which costs more than the rest
  // of a session create.
  const check = bearerAuth<AppEnv>({
    verifyToken: secretMatcher(secretKey),
    noAuthenticationHeader: { message: refuse },
    invalidAuthenticationHeader: { message: refuse },
    invalidToken: { message: refuse },
  });
  return async function merchantAuthMiddleware(c, next) {
    return check(c, next);
  };
}

/**
 * Security headers for the JSON API, health checks and metrics (Hono's `secureHeaders`): nosniff, no
 * referrer, HSTS, same-origin resource policy (the widget reads the API with CORS, which the
 * resource policy does not touch) and a CSP that loads nothing and is framed nowhere. Headers that
 * only mean something for an HTML document (X-Frame-Options, which `frame-ancestors` replaces; the
 * opener policy, origin-agent clustering, DNS prefetch, old IE and Flash switches) are left off a
 * JSON answer: each header costs every request. The hosted page and the widget's files set their own.
 */
export function apiSecurityHeaders(): MiddlewareHandler {
  const headers = secureHeaders({
    contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
    xFrameOptions: false,
    crossOriginOpenerPolicy: false,
    originAgentCluster: false,
    xDnsPrefetchControl: false,
    xDownloadOptions: false,
    xPermittedCrossDomainPolicies: false,
    xXssProtection: false,
  });
  return async function apiSecurityHeadersMiddleware(c, next) {
    return headers(c, next);
  };
}

/**
 * Browser API: the session's client secret opens that one session. An unknown session and a wrong
 * secret get the same answer, so neither can be probed.
 */
export function clientAuth({
  checkout,
  withLatestAttempt = false,
}: {
  checkout: Checkout;
  /** Also reads the session's latest attempt (`latestAttempt`), in the same query. */
  withLatestAttempt?: boolean;
}): MiddlewareHandler<AppEnv> {
  const load = withLatestAttempt
    ? (id: string) => checkout.loadSessionWithLatestAttempt(id)
    : async (id: string) => {
        const session = await checkout.loadSession(id);
        return session && { session, attempt: undefined };
      };
  return async function clientAuthMiddleware(c, next) {
    const id = c.req.param('id') ?? '';
    const given = c.req.header(CLIENT_SECRET_HEADER) ?? c.req.query('secret') ?? '';
    const found = given && SESSION_ID.test(id) ? await load(id) : null;
    if (!found || !secretsEqual(given, found.session.clientSecret)) {
      throw new ApiError(401, 'unauthorized', 'this checkout session does not exist or the client secret is wrong');
    }
    c.set('session', found.session);
    if (found.attempt !== undefined) c.set('latestAttempt', found.attempt);
    await next();
  };
}

/**
 * Refuses a body over `maxBytes` with a 413 in the one error shape, naming what was too large and the
 * limit, before a handler reads any of it. A declared Content-Length is checked without reading; a
 * chunked body is read only up to the limit.
 */
export function limitBody({
  maxBytes,
  what = 'the request body',
}: {
  maxBytes: number;
  what?: string;
}): MiddlewareHandler {
  const limit = bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new ApiError(413, 'too_large', `${what} is larger than ${maxBytes} bytes`);
    },
  });
  return async function limitBodyMiddleware(c, next) {
    // A body of declared length is settled from the header (node's parser reads no more than that),
    // because asking for the body would build a whole web Request on node; so is a GET or HEAD that
    // declares none, which carries no body (RFC 9112 §6.3). Any other body (chunked, or a stream
    // handed to `app.request()`) is counted as it is read, by Hono's `bodyLimit`.
    if (c.req.header('transfer-encoding') !== undefined) return limit(c, next);
    const length = c.req.header('content-length');
    if (length === undefined) return c.req.method === 'GET' || c.req.method === 'HEAD' ? next() : limit(c, next);
    if (!/^\d{1,15}$/.test(length)) throw new ApiError(400, 'invalid_request', 'Content-Length must be a number');
    if (Number(length) > maxBytes) throw new ApiError(413, 'too_large', `${what} is larger than ${maxBytes} bytes`);
    return next();
  };
}

/**
 * The one error path: edge, domain and provider errors become the one JSON shape (`toApiError` gives
 * the status); anything else reveals nothing. A 5xx is logged; its line carries the request id
 * (bound by `requestId`, or named here when the app has no `requestId` middleware), which the body
 * repeats.
 */
export function errorHandler({ log }: { log: Logger }) {
  return function onError(error: Error, c: Context<AppEnv>) {
    const named = c.get('requestId') as string | undefined;
    const requestId = named ?? newRequestId();
    const context = named ? {} : { requestId };
    let status: ContentfulStatusCode = 500;
    let code = 'internal';
    let message = 'something went wrong on our side; the request id identifies it in our logs';
    if (error instanceof ApiError || error instanceof DomainError || error instanceof ProviderError) {
      const api = toApiError(error);
      ({ status, code, message } = api);
      if (status >= 500) log.error(message, { ...context, error: api.cause ?? api });
    } else if (error instanceof HTTPException) {
      status = error.status;
      code = status === 413 ? 'invalid_request' : status < 500 ? 'invalid_request' : 'internal';
      message =
        status === 413 ? 'the request body is too large' : status < 500 ? error.message || 'bad request' : message;
    } else {
      log.error('unhandled error', { ...context, method: c.req.method, path: c.req.path, error });
    }
    const body: ErrorBody = { error: { code, message, requestId } };
    return c.json(body, status);
  };
}
