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
