/**
 * PayOtc365: a USDT wallet whose public API is one "check balance" call (docs/providers/payotc365.md).
 * Tender reads the wallet's balance and nothing else; no pay-in method is offered until PayOtc365's
 * order API is documented.
 *
 * The balance is read exactly: `totalAssets` is a JSON number with six decimals, taken as its source
 * text (../json.ts) and turned into integer micro-USDT, never through a float.
 */
import { MoneyError, parseProviderDecimal, type Money } from '../../domain/money.ts';
import {
  ProviderError,
  providerFetch,
  type CreatePaymentResult,
  type MethodOffer,
  type PaymentStatus,
  type Provider,
  type ProviderContext,
} from '../provider.ts';
import { parseJsonNumbersAsText } from '../json.ts';
import { resolvePayOtc365Options, type PayOtc365Options } from './options.ts';
import {
  basicAuthorization,
  CREDENTIAL_CODES,
  failAnswerSchema,
  WALLET_INQUIRY_PATH,
  walletAnswerSchema,
  type FailAnswer,
} from './wire.ts';

export { payotc365OptionsSchema, type PayOtc365Options } from './options.ts';

/** The coin of the documented wallet, and the only currency `balance` answers for. */
const WALLET_COIN = 'USDT';

/** The wallet answer is under 200 bytes; anything past this is not PayOtc365 talking. */
export const MAX_ANSWER_BYTES = 64 * 1024;

export function createPayOtc365Provider(options: PayOtc365Options, ctx: ProviderContext): Provider {
  const config = resolvePayOtc365Options(options);
  const url = `${config.baseUrl}${WALLET_INQUIRY_PATH}`;
  const authorization = basicAuthorization(config.appId, config.secret);

  function fail(code: ProviderError['code'], message: string, cause?: unknown): ProviderError {
    return new ProviderError('payotc365', code, message, cause === undefined ? undefined : { cause });
  }

  /** The refusal as a neutral code; PayOtc365's own message goes to the operator's log only. */
  function refusal(answer: FailAnswer, httpStatus: number): ProviderError {
    ctx.log.warn('PayOtc365 refused the wallet inquiry', {
      provider: 'payotc365',
      httpStatus,
      code: answer.code,
      message: typeof answer.message === 'string' ? answer.message.slice(0, 200) : null,
    });
    const code = CREDENTIAL_CODES.has(answer.code) ? 'authentication' : 'invalid_request';
    return fail(code, `wallet inquiry refused with code ${answer.code} (HTTP ${httpStatus})`);
  }

  async function inquireWallet(): Promise<{ totalAssets: string; coin: string }> {
    const response = await providerFetch('payotc365', { ...ctx, maxAnswerBytes: MAX_ANSWER_BYTES }, url, {
      method: 'POST',
      headers: { Accept: 'application/json', Authorization: authorization },
    });
    const text = await readBoundedText(response);
    let body: unknown = undefined;
    try {
      body = parseJsonNumbersAsText(text);
    } catch {
      // Judged below, with the status: a proxy's HTML page on a 401 is still a refusal.
    }
    const failed = failAnswerSchema.safeParse(body);
    // The document answers a failure with 412; the shape says "fail" whatever the status was.
    if (failed.success) throw refusal(failed.data, response.status);
    if (response.status === 401 || response.status === 403) {
      throw fail('authentication', `HTTP ${response.status} without a PayOtc365 answer`);
    }
    if (response.status === 429) throw fail('unavailable', 'HTTP 429: too many requests');
    if (response.status !== 200) throw fail('bad_response', `HTTP ${response.status} without a PayOtc365 answer`);
    if (body === undefined) throw fail('bad_response', 'HTTP 200 with a body that is not JSON');
    const answer = walletAnswerSchema.safeParse(body);
    if (!answer.success) throw fail('bad_response', 'HTTP 200 without status "success" and data');
    return answer.data.data;
  }

  /** Reads the body up to `MAX_ANSWER_BYTES` and stops there; larger is `bad_response`. */
  async function readBoundedText(response: Response): Promise<string> {
    const declared = Number(response.headers.get('content-length') ?? NaN);
    if (declared > MAX_ANSWER_BYTES) {
      await response.body?.cancel().catch(() => {});
      throw fail('bad_response', `answer of ${declared} bytes is larger than ${MAX_ANSWER_BYTES}`);
    }
    if (!response.body) return '';
    const reader = response.body.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      let step: ReadableStreamReadResult<Uint8Array>;
      try {
        step = await reader.read();
      } catch (cause) {
        throw fail('unavailable', `HTTP ${response.status}: the answer was cut off`, cause);
      }
      if (step.done) break;
      size += step.value.byteLength;
      if (size > MAX_ANSWER_BYTES) {
        await reader.cancel().catch(() => {});
        throw fail('bad_response', `answer larger than ${MAX_ANSWER_BYTES} bytes`);
      }
      chunks.push(step.value);
    }
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
    } catch (cause) {
      throw fail('bad_response', `HTTP ${response.status} with a body that is not UTF-8`, cause);
    }
  }

  function noPayIn(): Promise<never> {
    return Promise.reject(fail('unsupported', 'PayOtc365 documents no pay-in: only the wallet balance is offered'));
  }

  return {
    id: 'payotc365',

    async offers(): Promise<MethodOffer[]> {
      return [];
    },

    createPayment(): Promise<CreatePaymentResult> {
      return noPayIn();
    },

    queryPayment(): Promise<PaymentStatus> {
      return noPayIn();
    },

    async balance(currency: string): Promise<Money> {
      if (currency !== WALLET_COIN) {
        throw fail('unsupported', `the wallet inquiry reports ${WALLET_COIN}, not ${currency.slice(0, 10)}`);
      }
      const wallet = await inquireWallet();
      if (wallet.coin.trim().toUpperCase() !== WALLET_COIN) {
        throw fail('bad_response', `the wallet reports coin "${wallet.coin.slice(0, 10)}", not ${WALLET_COIN}`);
      }
      try {
        // Exact: "0.000001" is 1 micro-USDT; trailing zeros past six decimals pass, other digits do not.
        return parseProviderDecimal(wallet.totalAssets, WALLET_COIN);
      } catch (cause) {
        if (!(cause instanceof MoneyError)) throw cause;
        throw fail('bad_response', `totalAssets "${wallet.totalAssets.slice(0, 30)}" is not a USDT amount`, cause);
      }
    },
  };
}
