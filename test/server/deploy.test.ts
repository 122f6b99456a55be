/**
 * The deployment files the README explains (Dockerfile, compose.yaml, deploy/tender.config.json)
 * agree with the code: the configuration file validates, every "env:NAME" it reads is one the
 * compose file sets, and the image runs the server package's own bin as an unprivileged user.
 * Docker itself is not run here.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseConfig } from '../../server/config.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const read = (path: string) => readFileSync(root + path, 'utf8');

const configText = read('deploy/tender.config.json');
const compose = read('compose.yaml');
const dockerfile = read('Dockerfile');

/** The names under the shared `environment:` of the BFF services (the `x-bff` block). */
function composeBffEnvironment(): string[] {
  const block = /^x-bff:.*?\n {2}environment:[^\n]*\n((?: {4}[A-Z0-9_]+:.*\n)+)/ms.exec(compose);
  assert.ok(block, 'compose.yaml has no x-bff environment block');
  return [...block[1]!.matchAll(/^ {4}([A-Z0-9_]+):/gm)].map((match) => match[1]!);
}

describe('deployment files', () => {
  it('the compose configuration file validates with the variables compose sets', () => {
    const names = composeBffEnvironment();
    const referenced = [...configText.matchAll(/"env:([A-Z0-9_]+)"/g)].map((match) => match[1]!);
    assert.ok(referenced.length > 0);
    for (const name of referenced) assert.ok(names.includes(name), `compose.yaml does not set ${name}`);

    const env: NodeJS.ProcessEnv = {
      TENDER_PUBLIC_URL: 'https://pay.shop.example',
      TENDER_DATABASE: 'postgres://tender:secret@postgres:5432/tender',
      TENDER_SECRET_KEY: 'sk_live_0123456789abcdef',
      TENDER_WEBHOOK_SECRET: 'whsec_0123456789abcdef',
      ONE1PAY_BASE_URL: 'https://one1pay.example',
      ONE1PAY_USERNAME: 'shop',
      ONE1PAY_API_KEY: 'key',
      ONE1PAY_CALLBACK_SECRET: 'callback-secret',
    };
    const config = parseConfig(JSON.parse(configText), env);
    assert.equal(config.sandbox, false);
    assert.equal(config.database, env.TENDER_DATABASE);
    assert.equal(config.publicUrl, env.TENDER_PUBLIC_URL);
    // A variable left unset stops the server with its field's name.
    assert.throws(
      () => parseConfig(JSON.parse(configText), { ...env, TENDER_SECRET_KEY: undefined }),
      /merchant\.secretKey: environment variable TENDER_SECRET_KEY is not set/,
    );
  });

  it('compose runs two BFF instances on PostgreSQL, migrated first', () => {
    const block = /^services:\n(.*?)^\S/ms.exec(compose)?.[1] ?? '';
    const services = [...block.matchAll(/^ {2}([a-z0-9-]+):\n/gm)].map((match) => match[1]);
    assert.deepEqual(services.sort(), ['bff-1', 'bff-2', 'migrate', 'postgres']);
    assert.match(compose, /TENDER_CONFIG: \/etc\/tender\/tender\.config\.json/);
    assert.match(compose, /\.\/deploy\/tender\.config\.json:\/etc\/tender\/tender\.config\.json:ro/);
    assert.match(compose, /TENDER_DATABASE: postgres:\/\//);
    assert.match(compose, /command: \['node', 'server\/dist\/server\/cli\.js', 'migrate'\]/);
  });

  it('the image runs the compiled server bin on node:22-slim as the node user', () => {
    const server = JSON.parse(read('server/package.json')) as { bin: { tender: string } };
    const stages = dockerfile.split(/^FROM /m).slice(1);
    assert.equal(stages.length, 2, 'a build stage and a runtime stage');
    const runtime = stages[1]!;
    assert.match(runtime, /^node:22-slim\n/);
    assert.match(runtime, /^USER node$/m);
    assert.ok(runtime.includes(`CMD ["node", "server/${server.bin.tender}", "serve"]`), 'CMD runs the package bin');
    assert.doesNotMatch(runtime, /tsx/);
    assert.match(stages[0]!, /RUN npm ci /);
  });
});
