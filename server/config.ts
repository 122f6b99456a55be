/**
 * Tender's configuration: one JSON file named by `TENDER_CONFIG`, or the built-in sandbox
 * configuration when it is unset. Any string may be `"env:NAME"` to read a secret from the
 * environment. A bad file stops the server with a message that names the field.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { ProviderDescriptor } from './providers/provider.ts';
import { PROVIDERS, type ProvidersConfig } from './providers/registry.ts';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const origin = z.string().refine((value) => {
  try {
    return new URL(value).origin === value;
  } catch {
    return false;
  }
}, 'must be an origin such as "https://shop.example" (scheme, host and port only)');

const httpUrl = z
  .string()
  .url()
  .refine((value) => /^https?:$/.test(new URL(value).protocol), 'must be an http(s) URL')
  .transform((value) => value.replace(/\/+$/, ''));

/** `providers`: one optional entry per registered provider, each validated by its own schema. */
const providersSchema = z.strictObject(
  Object.fromEntries(
    (PROVIDERS as readonly ProviderDescriptor[]).map((descriptor) => [descriptor.id, descriptor.options.optional()]),
  ),
) as unknown as z.ZodType<ProvidersConfig>;

export const configSchema = z.strictObject({
  publicUrl: httpUrl,
  database: z
    .string()
    .refine(
      (value) => value.startsWith('sqlite:') || /^postgres(ql)?:\/\//.test(value),
      'must be "sqlite:<path>" or "postgres://…"',
    ),
  /** Mounts the provider simulators under /sandbox/<provider>/ (the built-in configuration does). */
  sandbox: z.boolean().default(false),
  merchant: z
    .strictObject({
      name: z.string().min(1).max(100),
      // Sent as `Authorization: Bearer <key>`, so it must be a bearer token (RFC 6750 b64token).
      secretKey: z
        .string()
        .min(12, 'must be at least 12 characters')
        .regex(/^[A-Za-z0-9._~+/-]+=*$/, 'may hold only letters, digits and . _ ~ + / - (a bearer token)'),
      allowedOrigins: z.array(origin).default([]),
      /** Where Tender POSTs signed webhooks (session.succeeded, …); optional. */
      webhookUrl: httpUrl.optional(),
      webhookSecret: z.string().min(16, 'must be at least 16 characters').optional(),
    })
    .refine((merchant) => !merchant.webhookUrl || merchant.webhookSecret, {
      message: 'is required when merchant.webhookUrl is set',
      path: ['webhookSecret'],
    }),
  checkout: z
    .strictObject({
      /** Default lifetime of a session when the merchant does not say. */
      sessionTtlSeconds: z
        .number()
        .int()
        .min(60)
        .max(7 * 24 * 3600)
        .default(3600),
    })
    .default({ sessionTtlSeconds: 3600 }),
  providers: providersSchema,
});

export type Config = z.infer<typeof configSchema>;

/**
 * Sandbox mode mounts simulators that accept the configured credentials. It is refused next to a
 * provider that points anywhere but its own simulator, so real credentials never end up in one.
 */
function checkSandbox(config: Config): void {
  if (!config.sandbox) return;
  for (const [id, options] of Object.entries(config.providers)) {
    const baseUrl = (options as { baseUrl?: unknown } | undefined)?.baseUrl;
    if (baseUrl !== undefined && baseUrl !== `${config.publicUrl}/sandbox/${id}`) {
      throw new ConfigError(
        `providers.${id}.baseUrl: with "sandbox": true it must be ${config.publicUrl}/sandbox/${id} (the simulator); turn sandbox off to use a real account`,
      );
    }
  }
}

/** Replaces every `"env:NAME"` string with the variable's value; a missing variable names its field. */
export function resolveEnvReferences(value: unknown, env: NodeJS.ProcessEnv, path: string[] = []): unknown {
  if (typeof value === 'string' && value.startsWith('env:')) {
    const name = value.slice(4);
    const resolved = env[name];
    if (resolved === undefined || resolved === '') {
      throw new ConfigError(`${fieldName(path)}: environment variable ${name} is not set`);
    }
    return resolved;
  }
  if (Array.isArray(value))
    return value.map((item, index) => resolveEnvReferences(item, env, [...path, String(index)]));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, resolveEnvReferences(item, env, [...path, key])]),
    );
  }
  return value;
}

/** Validates a parsed configuration object; throws `ConfigError` naming the first bad field. */
export function parseConfig(raw: unknown, env: NodeJS.ProcessEnv = process.env): Config {
  const result = configSchema.safeParse(resolveEnvReferences(raw, env));
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new ConfigError(`${fieldName(issue.path.map(String))}: ${issue.message}`);
  }
  checkSandbox(result.data);
  return result.data;
}

/** The built-in configuration: every provider pointed at its simulator, mounted on this server. */
export function sandboxConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = env.PORT ?? '8787';
  const publicUrl = env.TENDER_PUBLIC_URL ?? `http://localhost:${port}`;
  return parseConfig(
    {
      publicUrl,
      database: env.TENDER_DATABASE ?? 'sqlite:./data/tender.db',
      sandbox: true,
      merchant: {
        name: 'Demo Shop',
        secretKey: env.TENDER_SECRET_KEY || 'sk_test_sandbox',
        // The BFF's own pages and the demo shop that `npm start` runs beside it.
        allowedOrigins: [new URL(publicUrl).origin, `http://localhost:${env.DEMO_PORT ?? '8788'}`],
        // Webhooks go to the demo shop when it runs (`npm start` sets TENDER_WEBHOOK_URL).
        ...(env.TENDER_WEBHOOK_URL
          ? { webhookUrl: env.TENDER_WEBHOOK_URL, webhookSecret: env.TENDER_WEBHOOK_SECRET || SANDBOX_WEBHOOK_SECRET }
          : {}),
      },
      providers: sandboxProviders(`${publicUrl}/sandbox`),
    },
    env,
  );
}

/** The sandbox's webhook signing secret, shared with the demo shop that receives the webhooks. */
export const SANDBOX_WEBHOOK_SECRET = 'whsec_sandbox_demo_shop_0001';

/**
 * Every registered provider with a simulator, pointed at `<base>/<id>` with the sandbox credentials
 * that simulator accepts.
 */
export function sandboxProviders(base: string): Record<string, unknown> {
  return Object.fromEntries(
    (PROVIDERS as readonly ProviderDescriptor[]).flatMap((descriptor) =>
      descriptor.sandbox
        ? [[descriptor.id, { ...descriptor.sandbox.credentials(), baseUrl: `${base}/${descriptor.id}` }]]
        : [],
    ),
  );
}

/** The sandbox credentials of each provider (they open nothing real), for tests and tools. */
export const SANDBOX_CREDENTIALS = Object.fromEntries(
  PROVIDERS.map((descriptor) => [descriptor.id, descriptor.sandbox.credentials()]),
) as { [D in (typeof PROVIDERS)[number] as D['id']]: ReturnType<D['sandbox']['credentials']> };

/** Loads the file named by `TENDER_CONFIG`, or the built-in sandbox configuration. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const path = env.TENDER_CONFIG;
  if (!path) return sandboxConfig(env);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new ConfigError(`TENDER_CONFIG: cannot read ${path} (${(cause as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    throw new ConfigError(`TENDER_CONFIG: ${path} is not valid JSON (${(cause as Error).message})`);
  }
  return parseConfig(raw, env);
}

function fieldName(path: string[]): string {
  return path.length ? path.join('.') : '(root)';
}
