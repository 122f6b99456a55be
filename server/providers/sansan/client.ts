/**
 * The sealed transport every SanSan service shares (docs/providers/sansan.md, "Transport" and
 * "Crypto"): `POST {baseUrl}/api/v2/pay` with a Bearer token and `{service, bizContent, sign}`;
 * answers are decrypted and verified before anything in them is read.
 */
import type { z } from 'zod';
import { parseJsonNumbersAsText, stringifyWithDecimals } from '../json.ts';
import { LIMITS } from '../../limits.ts';
import { jsonNestingExceeds } from '../http.ts';
import {
  ProviderError,
  providerFetch,
  readJsonText,
  type ProviderContext,
  type ProviderErrorCode,
} from '../provider.ts';
import { describeFailure, loadKeys, open, seal, type Sealed } from './crypto.ts';
import type { SanSanOptions } from './options.ts';
import { DECIMAL_KEYS, answer, envelope, type Service } from './wire.ts';

export interface SanSanClient {
  /** One service call; a sealed refusal is thrown as `SanSanRefusal`. */
  call<T>(service: Service, body: object, schema: z.ZodType<T>): Promise<T>;
  /** Decrypts and verifies sealed content (answers, webhooks); a failure is logged and thrown with `code`. */
  opened(sealed: Sealed, what: string, code: ProviderErrorCode): string;
}

export function sansanClient(options: SanSanOptions, ctx: ProviderContext): SanSanClient {
  const keys = loadKeys(options);
  const endpoint = `${options.baseUrl}/api/v2/pay`;

  /** One sealed call: sign, encrypt, send; then decrypt, verify, and only then read. */
  async function call<T>(service: Service, body: object, schema: z.ZodType<T>): Promise<T> {
    const json = stringifyWithDecimals(body as Record<string, unknown>, DECIMAL_KEYS);
    const sealed = seal(json, keys);
    const response = await providerFetch('sansan', ctx, endpoint, {
      method: 'POST',
      headers: {
        Accept: 'application/json',
        'Content-Type': 'application/json',
        Authorization: `Bearer ${options.token}`,
      },
      body: JSON.stringify({ service, ...sealed }),
    });
    if (response.status === 401 || response.status === 403) {
      await response.body?.cancel();
      throw new ProviderError('sansan', 'authentication', `${service}: the Bearer token was refused`);
    }
    if (response.status === 400) {
      await response.body?.cancel();
      throw new ProviderError('sansan', 'invalid_request', `${service}: the request envelope was refused (HTTP 400)`);
    }
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new ProviderError('sansan', 'bad_response', `${service}: HTTP ${response.status}`);
    }
    const outer = envelope.safeParse(parseJson(await readJsonText('sansan', response), service, JSON.parse));
    if (!outer.success)
      throw new ProviderError('sansan', 'bad_response', `${service}: answer is not a sealed envelope`);
    const statusCode = String(outer.data.statusCode ?? outer.data.status ?? '');
    if (statusCode !== '0') {
      throw new ProviderError('sansan', 'bad_response', `${service}: envelope statusCode ${statusCode.slice(0, 10)}`);
    }
    const plain = opened(outer.data, `${service} answer`, 'bad_response');
    // The decrypted text is held to the same nesting limit as any provider answer.
    if (jsonNestingExceeds(plain, LIMITS.providerAnswerDepth))
      throw new ProviderError('sansan', 'bad_response', `${service}: answer nested too deep`);
    const reply = answer.safeParse(parseJson(plain, service, parseJsonNumbersAsText));
    if (!reply.success) throw new ProviderError('sansan', 'bad_response', `${service}: answer lacks status`);
    if (reply.data.status === '-1') {
      const code = reply.data.errorCode ?? '-1';
      throw new SanSanRefusal(
        code,
        `${service}: refused ${code.slice(0, 40)} (${(reply.data.errorMessage ?? '').slice(0, 200)})`,
      );
    }
    const data = schema.safeParse(reply.data.data);
    if (!data.success)
      throw new ProviderError('sansan', 'bad_response', `${service}: answer lacks the expected fields`);
    return data.data;
  }

  /** Decrypts and verifies; a failure is logged for the operator (no key, no content) and thrown. */
  function opened(sealed: Sealed, what: string, code: ProviderErrorCode): string {
    const result = open(sealed, keys);
    if (result.ok) return result.json;
    ctx.log.warn(`sansan: ${what} refused: ${describeFailure(result.reason)}`, {
      provider: 'sansan',
      reason: result.reason,
    });
    throw new ProviderError('sansan', code, `${what}: ${describeFailure(result.reason)}`);
  }

  return { call, opened };
}

function parseJson(text: string, service: string, parse: (text: string) => unknown): unknown {
  try {
    return parse(text);
  } catch (cause) {
    throw new ProviderError('sansan', 'bad_response', `${service}: answer is not JSON`, { cause });
  }
}

/** A sealed refusal (`status: -1`), with SanSan's own `errorCode` kept for the adapter's decisions. */
export class SanSanRefusal extends ProviderError {
  constructor(
    readonly errorCode: string,
    message: string,
  ) {
    super('sansan', refusalCode(errorCode), message);
  }
}

/** SanSan's refusals (its list is not public; these are the sandbox's, docs/providers/sansan.md). */
function refusalCode(errorCode: string): ProviderErrorCode {
  switch (errorCode) {
    case 'DECRYPT_FAILED':
    case 'SIGN_INVALID':
      // SanSan could not open what we sealed: our AES key or merchant key is not the one it holds.
      return 'authentication';
    case 'ORDER_EXISTS':
    case 'REFUND_EXISTS':
      return 'duplicate_order';
    case 'ORDER_NOT_FOUND':
      return 'not_found';
    case 'REFUND_AMOUNT_EXCEEDED':
      return 'amount_out_of_range';
    case 'ORDER_STATUS_INVALID':
    case 'ORDER_EXPIRED':
    case 'REFUND_IN_PROGRESS':
      return 'refused';
    case 'BIZCONTENT_INVALID':
    case 'SERVICE_UNKNOWN':
    case 'PARAM_MISSING':
    case 'PARAM_INVALID':
    case 'PAYER_NOT_FOUND':
    case 'LINK_INVALID':
    case 'TRANSACTION_INVALID':
    case 'CARD_SESSION_INVALID':
    case 'DEVICE_SESSION_INVALID':
      return 'invalid_request';
    default:
      return 'refused';
  }
}
