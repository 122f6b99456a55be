#!/usr/bin/env node
/**
 * The `tender` command of the server package (package.json "bin"):
 *   tender serve     the BFF (what `node dist/server/main.js` runs)
 *   tender sandbox   every provider simulator, on SANDBOX_PORT
 *   tender migrate   opens the configured store, applies pending migrations, prints one line, exits
 * `--config <file>` stands for TENDER_CONFIG. Each command loads its code only when chosen, so
 * `--help` answers without opening a database driver.
 */
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

const USAGE = `Usage: tender <command> [--config <file>]

Commands:
  serve     Run the BFF: read the configuration, migrate the store, listen on PORT
            (default 8787; HOST, default 127.0.0.1 for the sandbox and 0.0.0.0 otherwise), and run
            the reconciler until SIGINT or SIGTERM.
  sandbox   Run every provider simulator on SANDBOX_PORT (default 8790), each under /<provider>/.
  migrate   Open the configured store, apply pending migrations, print one line and exit.
  help      Print this text.

Options:
  -c, --config <file>   JSON configuration file (the same as TENDER_CONFIG=<file>). Without one,
                        the built-in sandbox configuration: every provider on its simulator,
                        SQLite at ./data/tender.db.
  -h, --help            Print this text.
  -v, --version         Print the version.

Environment: TENDER_CONFIG, PORT, HOST, TENDER_LOG (silent, error, warn, info, debug), SANDBOX_PORT,
SANDBOX_PUBLIC_URL, and any NAME the configuration reads as "env:NAME".
`;

/**
 * Names a database for a message without its credentials: `sqlite:<absolute path>`, or
 * `postgres://host:port/db` with the user and password left out.
 */
function describeDatabase(database: string, cwd = process.cwd()): string {
  if (database.startsWith('sqlite:')) {
    const path = database.slice('sqlite:'.length);
    return path === ':memory:' ? database : `sqlite:${resolve(cwd, path)}`;
  }
  try {
    const url = new URL(database);
    return `${url.protocol}//${url.host}${url.pathname}`;
  } catch {
    return 'the configured database';
  }
}

async function migrate(env: NodeJS.ProcessEnv): Promise<number> {
  const { ConfigError, loadConfig } = await import('./config.ts');
  const { openStore } = await import('./store/index.ts');
  let database = 'the database';
  try {
    const config = loadConfig(env);
    database = describeDatabase(config.database);
    const store = await openStore(config.database);
    await store.close();
    process.stdout.write(`tender migrate: ${database} is migrated and up to date\n`);
    return 0;
  } catch (error) {
    process.stderr.write(
      error instanceof ConfigError
        ? `tender migrate: configuration error: ${error.message}\n`
        : `tender migrate: ${database} could not be migrated: ${(error as Error).message}\n`,
    );
    return 1;
  }
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      config: { type: 'string', short: 'c' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'v' },
    },
  });
}

/** Runs one command; resolves to the exit code, or to null for a command that keeps running. */
async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number | null> {
  let args: ReturnType<typeof parse>;
  try {
    args = parse(argv);
  } catch (error) {
    process.stderr.write(`tender: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = args;
  const command = positionals[0];
  if (values.version) {
    const { version } = createRequire(import.meta.url)('@tender/server/package.json') as { version: string };
    process.stdout.write(`${version}\n`);
    return 0;
  }
  if (values.help || command === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  if (command === undefined) {
    process.stderr.write(USAGE);
    return 2;
  }
  if (positionals.length > 1) {
    process.stderr.write(`tender: unexpected argument ${positionals[1]}\n\n${USAGE}`);
    return 2;
  }
  const runEnv = values.config === undefined ? env : { ...env, TENDER_CONFIG: values.config };
  switch (command) {
    case 'serve': {
      const { runUntilSignal, startBff } = await import('./main.ts');
      await runUntilSignal(() => startBff(runEnv));
      return null;
    }
    case 'sandbox': {
      // Listens as soon as it is imported; it reads SANDBOX_PORT and SANDBOX_PUBLIC_URL itself.
      await import('./sandbox/serve.ts');
      return null;
    }
    case 'migrate':
      return migrate(runEnv);
    default:
      process.stderr.write(`tender: unknown command ${command}\n\n${USAGE}`);
      return 2;
  }
}

// This file is only ever an entry point (the bin links to it), so it runs on load.
const code = await main(process.argv.slice(2), process.env);
if (code !== null) process.exit(code);
