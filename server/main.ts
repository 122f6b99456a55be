/**
 * The node entry: the only file that listens on a port. Reads the configuration (TENDER_CONFIG or
 * the built-in sandbox), migrates the store, serves the BFF on PORT (default 8787) and runs the
 * reconciler until SIGINT/SIGTERM.
 */
import { serve, type ServerType } from '@hono/node-server';
import { pathToFileURL } from 'node:url';
import { ConfigError, loadConfig } from './config.ts';
import { createLogger, LOG_LEVELS, parseLogLevel } from './domain/log.ts';
import { LIMITS } from './limits.ts';
import { Metrics } from './metrics.ts';
import { createRuntime, type Runtime } from './runtime.ts';
import { StoreUnavailableError } from './store/index.ts';

export interface RunningBff {
  runtime: Runtime;
  server: ServerType;
  url: string;
  stop(): Promise<void>;
}

/** `writeLog` takes each log line instead of standard error (a test reading what was logged). */
export async function startBff(
  env: NodeJS.ProcessEnv = process.env,
  { writeLog }: { writeLog?: (line: string) => void } = {},
): Promise<RunningBff> {
  const level = parseLogLevel(env.TENDER_LOG);
  if (!level) throw new ConfigError(`TENDER_LOG: "${env.TENDER_LOG}" is not one of ${LOG_LEVELS.join(', ')}`);
  const log = createLogger({ level, ...(writeLog ? { write: writeLog } : {}) });
  const config = loadConfig(env);
  const runtime = await createRuntime(config, { log, metrics: new Metrics({ process: true }) });
  const port = Number(env.PORT ?? 8787);
  const server = await new Promise<ServerType>((resolve) => {
    // The sandbox has public credentials and test controls: it listens on loopback unless told
    // otherwise (HOST=0.0.0.0 lets a phone on the network scan a code).
    const hostname = env.HOST ?? (config.sandbox ? '127.0.0.1' : '0.0.0.0');
    const listening = serve(
      { fetch: runtime.app.fetch, port, hostname, serverOptions: { maxHeaderSize: LIMITS.headerBytes } },
      () => resolve(listening),
    );
  });
  runtime.start();
  log.info('Tender BFF listening', { url: config.publicUrl, port, sandbox: config.sandbox });
  return {
    runtime,
    server,
    url: config.publicUrl,
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Open SSE streams would hold the server forever; end them.
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
      await runtime.close();
    },
  };
}

/** Runs `start` and stops cleanly on SIGINT/SIGTERM; a bad configuration exits with its message. */
export async function runUntilSignal(start: () => Promise<{ stop(): Promise<void> }>): Promise<void> {
  let running: { stop(): Promise<void> };
  try {
    running = await start();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`Tender cannot start: configuration error: ${error.message}\n`);
      process.exit(1);
    }
    // One line naming the cause and the fix (a read-only file, a full disk, PostgreSQL unreachable…).
    if (error instanceof StoreUnavailableError) {
      process.stderr.write(`Tender cannot start: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const shutdown = async () => {
    await running.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown());
  process.once('SIGTERM', () => void shutdown());
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  void runUntilSignal(() => startBff());
}
