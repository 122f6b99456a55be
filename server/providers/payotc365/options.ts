/** `providers.payotc365` in the configuration (docs/providers/payotc365.md). */
import { z } from 'zod';
import { baseUrlSchema } from '../options.ts';

/** Control characters cannot travel in an HTTP header. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const NO_CONTROLS = /^[^\u0000-\u001f\u007f]+$/;

export const payotc365OptionsSchema = z.strictObject({
  /**
   * PayOtc365's API root; the document's examples use "https://api.payotc365.com". The sandbox and
   * production roots are not public: the merchant's workbench gives them.
   */
  baseUrl: baseUrlSchema,
  /** The APP ID from "My Workbench" → settings. */
  appId: z
    .string()
    .min(1)
    .regex(NO_CONTROLS, 'must not contain control characters')
    // HTTP Basic joins the two with a colon (RFC 7617): the id may not hold one.
    .refine((value) => !value.includes(':'), 'must not contain ":"'),
  /** The key shown beside the APP ID. */
  secret: z.string().min(1).regex(NO_CONTROLS, 'must not contain control characters'),
});

/** What the adapter accepts; validated again when the adapter is built. */
export type PayOtc365Options = z.input<typeof payotc365OptionsSchema>;
export type ResolvedPayOtc365Options = z.output<typeof payotc365OptionsSchema>;

/** Validates options, throwing an error that names the field (`providers.payotc365.appId: …`). */
export function resolvePayOtc365Options(options: PayOtc365Options): ResolvedPayOtc365Options {
  const result = payotc365OptionsSchema.safeParse(options);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const field = ['providers', 'payotc365', ...issue.path.map(String)].join('.');
    throw new Error(`${field}: ${issue.message}`);
  }
  return result.data;
}
