/** Option schemas every provider's `options.ts` shares. */
import { z } from 'zod';

/** A provider's root URL: http(s) only, trailing slashes dropped so the documented paths append cleanly. */
export const baseUrlSchema = z
  .string()
  .url()
  .refine((value) => /^https?:$/.test(new URL(value).protocol), 'must be an http(s) URL')
  .transform((value) => value.replace(/\/+$/, ''));

/** An endpoint path appended to `baseUrl`, overridable where a provider's paths are not public. */
export const pathSchema = z.string().regex(/^\/[^\s?#]*$/, 'must be a path starting with "/"');

/**
 * How long Tender keeps offering a QR code before the shopper must ask for a new one (seconds), for
 * providers that state no lifetime of their own; 15 minutes unless configured.
 */
export const qrExpirySecondsSchema = z
  .number()
  .int()
  .min(60)
  .max(24 * 3600)
  .default(900);

/** The provider's methods a merchant enables: some of `all`, each once; all of them unless configured. */
export function methodListSchema<const M extends readonly [string, ...string[]]>(all: M) {
  return z
    .array(z.enum(all))
    .min(1)
    .refine((list) => new Set(list).size === list.length, 'must not repeat a method')
    .default([...all]);
}
