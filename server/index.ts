/**
 * The server package's entry (`import … from '@tender/server'`): build the BFF inside your own Node
 * process, or check a webhook's signature in your shop's backend. `@tender/server/webhooks` exports
 * the webhook helpers alone, without loading Hono or a database driver.
 */
export { createApp, type App, type AppDeps } from './app.ts';
export { ConfigError, configSchema, loadConfig, parseConfig, sandboxConfig, type Config } from './config.ts';
export { createRuntime, type Runtime, type RuntimeOptions } from './runtime.ts';
export { runUntilSignal, startBff, type RunningBff } from './main.ts';
export { SIGNATURE_HEADER, signWebhook, verifyWebhookSignature } from './domain/webhooks.ts';
