/**
 * PayOtc365's wire format, in its own field names, from its "Quick start" page — the only part of the
 * API that is public (docs/providers/payotc365.md). Numbers are read as their source text
 * (../json.ts), so every number-typed field below is a string here.
 */
import { z } from 'zod';

/** "Check balance": `POST {baseUrl}/pay/inquire/wallet`, no body, no parameters. */
export const WALLET_INQUIRY_PATH = '/pay/inquire/wallet';

/**
 * "Use Base64 to encode your app id and secret without spaces, separated by colons", prefixed with
 * "Basic" (Quick start, Authentication). The text is taken as UTF-8, as RFC 7617 recommends.
 */
export function basicAuthorization(appId: string, secret: string): string {
  return `Basic ${Buffer.from(`${appId}:${secret}`, 'utf8').toString('base64')}`;
}

/** HTTP 200: `{"status":"success","data":{"totalAssets":0.000000,"coin":"USDT"}}`. */
export const walletAnswerSchema = z.object({
  status: z.literal('success'),
  data: z.object({
    /** The balance in `coin`, a JSON number with six decimals (its source text here). */
    totalAssets: z.string().min(1),
    coin: z.string().min(1),
  }),
});

export type WalletAnswer = z.output<typeof walletAnswerSchema>;

/** HTTP 412: `{"status":"fail","code":10000,"message":"xxxxxxx"}`. */
export const failAnswerSchema = z.object({
  status: z.literal('fail'),
  code: z.string().regex(/^\d{1,12}$/),
  /** For the operator's log only; never shown to a browser. */
  message: z.unknown().optional(),
});

export type FailAnswer = z.output<typeof failAnswerSchema>;

/**
 * `code`s that mean the credentials were refused. PayOtc365's error table is not public: these are
 * Tender's convention, matching its simulator — 10000 (the document's example code) for an app id
 * and secret that are not an account's, 10001 for an Authorization header that is not Basic
 * app_id:secret. Every other code is read as a request PayOtc365 would not take.
 */
export const CREDENTIAL_CODES: ReadonlySet<string> = new Set(['10000', '10001']);
