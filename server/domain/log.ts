/**
 * Structured logs: one JSON line per entry (pino), on stderr unless told otherwise. Tests pass
 * `silentLogger`, or `createLogger({ write })` to read the lines.
 *
 *   {"level":"warn","at":"2026-11-21T10:00:00.000Z","requestId":"req_…","message":"…", …fields}
 *
 * What never reaches a line:
 * - secrets and card or account data, by path: any field named like a credential (`secretKey`,
 *   `authorization`, `tender-client-secret`, `password`, `signKey`, …) or card and account data
 *   (`accountNumber`, `sessionCard`, `sessionCvc`, `cardNumber`, …), at any depth up to four, and the
 *   secrets of a logged `config`;
 * - the same in free text (messages, error messages and stacks, string fields): card-like digit runs
 *   (13–19 digits, first digit 2–6, that pass the Luhn check), `secret=` query values, client secrets, bearer tokens,
 *   passwords in connection URLs and PEM private keys (`scrubText`).
 *
 * While a request is served, every line carries its request id, whoever writes it (a route, the
 * domain, a provider adapter): `withLogBindings` runs the request under a child logger that the
 * logger's methods find through the async context, so callers keep the three-method `Logger`.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';

export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** `TENDER_LOG`: the lowest level written, or `silent` for none. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LoggerOptions {
  /** Lowest level written; `info` when absent. */
  level?: LogLevel;
  /** Receives each line (one JSON object, without the newline); stderr when absent. */
  write?: (line: string) => void;
}

/** Field names whose values are never written, wherever they appear (compared as written here). */
export const REDACTED_FIELDS = [
  // credentials of Tender and of the providers (server/config.ts, server/providers/*/options.ts)
  'secret',
  'secretKey',
  'clientSecret',
  'client_secret',
  'webhookSecret',
  'callbackSecret',
  'signKey',
  'apiKey',
  'aesKey',
  'token',
  'accessToken',
  'access_token',
  'password',
  'merchantPrivateKey',
  'privateKey',
  // HTTP headers that carry them
  'authorization',
  'Authorization',
  'cookie',
  'set-cookie',
  'tender-client-secret',
  'Tender-Client-Secret',
  'tender-signature',
  'Tender-Signature',
  // card and bank account data
  'accountNumber',
  'account_number',
  'sessionCard',
  'sessionCvc',
  'cardNumber',
  'card_number',
  'pan',
  'cvc',
  'cvv',
] as const;

const CENSOR = '[redacted]';

/** pino paths for `REDACTED_FIELDS` at depths one to four, and the secrets of a logged `config`. */
export const REDACTED_PATHS: readonly string[] = [
  ...REDACTED_FIELDS.flatMap((field) => {
    const key = /^[A-Za-z_$][\w$]*$/.test(field) ? field : `["${field}"]`;
    const join = (prefix: string) => (key.startsWith('[') ? `${prefix}${key}` : `${prefix}.${key}`);
    return [key, join('*'), join('*.*'), join('*.*.*')];
  }),
  // A postgres:// URL may hold a password; the whole provider options may hold anything.
  'config.database',
  'config.providers',
];

/**
 * Masks what must not be logged in free text. Card numbers are recognised by shape and checksum, so
 * order ids, timestamps and amounts pass; bank account numbers have no checksum and are redacted by
 * field name instead.
 */
export function scrubText(text: string): string {
  return (
    text
      .replace(/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g, CENSOR)
      .replace(/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, `$1 ${CENSOR}`)
      .replace(/([?&](?:secret|client_secret|clientSecret|token|password)=)[^&#\s"']*/gi, `$1${CENSOR}`)
      .replace(/(_secret_)[A-Za-z0-9]+/g, `$1${CENSOR}`)
      .replace(/(\/\/[^/:@\s]+:)[^@/\s]+@/g, `$1${CENSOR}@`)
      // 13–19 digits from a card network's range (first digit 2–6), single spaces or dashes allowed
      // between them, that pass the Luhn check; millisecond timestamps start with 1 until 2033.
      .replace(/(?<![\d-])[2-6](?:[ -]?\d){12,18}(?![\d-])/g, (run) => (luhn(run.replace(/\D/g, '')) ? CENSOR : run))
  );
}

function luhn(digits: string): boolean {
  let sum = 0;
  for (let index = 0; index < digits.length; index++) {
    let digit = Number(digits[digits.length - 1 - index]);
    if (index % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

/** Bindings that lines written inside `withLogBindings` carry, within those of the scope around it. */
interface Scope {
  bindings: Record<string, unknown>;
  parent: Scope | undefined;
  logger?: PinoLogger;
}

/** Logger → how to run work under a child that carries `bindings` (only loggers from `createLogger`). */
const scopes = new WeakMap<Logger, <T>(bindings: Record<string, unknown>, work: () => T) => T>();

/**
 * Runs `work` so that every line `log` writes meanwhile, from any caller and across awaits, carries
 * `bindings` (the request id, say). Loggers not made by `createLogger` just run `work`.
 */
export function withLogBindings<T>(log: Logger, bindings: Record<string, unknown>, work: () => T): T {
  const scope = scopes.get(log);
  return scope ? scope(bindings, work) : work();
}

/** The level `TENDER_LOG` names (`silent`, `error`, `warn`, `info`, `debug`); unset or empty is `info`, unknown null. */
export function parseLogLevel(value: string | undefined): LogLevel | null {
  const level = (value ?? '').trim().toLowerCase() || 'info';
  return (LOG_LEVELS as readonly string[]).includes(level) ? (level as LogLevel) : null;
}

export function createLogger(options: LoggerOptions | ((line: string) => void) = {}): Logger {
  const { level = 'info', write } = typeof options === 'function' ? { write: options } : options;
  const destination: DestinationStream = write
    ? { write: (chunk: string) => write(chunk.endsWith('\n') ? chunk.slice(0, -1) : chunk) }
    : // Synchronous, so the lines before a crash or an exit are not lost in a buffer.
      pino.destination({ dest: 2, sync: true });
  const root = pino(
    {
      level,
      base: undefined,
      messageKey: 'message',
      timestamp: () => `,"at":"${new Date().toISOString()}"`,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: [...REDACTED_PATHS], censor: CENSOR },
    },
    destination,
  );
  const current = new AsyncLocalStorage<Scope>();
  /** The scope's child logger, made when the scope first writes a line (most requests write none). */
  const loggerOf = (scope: Scope | undefined): PinoLogger =>
    scope ? (scope.logger ??= loggerOf(scope.parent).child(scrubFields(scope.bindings, 0) as object)) : root;
  const entry =
    (method: 'info' | 'warn' | 'error') =>
    (message: string, fields: Record<string, unknown> = {}) => {
      if (!root.isLevelEnabled(method)) return;
      loggerOf(current.getStore())[method](scrubFields(fields, 0) as object, scrubText(message));
    };
  const logger: Logger = { info: entry('info'), warn: entry('warn'), error: entry('error') };
  scopes.set(logger, (bindings, work) => current.run({ bindings, parent: current.getStore() }, work));
  return logger;
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };

/** How deep fields are walked for free text; deeper values are written as `[…]`. */
const MAX_DEPTH = 6;

/** Strings scrubbed, errors serialised (message, stack, code, cause), everything else as it is. */
function scrubFields(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return scrubText(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return '[…]';
  if (value instanceof Error) return serialiseError(value, depth);
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((item) => scrubFields(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = scrubFields(item, depth + 1);
  return out;
}

function serialiseError(error: Error, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {
    name: error.name,
    message: scrubText(error.message),
    stack: error.stack === undefined ? undefined : scrubText(error.stack),
  };
  // Neutral codes and the provider they came from (ProviderError, StoreUnavailableError, errno).
  for (const key of ['code', 'provider', 'status'] as const) {
    const field = (error as unknown as Record<string, unknown>)[key];
    if (typeof field === 'string' || typeof field === 'number') out[key] = field;
  }
  if (error.cause !== undefined) out.cause = scrubFields(error.cause, depth + 1);
  return out;
}
