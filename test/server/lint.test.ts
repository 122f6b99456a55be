// The layer rule in eslint.config.js: each forbidden import, written in a file of the folder it is
// forbidden in, is reported; the same import elsewhere is not. The snippets are linted in memory
// with type-aware rules off (the layer rule needs no types, and the fake files are not on disk).
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';

const root = fileURLToPath(new URL('../..', import.meta.url));
const eslint = new ESLint({
  cwd: root,
  overrideConfig: [{ files: ['**/*.ts'], ...tseslint.configs.disableTypeChecked }],
});

async function layerErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${root}${file}` });
  assert.ok(result, `no lint result for ${file}`);
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

test('widget/ may not import the server, by path or by package name', async () => {
  const relative = await layerErrors('widget/layer-fixture.ts', "import { createApp } from '../server/app.ts';\n");
  assert.equal(relative.length, 1);
  assert.match(relative[0] ?? '', /never imports the server/);
  const deep = await layerErrors(
    'widget/sub/layer-fixture.ts',
    "export type { Config } from '../../server/config.ts';\n",
  );
  assert.equal(deep.length, 1);
  const pkg = await layerErrors('widget/layer-fixture.ts', "import '@tender/server';\n");
  assert.equal(pkg.length, 1);
  assert.deepEqual(await layerErrors('widget/layer-fixture.ts', "import type { Session } from './wire.ts';\n"), []);
  assert.deepEqual(await layerErrors('demo/layer-fixture.ts', "import { startBff } from '../server/main.ts';\n"), []);
});

test('a provider may not import an HTTP route', async () => {
  const errors = await layerErrors(
    'server/providers/kesspay/layer-fixture.ts',
    "import { sessionRoutes } from '../../routes/sessions.ts';\n",
  );
  assert.equal(errors.length, 1);
  assert.match(errors[0] ?? '', /never imports an HTTP route/);
  assert.deepEqual(
    await layerErrors('server/providers/kesspay/layer-fixture.ts', "import { money } from '../../domain/money.ts';\n"),
    [],
  );
  assert.deepEqual(await layerErrors('server/app.ts', "import { sessionRoutes } from './routes/sessions.ts';\n"), []);
});

test('server/domain/ may not import Hono', async () => {
  for (const specifier of ['hono', 'hono/http-exception', '@hono/node-server']) {
    const errors = await layerErrors('server/domain/layer-fixture.ts', `import '${specifier}';\n`);
    assert.equal(errors.length, 1, specifier);
    assert.match(errors[0] ?? '', /never imports Hono/);
  }
  assert.deepEqual(await layerErrors('server/domain/layer-fixture.ts', "import { z } from 'zod';\n"), []);
  assert.deepEqual(await layerErrors('server/routes/layer-fixture.ts', "import { Hono } from 'hono';\n"), []);
});
